"""Does a heatmap point somewhere? A map spread over the whole organ must say so.

Measured on 2026-11-30 on the brain packs' validation tumour images (Grad-CAM of the top
class, image-sized maps): the v1 packs' 4x4 maps held 16-19 % of their weight in their
brightest tenth (10th-90th percentile; an even map: 10 %) and their peak fell inside the
tumour box in 8-9 % of images. The v2 packs (8x8 grid, trained with the tumour boxes) hold
26-33 % where the peak is on the tumour (95 % of images) and 20-30 % where it is not. A map
whose brightest tenth holds less than :data:`CLEAR_FOCUS_SHARE` of the weight (2.5 times an
even map) has no clear focus: the viewer says so instead of letting a red area over half
the head read as "the lesion is here".
"""

from __future__ import annotations

import numpy as np

from .resample import linear_resize

TOP_FRACTION = 0.10  # the brightest tenth of the map's area
CLEAR_FOCUS_SHARE = 0.25  # ... must hold this share of its weight (an even map: 0.10)
GRID = 64  # maps are compared at one size, whatever the model's feature grid


def focus_share(values: np.ndarray) -> float:
    """Share of the map's weight in its brightest :data:`TOP_FRACTION` of area (0..1)."""
    cam = np.maximum(np.nan_to_num(np.asarray(values, dtype=np.float32)), 0.0)
    if cam.ndim != 2 or cam.size == 0 or float(cam.sum()) <= 0.0:
        return 0.0
    smooth = linear_resize(cam, GRID, GRID) if cam.shape != (GRID, GRID) else cam
    flat = np.sort(np.maximum(smooth, 0.0).ravel())[::-1]
    top = max(1, int(round(flat.size * TOP_FRACTION)))
    total = float(flat.sum())
    return float(flat[:top].sum()) / total if total > 0 else 0.0


def has_clear_focus(values: np.ndarray) -> bool:
    """True when the map concentrates on a region rather than spreading over the image."""
    return focus_share(values) >= CLEAR_FOCUS_SHARE
