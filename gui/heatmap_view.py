"""Heatmap viewer: original and overlay side by side or toggled, wheel zoom, drag pan, fit."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPixmap, QWheelEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from .session import HeatmapSettings

METHOD_LABELS = {
    "gradcam": "Grad-CAM",
    "gradcam++": "Grad-CAM++",
    "layercam": "LayerCAM",
    "eigencam": "EigenCAM",
}
GAP = 16  # pixels between the two images in side-by-side mode


class ImageView(QGraphicsView):
    """Zoom with the wheel, pan by dragging; fits the picture when it changes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setBackgroundBrush(Qt.GlobalColor.darkGray)
        self.setMinimumSize(240, 200)
        self.primary = QGraphicsPixmapItem()
        self.secondary = QGraphicsPixmapItem()
        self.primary.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.secondary.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self.primary)
        self.scene().addItem(self.secondary)
        self.zoom = 1.0
        self.auto_fit = True

    def show_pixmaps(self, primary: QPixmap | None, secondary: QPixmap | None, fit: bool) -> None:
        """``secondary`` (the overlay) is placed right of ``primary`` when given."""
        self.primary.setPixmap(primary or QPixmap())
        self.secondary.setPixmap(secondary or QPixmap())
        self.secondary.setVisible(secondary is not None)
        if primary is not None:
            self.secondary.setPos(primary.width() + GAP, 0)
        self.scene().setSceneRect(self.scene().itemsBoundingRect())
        if fit:
            self.fit()

    def shown_image(self) -> QImage:
        """What the main picture shows now (the overlay when side by side)."""
        item = self.secondary if self.secondary.isVisible() else self.primary
        return item.pixmap().toImage()

    def fit(self) -> None:
        rect = self.scene().itemsBoundingRect()
        if rect.isEmpty():
            return
        self.resetTransform()
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        self.zoom = self.transform().m11()
        self.auto_fit = True

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt API
        steps = event.angleDelta().y() / 120.0
        if not steps:
            return
        factor = 1.15**steps
        new_zoom = self.zoom * factor
        if not 0.02 <= new_zoom <= 40:
            return
        self.scale(factor, factor)
        self.zoom = new_zoom
        self.auto_fit = False

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        if self.auto_fit:  # keep fitting until the user zooms by hand
            self.fit()


class HeatmapControls(QWidget):
    """The viewer's settings; emits ``changed`` with a dict of the field that changed."""

    changed = Signal(dict)
    fit_requested = Signal()
    save_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.show_heatmap = QCheckBox(self.tr("Heatmap (H)"))
        self.show_heatmap.setChecked(True)
        self.side_by_side = QCheckBox(self.tr("Side by side"))
        self.class_combo = QComboBox()
        self.class_combo.setToolTip(self.tr("Show the evidence for this class"))
        self.method_combo = QComboBox()
        self.method_combo.setToolTip(self.tr("How the heatmap is computed"))
        self.colormap_combo = QComboBox()
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity.setValue(45)
        self.opacity.setMinimumWidth(90)
        self.opacity.setToolTip(self.tr("Heatmap opacity"))
        self.fit_button = QPushButton(self.tr("Fit"))
        self.fit_button.setToolTip(self.tr("Fit the image to the window"))
        self.save_button = QPushButton(self.tr("Save PNG…"))
        self.save_button.setToolTip(self.tr("Save the heatmap overlay as a PNG image"))

        self.show_heatmap.toggled.connect(lambda v: self.changed.emit({"visible": v}))
        self.side_by_side.toggled.connect(lambda v: self.changed.emit({"side_by_side": v}))
        self.opacity.valueChanged.connect(lambda v: self.changed.emit({"opacity": v / 100.0}))
        self.class_combo.activated.connect(
            lambda _: self.changed.emit({"class_id": self.class_combo.currentData()})
        )
        self.method_combo.activated.connect(
            lambda _: self.changed.emit({"method": self.method_combo.currentData()})
        )
        self.colormap_combo.activated.connect(
            lambda _: self.changed.emit({"colormap": self.colormap_combo.currentData()})
        )
        self.fit_button.clicked.connect(self.fit_requested)
        self.save_button.clicked.connect(self.save_requested)

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.show_heatmap, 0, 0)
        grid.addWidget(QLabel(self.tr("Class")), 0, 1)
        grid.addWidget(self.class_combo, 0, 2)
        grid.addWidget(QLabel(self.tr("Method")), 0, 3)
        grid.addWidget(self.method_combo, 0, 4)
        grid.addWidget(self.fit_button, 0, 5)
        grid.addWidget(self.side_by_side, 1, 0)
        grid.addWidget(QLabel(self.tr("Opacity")), 1, 1)
        grid.addWidget(self.opacity, 1, 2)
        grid.addWidget(QLabel(self.tr("Colours")), 1, 3)
        grid.addWidget(self.colormap_combo, 1, 4)
        grid.addWidget(self.save_button, 1, 5)
        grid.setColumnStretch(2, 1)
        grid.setColumnStretch(4, 1)

    def set_choices(self, methods: list[str], colormaps: list[str]) -> None:
        with QSignalBlocker(self.method_combo):
            self.method_combo.clear()
            for m in methods:
                self.method_combo.addItem(METHOD_LABELS.get(m, m), m)
        with QSignalBlocker(self.colormap_combo):
            self.colormap_combo.clear()
            for c in colormaps:
                self.colormap_combo.addItem(c.capitalize(), c)

    def set_classes(self, classes: list[tuple[str, str]], top: str | None) -> None:
        """``classes`` as (id, display name); the top class is marked and listed first."""
        with QSignalBlocker(self.class_combo):
            self.class_combo.clear()
            for cid, name in classes:
                label = name + ("  " + self.tr("(top)") if cid == top else "")
                self.class_combo.addItem(label, cid)

    def apply(self, settings: HeatmapSettings, top: str | None) -> None:
        """Show ``settings`` without emitting ``changed``."""
        widgets = (
            self.show_heatmap,
            self.side_by_side,
            self.opacity,
            self.class_combo,
            self.method_combo,
            self.colormap_combo,
        )
        blockers = [QSignalBlocker(w) for w in widgets]
        self.show_heatmap.setChecked(settings.visible)
        self.side_by_side.setChecked(settings.side_by_side)
        self.opacity.setValue(round(settings.opacity * 100))
        for combo, value in (
            (self.class_combo, settings.class_id or top),
            (self.method_combo, settings.method),
            (self.colormap_combo, settings.colormap),
        ):
            i = combo.findData(value)
            if i >= 0:
                combo.setCurrentIndex(i)
        del blockers

    def set_heatmap_enabled(self, on: bool) -> None:
        for w in (
            self.show_heatmap,
            self.side_by_side,
            self.class_combo,
            self.method_combo,
            self.colormap_combo,
            self.opacity,
            self.save_button,
        ):
            w.setEnabled(on)


