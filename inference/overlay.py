"""Turning a heatmap into a picture a person can read over the original image.

Plain numpy over the lookup tables in :mod:`inference.colormaps` (generated once from
OpenCV), so the app ships without OpenCV (issue #7).
"""

from __future__ import annotations

import numpy as np

from . import colormaps

# Name -> 256 x 3 RGB lookup table, in the order the GUI lists them.
COLORMAPS: dict[str, np.ndarray] = {name: colormaps.table(name) for name in colormaps.NAMES}
DEFAULT_COLORMAP = "jet"
_BLOCK_VALUES = 1 << 18  # values per blending block: float temporaries of a few MB


def colorize(heat: np.ndarray, colormap: str = DEFAULT_COLORMAP) -> np.ndarray:
    """[H,W] values in [0,1] -> RGB uint8 colour image."""
    try:
        lut = COLORMAPS[colormap]
    except KeyError:
        raise ValueError(f"unknown colormap {colormap!r}; choose from {sorted(COLORMAPS)}") from None
    scaled = np.clip(np.nan_to_num(heat) * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return np.take(lut, scaled, axis=0)


def blend(
    rgb: np.ndarray, heat: np.ndarray, opacity: float = 0.45, colormap: str = DEFAULT_COLORMAP
) -> np.ndarray:
    """Alpha-blend the coloured heatmap over the image; ``heat`` must match the image size."""
    if heat.shape != rgb.shape[:2]:
        raise ValueError(f"heatmap {heat.shape} does not match image {rgb.shape[:2]}")
    opacity = float(np.clip(opacity, 0.0, 1.0))
    colour = colorize(heat, colormap)
    return _add_weighted(rgb, 1.0 - opacity, colour, opacity)


def _add_weighted(a: np.ndarray, alpha: float, b: np.ndarray, beta: float) -> np.ndarray:
    """``a * alpha + b * beta`` rounded to uint8 the way ``cv2.addWeighted`` computes it.

    cv2 rounds ``b * beta`` to float32, then adds ``a * alpha`` in one fused multiply-add:
    float64 holds ``a * alpha`` exactly, so one float32 rounding of the sum reproduces it.
    Row blocks keep the float copies small for a 12-megapixel photo.
    """
    out = np.empty(a.shape, np.uint8)
    wa, wb = np.float64(np.float32(alpha)), np.float32(beta)
    step = max(1, _BLOCK_VALUES // max(1, a[0].size))
    for r in range(0, a.shape[0], step):
        acc = np.multiply(b[r : r + step], wb, dtype=np.float32).astype(np.float64)
        acc += a[r : r + step] * wa
        rounded = np.rint(acc.astype(np.float32))
        np.clip(rounded, 0, 255, out=rounded)
        out[r : r + step] = rounded
    return out
