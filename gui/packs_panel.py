"""Screening type chooser, and the dialog with a pack's intended use, classes and accuracy."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from screening.numbers import format_decimal, format_percent

if TYPE_CHECKING:
    from inference.manifest import Manifest
    from inference.packs import ModelPack, PackCatalog


class PackChooser(QWidget):
    """Combo of installed packs by display name; refused packs listed disabled with why."""

    pack_selected = Signal(str)
    info_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox()
        self.combo.setMinimumWidth(260)
        self.combo.addItem(self.tr("Looking for screening types…"))
        self.combo.setEnabled(False)
        self.info_button = QPushButton(self.tr("About this screening type…"))
        self.info_button.setEnabled(False)
        self.problems = QLabel()
        self.problems.setStyleSheet("QLabel { color: #8a5a00; }")
        self.problems.hide()
        self.combo.activated.connect(self._activated)
        self.info_button.clicked.connect(self.info_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        label = QLabel(self.tr("Screening type"))
        label.setBuddy(self.combo)
        layout.addWidget(label)
        layout.addWidget(self.combo, 1)
        layout.addWidget(self.info_button)
        layout.addWidget(self.problems)

    def _activated(self, index: int) -> None:
        pack_id = self.combo.itemData(index)
        if pack_id:
            self.pack_selected.emit(pack_id)

    def set_catalog(self, catalog: PackCatalog, current: str | None, language: str) -> None:
        with QSignalBlocker(self.combo):
            self.combo.clear()
            for pack in catalog.packs:
                self.combo.addItem(pack.manifest.display_name.get(language), pack.id)
            model = self.combo.model()
            for problem in catalog.problems:
                self.combo.addItem(
                    self.tr("{name} (cannot be used)").format(name=problem.directory.name)
                )
                row = self.combo.count() - 1
                self.combo.setItemData(row, problem.message, Qt.ItemDataRole.ToolTipRole)
                if isinstance(model, QStandardItemModel):
                    model.item(row).setEnabled(False)
            if not catalog.packs:
                self.combo.insertItem(0, self.tr("No screening types installed"))
                self.combo.setCurrentIndex(0)
            i = self.combo.findData(current)
            if i >= 0:
                self.combo.setCurrentIndex(i)
        self.combo.setEnabled(bool(catalog.packs))
        self.info_button.setEnabled(bool(catalog.packs) or bool(catalog.problems))
        n = len(catalog.problems)
        self.problems.setVisible(n > 0)
        self.problems.setText(self.tr("%n type(s) could not be loaded", "", n))
        self.problems.setToolTip("\n\n".join(p.message for p in catalog.problems))


def _guard_text(manifest: Manifest, language: str = "en") -> str:
    """The out-of-distribution guard's measured rates, so staff know what refusals mean."""
    ood = manifest.ood
    if ood is None or ood.val_pass_rate is None:
        return ""
    translate = QCoreApplication.translate
    text = translate(
        "PackInfoDialog",
        "Images unlike its training images get no answer. {passed} of its own held-out images pass this check.",  # noqa: E501 - one literal, for lupdate
    ).format(passed=format_percent(ood.val_pass_rate, language))
    if ood.far_ood_flag_rate is None:
        return text
    # imported here, not with the module: it loads onnxruntime, which the window's start-up avoids
    from inference.modality import CHECKED

    refused = format_percent(ood.far_ood_flag_rate, language)
    if manifest.modality in CHECKED:  # the modality check refuses another kind of image first
        return text + " " + translate(
            "PackInfoDialog",
            "Images of another kind (other scans, photos, documents) are refused before this check, as the wrong type of image; on its own, this check also refuses {refused} of such test images.",  # noqa: E501
        ).format(refused=refused)
    return text + " " + translate(
        "PackInfoDialog",
        "{refused} of unrelated test images (other scans, photos, documents) are refused.",  # noqa: E501
    ).format(refused=refused)


def _signer_text(pack: ModelPack) -> str:
    """Who vouches for the pack (its signature), so staff can tell a project pack from
    one a clinic trusted itself."""
    translate = QCoreApplication.translate
    signer = pack.signer
    if signer is None:
        return ""
    if signer.kind == "project":
        return translate("PackInfoDialog", "the ClinicLens project (key {fingerprint})").format(
            fingerprint=signer.fingerprint
        )
    if signer.kind == "trusted":
        return translate(
            "PackInfoDialog", "a key trusted on this computer: {fingerprint} ({name})"
        ).format(fingerprint=signer.fingerprint, name=signer.name or "-")
    return translate(
        "PackInfoDialog", "nobody: this pack is unsigned and runs only in developer mode"
    )


