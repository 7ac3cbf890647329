"""Per-variant calibration (issue 21): int8 has its own temperature, referral thresholds and
guards, the manifest holds them per variant, inference uses the variant's own, and a release
ships the default variant only."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from inference.engine import Engine
from inference.errors import ManifestError, PackIntegrityError
from inference.manifest import parse
from inference.packs import load_pack
from inference.resources import resource_path
from inference.screener import Screener
from tests.packgen import make_manifest, make_pack, reseal, sha256

CLASSES = ("normal", "abnormal", "other")


def _ood_arrays(k: int = 8, d: int = 2) -> dict[str, np.ndarray]:
    return {"center": np.zeros(k), "projection": np.eye(k)[:, :d],
            "class_means": np.zeros((3, d)), "precision": np.eye(d)}


def _ood_entry(pack: Path, name: str, threshold: float) -> dict:
    np.savez(pack / name, **_ood_arrays())
    return {"file": name, "sha256": sha256(pack / name), "method": "mahalanobis",
            "threshold": threshold}


def _two_variant_pack(root: Path, int8_block: dict | None, default: str = "fp32") -> Path:
    """A tiny pack whose "int8" is a copy of its fp32 graph (same outputs), so any difference
    between the variants' answers comes from calibration alone."""
    pack = make_pack(root, classes=CLASSES)
    shutil.copy(pack / "model.onnx", pack / "model.int8.onnx")
    raw = json.loads((pack / "manifest.json").read_text("utf-8"))
    raw["onnx"]["variants"] = {"int8": {"file": "model.int8.onnx",
                                        "sha256": sha256(pack / "model.int8.onnx")}}
    raw["onnx"]["default_variant"] = default
    raw["classes"][1]["threshold"] = 0.4
    raw["ood"] = _ood_entry(pack, "ood.npz", 1e9)  # fp32's guard lets everything through
    if int8_block is not None:
        block = dict(int8_block)
        if block.get("ood") == "refuse-all":
            block["ood"] = _ood_entry(pack, "ood.int8.npz", -1.0)
        raw["variants"] = {"int8": block}
    (pack / "manifest.json").write_text(json.dumps(raw), "utf-8")
    reseal(pack)
    return pack


def _image(tmp_path: Path) -> Path:
    path = tmp_path / "img.png"
    rng = np.random.default_rng(3)
    Image.fromarray(rng.integers(0, 255, (48, 48, 3), dtype=np.uint8)).save(path)
    return path


# -- the manifest ---------------------------------------------------------------------
def test_a_manifest_without_variant_calibration_still_parses_and_int8_shares_fp32s():
    raw = json.loads(resource_path("models", "palm-anemia", "manifest.json").read_text("utf-8"))
    raw.pop("variants", None)  # as every pack was before issue 21
    assert raw["onnx"]["variants"]["int8"]
    man = parse(raw)
    int8 = man.for_variant("int8")
    assert int8.temperature == man.temperature and int8.ood == man.ood
    assert [c.threshold for c in int8.classes] == [c.threshold for c in man.classes]


def _raw_with_block(block: dict, default: str = "fp32") -> dict:
    raw = make_manifest("tiny-pack", list(CLASSES), 32, "0" * 64)
    raw["classes"][1]["threshold"] = 0.4
    raw["onnx"]["variants"] = {"int8": {"file": "model.int8.onnx", "sha256": "1" * 64}}
    raw["onnx"]["default_variant"] = default
    raw["ood"] = {"file": "ood.npz", "sha256": "2" * 64, "method": "mahalanobis", "threshold": 3.0}
    raw["variants"] = {"int8": block}
    return raw


INT8_BLOCK = {
    "calibration": {"temperature": 0.7},
    "thresholds": {"abnormal": 0.55},
    "ood": {"file": "ood.int8.npz", "sha256": "3" * 64, "method": "mahalanobis", "threshold": 4.5,
            "val_pass_rate": 0.97},
}


