"""The answer: top class in large type, refer mark, per-class bars, or a warning instead."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from screening.numbers import format_probability

from .plaintext import plain
from .presenter import ResultSummary

REFER_STYLE = (
    "QLabel { background: #fde8e8; color: #a61b1b; border: 1px solid #a61b1b;"
    " border-radius: 4px; padding: 4px 8px; font-weight: bold; }"
)
CLEAR_STYLE = "QLabel { color: #1e6b3a; padding: 2px 0; }"
WARN_STYLE = (
    "QLabel { background: #fff4d6; color: #6b4500; border: 1px solid #c98a00;"
    " border-radius: 4px; padding: 8px; }"
)
BAR_STYLE = "QProgressBar {{ border: 1px solid #cbd2d9; border-radius: 3px; background: #f3f5f7; }}"
BAR_CHUNK = "QProgressBar::chunk {{ background: {colour}; border-radius: 2px; }}"


class ResultPanel(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary: ResultSummary | None = None
        self.title = QLabel(self.tr("Result"))
        self.title.setStyleSheet("QLabel { color: #616e7c; }")
        self.headline = QLabel()
        self.headline.setObjectName("headline")
        font = self.headline.font()
        font.setPointSizeF(max(font.pointSizeF(), 9.0) * 2.0)
        font.setBold(True)
        self.headline.setFont(font)
        self.headline.setWordWrap(True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.probability = QLabel()
        self.probability.setStyleSheet("QLabel { color: #3e4c59; }")
        self.refer_label = QLabel()
        self.refer_label.setObjectName("refer")
        self.refer_label.setWordWrap(True)
        # A weak pack's warning (screening.pack_warnings), with every result it gives.
        self.pack_warning = QLabel()
        self.pack_warning.setObjectName("pack_warning")
        self.pack_warning.setWordWrap(True)
        self.pack_warning.setStyleSheet(WARN_STYLE)
        self.pack_warning.hide()
        self.warning = QLabel()
        self.warning.setObjectName("warning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(WARN_STYLE)
        self.bars_box = QWidget()
        self.bars = QGridLayout(self.bars_box)
        self.bars.setContentsMargins(0, 4, 0, 4)
        self.bars.setColumnStretch(1, 1)
        self.pack_label = QLabel()
        self.pack_label.setWordWrap(True)
        self.pack_label.setStyleSheet("QLabel { color: #616e7c; }")
        self.disclaimer = QLabel(self.tr("Screening aid — not a diagnosis"))
        self.disclaimer.setObjectName("disclaimer")
        self.disclaimer.setWordWrap(True)
        self.disclaimer.setStyleSheet("QLabel { color: #1d5f8a; font-weight: bold; }")
        # Class names come from pack files, patient names from users: never markup.
        plain(
            self.headline,
            self.probability,
            self.refer_label,
            self.warning,
            self.pack_label,
            self.pack_warning,
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        for w in (
            self.title,
            self.pack_warning,
            self.headline,
            self.probability,
            self.refer_label,
            self.warning,
            self.bars_box,
            self.pack_label,
            self.disclaimer,
        ):
            layout.addWidget(w)
        self.clear()

    # -- rendering -----------------------------------------------------------------------
    def clear(self, message: str = "") -> None:
        self.summary = None
        self.headline.setText(message or self.tr("No image screened yet"))
        self.headline.setStyleSheet("QLabel { color: #9aa5b1; }")
        self.refer_label.hide()
        self.probability.hide()
        self.warning.hide()
        self._set_bars(None)
        self.pack_label.clear()

    def set_pack_warning(self, text: str) -> None:
        """The warning of the pack whose screening is shown ("" hides it); kept across
        clear/busy/result so it is there before and with every result of that pack."""
        self.pack_warning.setText("⚠ " + text if text else "")
        self.pack_warning.setVisible(bool(text))

    def show_busy(self, text: str) -> None:
        self.clear(text)

    def show_summary(self, summary: ResultSummary) -> None:
        self.summary = summary
        pack = self.tr("{name}, version {version}").format(
            name=summary.pack_name, version=summary.pack_version
        )
        if summary.screened_at:
            pack += "\n" + self.tr("Screened {when}").format(when=summary.screened_at)
        if summary.patient:
            pack += "\n" + self.tr("Patient: {patient}").format(patient=summary.patient)
        self.pack_label.setText(pack)
        if summary.voided:
            self.headline.setText(self.tr("Voided — not a valid result"))
            self.headline.setStyleSheet("QLabel { color: #7b8794; }")
            self.warning.setText("⚠ " + summary.voided)
            self.warning.show()
            self.refer_label.hide()
            self.probability.hide()
            self._set_bars(None)
            return
        if not summary.answered:
            self.headline.setText(self.tr("No answer for this image"))
            self.headline.setStyleSheet("QLabel { color: #8a5a00; }")
            self.warning.setText("⚠ " + summary.warning)
            self.warning.show()
            self.refer_label.hide()
            self.probability.hide()
            self._set_bars(None)
            return
        self.warning.hide()
        lang = summary.language
        if summary.referral_first:
            # One message: the referral leads; the most likely class is said after it.
            self.headline.setText(
                self.tr("Refer: {classes}").format(classes=", ".join(summary.referring))
            )
            self.headline.setStyleSheet("QLabel { color: #a61b1b; }")
            self.probability.setText(
                self.tr(
                    "{cls} {p}, above its referral threshold. Most likely class: {top} {tp}"
                ).format(
                    cls=summary.referring[0],
                    p=format_probability(summary.referring_probability, lang),
                    top=summary.headline,
                    tp=format_probability(summary.probability, lang),
                )
            )
            self.probability.setWordWrap(True)
            self.probability.show()
        else:
            self.headline.setText(summary.headline)
            self.headline.setStyleSheet("QLabel { color: #1f2933; }")
            if summary.probability is not None:
                self.probability.setText(
                    self.tr("Model probability {p}").format(
                        p=format_probability(summary.probability, lang)
                    )
                )
                self.probability.show()
        if summary.refer:
            text = "▲ " + self.tr("Refer for follow-up")
            if (
                summary.referring
                and not summary.referral_first
                and summary.referring != (summary.headline,)
            ):
                text += "\n" + self.tr("because of: {classes}").format(
                    classes=", ".join(summary.referring)
                )
            self.refer_label.setText(text)
            self.refer_label.setStyleSheet(REFER_STYLE)
        else:
            self.refer_label.setText(self.tr("No referral indicated by the model"))
            self.refer_label.setStyleSheet(CLEAR_STYLE)
        self.refer_label.show()
        self._set_bars(summary)

    def _set_bars(self, summary: ResultSummary | None) -> None:
        while self.bars.count():
            item = self.bars.takeAt(0)
            if item.widget() is not None:
                item.widget().hide()  # gone now, not only when the deferred delete runs
                item.widget().deleteLater()
        if summary is None:
            self.bars_box.hide()
            return
        for row, bar in enumerate(summary.bars):
            name = QLabel(bar.name)
            plain(name)
            if bar.top:
                font = name.font()
                font.setBold(True)
                name.setFont(font)
            meter = QProgressBar()
            meter.setRange(0, 1000)
            meter.setValue(round(bar.probability * 1000))
            meter.setTextVisible(False)
            meter.setFixedHeight(14)
            colour = "#c0392b" if bar.refer else "#2e7d4f"
            meter.setStyleSheet(BAR_STYLE.format() + BAR_CHUNK.format(colour=colour))
            meter.setAccessibleName(f"{bar.name} {bar.probability:.0%}")
            value = QLabel(format_probability(bar.probability, summary.language))
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value.setMinimumWidth(52)
            self.bars.addWidget(name, row, 0)
            self.bars.addWidget(meter, row, 1)
            self.bars.addWidget(value, row, 2)
        self.bars_box.show()

    # -- for tests and screen readers ----------------------------------------------------
    @property
    def shown_class(self) -> str:
        """The class shown as the answer ("" when there is none)."""
        if not self.summary or not self.summary.answered:
            return ""
        return self.summary.headline if self.summary.referral_first else self.headline.text()
