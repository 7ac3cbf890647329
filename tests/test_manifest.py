"""Manifest validation: every broken manifest is refused with the file and the field named."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from inference import manifest as manifest_mod
from inference.errors import ManifestError
from inference.manifest import LocalText
from tests.packgen import make_manifest

SHA = "0" * 64
REQUIRED = manifest_mod.schema()["required"]


def _valid() -> dict:
    return make_manifest("demo-pack", ["normal", "abnormal"], 32, SHA)


def _write(tmp_path: Path, raw: object) -> Path:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(raw), "utf-8")
    return path


def test_valid_manifest_loads_into_dataclasses(tmp_path):
    raw = _valid()
    raw["classes"][1]["threshold"] = 0.3
    man = manifest_mod.read(_write(tmp_path, raw))
    assert man.id == "demo-pack"
    assert man.class_ids == ("normal", "abnormal")
    assert man.class_index("abnormal") == 1
    assert [c.refer for c in man.classes] == [False, True]
    assert man.classes[1].threshold == 0.3 and man.classes[0].threshold is None
    assert (man.input.height, man.input.width) == (32, 32)
    assert man.input.normalization.mean == (0.485, 0.456, 0.406)
    assert man.onnx.has_cam_outputs
    assert man.temperature == 1.5
    assert man.ood is None
    assert man.metrics.n == 0


def test_required_fields_match_the_issue():
    # The schema is the contract; dropping a required field is a schema version change.
    assert set(REQUIRED) >= {"id", "display_name", "modality", "classes", "input", "onnx",
                             "calibration", "intended_use", "limitations", "training", "metrics",
                             "pack_version"}


@pytest.mark.parametrize("field", REQUIRED)
def test_missing_top_level_field_names_file_and_field(tmp_path, field):
    raw = _valid()
    del raw[field]
    path = _write(tmp_path, raw)
    with pytest.raises(ManifestError) as info:
        manifest_mod.read(path)
    message = str(info.value)
    assert str(path) in message
    assert repr(field) in message
    assert info.value.code == "manifest_invalid"


@pytest.mark.parametrize(
    ("where", "field"),
    [
        (("classes", 0), "refer"),
        (("classes", 1), "description"),
        (("input",), "normalization"),
        (("input",), "size"),
        (("onnx",), "sha256"),
        (("onnx", "outputs"), "logits"),
        (("calibration",), "temperature"),
        (("metrics",), "macro_f1"),
    ],
)
def test_missing_nested_field_names_its_location(tmp_path, where, field):
    raw = _valid()
    node = raw
    for key in where:
        node = node[key]
    del node[field]
    path = _write(tmp_path, raw)
    with pytest.raises(ManifestError) as info:
        manifest_mod.read(path)
    message = str(info.value)
    assert str(path) in message
    assert repr(field) in message
    assert "/".join(str(k) for k in where) in message


@pytest.mark.parametrize(
    ("change", "location"),
    [
        (lambda r: r.update(schema_version=2), "schema_version"),
        (lambda r: r.update(id="Bad ID!"), "id"),
        (lambda r: r["input"].update(color="cmyk"), "input/color"),
        (lambda r: r["input"].update(size=[32]), "input/size"),
        (lambda r: r["calibration"].update(temperature=0), "calibration/temperature"),
        (lambda r: r["onnx"].update(sha256="xyz"), "onnx/sha256"),
        (lambda r: r["classes"].pop(), "classes"),
        (lambda r: r["input"]["normalization"].pop("std"), "input/normalization"),
    ],
)
def test_invalid_values_are_refused_with_location(tmp_path, change, location):
    raw = _valid()
    change(raw)
    with pytest.raises(ManifestError, match=location):
        manifest_mod.read(_write(tmp_path, raw))


@pytest.mark.parametrize("text", ["{not json", "", "\xff\xfe garbage"])
def test_bad_json_is_a_manifest_error_naming_the_file(tmp_path, text):
    path = tmp_path / "manifest.json"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(ManifestError, match="not readable JSON") as info:
        manifest_mod.read(path)
    assert str(path) in str(info.value)


def test_json_that_is_not_an_object_is_refused(tmp_path):
    with pytest.raises(ManifestError, match="not of type 'object'"):
        manifest_mod.read(_write(tmp_path, ["a", "list"]))


def test_missing_manifest_file(tmp_path):
    with pytest.raises(ManifestError, match="missing"):
        manifest_mod.read(tmp_path / "manifest.json")


def test_duplicate_class_ids_are_refused(tmp_path):
    raw = _valid()
    raw["classes"].append(copy.deepcopy(raw["classes"][0]))
    path = _write(tmp_path, raw)
    with pytest.raises(ManifestError, match="not unique") as info:
        manifest_mod.read(path)
    assert str(path) in str(info.value)


def test_localised_text_falls_back_to_english(tmp_path):
    raw = _valid()
    raw["display_name"] = {"en": "Chest X-ray", "fr": "Radio thoracique", "pt": "Raio-X"}
    raw["intended_use"] = "English only"
    man = manifest_mod.read(_write(tmp_path, raw))
    assert man.display_name.get("fr") == "Radio thoracique"
    assert man.display_name.get("fr_CA") == "Radio thoracique"
    assert man.display_name.get("pt-BR") == "Raio-X"
    assert man.display_name.get("sw") == "Chest X-ray"
    assert man.display_name.get() == "Chest X-ray"
    assert str(man.display_name) == "Chest X-ray"
    assert man.intended_use.get("fr") == "English only"
    assert man.classes[0].name.get("id") == "Normal"
    assert man.classes[0].description.get("de") == "Class normal"


def test_empty_translation_falls_back_to_english():
    assert LocalText.parse({"en": "Refer", "fr": ""}).get("fr") == "Refer"


def test_text_object_without_english_is_refused(tmp_path):
    raw = _valid()
    raw["display_name"] = {"fr": "Radio"}
    with pytest.raises(ManifestError, match="display_name"):
        manifest_mod.read(_write(tmp_path, raw))


def test_empty_english_text_is_refused(tmp_path):
    raw = _valid()
    raw["classes"][0]["name"] = {"en": ""}
    with pytest.raises(ManifestError, match="classes/0/name"):
        manifest_mod.read(_write(tmp_path, raw))


def test_bundled_manifests_validate():
    root = Path(__file__).resolve().parent.parent / "models"
    paths = sorted(root.glob("*/manifest.json"))
    for path in paths:
        man = manifest_mod.read(path)
        assert man.id == path.parent.name