def test_the_parsed_manifest_holds_the_default_variants_calibration():
    fp32_default = parse(_raw_with_block(INT8_BLOCK))
    assert fp32_default.variant == "fp32" and fp32_default.temperature == 1.5
    int8_default = parse(_raw_with_block(INT8_BLOCK, default="int8"))
    assert int8_default.variant == "int8" and int8_default.temperature == 0.7
    assert int8_default.classes[1].threshold == 0.55 and int8_default.classes[2].threshold is None
    assert int8_default.ood.file == "ood.int8.npz" and int8_default.ood.threshold == 4.5
    back = int8_default.for_variant("fp32")
    assert back.temperature == 1.5 and back.classes[1].threshold == 0.4 and back.ood.file == "ood.npz"
    assert back.for_variant("int8") == int8_default
    with pytest.raises(ManifestError, match="no model variant 'int4'"):
        int8_default.for_variant("int4")


def test_a_partial_block_shares_the_rest_with_the_base():
    man = parse(_raw_with_block({"calibration": {"temperature": 0.9}})).for_variant("int8")
    assert man.temperature == 0.9 and man.classes[1].threshold == 0.4 and man.ood.file == "ood.npz"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r["variants"].update(int4=r["variants"].pop("int8")), "variants.int4 calibrates"),
        (lambda r: r["variants"]["int8"]["thresholds"].update(normal=0.5), "do not refer"),
        (lambda r: r["variants"]["int8"]["thresholds"].update(abnormal=1.5), "maximum"),
        (lambda r: r["variants"]["int8"].update(temperature=0.5), "unexpected"),
        (lambda r: r["variants"]["int8"]["ood"].pop("sha256"), "sha256"),
        (lambda r: r["ood"].update(early={"layer": "x", "file": "e.npz", "sha256": "4" * 64,
                                          "threshold": 1.0}), "early"),
    ],
)
def test_a_bad_variant_block_is_refused_by_name(change, message):
    raw = copy.deepcopy(_raw_with_block(INT8_BLOCK))
    raw["onnx"]["outputs"]["early_pooled"] = "early_pooled"
    change(raw)
    with pytest.raises(ManifestError, match=message):
        parse(raw)


# -- inference uses the variant's own ------------------------------------------------
def test_the_screener_uses_the_calibration_of_the_variant_it_runs(tmp_path):
    pack_dir = _two_variant_pack(tmp_path / "packs", {
        "calibration": {"temperature": 0.25}, "thresholds": {"abnormal": 0.01}})
    pack = load_pack(pack_dir)
    fp32 = Screener(pack, Engine(pack, variant="fp32"))
    int8 = Screener(pack, Engine(pack, variant="int8"))
    assert (fp32.manifest.temperature, int8.manifest.temperature) == (1.5, 0.25)
    image = _image(tmp_path)
    a, b = fp32.screen_path(image), int8.screen_path(image)
    assert a.answered and b.answered  # no guard of its own: int8 shares fp32's
    # Same graph: int8's probabilities are fp32's logits under int8's temperature.
    logits = np.log(np.asarray(a.prediction.probabilities)) * 1.5
    expected = np.exp(logits / 0.25) / np.exp(logits / 0.25).sum()
    np.testing.assert_allclose(b.prediction.probabilities, expected, rtol=1e-4, atol=1e-6)
    probs = np.array([0.9, 0.05, 0.05])
    assert int8.predict(probs).referring_classes == ("abnormal",)  # int8's threshold 0.01
    assert not fp32.predict(probs).refer  # fp32's 0.4


def test_the_screener_uses_the_guard_of_the_variant_it_runs(tmp_path):
    pack_dir = _two_variant_pack(tmp_path / "packs", {"ood": "refuse-all"})
    pack = load_pack(pack_dir)
    fp32 = Screener(pack, Engine(pack, variant="fp32"))
    int8 = Screener(pack, Engine(pack, variant="int8"))
    assert (fp32.ood.threshold, int8.ood.threshold) == (1e9, -1.0)
    image = _image(tmp_path)
    assert fp32.screen_path(image).answered
    assert int8.screen_path(image).status == "out_of_distribution"


