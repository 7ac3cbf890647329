"""Overlay PNGs: lossless (the clinician's picture unchanged), one "Up" filter and the fast
zlib level, readable by any PNG reader."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from screening.imaging import PNG_COMPRESS_LEVEL, png_bytes


@pytest.mark.parametrize("shape", [(64, 80, 3), (1, 1, 3), (1, 7, 3), (9, 1, 3)])
def test_overlay_png_is_lossless(shape):
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, size=shape, dtype=np.uint8)
    with Image.open(io.BytesIO(png_bytes(rgb))) as im:
        assert im.format == "PNG" and im.mode == "RGB" and im.size == (shape[1], shape[0])
        assert np.array_equal(np.asarray(im), rgb)


def test_overlay_png_uses_the_up_filter_at_the_measured_level():
    rng = np.random.default_rng(1)
    rgb = rng.integers(0, 256, size=(5, 4, 3), dtype=np.uint8)
    data = png_bytes(rgb)
    (length,) = struct.unpack(">I", data[33:37])
    assert data[37:41] == b"IDAT"
    idat = data[41 : 41 + length]
    assert idat == zlib.compress(zlib.decompress(idat), PNG_COMPRESS_LEVEL)
    rows = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(5, 1 + 4 * 3)
    assert set(rows[:, 0]) == {2}  # "Up" on every row


def test_overlay_png_refuses_a_grey_array():
    with pytest.raises(ValueError, match="RGB"):
        png_bytes(np.zeros((4, 4), np.uint8))
