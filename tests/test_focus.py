"""inference.focus: a heatmap spread over the image has no clear focus (issue 15)."""

from __future__ import annotations

import numpy as np

from inference.focus import CLEAR_FOCUS_SHARE, focus_share, has_clear_focus


def blob(size: int, sigma: float, centre: tuple[float, float] = (0.5, 0.5)) -> np.ndarray:
    y, x = np.mgrid[0:size, 0:size] / (size - 1)
    return np.exp(-((x - centre[0]) ** 2 + (y - centre[1]) ** 2) / (2 * sigma**2))


def test_an_even_map_holds_a_tenth_of_its_weight_in_its_brightest_tenth():
    assert abs(focus_share(np.ones((4, 4))) - 0.10) < 0.01
    assert not has_clear_focus(np.ones((7, 7)))


def test_a_small_blob_is_a_clear_focus_and_a_wide_one_is_not():
    assert has_clear_focus(blob(7, 0.08))  # a lesion-sized spot
    assert focus_share(blob(7, 0.08)) > 2 * CLEAR_FOCUS_SHARE
    assert not has_clear_focus(blob(4, 0.6))  # half the image warm, as today's brain maps


def test_the_feature_grid_size_does_not_change_the_answer():
    # the same picture sampled on a 4x4, 7x7 or 14x14 grid is judged alike
    shares = [focus_share(blob(n, 0.3, (0.3, 0.6))) for n in (4, 7, 14)]
    assert max(shares) - min(shares) < 0.06


def test_empty_and_negative_maps_have_no_focus():
    assert focus_share(np.zeros((4, 4))) == 0.0
    assert focus_share(-np.ones((4, 4))) == 0.0


def test_bundled_brain_maps_that_point_at_the_tumour_read_as_a_clear_focus():
    """The v2 brain pack's maps on validation tumour images: most are a clear focus."""
    import pytest

    from inference.packs import load_pack
    from inference.screener import Screener
    from tests.test_bundled_packs import DATASETS, MODELS
    from training.localise import read_boxes

    boxes = DATASETS / "brain_mri" / "tumour_boxes.csv"
    if not boxes.is_file():
        pytest.skip("datasets not available")
    screener = Screener(load_pack(MODELS / "brain-mri-tumor"))
    rows = read_boxes(boxes, "val")[::8]
    clear = []
    for r in rows:
        image = screener.load(r.path)
        cam, _ = screener.heatmap(image, screener.screen_image(image))
        clear.append(has_clear_focus(cam.values))
    assert len(rows) >= 20 and np.mean(clear) >= 0.7, np.mean(clear)