def test_the_default_screener_follows_an_int8_default(tmp_path):
    pack_dir = _two_variant_pack(tmp_path / "packs", {"ood": "refuse-all"}, default="int8")
    screener = Screener(load_pack(pack_dir))
    assert screener.ood.threshold == -1.0
    assert screener.screen_path(_image(tmp_path)).status == "out_of_distribution"


def test_a_modified_variant_guard_file_refuses_the_pack(tmp_path):
    pack_dir = _two_variant_pack(tmp_path / "packs", {"ood": "refuse-all"})
    load_pack(pack_dir)
    data = bytearray((pack_dir / "ood.int8.npz").read_bytes())
    data[-30] ^= 0xFF
    (pack_dir / "ood.int8.npz").write_bytes(bytes(data))
    with pytest.raises(PackIntegrityError, match="ood.int8.npz"):
        load_pack(pack_dir)


# -- a release ships the default only ------------------------------------------------
def test_an_int8_default_release_copy_ships_int8_with_its_own_calibration(tmp_path):
    from tests.packgen import write_test_key
    from tools.release_pack import release_copy

    pack_dir = _two_variant_pack(tmp_path / "packs", {
        "calibration": {"temperature": 0.25}, "thresholds": {"abnormal": 0.3}, "ood": "refuse-all"},
        default="int8")
    source = load_pack(pack_dir)
    out = release_copy(pack_dir, tmp_path / "release", signing_key=write_test_key(tmp_path / "k"))
    assert out != pack_dir
    assert sorted(p.name for p in out.iterdir()) == [
        "SHA256SUMS", "SIGNATURE", "manifest.json", "model.int8.onnx", "ood.int8.npz"]
    copy_ = load_pack(out)
    man = copy_.manifest
    assert man.onnx.variants == () and man.onnx.base_variant == man.onnx.default_variant == "int8"
    assert copy_.onnx_path().name == "model.int8.onnx"
    assert copy_.model_sha256() == source.model_sha256("int8")
    assert (man.temperature, man.classes[1].threshold, man.ood) == (
        0.25, 0.3, source.manifest.for_variant("int8").ood)
    image = _image(tmp_path)
    a = Screener(source).screen_path(image)
    b = Screener(copy_).screen_path(image)
    assert (a.status, a.message) == (b.status, b.message)


@pytest.mark.parametrize("measured", ["int8", "fp32"])
def test_a_pack_made_its_release_copy_in_place_keeps_the_evaluation_of_what_it_runs(tmp_path, measured):
    """tools/release_pack.py --in-place (an ensemble whose fp32 model is too big to bundle):
    int8's own figures become the pack's, and tools/evaluate_packs.py's evaluation stays where
    it measured the variant that remains, so the pack information panel reads the same figures
    in the repository as in the executable."""
    from gui.packs_panel import evaluation_lines
    from inference.signing import sign_pack
    from tests.packgen import TEST_KEY, write_test_key
    from tools.release_pack import main

    pack_dir = _two_variant_pack(tmp_path / "packs", {"calibration": {"temperature": 0.25}}, default="int8")
    raw = json.loads((pack_dir / "manifest.json").read_text("utf-8"))
    raw["onnx"]["variants"]["int8"]["metrics"] = {"split": "val", "n": 40, "accuracy": 0.9, "macro_f1": 0.85}
    share = {"value": 0.95, "low": 0.9, "high": 0.98}
    raw["metrics"]["evaluation"] = {"variant": measured, "splits": {"val": {
        "n": 40, "accuracy": share, "answered": share, "accuracy_of_answers": share}}}
    (pack_dir / "manifest.json").write_text(json.dumps(raw), "utf-8")
    reseal(pack_dir)
    sign_pack(pack_dir, TEST_KEY)
    assert main([str(pack_dir), "--in-place", "--key", str(write_test_key(tmp_path / "k"))]) == 0
    # int8 shares fp32's guard here, so ood.npz stays
    assert sorted(p.name for p in pack_dir.iterdir()) == [
        "SHA256SUMS", "SIGNATURE", "manifest.json", "model.int8.onnx", "ood.npz"]
    assert not list(pack_dir.parent.glob("tmp*"))  # the old folder went with the temporary one
    man = load_pack(pack_dir).manifest
    assert man.onnx.base_variant == "int8" and (man.metrics.accuracy, man.metrics.n) == (0.9, 40)
    lines = evaluation_lines(man.metrics.extra)
    assert bool(lines) == (measured == "int8")  # an evaluation of the dropped fp32 is not kept
    assert main([str(pack_dir), "--in-place", "--key", str(tmp_path / "k")]) == 1  # nothing left to drop


