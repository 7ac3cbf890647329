"""tools/refit_guard_threshold.py (issue 17): a shipped pack's main guard threshold becomes the
99th percentile of its own validation scores, per variant, without retraining; the pack stays
sealed and signed, and the second site (``shift/``) is never looked at."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from inference.engine import Engine
from inference.ood import combined_scores, load_guards
from inference.packs import load_pack
from inference.screener import Screener
from tests.packgen import reseal, write_test_key

pytest.importorskip("torch")  # training.quantize and the guard fitting reuse training/

from training import guard_refit as tool  # noqa: E402
from training.card import ood_section  # noqa: E402
from training.int8_record import _pct  # noqa: E402
from training.measure import screen_files  # noqa: E402

VARIANTS = ("fp32", "int8")


def _stripes(folder: Path, n: int, offset: int = 0) -> None:
    folder.mkdir(parents=True)
    for i in range(n):
        img = np.zeros((40, 40, 3), np.uint8)
        img[(i + offset) % 5::5] = 255
        Image.fromarray(img).save(folder / f"s{i}.png")


def _digest(folder: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture()
def old_pack(tmp_path: Path, monkeypatch) -> tuple[Path, Path, Path, Path]:
    """A tiny pack as shipped before issue 17: both guards on fp32 (main threshold 5.0), an
    int8 variant with its own fitted at the 97th percentile, a card; its dataset has a
    ``shift/`` split of stripes, whose scores would raise any quantile they entered."""
    from tests.test_variant_calibration import _guarded_pack_and_data
    from training import quantize, variant_fit

    pack, data, probes = _guarded_pack_and_data(tmp_path)
    for cls in ("normal", "abnormal", "other"):
        _stripes(data / "shift" / cls, 4, offset=len(cls))
    raw = json.loads((pack / "manifest.json").read_text("utf-8"))
    card = ["# Model card", "", *ood_section(raw["ood"], 4, "before"), "", "## Limitations", "- Tests.", ""]
    (pack / "MODEL_CARD.md").write_text("\n".join(card), "utf-8")
    reseal(pack)
    key = write_test_key(tmp_path / "test.key")
    with monkeypatch.context() as m:
        m.setattr(variant_fit, "VAL_PASS_QUANTILE", 0.97)  # int8 fitted the old way
        assert quantize.main([str(pack), "--data", str(data), "--calib", "12", "--runs", "1",
                              "--ood-probe", str(probes), "--signing-key", str(key)]) == 0
    # Early guards tighter than fitted, so the recorded rates tell whether both guards count;
    # int8 then passes too few of its own images to be the default (training.quantize's rule).
    raw = json.loads((pack / "manifest.json").read_text("utf-8"))
    raw["onnx"]["default_variant"] = "fp32"
    loaded = load_pack(pack)
    for v, block in (("fp32", raw["ood"]), ("int8", raw["variants"]["int8"]["ood"])):
        _, early = load_guards(loaded, v)
        run = screen_files(Engine(loaded, variant=v), loaded.manifest.input, _val_paths(data))
        block["early"]["threshold"] = float(np.quantile(early.score(run.early), 0.7))
    (pack / "manifest.json").write_text(json.dumps(raw), "utf-8")
    reseal(pack)
    return pack, data, probes, key


def _val_paths(data: Path) -> list[Path]:
    return sorted((data / "val").glob("*/*.png"))


def test_the_quantile_is_99_percent_of_own_validation_scores():
    from training import guard

    assert guard.VAL_PASS_QUANTILE == 0.99  # issue 17: models/guard_comparison.md


def test_refit_sets_each_variants_threshold_at_the_99th_percentile_of_its_val_scores(old_pack, monkeypatch):
    pack_dir, data, probes, key = old_pack
    before = json.loads((pack_dir / "manifest.json").read_text("utf-8"))
    shift_before = _digest(data / "shift")
    screened: list[Path] = []

    def spy(engine, spec, paths, *args, **kwargs):
        screened.extend(paths)
        return screen_files(engine, spec, paths, *args, **kwargs)

    monkeypatch.setattr(tool, "screen_files", spy)
    assert tool.main([str(pack_dir), "--data", str(data), "--ood-probe", str(probes),
                      "--signing-key", str(key)]) == 0

    # Never shift: not screened, not changed.
    assert screened and not [p for p in screened if (data / "shift") in p.parents]
    assert _digest(data / "shift") == shift_before

    pack = load_pack(pack_dir)  # seal, every hash and the signature (the test key) check out
    raw = json.loads((pack_dir / "manifest.json").read_text("utf-8"))
    blocks = {"fp32": raw["ood"], "int8": raw["variants"]["int8"]["ood"]}
    old = {"fp32": before["ood"], "int8": before["variants"]["int8"]["ood"]}
    val = _val_paths(data)
    probe_paths = sorted(probes.glob("*.png"))
    for v in VARIANTS:
        man = pack.manifest.for_variant(v)
        main, early = load_guards(pack, v)
        engine = Engine(pack, variant=v)
        run = screen_files(engine, man.input, val)
        scores = main.score(run.pooled)
        assert np.quantile(scores, 0.97) != pytest.approx(np.quantile(scores, 0.99))  # the test can tell
        assert blocks[v]["threshold"] == pytest.approx(np.quantile(scores, 0.99), rel=1e-9)
        assert blocks[v]["threshold"] != pytest.approx(old[v]["threshold"])
        assert main.threshold == blocks[v]["threshold"]  # what the app loads
        # The statistics and the early guard (its own 99.5 % quantile) are untouched.
        assert (blocks[v]["sha256"], blocks[v]["early"]) == (old[v]["sha256"], old[v]["early"])
        # The recorded rates are what the app's screener does with this variant, both guards.
        answered = np.mean([Screener(pack, engine).screen_path(p).answered for p in val])
        assert blocks[v]["val_pass_rate"] == pytest.approx(answered)
        assert answered < np.mean(scores <= main.threshold)  # the early guard refused some
        pr = screen_files(engine, man.input, probe_paths)
        flagged = combined_scores(main, early, pr.pooled, pr.early) > main.threshold
        assert blocks[v]["far_ood_flag_rate"] == pytest.approx(flagged.mean())
        assert 0.0 <= blocks[v]["downscaled_val_pass_rate"] <= 1.0
    # The copies beside int8's measured figures follow (the int8-default rule reads them).
    metrics = raw["onnx"]["variants"]["int8"]["metrics"]
    assert metrics["ood_val_pass"] == blocks["int8"]["val_pass_rate"]
    assert metrics["fp32_ood_val_pass"] == blocks["fp32"]["val_pass_rate"]
    assert metrics["probes_flagged"] == blocks["int8"]["far_ood_flag_rate"]
    assert metrics["fp32_probes_flagged"] == blocks["fp32"]["far_ood_flag_rate"]
    assert raw["onnx"]["default_variant"] == before["onnx"]["default_variant"]

    card = (pack_dir / "MODEL_CARD.md").read_text("utf-8")
    assert f"threshold {blocks['fp32']['threshold']:.2f}." in card
    assert f"threshold {old['fp32']['threshold']:.2f}." not in card
    assert f"- {_pct(blocks['fp32']['val_pass_rate'])} of validation images pass;" in card
    assert (f"own validation images passing the guard {_pct(blocks['fp32']['val_pass_rate'])} with fp32, "
            f"{_pct(blocks['int8']['val_pass_rate'])} with int8; probe images flagged "
            f"{_pct(blocks['fp32']['far_ood_flag_rate'])} with fp32, "
            f"{_pct(blocks['int8']['far_ood_flag_rate'])} with int8") in card
    assert card.count("## Out-of-distribution guard") == 1 and "## Limitations" in card

    # Refitting again changes nothing: the threshold depends on val alone.
    assert tool.main([str(pack_dir), "--data", str(data), "--ood-probe", str(probes),
                      "--signing-key", str(key)]) == 0
    again = json.loads((pack_dir / "manifest.json").read_text("utf-8"))
    assert again["ood"] == raw["ood"] and again["variants"] == raw["variants"]


def test_without_probe_images_nothing_is_written(old_pack, tmp_path, capsys):
    pack_dir, data, _, key = old_pack
    empty = tmp_path / "no-probes"
    empty.mkdir()
    before = _digest(pack_dir)
    assert tool.main([str(pack_dir), "--data", str(data), "--ood-probe", str(empty),
                      "--signing-key", str(key)]) == 2
    assert "--ood-probe" in capsys.readouterr().err
    assert _digest(pack_dir) == before


@pytest.mark.parametrize(("default", "fp32_probes", "refused"),
                         [("int8", 1.0, True), ("int8", 0.5, False), ("fp32", 0.5, True), ("fp32", 1.0, False)])
def test_a_refit_that_would_flip_the_int8_default_rule_is_refused(default, fp32_probes, refused):
    """The default variant is training.quantize's decision; int8 flags 0.9 of the probes here."""
    raw = {"id": "p", "onnx": {"default_variant": default, "variants": {"int8": {"metrics": {
        "accuracy": 0.95, "fp32_accuracy": 0.95, "ood_val_pass": 0.99,
        "probes_flagged": 0.9, "fp32_probes_flagged": fp32_probes}}}}}
    if refused:
        with pytest.raises(tool.RefitError, match="--keep-model"):
            tool._check_default_rule(raw)
    else:
        tool._check_default_rule(raw)


