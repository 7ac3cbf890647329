"""The drop target: files and folders from a file manager, plus Open and Paste buttons."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


def local_paths(mime: QMimeData) -> list[str]:
    """Local file/folder paths in a drag or clipboard payload (remote URLs are ignored)."""
    if not mime.hasUrls():
        return []
    return [url.toLocalFile() for url in mime.urls() if url.isLocalFile() and url.toLocalFile()]


class DropZone(QFrame):
    """Emits ``paths_dropped`` with local paths; the window scans folders in a worker."""

    paths_dropped = Signal(list)
    open_files = Signal()
    open_folder = Signal()
    paste = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dropZone")
        self.setAcceptDrops(True)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._set_hover(False)
        self.label = QLabel(self.tr("Drop images or folders here"))
        self.label.setObjectName("dropLabel")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setWordWrap(True)
        self.open_files_button = QPushButton(self.tr("Open files…"))
        self.open_folder_button = QPushButton(self.tr("Open folder…"))
        self.paste_button = QPushButton(self.tr("Paste"))
        self.open_files_button.setToolTip(self.tr("Open image files (Ctrl+O)"))
        self.paste_button.setToolTip(self.tr("Paste an image or copied files (Ctrl+V)"))
        self.open_files_button.clicked.connect(self.open_files)
        self.open_folder_button.clicked.connect(self.open_folder)
        self.paste_button.clicked.connect(self.paste)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for b in (self.open_files_button, self.open_folder_button, self.paste_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self.label)
        layout.addLayout(buttons)

    def _set_hover(self, on: bool) -> None:
        colour = "#1d5f8a" if on else "#9aa5b1"
        back = "#e6f0f7" if on else "transparent"
        self.setStyleSheet(
            f"QFrame#dropZone {{ border: 2px dashed {colour}; border-radius: 8px;"
            f" background: {back}; }}"
        )

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt API
        if local_paths(event.mimeData()):
            event.acceptProposedAction()
            self._set_hover(True)
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 - Qt API
        if local_paths(event.mimeData()):
            event.acceptProposedAction()

    def dragLeaveEvent(self, event) -> None:  # noqa: N802 - Qt API
        self._set_hover(False)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt API
        self._set_hover(False)
        paths = local_paths(event.mimeData())
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.paths_dropped.emit(paths)
