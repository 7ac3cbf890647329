"""Finding 7 (memory), the fast part: the decode budget and the strip reduction.

The peak-RSS figures themselves (a 7000x7000 RGBA PNG took 2.55 GB) are measured by the
``redteam_slow`` suite in test_slow.py, which needs 200 MB images.
"""

from __future__ import annotations

import io
import threading
import zlib

import numpy as np
import pytest
from PIL import Image

from inference import images, memory
from inference.errors import ImageTooLargeError
from inference.images import decode
from inference.memory import DecodeBudget
from tests.redteam.corpus import png


def gray_png(width: int, height: int, value: int = 90) -> bytes:
    rows = (b"\x00" + bytes([value]) * width) * height
    return png(width, height, zlib.compress(rows, 9), colour=0)


def test_large_working_copies_are_reduced_while_decoding():
    loaded = decode(gray_png(2600, 2000), name="wide.png", draft_size=(64, 64))
    assert loaded.original_size == (2600, 2000)
    assert loaded.width * loaded.height <= memory.WORK_PIXELS  # 5.2 MP -> 1300x1000
    assert (loaded.width, loaded.height) == (1300, 1000)
    assert int(loaded.pixels.min()) == int(loaded.pixels.max()) == 90
    full = decode(gray_png(2600, 2000), name="wide.png")  # no draft size: all pixels
    assert full.pixels.shape == (2000, 2600, 3)


def test_sixteen_bit_greys_are_reduced_in_numpy():
    ramp = (np.arange(2400, dtype=np.uint32)[None, :] * 27).astype(np.uint16)
    data = io.BytesIO()
    Image.fromarray(np.repeat(ramp, 1800, axis=0)).save(data, "PNG")
    loaded = decode(data.getvalue(), name="deep.png", draft_size=(64, 64))
    assert loaded.pixels.shape == (900, 1200, 3)
    gray = loaded.pixels[0, :, 0].astype(int)
    assert gray[0] == 0 and gray[-1] == 255 and (np.diff(gray) >= 0).all()


def test_strip_reduction_composites_alpha_like_the_full_path():
    rng = np.random.default_rng(3)
    rgba = rng.integers(0, 256, (300, 420, 4), dtype=np.uint8)
    reduced = np.asarray(memory.reduce_image(Image.fromarray(rgba, "RGBA"), 3)).astype(float)
    premultiplied = images._composite_on_black(rgba).astype(float)
    expected = premultiplied.reshape(100, 3, 140, 3, 3).mean(axis=(1, 3))
    assert reduced.shape == (100, 140, 3)
    assert np.abs(reduced - expected).max() <= 1.0


def test_an_image_beyond_the_budget_is_refused_from_its_header(monkeypatch):
    monkeypatch.setattr(images, "BUDGET", DecodeBudget(8 * 2**20))
    data = gray_png(3000, 3000)  # 9 MP of 1-byte grey: more than 8 MB at full size
    with pytest.raises(ImageTooLargeError, match="MB of memory"):
        decode(data, name="big.png", draft_size=(64, 64))
    assert decode(data, name="big.png").pixels.shape == (3000, 3000, 3)  # alone, unlimited


def test_the_budget_makes_a_second_decode_wait_for_the_first():
    budget = DecodeBudget(100)
    order: list[str] = []
    first_in, second_trying = threading.Event(), threading.Event()

    def first() -> None:
        with budget.reserve(70, name="a", strict=True):
            first_in.set()
            second_trying.wait(30)
            order.append("first released")

    def second() -> None:
        first_in.wait(30)
        second_trying.set()
        with budget.reserve(70, name="b", strict=True):
            order.append("second decoding")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert order == ["first released", "second decoding"]
