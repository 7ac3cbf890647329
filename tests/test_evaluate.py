"""Operating thresholds and calibration numbers the packs ship."""

from __future__ import annotations

import numpy as np

from training.evaluate import youden_threshold


def test_youden_cut_lies_between_the_classes_not_on_a_score():
    scores = np.array([0.0, 1e-7, 2e-6, 1.0, 1.0, 1.0])  # saturated, perfectly separated
    positive = np.array([False, False, False, True, True, True])
    t = youden_threshold(scores, positive)
    assert 2e-6 < t < 1.0
    assert ((scores >= t) == positive).all()


def test_youden_balances_sensitivity_and_specificity():
    rng = np.random.default_rng(0)
    neg, pos = rng.normal(0.3, 0.1, 500), rng.normal(0.7, 0.1, 500)
    scores = np.concatenate([neg, pos])
    positive = np.r_[np.zeros(500, bool), np.ones(500, bool)]
    assert abs(youden_threshold(scores, positive) - 0.5) < 0.05


def test_one_class_only_falls_back_to_half():
    assert youden_threshold(np.array([0.2, 0.9]), np.array([True, True])) == 0.5


def test_subnormal_weights_are_flushed(tmp_path):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    from training.onnx_export import flush_denormals

    w = np.array([[1.0, 1e-40], [-3e-39, 2.0]], np.float32)  # two subnormals
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2])],
        [numpy_helper.from_array(w, "w")],
    )
    path = tmp_path / "m.onnx"
    onnx.save(helper.make_model(graph), str(path))
    assert flush_denormals(path) == 2
    out = numpy_helper.to_array(onnx.load(str(path)).graph.initializer[0])
    np.testing.assert_array_equal(out, [[1.0, 0.0], [0.0, 2.0]])
    assert flush_denormals(path) == 0