def test_the_card_of_a_release_copy_in_place_says_what_was_left_out(tmp_path):
    from tools.release_pack import _say_so_in_card

    pack = make_pack(tmp_path / "packs", classes=CLASSES)
    (pack / "MODEL_CARD.md").write_text("## Model\n- Size: 26.7 MB (ONNX, fp32).\n- Other.\n", "utf-8")
    raw = json.loads((pack / "manifest.json").read_text("utf-8"))
    raw["onnx"]["base_variant"] = "int8"
    (pack / "manifest.json").write_text(json.dumps(raw), "utf-8")
    _say_so_in_card(pack, 36_700_000)
    _say_so_in_card(pack, 36_700_000)  # once only
    card = (pack / "MODEL_CARD.md").read_text("utf-8")
    assert card.count("This folder holds the int8 model only") == 1
    assert "- Size: 26.7 MB (ONNX, fp32). This folder holds" in card and "whole, the pack weighs 36.7 MB" in card


@pytest.mark.parametrize("own_summary", [True, False])
def test_the_figures_shown_are_those_of_the_variant_that_runs(tmp_path, own_summary):
    """The default view (what the app runs) carries int8's validation figures and the
    evaluation of int8; fp32's view keeps fp32's. A variant that recorded no summary of its
    own shows the base's, still with the evaluation that measured it."""
    pack_dir = _two_variant_pack(tmp_path / "packs", {"calibration": {"temperature": 0.25}}, default="int8")
    raw = json.loads((pack_dir / "manifest.json").read_text("utf-8"))
    raw["metrics"]["per_class"] = {"normal": {"recall": 0.5}, "abnormal": {"recall": 0.6}}
    if own_summary:
        raw["onnx"]["variants"]["int8"]["metrics"] = {
            "split": "val", "n": 40, "accuracy": 0.9, "macro_f1": 0.85, "fp32_accuracy": 0.8,
            "per_class": {"normal": {"recall": 0.95}, "abnormal": {"recall": 0.85}}}
    share = {"value": 0.95, "low": 0.9, "high": 0.98}
    raw["metrics"]["evaluation"] = {"variant": "int8", "splits": {"val": {"n": 40, "accuracy": share}}}
    (pack_dir / "manifest.json").write_text(json.dumps(raw), "utf-8")
    reseal(pack_dir)
    man = load_pack(pack_dir).manifest
    assert man.variant == "int8"
    shown, fp32 = man.metrics, man.for_variant("fp32").metrics
    assert shown.extra["evaluation"]["variant"] == "int8" and "evaluation" not in fp32.extra
    assert fp32.accuracy == raw["metrics"]["accuracy"] and fp32.extra["per_class"]["normal"]["recall"] == 0.5
    if own_summary:
        assert (shown.accuracy, shown.n, shown.extra["per_class"]["normal"]["recall"]) == (0.9, 40, 0.95)
        assert "fp32_accuracy" not in shown.extra
    else:
        assert shown.accuracy == fp32.accuracy and shown.extra["per_class"] == fp32.extra["per_class"]


