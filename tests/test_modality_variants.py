"""The modality check's variants (issue 21): the manifest's default runs with its own graph and
distances, a release keeps the default only, and int8 is the default only where its rule holds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from inference.errors import PackError
from inference.modality import LABELS, NONE, ModalityCheck, check_dir, default_only
from tests.packgen import reseal

DATASETS = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets"


def _base_check(tmp_path: Path) -> Path:
    """The bundled check reduced to its fp32 graph and distances (no variants)."""
    folder = tmp_path / "modality"
    shutil.copytree(check_dir(), folder)
    raw = json.loads((folder / "manifest.json").read_text("utf-8"))
    if raw["onnx"].get("base_variant", "fp32") != "fp32":
        pytest.skip("the bundled check is a release copy without its fp32 base")
    for name in default_only_fp32(raw):
        (folder / name).unlink()
    (folder / "manifest.json").write_text(json.dumps(raw, indent=2), "utf-8")
    reseal(folder)
    return folder


def default_only_fp32(raw: dict) -> set[str]:
    """Drop every variant but fp32 from ``raw`` (returns the files to delete)."""
    raw["onnx"]["default_variant"] = "fp32"
    return default_only(raw)


def _with_int8(tmp_path: Path, default: str) -> Path:
    """A check with an "int8" variant whose head always says ``none`` (so a test can see which
    graph ran) and whose thresholds are half fp32's (so it can see which distances apply)."""
    from training.modality_int8 import INT8_DISTANCE, INT8_FILE, write_head

    folder = _base_check(tmp_path)
    raw = json.loads((folder / "manifest.json").read_text("utf-8"))
    w = np.zeros((len(LABELS), 576), np.float32)
    b = np.array([10.0 if label == NONE else 0.0 for label in LABELS], np.float32)
    write_head(folder / raw["onnx"]["file"], w, b, folder / INT8_FILE)
    shutil.copy2(folder / raw["distance"]["file"], folder / INT8_DISTANCE)
    from inference.seal import digest_file

    raw["onnx"]["variants"] = {
        "int8": {"file": INT8_FILE, "sha256": digest_file(folder / INT8_FILE), "metrics": {}}
    }
    raw["onnx"]["default_variant"] = default
    half = {k: v / 2 for k, v in raw["distance"]["thresholds"].items()}
    raw["variants"] = {
        "int8": {
            "distance": {
                **raw["distance"],
                "file": INT8_DISTANCE,
                "sha256": digest_file(folder / INT8_DISTANCE),
                "thresholds": half,
            },
            "metrics": {"marker": "int8"},
        }
    }
    (folder / "manifest.json").write_text(json.dumps(raw, indent=2), "utf-8")
    reseal(folder)
    return folder


def _brain_image() -> np.ndarray:
    from inference.images import load_image

    found = sorted((DATASETS / "brain_mri" / "val").glob("*/*.jpg"))
    if not found:
        pytest.skip("datasets not available")
    return load_image(found[0]).pixels


def test_the_default_variant_runs_its_own_graph_and_distances(tmp_path):
    folder = _with_int8(tmp_path, default="int8")
    fp32 = ModalityCheck(folder, variant="fp32")
    chosen = ModalityCheck(folder)
    assert chosen.info.variant == "int8" and fp32.info.variant == "fp32"
    assert chosen.info.thresholds == {k: v / 2 for k, v in fp32.info.thresholds.items()}
    assert chosen.scorers["brain-mri"].threshold == fp32.scorers["brain-mri"].threshold / 2
    assert chosen.info.metrics == {"marker": "int8"}
    image = _brain_image()
    assert fp32.classify([image])[0].label == "brain-mri"
    assert chosen.classify([image])[0].predicted == NONE  # the int8 graph's head ran


