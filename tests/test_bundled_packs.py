"""The packs we ship: they verify, carry honest metadata, and reproduce the training numbers."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from inference.engine import Engine
from inference.packs import discover, load_pack
from inference.resources import resource_path
from inference.screener import Screener

MODELS = resource_path("models")
DATASETS = resource_path().parent / "shared" / "datasets"
PACK_DIRS = sorted(p for p in MODELS.iterdir() if (p / "manifest.json").exists())
MAX_PACK_BYTES = 15 * 1024 * 1024


def test_there_are_bundled_packs():
    assert PACK_DIRS, "no model packs in models/"
    catalog = discover([MODELS])
    assert not catalog.problems, [p.message for p in catalog.problems]
    assert set(catalog.ids) == {p.name for p in PACK_DIRS}


@pytest.mark.parametrize("directory", PACK_DIRS, ids=lambda p: p.name)
def test_pack_verifies_and_is_documented(directory: Path):
    pack = load_pack(directory)
    man = pack.manifest
    assert man.id == directory.name
    raw = Engine(pack, threads=1).dry_run()
    assert raw.logits.shape == (1, len(man.classes))
    assert man.onnx.has_cam_outputs and man.ood is not None
    size = sum(f.stat().st_size for f in directory.iterdir() if f.is_file())
    assert size < MAX_PACK_BYTES
    assert man.metrics.split == "val" and man.metrics.n > 0
    assert 0.5 < man.metrics.accuracy <= 1.0
    assert man.ood.val_pass_rate is not None and man.ood.val_pass_rate >= 0.95
    assert man.temperature > 0
    assert any(c.refer for c in man.classes)
    for cls in man.classes:
        assert cls.name.get("id") and cls.name.get("en")
        if cls.refer:
            assert cls.threshold is not None
    card = (directory / "MODEL_CARD.md").read_text("utf-8")
    assert "not a diagnosis" in card and f"{100 * man.metrics.accuracy:.1f} %" in card


@pytest.mark.parametrize("directory", PACK_DIRS, ids=lambda p: p.name)
def test_engine_reproduces_the_pipelines_validation_predictions(directory: Path):
    pack = load_pack(directory)
    dataset = DATASETS / pack.manifest.training["dataset"]
    if not dataset.is_dir():
        pytest.skip(f"dataset {dataset} not available")
    with open(directory / "val_predictions.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 2 * len(pack.manifest.classes)
    screener = Screener(pack)
    for row in rows:
        result = screener.screen_path(dataset / row["file"])
        assert result.prediction is not None, result.message
        expected = np.array([float(row[f"p_{c}"]) for c in pack.manifest.class_ids])
        np.testing.assert_allclose(result.prediction.probabilities, expected, atol=1e-4)
