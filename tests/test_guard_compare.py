"""tools/guard_compare.py: the candidate guard scores and the table of pass and refusal shares."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from inference.engine import Engine
from inference.ood import MahalanobisScorer
from inference.packs import load_pack
from tests.packgen import make_pack

pytest.importorskip("torch")  # training.onnx_export, which the tool reuses, imports torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import guard_compare as gc  # noqa: E402

from training.measure import Screened, screen_files  # noqa: E402


def _plane(origin: tuple[float, float]) -> MahalanobisScorer:
    """Euclidean distance in 2-D to the nearest class mean (identity precision, no residual)."""
    eye = np.eye(2)
    return MahalanobisScorer(np.zeros(2), eye, np.array([origin, (-1.0, 0.0)]), eye, 1.0)


def test_relative_score_is_the_predicted_class_distance_minus_the_background_one():
    main = _plane((1.0, 0.0))
    background = MahalanobisScorer(np.zeros(2), np.eye(2), np.zeros((1, 2)), np.eye(2), 0.0)
    guards = gc.Guards(main, None, background)
    pooled = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 3.0]])
    logits = np.array([[2.0, 0.0], [0.0, 2.0], [0.0, 0.0]])
    s = gc.scores(guards, Screened(logits, pooled, None))
    # class 0 predicted: 0 - 1; class 1 predicted: 2 - 1; (0,3): sqrt(10) - 3
    assert np.allclose(s["relative"], [-1.0, 1.0, np.sqrt(10) - 3])
    assert np.allclose(s["current"], [0.0, 0.0, np.sqrt(10)])  # min over classes, as shipped
    assert np.allclose(s["max-logit"], [-2.0, -2.0, 0.0])
    assert np.allclose(s["energy"], [-np.log(np.exp(2) + 1)] * 2 + [-np.log(2)])
    assert "early" not in s


def test_thresholds_are_val_quantiles_and_the_shipped_one_for_the_current_score():
    val = np.arange(1001, dtype=float)
    assert gc.thresholds("energy", val, 5.0) == [("val q97", 970.0), ("val q99", 990.0), ("val q99.5", 995.0)]
    assert gc.thresholds("current", val, 5.0)[-1] == ("shipped", 5.0)


def _images(rng, n: int, noisy: bool) -> list[np.ndarray]:
    if noisy:
        return [rng.integers(0, 256, (48, 48, 3), dtype=np.uint8) for _ in range(n)]
    base = np.linspace(60, 180, 48)
    out = []
    for i in range(n):  # class a: brighter to the right, b: to the left
        ramp = base if i % 2 == 0 else base[::-1]
        img = np.broadcast_to(ramp[None, :, None], (48, 48, 3)) + rng.normal(0, 4, (48, 48, 3))
        out.append(np.clip(img, 0, 255).astype(np.uint8))
    return out


def test_table_on_a_tiny_pack_passes_val_at_its_quantile_and_refuses_noise(tmp_path):
    """Smooth ramps are the pack's images (class by direction); colour noise is foreign."""
    from training.onnx_export import fit_ood

    pack = load_pack(make_pack(tmp_path, classes=("a", "b")))
    engine, spec = Engine(pack), pack.manifest.input
    rng = np.random.default_rng(3)
    train, val, noise = _images(rng, 120, False), _images(rng, 200, False), _images(rng, 20, True)

    def run(images):
        return screen_files(engine, spec, list(range(len(images))), loader=lambda i: images[i])

    tr = run(train)
    main = MahalanobisScorer.from_arrays(fit_ood(tr.pooled, np.arange(120) % 2, 2, 4), 0.0)
    guards = gc.Guards(main, None, gc.fit_background(main, tr))
    va, pr = run(val), run(noise)
    sets = {
        "val": gc.Scored(gc.scores(guards, va), va.logits.argmax(1)),
        "probes": gc.Scored(gc.scores(guards, pr), np.full(20, -1), np.array([True] * 5 + [False] * 15)),
    }
    correct = np.arange(20) < 15  # the model right on 15 of 20 shift images
    sets["shift"] = gc.Scored(gc.scores(guards, run(val[:15] + noise[:5])), np.arange(20) % 2,
                              correct=correct)
    rows = gc.table("tiny", ("a", "b"), sets, shipped=1e9)
    assert [(r["score"], r["threshold"]) for r in rows][:4] == [
        ("current", "val q97"), ("current", "val q99"), ("current", "val q99.5"), ("current", "shipped")]
    assert len(rows) == 4 + 3 * 3
    for r in rows:
        if r["threshold"] != "shipped":
            q = float(r["threshold"].removeprefix("val q")) / 100
            assert float(r["val pass"].rstrip("%")) / 100 >= q - 0.005
    current = {r["threshold"]: r for r in rows if r["score"] == "current"}
    assert current["val q99"]["probes refused"] == "20/20"
    assert current["val q99"]["probes answered"] == "0/20"
    # the 5 wrong shift answers are the noise images: refused, so every answer left is right
    assert current["val q99"]["shift wrong refused"] == "100.0%"
    assert current["val q99"]["shift acc answered"] == "100.0%"
    assert current["shipped"]["shift acc answered"] == "75.0%"
    assert current["shipped"]["probes refused"] == "0/20"  # a threshold nothing exceeds
    assert current["shipped"]["probes answered"] == "5/20"  # only those the modality check passed
    assert "| current | val q99 |" in gc.markdown(rows)


def test_artefacts_are_the_same_image_gone_wrong():
    rgb = np.full((90, 60, 3), 100, np.uint8)
    rgb[:, 30:] = 200
    out = gc.artefacts(rgb)
    assert set(out) == {"noise", "inverted", "blocks", "corner"}
    assert out["inverted"][0, 0, 0] == 155 and out["corner"].shape == (30, 20, 3)
    assert out["blocks"].shape == rgb.shape and out["noise"].std() > rgb.std()
