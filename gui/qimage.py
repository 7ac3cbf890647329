"""numpy RGB arrays <-> QImage/QPixmap, copying so Qt never points into freed numpy memory."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QImage, QPixmap

if TYPE_CHECKING:
    import numpy as np


def to_qimage(rgb: np.ndarray) -> QImage:
    import numpy as np

    arr = np.ascontiguousarray(rgb, dtype=np.uint8)
    h, w = arr.shape[:2]
    return QImage(arr.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


def to_pixmap(rgb: np.ndarray) -> QPixmap:
    return QPixmap.fromImage(to_qimage(rgb))


def from_bytes(data: bytes | None) -> QPixmap | None:
    """A stored JPEG/PNG (history thumbnails) as a pixmap, None when absent or broken."""
    if not data:
        return None
    pix = QPixmap()
    return pix if pix.loadFromData(data) else None