def _share(entry: object, language: str) -> str | None:
    """'96.9 % (95.2-98.0 %)' from an evaluation entry {value, low, high}, else None."""
    if not isinstance(entry, dict) or "value" not in entry:
        return None
    low, high = entry.get("low"), entry.get("high")
    text = format_percent(float(entry["value"]), language)
    if low is not None and high is not None:
        low_text = format_decimal(100.0 * float(low), language)  # "95.2-98.0 %": one sign
        text += f" ({low_text}-{format_percent(float(high), language)})"
    return text


def evaluation_lines(
    extra: dict, language: str = "en", class_names: Mapping[str, str] | None = None
) -> list[str]:
    """The pack's measured evaluation (training.pack_eval via tools/evaluate_packs.py), next
    to its accuracy: per split, the share of images answered and accuracy counting
    refusals as misses; the share marked refer by true class (for a normal class, the false
    referrals a clinic would see: a second site's normal chest X-rays, say); for packs with
    tumour boxes, how often the heatmap's peak falls on the tumour against a map that always
    points at the centre (issue 15/16)."""
    translate = QCoreApplication.translate
    evaluation = extra.get("evaluation") if isinstance(extra, dict) else None
    splits = evaluation.get("splits") if isinstance(evaluation, dict) else None
    if not isinstance(splits, dict):
        return []
    names = {
        "val": translate("PackInfoDialog", "Own validation images"),
        "shift": translate("PackInfoDialog", "Images from a second site"),
    }
    lines = []
    for split in ("val", "shift"):
        figures = splits.get(split)
        if not isinstance(figures, dict):
            continue
        answered = _share(figures.get("answered"), language)
        accuracy = _share(figures.get("accuracy"), language)
        if answered and accuracy:
            lines.append(
                translate(
                    "PackInfoDialog",
                    "{split} ({n}): answered {answered}; right, counting refusals as "
                    "misses, {accuracy} (95 % intervals).",
                ).format(n=figures.get("n", "?"), split=names[split], answered=answered,
                         accuracy=accuracy)
            )
        referred = _referred_text(figures.get("per_class"), language, class_names or {})
        if referred:
            lines.append(
                translate(
                    "PackInfoDialog",
                    "{split}: marked “refer for follow-up”, by true class: {classes}.",
                ).format(split=names[split], classes=referred)
            )
        where = figures.get("localisation")
        if isinstance(where, dict):
            ours = _share(((where.get("gradcam") or {}).get("all") or {}).get("pointing"), language)
            centre = _share(
                ((where.get("centre") or {}).get("all") or {}).get("pointing"), language
            )
            if ours and centre:
                lines.append(
                    translate(
                        "PackInfoDialog",
                        "{split}: heatmap peak on the tumour {ours}; a map that always "
                        "points at the centre {centre}.",
                    ).format(split=names[split], ours=ours, centre=centre)
                )
    return lines


def _referred_text(per_class: object, language: str, class_names: Mapping[str, str]) -> str:
    """"normal 18.8 % (12.8-26.8 %); pneumonia 98.5 % (...)" from the evaluation's per-class
    referred shares; "" when the record has none."""
    if not isinstance(per_class, dict):
        return ""
    parts = []
    for cls, figures in per_class.items():
        share = _share(figures.get("referred") if isinstance(figures, dict) else None, language)
        if share:
            parts.append(f"{class_names.get(cls, cls)} {share}")
    return "; ".join(parts)


