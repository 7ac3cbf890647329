"""Overlay PNGs: lossless (the clinician's picture unchanged), written at the fast zlib level."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from screening.imaging import PNG_COMPRESS_LEVEL, png_bytes


def test_overlay_png_is_lossless_and_uses_the_measured_level():
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, size=(64, 80, 3), dtype=np.uint8)
    data = png_bytes(rgb)
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "PNG"
        assert np.array_equal(np.asarray(im.convert("RGB")), rgb)
    default = io.BytesIO()
    Image.fromarray(rgb, "RGB").save(default, "PNG", compress_level=PNG_COMPRESS_LEVEL)
    assert data == default.getvalue()
