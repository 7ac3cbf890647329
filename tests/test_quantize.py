"""training/quantize.py on a tiny onnx.helper pack: int8 variant, measurements, default rule."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from inference.engine import Engine
from inference.packs import load_pack
from tests.packgen import make_pack, write_test_key
from training import quantize

CLASSES = ("normal", "abnormal", "other")


def _dataset(root: Path, n: int = 8) -> Path:
    rng = np.random.default_rng(1)
    for split in ("train", "val"):
        for i, cls in enumerate(CLASSES):
            folder = root / split / cls
            folder.mkdir(parents=True)
            for j in range(n):
                base = rng.integers(0, 255, (40, 40, 3)).astype(np.int16)
                base[..., i] = np.clip(base[..., i] + 80, 0, 255)
                Image.fromarray(base.astype(np.uint8)).save(folder / f"{j:03d}.png")
    return root


@pytest.fixture()
def quantized(tmp_path: Path) -> tuple[Path, Path]:
    pack_dir = make_pack(tmp_path / "packs", classes=CLASSES)
    data = _dataset(tmp_path / "data")
    key = write_test_key(tmp_path / "test.key")
    args = [str(pack_dir), "--data", str(data), "--calib", "12", "--runs", "1", "--signing-key", str(key)]
    assert quantize.main(args) == 0
    return pack_dir, data


def test_int8_variant_is_written_sealed_and_close_to_fp32(quantized):
    pack_dir, data = quantized
    pack = load_pack(pack_dir)  # verifies hashes and the re-written seal
    assert (pack_dir / quantize.INT8_FILE).is_file()
    assert quantize.INT8_FILE in (pack_dir / "SHA256SUMS").read_text()
    [variant] = [v for v in pack.manifest.onnx.variants if v.name == "int8"]
    assert "Grad-CAM" in variant.notes and "ms/image" in variant.notes
    x = np.random.default_rng(0).normal(0, 1, (2, 3, 32, 32)).astype(np.float32)
    fp32 = Engine(pack, threads=1, variant="fp32").run(x)
    int8 = Engine(pack, threads=1, variant="int8").run(x)
    assert int8.features is not None and int8.head_grad is not None
    assert int8.features.shape == fp32.features.shape
    np.testing.assert_allclose(int8.head_grad, fp32.head_grad, atol=1e-5)  # head stays fp32
    scale = np.abs(fp32.logits).max()
    assert np.abs(int8.logits - fp32.logits).max() < 0.1 * scale
    card = (pack_dir / "MODEL_CARD.md")
    if card.exists():
        assert "## int8 variant" in card.read_text("utf-8")
    raw = json.loads((pack_dir / "manifest.json").read_text("utf-8"))
    metrics = raw["onnx"]["variants"]["int8"]["metrics"]
    assert metrics["n"] == 3 * 8
    expect = "int8" if metrics["fp32_accuracy"] - metrics["accuracy"] < 0.005 else "fp32"
    assert pack.manifest.onnx.default_variant == expect
    assert pack.onnx_path().name == ("model.int8.onnx" if expect == "int8" else "model.onnx")


def _res(fp32_acc: float, int8_acc: float, int8_ood_pass: float = 0.97) -> dict:
    row = {"macro_f1": 0.9, "ms": 1.0, "bytes": 1000}
    return {
        "n": 100,
        "fp32": {**row, "accuracy": fp32_acc, "ood_pass": 0.97},
        "int8": {**row, "accuracy": int8_acc, "ood_pass": int8_ood_pass},
        "cam_pearson": 0.95,
    }


@pytest.mark.parametrize(
    ("fp32_acc", "int8_acc", "default"),
    [(0.95, 0.95, "int8"), (0.95, 0.946, "int8"), (0.95, 0.944, "fp32"), (0.90, 0.80, "fp32"),
     (0.90, 0.91, "int8")],
)
def test_default_flips_only_when_accuracy_drops_less_than_half_a_point(
    quantized, fp32_acc, int8_acc, default
):
    pack_dir, _ = quantized
    assert quantize.record(pack_dir, _res(fp32_acc, int8_acc), "minmax", 12) == default
    pack = load_pack(pack_dir, check_signature=False)  # record() re-seals; main() then signs
    assert pack.manifest.onnx.default_variant == default
    card = pack_dir / "MODEL_CARD.md"
    if card.exists():  # re-recording replaces the section instead of appending another
        assert card.read_text("utf-8").count("## int8 variant") == 1


def test_int8_stays_optional_when_its_features_fail_the_guard(quantized):
    pack_dir, _ = quantized
    assert quantize.record(pack_dir, _res(0.95, 0.95, int8_ood_pass=0.93), "minmax", 12) == "fp32"
    assert quantize.record(pack_dir, _res(0.95, 0.95, int8_ood_pass=0.96), "minmax", 12) == "int8"


# -- the second site and the recipe knobs ---------------------------------------------
def test_int8_must_hold_on_the_second_site_too():
    """The chest pack's first int8 matched fp32 on val (+0.4 points) and lost 2.6 on shift/."""
    val_ok = {"accuracy": 0.95, "ood_pass": 0.97}
    res = {"fp32": {"accuracy": 0.95, "shift_accuracy": 0.92}, "int8": {**val_ok, "shift_accuracy": 0.894}}
    assert not quantize.int8_holds(res)
    res["int8"]["shift_accuracy"] = 0.916  # 0.4 points
    assert quantize.int8_holds(res)
    res["int8"]["accuracy"] = 0.944  # shift holding does not excuse val
    assert not quantize.int8_holds(res)