class HeatmapViewer(QWidget):
    """Image view + controls + the "no positive evidence" note."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = ImageView()
        self.controls = HeatmapControls()
        self.note = QLabel()
        self.note.setObjectName("heatmapNote")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("QLabel { color: #8a5a00; }")
        self.note.hide()
        # What the colours mean, always beside a heatmap (issue 15).
        self.scale = QLabel(
            self.tr(
                "Colour scale: red = the areas that raised the score for the chosen class "
                "most, blue = the least; relative within this image, not a probability."
            )
        )
        self.scale.setObjectName("heatmapScale")
        self.scale.setWordWrap(True)
        self.scale.setStyleSheet("QLabel { color: #616e7c; font-size: 9pt; }")
        self.scale.hide()
        self.placeholder = QLabel(
            self.tr("Choose the screening type, then drop images here or click Open files.")
        )
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # Error texts carry file names: never markup.
        self.placeholder.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.placeholder.setWordWrap(True)
        self.placeholder.setStyleSheet("QLabel { color: #616e7c; font-size: 13pt; }")
        self.controls.fit_requested.connect(self.view.fit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.placeholder, 1)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.scale)
        row = QHBoxLayout()
        row.addWidget(self.controls)
        layout.addLayout(row)
        self.original: QPixmap | None = None
        self.overlay: QPixmap | None = None
        self.view.hide()
        self.controls.set_heatmap_enabled(False)

    def clear(self) -> None:
        self.original = self.overlay = None
        self.view.show_pixmaps(None, None, fit=False)
        self.view.hide()
        self.placeholder.show()
        self.note.hide()
        self.scale.hide()
        self.controls.set_heatmap_enabled(False)

    def set_frame(
        self,
        original: QPixmap | None,
        overlay: QPixmap | None,
        settings: HeatmapSettings,
        *,
        has_evidence: bool = True,
        has_focus: bool = True,
        fit: bool = False,
    ) -> None:
        self.original, self.overlay = original, overlay
        self.placeholder.setVisible(original is None)
        self.view.setVisible(original is not None)
        self.controls.set_heatmap_enabled(overlay is not None)
        if overlay is not None and not has_evidence:
            self.note.setText(
                self.tr(
                    "No positive evidence for this class: nothing in the image speaks for it, "
                    "so no heatmap is drawn."
                )
            )
            self.note.show()
        elif overlay is not None and not has_focus:
            self.note.setText(
                self.tr(
                    "No clear focus: this heatmap spreads over a broad area, so it does not "
                    "show where a finding is. Read it as what the model weighed overall."
                )
            )
            self.note.show()
        else:
            self.note.hide()
        self.scale.setVisible(overlay is not None and has_evidence)
        self.refresh(settings, fit=fit)

    def refresh(self, settings: HeatmapSettings, fit: bool = False) -> None:
        if self.original is None:
            return
        if self.overlay is None or not settings.visible:
            self.view.show_pixmaps(self.original, None, fit)
        elif settings.side_by_side:
            self.view.show_pixmaps(self.original, self.overlay, fit)
        else:
            self.view.show_pixmaps(self.overlay, None, fit)
