"""Turning a heatmap into a picture a person can read over the original image.

Plain numpy over the lookup tables in :mod:`inference.colormaps` (generated once from
OpenCV), so the app ships without OpenCV (issue #7). The results equal what
``cv2.applyColorMap`` and ``cv2.addWeighted`` gave (tests/test_resample.py).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from . import colormaps

# Name -> 256 x 3 RGB lookup table, in the order the GUI lists them.
COLORMAPS: dict[str, np.ndarray] = {name: colormaps.table(name) for name in colormaps.NAMES}
DEFAULT_COLORMAP = "jet"
_BLOCK_VALUES = 1 << 18  # values per blending block: float temporaries stay in cache


def _lut(colormap: str) -> np.ndarray:
    try:
        return COLORMAPS[colormap]
    except KeyError:
        raise ValueError(f"unknown colormap {colormap!r}; choose from {sorted(COLORMAPS)}") from None


def _levels(heat: np.ndarray) -> np.ndarray:
    """[0,1] heat -> colour-map index 0..255 (rounded; NaN counts as 0)."""
    return np.clip(np.nan_to_num(heat) * 255.0 + 0.5, 0, 255).astype(np.uint8)


def colorize(heat: np.ndarray, colormap: str = DEFAULT_COLORMAP) -> np.ndarray:
    """[H,W] values in [0,1] -> RGB uint8 colour image."""
    return np.take(_lut(colormap), _levels(heat), axis=0)


@lru_cache(maxsize=16)
def _blend_table(colormap: str, opacity: float) -> np.ndarray:
    """[3, 256 * 256] uint8: the blended value of each channel for every (colour-map level,
    pixel value) pair, computed once per colour map and opacity.

    The arithmetic is the exact one below (equal to ``cv2.addWeighted``): cv2 rounds
    ``colour * opacity`` to float32 and adds ``rgb * (1 - opacity)`` in one fused
    multiply-add; float64 holds both terms exactly, so one float32 rounding of their sum
    reproduces it. Both terms lie in [0, 255 * weight], so the sum never leaves [0, 255.5).
    """
    colour = (_lut(colormap) * np.float32(opacity)).astype(np.float64)  # level x channel
    keep = np.float64(np.float32(1.0 - opacity))
    acc = colour.T[:, :, None] + np.arange(256, dtype=np.float64)[None, None, :] * keep
    table = np.rint(acc.astype(np.float32)).astype(np.uint8).reshape(3, 256 * 256)
    table.setflags(write=False)
    return table


def blend(
    rgb: np.ndarray, heat: np.ndarray, opacity: float = 0.45, colormap: str = DEFAULT_COLORMAP
) -> np.ndarray:
    """Alpha-blend the coloured heatmap over the image; ``heat`` must match the image size.

    Equal to ``cv2.addWeighted(rgb, 1 - opacity, colorize(heat), opacity, 0)``, read from
    :func:`_blend_table` (two integer operations and one lookup per value instead of
    float64 arithmetic: 2-3x faster). Row blocks keep the temporaries in cache for a
    12-megapixel photo.
    """
    if heat.shape != rgb.shape[:2]:
        raise ValueError(f"heatmap {heat.shape} does not match image {rgb.shape[:2]}")
    opacity = float(np.clip(opacity, 0.0, 1.0))
    table = _blend_table(colormap, opacity)
    out = np.empty(rgb.shape, np.uint8)
    step = max(1, _BLOCK_VALUES // max(1, rgb[0].size))
    for r in range(0, rgb.shape[0], step):
        rows = slice(r, r + step)
        base = _levels(heat[rows]).astype(np.intp) << 8  # level * 256
        for c in range(3):
            np.take(table[c], base + rgb[rows, :, c], out=out[rows, :, c])
    return out
