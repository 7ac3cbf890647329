"""A phone's face photo is 3:4 or 4:3, the face-mask pack's training photos square: the pack
centre-crops instead of letterboxing, whose black bars the early guard refused (issue 17)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from inference.packs import load_pack
from inference.resources import resource_path
from tests.face_photos import answered_and_right


def _cut(rgb: np.ndarray, aspect: float) -> np.ndarray:
    """The centre of a square photo cut to ``aspect`` (width / height)."""
    h, w = rgb.shape[:2]
    if aspect < 1:
        nw = round(h * aspect)
        return rgb[:, (w - nw) // 2 : (w - nw) // 2 + nw]
    nh = round(w / aspect)
    return rgb[(h - nh) // 2 : (h - nh) // 2 + nh]


def test_the_face_pack_centre_crops() -> None:
    assert load_pack(resource_path("models", "face-mask")).manifest.input.resize == "center_crop"


@pytest.mark.parametrize("aspect", [3 / 4, 4 / 3])
def test_phone_shaped_face_photos_are_answered(tmp_path: Path, aspect: float) -> None:
    """Letterboxed, 80 % of 3:4 and 31 % of 4:3 cuts of val photos passed the guards; centre-
    cropped, 98 % of both (every 2nd val photo, 2026-11-30). 40 photos here: at least 36."""

    def cut(photo: Image.Image) -> Image.Image:
        return Image.fromarray(np.ascontiguousarray(_cut(np.asarray(photo), aspect)))

    answered, right = answered_and_right(tmp_path, cut)
    assert answered >= 36
    assert right == answered
