"""Screening type chooser, and the dialog with a pack's intended use, classes and accuracy."""

from __future__ import annotations

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


def _guard_text(manifest: Manifest) -> str:
    """The out-of-distribution guard's measured rates, so staff know what refusals mean."""
    ood = manifest.ood
    if ood is None or ood.val_pass_rate is None:
        return ""
    translate = QCoreApplication.translate
    text = translate(
        "PackInfoDialog",
        "Images unlike its training images get no answer. {passed:.1f} % of its own held-out images pass this check.",  # noqa: E501 - one literal, for lupdate
    ).format(passed=ood.val_pass_rate * 100)
    if ood.far_ood_flag_rate is not None:
        text += " " + translate(
            "PackInfoDialog",
            "{refused:.1f} % of unrelated test images (other scans, photos, documents) are refused.",  # noqa: E501
        ).format(refused=ood.far_ood_flag_rate * 100)
    return text


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
            "Accuracy {acc:.1f} %, macro F1 {f1:.1f} % on {n} held-out {split} images.",
        ).format(
            acc=metrics.accuracy * 100,
            f1=metrics.macro_f1 * 100,
            n=metrics.n,
            split=metrics.split,
        )
        parts.append(f"<h3>{h['accuracy']}</h3>")
        parts.append(f"<p>{escape(accuracy)}</p>")
        per_class = metrics.extra.get("per_class")
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
                    f"<td align='right'>{float(row.get('recall', 0)) * 100:.1f} %</td>"
                    f"<td align='right'>{float(row.get('precision', 0)) * 100:.1f} %</td>"
                    f"<td align='right'>{int(row.get('support', 0))}</td></tr>"
                )
            parts.append("</table>")
        guard = _guard_text(m)
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