def test_a_chosen_quantile_sets_the_threshold_there(old_pack):
    pack_dir, data, probes, key = old_pack
    assert tool.main([str(pack_dir), "--data", str(data), "--ood-probe", str(probes),
                      "--signing-key", str(key), "--quantile", "0.995"]) == 0
    pack = load_pack(pack_dir)
    raw = json.loads((pack_dir / "manifest.json").read_text("utf-8"))
    main, _ = load_guards(pack, "fp32")
    run = screen_files(Engine(pack, variant="fp32"), pack.manifest.for_variant("fp32").input, _val_paths(data))
    scores = main.score(run.pooled)
    assert raw["ood"]["threshold"] == pytest.approx(np.quantile(scores, 0.995), rel=1e-9)
    assert raw["ood"]["threshold"] != pytest.approx(np.quantile(scores, 0.99))
    with pytest.raises(SystemExit):
        tool.main([str(pack_dir), "--data", str(data), "--ood-probe", str(probes), "--quantile", "1.5"])


def test_combined_moves_both_guards_to_the_quantile_of_the_score_the_app_decides_on(old_pack, monkeypatch):
    pack_dir, data, probes, key = old_pack
    # the tiny pack's int8 rule flips when its guards loosen; that refusal has its own test
    monkeypatch.setattr(tool, "_check_default_rule", lambda raw: None)
    before = load_pack(pack_dir, check_signature=False)
    main0, early0 = load_guards(before, "fp32")
    assert early0 is not None  # the fixture's pack has both guards
    run = screen_files(Engine(before, variant="fp32"), before.manifest.for_variant("fp32").input, _val_paths(data))
    combined = combined_scores(main0, early0, run.pooled, run.early)
    assert tool.main([str(pack_dir), "--data", str(data), "--ood-probe", str(probes),
                      "--signing-key", str(key), "--quantile", "0.995", "--combined"]) == 0
    raw = json.loads((pack_dir / "manifest.json").read_text("utf-8"))
    t = float(np.quantile(combined, 0.995))
    assert raw["ood"]["threshold"] == pytest.approx(t, rel=1e-9)
    assert raw["ood"]["early"]["threshold"] == pytest.approx(early0.threshold * t / main0.threshold, rel=1e-9)
    main, early = load_guards(load_pack(pack_dir), "fp32")  # what the app loads, signed and sealed
    passed = combined_scores(main, early, run.pooled, run.early) <= main.threshold
    assert passed.mean() == pytest.approx(raw["ood"]["val_pass_rate"])
    assert passed.mean() == pytest.approx(float((combined <= t).mean()))


