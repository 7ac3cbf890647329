"""The face-mask pack on changed copies of its val photos (tests of how it meets phone photos)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from inference.packs import load_pack
from inference.resources import resource_path
from inference.screener import Screener

VAL = resource_path().parent / "shared" / "datasets" / "face_mask" / "val"


def answered_and_right(
    tmp_path: Path, change: Callable[[Image.Image], Image.Image], per_class: int = 20
) -> tuple[int, int]:
    """(answered, answered right) over the first ``per_class`` val photos of each class, each
    changed by ``change`` and saved as PNG, screened through the app's path."""
    if not VAL.is_dir():
        pytest.skip("dataset not available")
    screener = Screener(load_pack(resource_path("models", "face-mask")))
    answered = right = 0
    for cls in ("with_mask", "without_mask"):
        for i, photo in enumerate(sorted((VAL / cls).iterdir())[:per_class]):
            change(Image.open(photo).convert("RGB")).save(tmp_path / f"{cls}{i}.png")
            result = screener.screen_path(tmp_path / f"{cls}{i}.png")
            if result.answered:
                answered += 1
                right += result.prediction.top_class == cls
    return answered, right
