"""Decoded pixels, shared by the image and the DICOM decoders (neither imports the other's
module for them, so ``inference.images`` and ``inference.dicom`` form no import circle)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

# 50 megapixels: far beyond any screening photo or scan, well below memory trouble.
MAX_PIXELS = 50_000_000


@dataclass(frozen=True, eq=False)
class LoadedImage:
    """A decoded image: RGB pixels plus what we need to report on it."""

    pixels: np.ndarray  # HxWx3 uint8, RGB
    sha256: str
    source_mode: str  # Pillow mode (or "DICOM ...") before conversion
    original_size: tuple[int, int]  # (width, height) as stored, before any draft reduction
    path: str = ""
    metadata: tuple[tuple[str, str], ...] = ()

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def to_uint8(arr: np.ndarray) -> np.ndarray:
    """Scale a high-bit-depth single-channel array to 0..255 over its own value range.

    Works in row blocks so a large 16-bit or float image never gets a float64 twin."""
    finite_min = finite_max = None
    floats = arr.dtype.kind == "f"
    for block in row_blocks(arr):
        vals = block[np.isfinite(block)] if floats else block
        if vals.size:
            lo, hi = float(vals.min()), float(vals.max())
            finite_min = lo if finite_min is None else min(finite_min, lo)
            finite_max = hi if finite_max is None else max(finite_max, hi)
    out = np.zeros(arr.shape, np.uint8)
    if finite_min is None or finite_max is None or finite_max <= finite_min:
        return out
    scale = 255.0 / (finite_max - finite_min)
    start = 0
    for block in row_blocks(arr):
        b = block.astype(np.float64)
        if floats:
            b = np.where(np.isfinite(b), b, finite_min)
        out[start : start + len(block)] = np.clip((b - finite_min) * scale + 0.5, 0, 255)
        start += len(block)
    return out


def row_blocks(arr: np.ndarray, pixels: int = 1 << 20) -> Iterator[np.ndarray]:
    rows = max(1, pixels // max(1, int(np.prod(arr.shape[1:]))))
    for start in range(0, arr.shape[0], rows):
        yield arr[start : start + rows]