# -- fitting: training/quantize.py -> training/variant_fit.py ------------------------
def _guarded_pack_and_data(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A tiny pack with both guards fitted on its fp32 features (as the pipeline does), a
    dataset and a folder of probe images."""
    pytest.importorskip("torch")
    import onnx

    from inference.engine import Engine as Eng
    from tests.test_quantize import _dataset
    from training.guard import FITTED_ON, add_early_output, early_manifest_entry, fit_early_guard
    from training.onnx_export import fit_ood
    from training.pipeline import screen_files

    pack = make_pack(tmp_path / "packs", classes=CLASSES)
    model = onnx.load(str(pack / "model.onnx"))
    model.graph.node[0].name = "/features/block.1/Conv"
    model.graph.node[1].name = "/features/block.1/Relu"
    onnx.save(model, str(pack / "model.onnx"))
    add_early_output(pack / "model.onnx", "block.1")
    raw = json.loads((pack / "manifest.json").read_text("utf-8"))
    raw["onnx"]["sha256"] = sha256(pack / "model.onnx")
    raw["onnx"]["outputs"]["early_pooled"] = "early_pooled"
    (pack / "manifest.json").write_text(json.dumps(raw), "utf-8")
    reseal(pack)
    data = _dataset(tmp_path / "data")
    engine, spec = Eng(load_pack(pack)), load_pack(pack).manifest.input
    labels = np.repeat(np.arange(3), 8)
    paths = {s: sorted((data / s).glob("*/*.png")) for s in ("train", "val")}
    tr, va = screen_files(engine, spec, paths["train"]), screen_files(engine, spec, paths["val"])
    np.savez(pack / "ood.npz", **fit_ood(tr.pooled, labels, 3, 4))
    early = fit_early_guard(tr.early, labels, 3, va.early)
    raw["ood"] = {"file": "ood.npz", "sha256": sha256(pack / "ood.npz"), "method": "mahalanobis",
                  "threshold": 5.0, "fitted_on": FITTED_ON, "far_ood_flag_rate": 0.5,
                  "early": early_manifest_entry("block.1", pack, early)}
    (pack / "manifest.json").write_text(json.dumps(raw), "utf-8")
    reseal(pack)
    probes = tmp_path / "probes"
    probes.mkdir()
    for i in range(4):
        stripes = np.zeros((40, 40, 3), np.uint8)
        stripes[:, i::4] = 255
        Image.fromarray(stripes).save(probes / f"stripes{i}.png")
    return pack, data, probes


def test_quantize_fits_int8_its_own_calibration_and_guards(tmp_path):
    from tests.packgen import write_test_key
    from training import quantize

    pack_dir, data, probes = _guarded_pack_and_data(tmp_path)
    before = json.loads((pack_dir / "manifest.json").read_text("utf-8"))
    key = write_test_key(tmp_path / "test.key")
    args = [str(pack_dir), "--data", str(data), "--calib", "12", "--runs", "1",
            "--ood-probe", str(probes), "--signing-key", str(key)]
    assert quantize.main(args) == 0
    raw = json.loads((pack_dir / "manifest.json").read_text("utf-8"))
    assert raw["ood"] == before["ood"] and raw["calibration"] == before["calibration"]  # fp32's
    block = raw["variants"]["int8"]
    assert set(block["thresholds"]) == {"abnormal", "other"}  # the referral classes
    assert block["calibration"]["temperature"] > 0 and "ece_after" in block["calibration"]
    ood = block["ood"]
    assert (ood["file"], ood["early"]["file"]) == ("ood.int8.npz", "ood_early.int8.npz")
    assert ood["early"]["layer"] == "block.1" and "downscaled_val_pass_rate" in ood
    assert "far_ood_flag_rate" in ood and ood["fitted_on"] == before["ood"]["fitted_on"]
    pack = load_pack(pack_dir)  # signed, sealed, every variant's guard file hash-checked
    # The recorded pass rate is what the app's int8 screener does on the validation images.
    int8 = Screener(pack, Engine(pack, variant="int8"))
    assert int8.ood.threshold == ood["threshold"] and int8.early_ood is not None
    val = sorted((data / "val").glob("*/*.png"))
    answered = np.mean([int8.screen_path(p).answered for p in val])
    assert answered == pytest.approx(ood["val_pass_rate"])
    assert answered >= 0.9  # the threshold is the 97th percentile of int8's own scores
    metrics = raw["onnx"]["variants"]["int8"]["metrics"]
    assert metrics["ood_val_pass"] == pytest.approx(ood["val_pass_rate"])
    assert metrics["probes_flagged"] == ood["far_ood_flag_rate"]
    assert metrics["fp32_probes_flagged"] == 0.5
    expect = "int8" if quantize.int8_holds({
        "fp32": {"accuracy": metrics["fp32_accuracy"], "probes_flagged": 0.5},
        "int8": {"accuracy": metrics["accuracy"], "ood_pass": metrics["ood_val_pass"],
                 "probes_flagged": metrics["probes_flagged"]}}) else "fp32"
    assert pack.manifest.onnx.default_variant == expect
    # --keep-model refits the same int8 graph: same figures, same files.
    sha = raw["onnx"]["variants"]["int8"]["sha256"]
    assert quantize.main([*args, "--keep-model"]) == 0
    again = json.loads((pack_dir / "manifest.json").read_text("utf-8"))
    assert again["onnx"]["variants"]["int8"]["sha256"] == sha
    assert again["variants"]["int8"]["ood"]["threshold"] == pytest.approx(ood["threshold"])


@pytest.mark.parametrize(
    ("int8", "holds"),
    [
        ({"accuracy": 0.95, "ood_pass": 0.97, "probes_flagged": 1.0}, True),
        ({"accuracy": 0.95, "ood_pass": 0.97, "probes_flagged": 0.98}, False),  # a probe passes
        ({"accuracy": 0.95, "ood_pass": 0.94, "probes_flagged": 1.0}, False),  # own images refused
        ({"accuracy": 0.944, "ood_pass": 0.97, "probes_flagged": 1.0}, False),  # 0.6 points
        ({"accuracy": 0.946, "ood_pass": 0.97, "probes_flagged": None}, True),  # no probes given
    ],
)
def test_the_int8_rule_needs_accuracy_guard_and_probes(int8, holds):
    from training.quantize import int8_holds

    assert int8_holds({"fp32": {"accuracy": 0.95, "probes_flagged": 1.0}, "int8": int8}) is holds


# -- the bundled packs ---------------------------------------------------------------
MODELS = resource_path("models")
BUNDLED = sorted(p for p in MODELS.iterdir() if (p / "manifest.json").exists())


@pytest.mark.parametrize("directory", BUNDLED, ids=lambda p: p.name)
def test_a_bundled_pack_defaults_to_int8_exactly_where_the_rule_holds(directory: Path):
    pytest.importorskip("torch")
    from training.quantize import int8_holds, recorded_res

    raw = json.loads((directory / "manifest.json").read_text("utf-8"))
    variant = raw["onnx"].get("variants", {}).get("int8")
    if variant is None or "metrics" not in variant:
        pytest.skip("no measured int8 variant")
    m = variant["metrics"]
    res = recorded_res(m)
    default = raw["onnx"].get("default_variant", "fp32")
    if default == "int8":
        assert m.get("ood_val_pass") is not None, "int8 judged without its own guard's figures"
        assert int8_holds(res)
    elif m.get("ood_val_pass") is not None:  # measured with its own guard: the rule fails
        assert not int8_holds(res)
    card = (directory / "MODEL_CARD.md").read_text("utf-8")
    assert f"Default variant: **{default}**" in card
    if default == "int8":  # judged and run with its own guard, not fp32's
        own = raw["variants"]["int8"]["ood"]
        assert own["file"] == "ood.int8.npz" and own["val_pass_rate"] >= 0.95
        assert own["far_ood_flag_rate"] >= raw["ood"]["far_ood_flag_rate"]
        assert bool(own.get("early")) == bool(raw["ood"].get("early"))
        screener = Screener(load_pack(directory))
        assert screener.manifest.ood == load_pack(directory).manifest.for_variant("int8").ood
        assert screener.ood.threshold == own["threshold"]


def test_the_release_copy_of_a_bundled_int8_pack_holds_int8_only(tmp_path):
    """What the executable ships for an int8-default pack: int8 and its own guard, answering
    exactly as the full pack's default does."""
    from inference.signing import sign_pack
    from tests.packgen import TEST_KEY, write_test_key
    from tools.release_pack import release_copy

    chosen = [d for d in BUNDLED
              if json.loads((d / "manifest.json").read_text("utf-8"))["onnx"].get(
                  "default_variant") == "int8"]
    if not chosen:
        pytest.skip("no bundled pack defaults to int8")
    source = tmp_path / "src" / chosen[0].name
    shutil.copytree(chosen[0], source)
    sign_pack(source, TEST_KEY)
    out = release_copy(source, tmp_path / "release", signing_key=write_test_key(tmp_path / "k"))
    names = {p.name for p in out.iterdir()}
    assert "model.int8.onnx" in names and "ood.int8.npz" in names
    assert not names & {"model.onnx", "ood.npz", "ood_early.npz"}
    full, copy_ = load_pack(source), load_pack(out)
    assert copy_.manifest.ood == full.manifest.ood and copy_.manifest.temperature == full.manifest.temperature
    # the pack information panel reads the same figures in the executable as here
    assert (copy_.manifest.metrics.accuracy, copy_.manifest.metrics.n) == (full.manifest.metrics.accuracy, full.manifest.metrics.n)
    for key in ("per_class", "evaluation"):
        assert copy_.manifest.metrics.extra.get(key) == full.manifest.metrics.extra.get(key)
        assert full.manifest.metrics.extra.get(key), key
    samples = resource_path("assets", "samples", full.id)
    images = sorted(p for p in samples.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    a, b = Screener(full).screen_path(images[0]), Screener(copy_).screen_path(images[0])
    assert a.status == b.status and a.prediction.probabilities == b.prediction.probabilities


def test_a_pack_fitted_without_probes_does_not_block_int8():
    """The pipeline writes far_ood_flag_rate NaN when no probes were given: no figure, not a
    failed comparison."""
    pytest.importorskip("torch")
    from training.quantize import _probes_flagged

    raw = _raw_with_block(INT8_BLOCK)
    raw["ood"]["far_ood_flag_rate"] = float("nan")
    assert _probes_flagged(parse(raw).for_variant("fp32")) is None
    raw["ood"]["far_ood_flag_rate"] = 0.99
    assert _probes_flagged(parse(raw).for_variant("fp32")) == 0.99


def test_the_card_shows_each_variants_guard_and_referral_thresholds():
    pytest.importorskip("torch")
    from training.int8_record import _card_section

    row = {"macro_f1": 0.9, "ms": 2.0, "bytes": 2_000_000, "accuracy": 0.95}
    res = {"n": 10, "cam_pearson": 0.9, "load_avg": 3.25,
           "fp32": {**row, "ood_pass": 0.969, "probes_flagged": 1.0, "temperature": 1.44,
                    "thresholds": {"pneumonia": 0.518481}},
           "int8": {**row, "ood_pass": 0.97, "probes_flagged": 0.99, "temperature": 1.37,
                    "thresholds": {"pneumonia": 0.653523}}}
    text = _card_section(res, "fp32", "minmax", 300)
    assert "Referral thresholds: pneumonia 0.518 (fp32), 0.654 (int8)." in text
    assert "passing the guard 96.9 % with fp32, 97.0 % with int8" in text
    assert "probe images flagged 100.0 % with fp32, 99.0 % with int8" in text
    assert "load average of 3.2" in text and "Default variant: **fp32**" in text