def test_int8_steps_its_quantile_down_until_it_flags_no_fewer_probes(monkeypatch):
    """A refit whose int8 guards flag fewer probe images than fp32's at the asked quantile takes
    int8's threshold one val quantile step lower at a time, from the same screened images, and
    says so in its rule."""
    asked = []
    runs = object()  # the screens are reused as they are, never screened again

    def fake(screens, probes, probe_paths, quantile, combined):
        assert screens is runs
        asked.append(round(quantile, 6))
        rate = 0.93 if quantile > 0.9975 else 0.95  # one step below 0.999 is not enough, two are
        return {"far_ood_flag_rate": rate, "threshold_rule": f"at q{quantile:g}"}, f"s{quantile:g}", 64

    monkeypatch.setattr(tool, "figures_at", fake)
    figures, summary = tool._int8_no_weaker(runs, {"far_ood_flag_rate": 0.92, "threshold_rule": "x"}, "s",
                                            0.94, (), [], 0.999, True)
    assert asked == [0.998, 0.997]
    assert figures["far_ood_flag_rate"] == 0.95 and summary == "s0.997"
    assert "stepped down from the 99.9th" in figures["threshold_rule"]

    asked.clear()
    same = {"far_ood_flag_rate": 0.94, "threshold_rule": "x"}
    assert tool._int8_no_weaker(runs, same, "s", 0.94, (), [], 0.999, True) == (same, "s")
    assert asked == []  # already no weaker: untouched

    asked.clear()
    monkeypatch.setattr(tool, "figures_at", lambda *a: (asked.append(a[3]) or {"far_ood_flag_rate": 0.5,
                                                        "threshold_rule": ""}, "", 64))
    figures, _ = tool._int8_no_weaker(runs, {"far_ood_flag_rate": 0.5, "threshold_rule": ""}, "", 0.9, (),
                                      [], 0.999, True)
    assert len(asked) == tool.INT8_MAX_STEPS and figures["far_ood_flag_rate"] == 0.5  # the rule check decides
