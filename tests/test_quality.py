"""Quality and modality guards: bad photos are refused with what to retake, never answered."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFilter

from inference.packs import load_pack
from inference.results import Status
from inference.screener import Screener
from tests.packgen import make_pack

# The palm-photo pack's limits (training/tasks.py).
PALM_QUALITY = {
    "min_brightness": 40.0, "max_brightness": 235.0, "min_sharpness": 5.0, "min_saturation": 0.05
}


def _palm_photo(seed: int = 0) -> np.ndarray:
    """A skin-toned, in-focus textured photo (mean grey ~152, Laplacian variance ~1100)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:240, 0:320]
    checks = ((xx // 12 + yy // 12) % 2) * 40.0 - 20.0
    base = np.array([190.0, 140.0, 120.0]) + checks[..., None] + rng.normal(0, 12, (240, 320, 1))
    return np.clip(base, 0, 255).astype(np.uint8)


def _save(pixels: np.ndarray, path: Path) -> Path:
    Image.fromarray(pixels).save(path, quality=92)
    return path


@pytest.fixture(scope="module")
def palm(tmp_path_factory) -> Screener:
    root = tmp_path_factory.mktemp("packs")
    # modality=None: these drawn images test the quality guards, not the shared modality check
    pack = make_pack(root, "palm", modality="palm-photo", quality=PALM_QUALITY)
    return Screener(load_pack(pack), modality=None)


@pytest.fixture(scope="module")
def mri(tmp_path_factory) -> Screener:
    root = tmp_path_factory.mktemp("packs")
    quality = {"expect_grayscale": True, "min_brightness": 10.0}
    return Screener(load_pack(make_pack(root, "mri", modality="brain-mri", quality=quality)), modality=None)


def test_good_photo_passes(palm, tmp_path):
    result = palm.screen_path(_save(_palm_photo(), tmp_path / "good.jpg"))
    assert result.status is Status.OK and result.message == ""
    assert result.quality is not None and result.quality.problems == ()


@pytest.mark.parametrize(
    ("kind", "problem", "advice"),
    [
        ("dark", "too_dark", "too dark: retake it in better light"),
        ("bright", "over_exposed", "over-exposed: retake it without flash or direct sun"),
        ("blurred", "blurred", "blurred: hold the camera still and retake it in focus"),
    ],
)
def test_bad_photos_are_poor_quality_with_retake_advice(palm, tmp_path, kind, problem, advice):
    photo = _palm_photo()
    if kind == "dark":
        photo = (photo * 0.12).astype(np.uint8)  # mean grey ~18 < 40
    elif kind == "bright":
        photo = np.clip(photo.astype(int) + 120, 0, 255).astype(np.uint8)  # mean ~248 > 235
    else:
        photo = np.asarray(Image.fromarray(photo).filter(ImageFilter.GaussianBlur(8)))
    result = palm.screen_path(_save(photo, tmp_path / f"{kind}.jpg"))
    assert result.status is Status.POOR_QUALITY and not result.answered
    assert result.quality is not None and result.quality.problems == (problem,)
    assert advice in result.message and "retake" in result.message
    assert result.prediction is not None  # kept for audit, never shown as the answer


def test_grayscale_scan_to_a_photo_pack_is_not_modality(palm, tmp_path):
    grey = _palm_photo().mean(axis=2).astype(np.uint8)  # an X-ray-like grey image, in focus
    result = palm.screen_path(_save(np.repeat(grey[..., None], 3, axis=2), tmp_path / "xr.png"))
    assert result.status is Status.NOT_MODALITY and not result.answered
    assert "grayscale" in result.message and "no answer" in result.message
    assert result.quality.problems == ("grayscale_image",)


def test_dark_and_blurred_lists_both(palm, tmp_path):
    photo = np.asarray(Image.fromarray(_palm_photo()).filter(ImageFilter.GaussianBlur(8)))
    result = palm.screen_path(_save((photo * 0.12).astype(np.uint8), tmp_path / "both.jpg"))
    assert result.status is Status.POOR_QUALITY
    assert result.quality.problems == ("too_dark", "blurred")
    assert "too dark" in result.message and "blurred" in result.message


def test_colour_photo_to_grayscale_pack_is_not_modality(mri, tmp_path):
    result = mri.screen_path(_save(_palm_photo(), tmp_path / "hand.jpg"))
    assert result.status is Status.NOT_MODALITY and not result.answered
    assert "colour photograph" in result.message and "Test pack mri" in result.message
    assert "no answer is given" in result.message


def test_grayscale_scan_passes_grayscale_pack(mri, tmp_path):
    gray = _palm_photo().mean(axis=2).astype(np.uint8)
    result = mri.screen_path(_save(np.repeat(gray[..., None], 3, axis=2), tmp_path / "scan.png"))
    assert result.status is Status.OK


def _drawn_scan() -> np.ndarray:
    """A grey 'head' on the black surround every MRI slice has."""
    yy, xx = np.mgrid[0:256, 0:256]
    head = ((yy - 128) / 100.0) ** 2 + ((xx - 128) / 80.0) ** 2 < 1
    texture = np.random.default_rng(3).normal(0, 15, (256, 256))
    gray = np.clip(np.where(head, 120 + texture, 0), 0, 255).astype(np.uint8)
    return np.repeat(gray[..., None], 3, axis=2)


@pytest.fixture(scope="module")
def mri_border(tmp_path_factory) -> Screener:
    root = tmp_path_factory.mktemp("packs")
    quality = {"expect_grayscale": True, "min_brightness": 10.0, "max_border_brightness": 170.0}
    pack = make_pack(root, "mri-border", modality="brain-mri", quality=quality)
    return Screener(load_pack(pack), modality=None)


def test_a_scan_on_black_passes_the_border_check(mri_border, tmp_path):
    result = mri_border.screen_path(_save(_drawn_scan(), tmp_path / "scan.png"))
    assert result.status is Status.OK
    assert result.quality is not None and result.quality.border is not None and result.quality.border < 5


def test_an_inverted_scan_is_refused_with_export_advice(mri_border, tmp_path):
    result = mri_border.screen_path(_save(255 - _drawn_scan(), tmp_path / "negative.png"))
    assert result.status is Status.POOR_QUALITY and not result.answered
    assert result.quality is not None and result.quality.problems == ("inverted",)
    assert result.quality.border is not None and result.quality.border > 250
    assert result.message.startswith("The scan looks inverted") and "black background" in result.message
    assert result.prediction is not None  # kept for audit, never shown as the answer


def test_a_pack_without_the_limit_does_not_check_the_border(mri, tmp_path):
    result = mri.screen_path(_save(255 - _drawn_scan(), tmp_path / "negative.png"))
    assert result.quality is not None and result.quality.border is None
    assert "inverted" not in result.quality.problems


def test_border_brightness_reads_the_outer_ring_only():
    from inference.quality import border_brightness

    frame = np.zeros((100, 200), np.uint8)
    frame[:8], frame[-8:], frame[:, :8], frame[:, -8:] = 255, 255, 255, 255  # 4 % of 200 = 8 px
    assert border_brightness(frame) == 255.0
    frame[8:-8, 8:-8] = 255
    frame[:8] = 0
    assert border_brightness(frame) == pytest.approx(255 * (1 - 8 * 200 / (2 * 8 * 200 + 2 * 8 * 84)))
    assert border_brightness(np.full((3, 3), 40, np.uint8)) == 40.0  # too small for a ring: the mean