def test_fp32_stays_the_default_unless_the_manifest_says_otherwise(tmp_path):
    folder = _with_int8(tmp_path, default="fp32")
    check = ModalityCheck(folder)
    assert check.info.variant == "fp32"
    assert check.classify([_brain_image()])[0].label == "brain-mri"


def test_an_unknown_variant_is_refused(tmp_path):
    folder = _with_int8(tmp_path, default="fp32")
    with pytest.raises(PackError, match="no variant 'fp16'"):
        ModalityCheck(folder, variant="fp16")


@pytest.mark.parametrize("default", ["int8", "fp32"])
def test_default_only_keeps_the_default_as_the_base(tmp_path, default):
    from training.modality_int8 import INT8_DISTANCE, INT8_FILE

    folder = _with_int8(tmp_path, default=default)
    raw = json.loads((folder / "manifest.json").read_text("utf-8"))
    dropped = default_only(raw)
    if default == "int8":
        assert dropped == {"model.onnx", "distance.npz"}
        assert raw["onnx"]["file"] == INT8_FILE and raw["distance"]["file"] == INT8_DISTANCE
        assert raw["metrics"] == {"marker": "int8"}
    else:
        assert dropped == {INT8_FILE, INT8_DISTANCE}
        assert raw["onnx"]["file"] == "model.onnx"
    assert raw["onnx"]["base_variant"] == default
    assert "variants" not in raw and "variants" not in raw["onnx"]


# -- the rule -------------------------------------------------------------------------------
def _res(**changes) -> dict:
    answered = {"brain-mri": 1.0, "chest-xray": 1.0, "palm-photo": 1.0, "face-photo": 0.9975}
    res = {
        "val": {"fp32_answered": dict(answered), "int8_answered": dict(answered)},
        "probes": {"let_through": {}},
        "speed": {"fp32_ms": 5.0, "int8_ms": 3.0},
    }
    for key, value in changes.items():
        section, _, field = key.partition("__")
        res[section][field] = value
    return res


def test_int8_rule_holds_when_every_part_holds():
    from training.modality_int8 import int8_holds

    assert int8_holds(_res()) == (True, [])


def test_int8_rule_fails_on_a_modality_losing_more_than_half_a_point():
    from training.modality_int8 import int8_holds

    palm = {"brain-mri": 1.0, "chest-xray": 1.0, "palm-photo": 0.994, "face-photo": 0.9975}
    holds, why = int8_holds(_res(val__int8_answered=palm))
    assert not holds and "palm-photo" in why[0]
    ok = dict(palm, **{"palm-photo": 0.996})  # 0.4 points: allowed
    assert int8_holds(_res(val__int8_answered=ok))[0]


def test_int8_rule_fails_on_a_probe_let_through_or_no_speed_gain():
    from training.modality_int8 import int8_holds

    assert not int8_holds(_res(probes__let_through={"cat grey": "face-photo"}))[0]
    assert not int8_holds(_res(speed__int8_ms=5.0))[0]
    no_speed = _res()
    del no_speed["speed"]
    assert not int8_holds(no_speed)[0]


def test_the_bundled_checks_default_follows_the_rule_on_its_recorded_figures():
    from training.modality_int8 import int8_holds

    raw = json.loads((check_dir() / "manifest.json").read_text("utf-8"))
    variants = raw["onnx"].get("variants", {})
    if "int8" not in variants:
        assert raw["onnx"].get("default_variant", "fp32") == "fp32"
        return
    m = variants["int8"]["metrics"]
    res = {
        "val": {"fp32_answered": m["fp32_answered"], "int8_answered": m["answered"]},
        "probes": {"let_through": {n: "" for n in m["probes_let_through"]}},
        "speed": {"fp32_ms": m["fp32_ms_per_image"], "int8_ms": m["ms_per_image"]},
    }
    holds, _ = int8_holds(res)
    assert raw["onnx"]["default_variant"] == ("int8" if holds else "fp32")
    assert ModalityCheck(check_dir()).info.variant == raw["onnx"]["default_variant"]