def test_recorded_metrics_are_judged_like_measured_ones():
    metrics = {"fp32_accuracy": 0.95, "accuracy": 0.95, "ood_val_pass": 0.97, "fp32_shift_accuracy": 0.92,
               "shift_accuracy": 0.90}
    assert not quantize.int8_holds(quantize.recorded_res(metrics))
    metrics["shift_accuracy"] = 0.92
    assert quantize.int8_holds(quantize.recorded_res(metrics))


def _named_graph():
    import onnx
    from onnx import TensorProto, helper

    nodes = [helper.make_node("Relu", [src], [dst], name=name) for src, dst, name in (
        ("x", "a", "/features/features.0/features.0.2/Relu"),
        ("a", "b", "/features/features.1/conv/Relu"),
        ("b", "c", "/features/features.10/conv/Relu"),
    )]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
                              [helper.make_tensor_value_info("c", TensorProto.FLOAT, [1])])
    return onnx.helper.make_model(graph)


def test_fp32_blocks_name_whole_blocks_and_refuse_a_missing_one():
    model = _named_graph()
    assert quantize.block_nodes(model, (1,)) == ["/features/features.1/conv/Relu"]  # not features.10
    assert quantize.block_nodes(model, (0, 10)) == [
        "/features/features.0/features.0.2/Relu", "/features/features.10/conv/Relu"]
    with pytest.raises(ValueError, match=r"features\.18"):
        quantize.block_nodes(model, (18,))


def test_shift_split_is_measured_and_recorded(tmp_path: Path):
    pack_dir = make_pack(tmp_path / "packs", classes=CLASSES)
    data = _dataset(tmp_path / "data")
    for cls in CLASSES:  # a second site: the val images, darker
        (data / "shift" / cls).mkdir(parents=True)
        for f in (data / "val" / cls).iterdir():
            arr = (np.asarray(Image.open(f), dtype=np.float32) * 0.8).astype(np.uint8)
            Image.fromarray(arr).save(data / "shift" / cls / f.name)
    key = write_test_key(tmp_path / "test.key")
    args = [str(pack_dir), "--data", str(data), "--calib", "12", "--runs", "1", "--signing-key", str(key),
            "--method", "percentile"]
    assert quantize.main(args) == 0
    raw = json.loads((pack_dir / "manifest.json").read_text("utf-8"))
    metrics = raw["onnx"]["variants"]["int8"]["metrics"]
    assert metrics["shift_n"] == 3 * 8 and metrics["calibration"] == "percentile"
    pack = load_pack(pack_dir)
    for variant, key_ in (("fp32", "fp32_shift_accuracy"), ("int8", "shift_accuracy")):
        engine, right = Engine(pack, threads=1, variant=variant), 0
        for i, cls in enumerate(CLASSES):  # recount it here, image by image
            for f in sorted((data / "shift" / cls).iterdir()):
                right += int(np.argmax(engine.run(quantize._tensor(f, pack.manifest.input, (64, 64))).logits[0]) == i)
        assert metrics[key_] == pytest.approx(right / 24)
    expect = "int8" if quantize.int8_holds(quantize.recorded_res(metrics)) else "fp32"
    assert raw["onnx"]["default_variant"] == expect
    card = (pack_dir / "MODEL_CARD.md")
    if card.exists():
        assert "Second site (`shift/`, n = 24" in card.read_text("utf-8")
    assert "Second site (shift/) n=24" in raw["onnx"]["variants"]["int8"]["notes"]
    # --keep-model keeps describing the recorded recipe
    assert quantize.main([*args[:-2], "--keep-model"]) == 0
    again = json.loads((pack_dir / "manifest.json").read_text("utf-8"))
    assert again["onnx"]["variants"]["int8"]["metrics"]["calibration"] == "percentile"


