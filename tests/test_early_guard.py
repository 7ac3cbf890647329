"""The early-layer OOD guard: graph surgery, how its score joins the main one, integrity."""

from __future__ import annotations

import json

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from inference.errors import PackIntegrityError
from inference.ood import MahalanobisScorer, combined_scores
from inference.packs import load_pack
from tests.packgen import build_model, make_pack, reseal

pytest.importorskip("torch")  # training.guard reuses training.onnx_export

from training.guard import EARLY_OUTPUT, GuardError, add_early_output  # noqa: E402


def _named_model(path):
    model, _ = build_model(k=8, size=32)
    model.graph.node[0].name = "/features/block.1/Conv"
    model.graph.node[1].name = "/features/block.1/Relu"  # the block's output: "features"
    onnx.save(model, str(path))
    return path


def test_added_output_is_the_pooled_layer_and_the_rest_is_unchanged(tmp_path):
    path = _named_model(tmp_path / "m.onnx")
    x = np.random.default_rng(0).normal(size=(2, 3, 32, 32)).astype(np.float32)
    before = ort.InferenceSession(str(path)).run(["logits", "features"], {"image": x})
    add_early_output(path, "block.1")
    after = ort.InferenceSession(str(path))
    logits, features, early = after.run(["logits", "features", EARLY_OUTPUT], {"image": x})
    assert np.array_equal(logits, before[0]) and np.array_equal(features, before[1])
    assert early.shape == (2, 8)
    assert np.allclose(early, features.mean(axis=(2, 3)), atol=1e-6)


def test_unknown_layer_and_second_surgery_are_refused(tmp_path):
    path = _named_model(tmp_path / "m.onnx")
    with pytest.raises(GuardError, match="no layer 'block.7'"):
        add_early_output(path, "block.7")
    add_early_output(path, "block.1")
    with pytest.raises(GuardError, match="already has"):
        add_early_output(path, "block.1")


def _scorer(threshold: float) -> MahalanobisScorer:
    """Score = Euclidean distance from the origin in 2-D (identity precision, one class)."""
    eye = np.eye(2)
    return MahalanobisScorer(np.zeros(2), eye, np.zeros((1, 2)), eye, threshold)


def test_either_guard_flags_and_the_score_stays_on_the_main_scale():
    main, early = _scorer(2.0), _scorer(10.0)
    pooled = np.array([[1.0, 0.0], [3.0, 0.0], [1.0, 0.0]])
    early_pooled = np.array([[5.0, 0.0], [5.0, 0.0], [20.0, 0.0]])
    scores = combined_scores(main, early, pooled, early_pooled)
    # early/threshold = 0.5, 0.5, 2.0 -> rescaled 1.0, 1.0, 4.0; max with the main scores
    assert np.allclose(scores, [1.0, 3.0, 4.0])
    assert list(scores > main.threshold) == [False, True, True]
    assert np.allclose(combined_scores(main, None, pooled, early_pooled), [1.0, 3.0, 1.0])


def test_a_modified_early_guard_file_refuses_the_pack(tmp_path):
    pack = make_pack(tmp_path)
    np.savez(pack / "ood.npz", center=np.zeros(8), projection=np.eye(8)[:, :2],
             class_means=np.zeros((3, 2)), precision=np.eye(2))
    np.savez(pack / "ood_early.npz", center=np.zeros(8), projection=np.eye(8)[:, :2],
             class_means=np.zeros((3, 2)), precision=np.eye(2))
    from tests.packgen import sha256

    manifest = json.loads((pack / "manifest.json").read_text("utf-8"))
    manifest["ood"] = {
        "file": "ood.npz", "sha256": sha256(pack / "ood.npz"), "method": "mahalanobis", "threshold": 3.0,
        "early": {"layer": "block.1", "file": "ood_early.npz", "sha256": sha256(pack / "ood_early.npz"),
                  "threshold": 2.0},
    }
    manifest["onnx"]["outputs"]["early_pooled"] = "early_pooled"
    (pack / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    reseal(pack)
    assert load_pack(pack).manifest.ood.early.threshold == 2.0
    data = bytearray((pack / "ood_early.npz").read_bytes())
    data[-30] ^= 0xFF
    (pack / "ood_early.npz").write_bytes(bytes(data))
    with pytest.raises(PackIntegrityError, match="ood_early.npz"):
        load_pack(pack)


def test_a_second_guard_without_its_graph_output_is_refused(tmp_path):
    """Otherwise the guard would silently never run."""
    from inference.errors import ManifestError
    from inference.manifest import parse
    from inference.resources import resource_path

    raw = json.loads(resource_path("models", "palm-anemia", "manifest.json").read_text("utf-8"))
    assert parse(raw).ood.early is not None
    del raw["onnx"]["outputs"]["early_pooled"]
    with pytest.raises(ManifestError, match="early_pooled"):
        parse(raw)
