"""The table-driven blend equals the float arithmetic it replaced (itself equal to
cv2.addWeighted, tests/test_resample.py) for every colour-map level and pixel value."""

from __future__ import annotations

import numpy as np
import pytest

from inference.overlay import COLORMAPS, _levels, _lut, blend


def float_blend(rgb: np.ndarray, heat: np.ndarray, opacity: float, colormap: str) -> np.ndarray:
    """The previous implementation: float64 sum of the exact terms, one float32 rounding."""
    colour = (_lut(colormap) * np.float32(opacity)).astype(np.float64)
    keep = np.float64(np.float32(1.0 - opacity))
    acc = np.take(colour, _levels(heat), axis=0)
    acc += rgb * keep
    return np.rint(acc.astype(np.float32)).astype(np.uint8)


@pytest.mark.parametrize("colormap", sorted(COLORMAPS))
@pytest.mark.parametrize("opacity", [0.0, 0.3, 0.45, 0.77, 1.0])
def test_every_level_and_value_blends_as_before(colormap, opacity):
    # 256 x 256 grid: row = colour-map level, column = pixel value (all three channels)
    heat = np.repeat((np.arange(256, dtype=np.float32) / 255.0)[:, None], 256, axis=1)
    rgb = np.repeat(np.arange(256, dtype=np.uint8)[None, :, None], 256, axis=0).repeat(3, 2)
    rgb[:, :, 1] = rgb[:, ::-1, 0]  # other channels see other pairs too
    assert np.array_equal(
        blend(rgb, heat, opacity, colormap), float_blend(rgb, heat, opacity, colormap)
    )


def test_blend_over_row_blocks_of_a_large_photo():
    rng = np.random.default_rng(2)
    rgb = rng.integers(0, 256, (1500, 700, 3), dtype=np.uint8)  # several row blocks
    heat = rng.random((1500, 700)).astype(np.float32)
    heat[0, 0] = np.nan  # counts as 0
    assert np.array_equal(blend(rgb, heat, 0.45, "jet"), float_blend(rgb, heat, 0.45, "jet"))