def test_rewriting_the_int8_section_keeps_the_evaluation_block_whole():
    """The int8 section was cut up to the next heading, taking the evaluation block's start
    marker with it: the block below was orphaned and the next recording appended a second."""
    from training.eval_record import END, START

    card = ("# Card\n\n## Limitations\n- a\n\n## int8 variant\n- old figures\n\n"
            f"{START}\n## Validation and second site\n| table |\n{END}\n")
    text = quantize.without_section(card, quantize.CARD_HEADING)
    assert "old figures" not in text and "## int8 variant" not in text
    assert text.count(START) == 1 and text.count(END) == 1
    assert text.index(START) < text.index("## Validation and second site") < text.index(END)
    assert quantize.without_section(text, quantize.CARD_HEADING) == text  # no section: unchanged


def test_int8_records_its_own_per_class_figures_and_the_app_shows_them(quantized):
    """training/variant_report.py after quantising: the int8 variant's per-class figures sit
    in its block, and the manifest viewed as int8 (what the app runs where int8 is the default)
    carries int8's figures, not fp32's."""
    pack_dir, data = quantized
    raw = json.loads((pack_dir / "manifest.json").read_text("utf-8"))
    own = raw["onnx"]["variants"]["int8"]["metrics"]
    assert set(own["per_class"]) == set(CLASSES)
    assert sum(c["support"] for c in own["per_class"].values()) == own["n"] == 24
    man = load_pack(pack_dir).manifest
    int8, fp32 = man.for_variant("int8").metrics, man.for_variant("fp32").metrics
    assert (int8.accuracy, int8.extra["per_class"]) == (own["accuracy"], own["per_class"])
    assert fp32.accuracy == raw["metrics"]["accuracy"] and fp32.extra.get("per_class") == raw["metrics"].get("per_class")
    assert "fp32_accuracy" not in int8.extra  # the comparison with fp32 stays in the variant block


def test_a_variant_report_that_disagrees_with_the_record_is_refused(quantized):
    from inference.seal import write_seal
    from training.variant_report import VariantReportError, main, record_report

    pack_dir, data = quantized
    raw = json.loads((pack_dir / "manifest.json").read_text("utf-8"))
    raw["onnx"]["variants"]["int8"]["metrics"]["accuracy"] += 0.01
    (pack_dir / "manifest.json").write_text(json.dumps(raw), "utf-8")
    write_seal(pack_dir)
    with pytest.raises(VariantReportError, match="measure the variant again"):
        record_report(pack_dir, data, "int8")
    with pytest.raises(VariantReportError, match="no recorded figures for variant 'int4'"):
        record_report(pack_dir, data, "int4")
    assert main([str(pack_dir), "--data", str(data)]) == 2  # the command says so and signs nothing
    raw["onnx"]["variants"]["int8"]["metrics"]["accuracy"] -= 0.01
    (pack_dir / "manifest.json").write_text(json.dumps(raw), "utf-8")
    write_seal(pack_dir)
    assert main([str(pack_dir), "--data", str(data), "--signing-key", str(write_test_key(pack_dir.parent / "k"))]) == 0
    assert load_pack(pack_dir).manifest.for_variant("int8").metrics.extra["per_class"]
