"""Guards fitted on camera-like copies too (training/camera_guard.py, issue 17): a face that
fills less of the frame, a blurred shot or another white balance is still a face photo."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from inference.packs import load_pack
from inference.resources import resource_path
from inference.screener import Screener
from training.camera_guard import CAMERA_FITTED_ON, camera_loader, camera_view

DATASETS = resource_path().parent / "shared" / "datasets"


def _photo(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (96, 80, 3), dtype=np.uint8)


def test_a_camera_view_is_a_photo_of_the_same_size() -> None:
    view = camera_view(_photo(), np.random.default_rng(3))
    assert view.shape == (96, 80, 3) and view.dtype == np.uint8


def test_camera_views_are_drawn_from_the_generator() -> None:
    a = camera_view(_photo(), np.random.default_rng(3))
    assert np.array_equal(a, camera_view(_photo(), np.random.default_rng(3)))
    assert not np.array_equal(a, camera_view(_photo(), np.random.default_rng(4)))


def test_the_loader_gives_a_path_the_same_copy_for_the_same_seed(tmp_path: Path) -> None:
    Image.fromarray(_photo()).save(tmp_path / "a.png")
    Image.fromarray(_photo(1)).save(tmp_path / "b.png")
    load = camera_loader(1)
    assert np.array_equal(load(tmp_path / "a.png"), load(tmp_path / "a.png"))
    assert not np.array_equal(load(tmp_path / "a.png"), camera_loader(2)(tmp_path / "a.png"))
    assert not np.array_equal(load(tmp_path / "a.png"), load(tmp_path / "b.png"))


def test_the_face_pack_guards_were_fitted_on_camera_copies() -> None:
    """Other draws of camera-like val copies passed 55.8 % before (int8); now 97.0 % (int8) and
    93.6 % (fp32), with every probe image still flagged."""
    for variant in ("fp32", "int8"):
        ood = load_pack(resource_path("models", "face-mask")).manifest.for_variant(variant).ood
        assert ood.fitted_on == CAMERA_FITTED_ON
        assert ood.camera_val_pass_rate >= 0.9 and ood.far_ood_flag_rate == 1.0


def test_a_face_smaller_in_the_frame_is_answered(tmp_path: Path) -> None:
    """Val photos at 2/3 size on a light grey wall: 13 of 200 were answered with the guards
    fitted on the training photos alone, 198 now, 194 of them right (the model misreads a few
    small faces). 40 here: at least 36 answered, at most 2 wrong."""
    val = DATASETS / "face_mask" / "val"
    if not val.is_dir():
        pytest.skip("dataset not available")
    screener = Screener(load_pack(resource_path("models", "face-mask")))
    answered = right = 0
    for cls in ("with_mask", "without_mask"):
        for i, photo in enumerate(sorted((val / cls).iterdir())[:20]):
            face = Image.open(photo).convert("RGB")
            w, h = face.size
            wall = Image.new("RGB", (w, h), (200, 200, 200))
            wall.paste(face.resize((w * 2 // 3, h * 2 // 3)), (w // 6, h // 6))
            wall.save(tmp_path / f"{cls}{i}.png")
            result = screener.screen_path(tmp_path / f"{cls}{i}.png")
            if result.answered:
                answered += 1
                right += result.prediction.top_class == cls
    assert answered >= 36
    assert right >= answered - 2
