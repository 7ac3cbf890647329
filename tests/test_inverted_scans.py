"""The brain packs refuse a scan exported inverted (white surround) instead of answering it,
and no genuine scan of the dataset looks inverted to them (issue 17: the same modality gone
wrong is the pack's to refuse)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from inference.images import load_image
from inference.packs import load_pack
from inference.quality import image_border
from inference.resources import resource_path
from inference.screener import Screener

DATA = resource_path().parent / "shared" / "datasets" / "brain_mri"
PACKS = ("brain-mri-tumor", "brain-mri-glioma-meningioma")


def _scans(split: str) -> list[Path]:
    return sorted(p for p in (DATA / split).rglob("*.*") if p.parent.name != split)


@pytest.fixture(scope="module")
def limit() -> float:
    limits = {load_pack(resource_path("models", p)).manifest.quality.max_border_brightness for p in PACKS}
    assert len(limits) == 1 and None not in limits
    return limits.pop()


def test_no_genuine_val_or_shift_scan_looks_inverted(limit):
    """Measured 2026-12-01: ring at most 77 on val, 129 on shift/ (the limit is 170)."""
    if not DATA.is_dir():
        pytest.skip("dataset not available")
    for split in ("val", "shift"):
        borders = [image_border(load_image(p).pixels) for p in _scans(split)]
        assert len(borders) > 300 and max(borders) < limit, split


@pytest.mark.parametrize("pack_id", PACKS)
def test_inverted_val_scans_get_no_answer(pack_id, limit, tmp_path):
    """30 val scans turned negative: each is refused (by the guard or as inverted); the same
    scans as they are keep no 'inverted' problem."""
    if not DATA.is_dir():
        pytest.skip("dataset not available")
    screener = Screener(load_pack(resource_path("models", pack_id)))
    classes = set(screener.manifest.class_ids)
    scans = [p for p in _scans("val") if p.parent.name in classes]
    picked = scans[:: len(scans) // 30][:30]
    for i, scan in enumerate(picked):
        negative = tmp_path / f"{i}.png"
        Image.fromarray(255 - np.asarray(Image.open(scan).convert("RGB"))).save(negative)
        plain, inverted = screener.screen_path(scan), screener.screen_path(negative)
        assert "inverted" not in plain.quality.problems, scan
        assert not inverted.answered, scan
        assert inverted.quality.border is not None and inverted.quality.border > limit, scan
