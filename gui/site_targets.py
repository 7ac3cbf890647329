"""Target sensitivity per referral class for the site-calibration wizard.

One value for every class could not express what a clinic needs: on the v2 brain pack a
common 90 % or 85 % was refused as no better than shipped, while 95 / 85 / 95 % (glioma,
meningioma, pituitary) answered 98.6 % of a second site and beat shipped by cross-validation.
So each referral class gets its own box, left at "the pack's own" (its validation
sensitivity, ``inference.site.default_targets``) unless the clinic sets it.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QDoubleSpinBox, QFormLayout, QWidget

from screening.numbers import format_percent


def merge_targets(
    defaults: Sequence[float | None], chosen: Sequence[float | None]
) -> tuple[float | None, ...]:
    """Per class: the clinic's value where it set one (a share, 0-1), else the pack's own."""
    return tuple(c if c is not None else d for d, c in zip(defaults, chosen, strict=True))


class TargetsEditor(QWidget):
    """One percentage box per referral class; 0 shows as "the pack's own (NN %)"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.boxes: dict[str, QDoubleSpinBox] = {}
        self.language = "en"

    def set_pack(self, manifest, language: str = "en") -> None:  # noqa: ANN001 - inference Manifest
        from inference.site import default_targets

        self.language = language
        while self.form.rowCount():
            self.form.removeRow(0)
        self.boxes = {}
        for cls, own in zip(manifest.classes, default_targets(manifest), strict=True):
            if not cls.refer:
                continue
            box = QDoubleSpinBox()
            box.setRange(0.0, 100.0)
            box.setDecimals(1)
            box.setSuffix(" %")
            own_text = format_percent(own, language) if own is not None else "—"
            box.setSpecialValueText(self.tr("the pack's own ({value})").format(value=own_text))
            box.setValue(0.0)
            self.boxes[cls.id] = box
            self.form.addRow(cls.name.get(language), box)

    def targets(self, manifest) -> tuple[float | None, ...]:  # noqa: ANN001
        from inference.site import default_targets

        chosen = [
            self.boxes[c.id].value() / 100 if c.id in self.boxes and self.boxes[c.id].value() > 0 else None
            for c in manifest.classes
        ]
        return merge_targets(default_targets(manifest), chosen)
