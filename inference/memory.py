"""Memory for decoding: one budget shared by every worker, and reduction in strips.

Why: a 7000x7000 RGBA PNG of 190 KB took 2.55 GB to screen, two of them in one batch
4.97 GB, on clinic laptops with 4-8 GB. Decoding now reserves its bytes (from the header,
before any pixel exists) from :data:`BUDGET`, waits its turn when other workers hold it,
and is refused when it could never fit; a working copy larger than :data:`WORK_PIXELS` is
box-averaged a strip at a time, so no full-size copy is made after the decode itself.
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Iterator

import numpy as np
from PIL import Image

from .errors import ImageError, ImageTooLargeError

# With a draft size (a working copy for screening), images above this are reduced while
# decoding: the model reads a few hundred pixels a side, the heatmap stays sharp.
WORK_PIXELS = 4_000_000
# Decoded pixels in flight across all threads. With the ~130 MB a batch process needs
# besides, this keeps a batch under 400 MB whatever it is given.
DECODE_BUDGET_BYTES = 240 * 1024 * 1024


class DecodeBudget:
    """Bytes of decoded pixels that may exist at once; threads wait their turn.

    A request larger than the whole budget either fails (``strict``: the caller asked
    for a working copy, so the image is refused) or waits until it can run alone."""

    def __init__(self, total: int) -> None:
        self.total = total
        self._used = 0
        self._cond = threading.Condition()

    @contextlib.contextmanager
    def reserve(self, nbytes: int, *, name: str, strict: bool) -> Iterator[None]:
        if nbytes > self.total:
            if strict:
                raise ImageTooLargeError(
                    f"{name}: decoding this image would need {nbytes // 2**20} MB of memory, "
                    f"more than the {self.total // 2**20} MB ClinicLens allows; save it "
                    "smaller (fewer pixels) and screen it again"
                )
            nbytes = self.total
        with self._cond:
            self._cond.wait_for(lambda: self._used + nbytes <= self.total)
            self._used += nbytes
        try:
            yield
        finally:
            with self._cond:
                self._used -= nbytes
                self._cond.notify_all()


BUDGET = DecodeBudget(DECODE_BUDGET_BYTES)

# Bytes per pixel of Pillow's in-memory modes (RGB is stored in 4 bytes).
_CORE_BYTES = {
    "1": 1,
    "L": 1,
    "P": 1,
    "LA": 4,
    "PA": 4,
    "La": 4,
    "I;16": 2,
    "I;16B": 2,
    "I;16L": 2,
    "I;16N": 2,
}
_STRIP_PIXELS = 2_000_000  # rows decoded pixels are reduced in, at a time


def decode_bytes_needed(mode: str, size: tuple[int, int], reduce_factor: int = 1) -> int:
    """Peak bytes to decode an image of this mode/size and shrink it by ``reduce_factor``."""
    pixels = size[0] * size[1]
    core = _CORE_BYTES.get(mode, 4) * pixels
    if reduce_factor > 1:
        core += 4 * pixels // reduce_factor**2 + 8 * _STRIP_PIXELS
    else:
        core += 4 * pixels  # the RGB array made from it
    return core


def reduce_factor(size: tuple[int, int], limit: int = WORK_PIXELS) -> int:
    """Smallest integer factor that brings ``size`` to at most ``limit`` pixels."""
    pixels = size[0] * size[1]
    return max(1, math.ceil(math.sqrt(pixels / limit))) if pixels > limit else 1


def reduce_image(im: Image.Image, factor: int) -> Image.Image:
    """Box-average by ``factor``, a strip at a time, so no full-size copy is ever made.

    (Pillow's own reduce of RGBA converts the whole image first, doubling the peak.)
    Alpha is composited on black before averaging, as :func:`_to_rgb` does; 16-bit
    greys are averaged in numpy (Pillow cannot reduce them)."""
    width, height = im.size
    w2, h2 = width // factor, height // factor
    if w2 == 0 or h2 == 0:
        raise ImageError("the image is too thin to be screened")
    rows = max(1, _STRIP_PIXELS // (width * factor)) * factor
    parts: list[np.ndarray] = []
    for top in range(0, h2 * factor, rows):
        strip = im.crop((0, top, w2 * factor, min(top + rows, h2 * factor)))
        parts.append(_reduce_strip(strip, factor))
        del strip
    out = np.concatenate(parts, axis=0)
    del parts
    if out.dtype == np.float32:
        return Image.fromarray(out, "F")
    return Image.fromarray(out, "L" if out.ndim == 2 else "RGB")


def _reduce_strip(strip: Image.Image, factor: int) -> np.ndarray:
    mode = strip.mode
    if mode.startswith("I;16") or mode in ("I", "F"):
        return block_mean(np.asarray(strip), factor).astype(np.float32)
    if mode == "P":
        strip = strip.convert("RGBA" if "transparency" in strip.info else "RGB")
        mode = strip.mode
    if mode in ("RGBA", "LA", "PA", "La"):
        strip = strip.convert("RGBA")
        mode = "RGBA"
    if mode == "RGBA":
        return np.asarray(strip.convert("RGBa").reduce(factor))[:, :, :3]
    if mode == "RGBa":
        return np.asarray(strip.reduce(factor))[:, :, :3]
    if mode in ("1", "L"):
        return np.asarray(strip.convert("L").reduce(factor))
    return np.asarray(strip.convert("RGB").reduce(factor))


def block_mean(arr: np.ndarray, factor: int) -> np.ndarray:
    """Mean of ``factor`` x ``factor`` blocks (edges that do not fill a block are dropped)."""
    h, w = arr.shape[0] // factor, arr.shape[1] // factor
    if h == 0 or w == 0:
        raise ImageError("the image is too thin to be screened")
    blocks = arr[: h * factor, : w * factor].reshape(h, factor, w, factor, *arr.shape[2:])
    return blocks.mean(axis=(1, 3), dtype=np.float32)