def pack_html(
    pack: ModelPack | None, catalog: PackCatalog, language: str, tr: object = None
) -> str:
    """Intended use, classes (with what "refer" means), accuracy and limitations.

    Strings are translated in the "PackInfoDialog" context, written out in full so that
    lupdate finds every one (``tr`` is ignored; kept for callers)."""
    translate = QCoreApplication.translate
    h = {
        "use": translate("PackInfoDialog", "Intended use"),
        "classes": translate("PackInfoDialog", "Classes"),
        "refer": translate("PackInfoDialog", "refer for follow-up"),
        "accuracy": translate("PackInfoDialog", "Measured accuracy"),
        "class": translate("PackInfoDialog", "Class"),
        "sens": translate("PackInfoDialog", "Sensitivity"),
        "prec": translate("PackInfoDialog", "Precision"),
        "images": translate("PackInfoDialog", "Images"),
        "limits": translate("PackInfoDialog", "Limitations"),
        "guard": translate("PackInfoDialog", "Images it refuses"),
        "refused": translate("PackInfoDialog", "Screening types that could not be loaded"),
    }
    h = {k: escape(v) for k, v in h.items()}
    parts: list[str] = []
    if pack is not None:
        m = pack.manifest
        version = translate("PackInfoDialog", "Pack {id}, version {version}")
        parts.append(f"<h2>{escape(m.display_name.get(language))}</h2>")
        parts.append(f"<p>{escape(version.format(id=m.id, version=m.pack_version))}</p>")
        signer = _signer_text(pack)
        if signer:
            signed = escape(translate("PackInfoDialog", "Signed by"))
            parts.append(f"<p><b>{signed}:</b> {escape(signer)}</p>")
        parts.append(f"<h3>{h['use']}</h3>")
        parts.append(f"<p>{escape(m.intended_use.get(language))}</p>")
        parts.append(f"<h3>{h['classes']}</h3><ul>")
        for c in m.classes:
            refer = f" — <b>{h['refer']}</b>" if c.refer else ""
            parts.append(
                f"<li><b>{escape(c.name.get(language))}</b>{refer}<br>"
                f"{escape(c.description.get(language))}</li>"
            )
        parts.append("</ul>")
        metrics = m.metrics
        accuracy = translate(
            "PackInfoDialog",
            "Accuracy {acc}, macro F1 {f1} on {n} held-out {split} images.",
        ).format(
            acc=format_percent(metrics.accuracy, language),
            f1=format_percent(metrics.macro_f1, language),
            n=metrics.n,
            split=metrics.split,
        )
        parts.append(f"<h3>{h['accuracy']}</h3>")
        parts.append(f"<p>{escape(accuracy)}</p>")
        names = {c.id: c.name.get(language) for c in m.classes}
        parts += [
            f"<p>{escape(line)}</p>" for line in evaluation_lines(metrics.extra, language, names)
        ]
        per_class = metrics.extra.get("per_class")

        def pct(rate: float) -> str:
            return format_percent(rate, language)

        if isinstance(per_class, dict) and per_class:
            parts.append(
                "<table cellpadding='3'><tr>"
                f"<th align='left'>{h['class']}</th>"
                f"<th>{h['sens']}</th><th>{h['prec']}</th><th>{h['images']}</th></tr>"
            )
            for c in m.classes:
                row = per_class.get(c.id) or {}
                if not isinstance(row, dict):
                    continue
                parts.append(
                    f"<tr><td>{escape(c.name.get(language))}</td>"
                    f"<td align='right'>{pct(float(row.get('recall', 0)))}</td>"
                    f"<td align='right'>{pct(float(row.get('precision', 0)))}</td>"
                    f"<td align='right'>{int(row.get('support', 0))}</td></tr>"
                )
            parts.append("</table>")
        guard = _guard_text(m, language)
        if guard:
            parts.append(f"<h3>{h['guard']}</h3>")
            parts.append(f"<p>{escape(guard)}</p>")
        if m.limitations:
            parts.append(f"<h3>{h['limits']}</h3><ul>")
            parts += [f"<li>{escape(t.get(language))}</li>" for t in m.limitations]
            parts.append("</ul>")
    if catalog.problems:
        parts.append(f"<h3>{h['refused']}</h3><ul>")
        parts += [
            f"<li><b>{escape(p.directory.name)}</b>: {escape(p.message)}</li>"
            for p in catalog.problems
        ]
        parts.append("</ul>")
    return "\n".join(parts)


class PackInfoDialog(QDialog):
    def __init__(self, html: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("About this screening type"))
        self.text = QTextBrowser()
        self.text.setHtml(html)
        self.text.setLineWrapMode(QTextBrowser.LineWrapMode.WidgetWidth)
        self.text.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(620, 560)
