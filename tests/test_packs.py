"""Packs: damaged or mismatched packs are refused by name, the rest keep working."""

from __future__ import annotations

import json
import os

import onnx
import pytest

from inference import seal
from inference.engine import Engine
from inference.errors import (
    PackError,
    PackIntegrityError,
    PackMismatchError,
    PackNotFoundError,
)
from inference.packs import discover, load_pack
from inference.resources import model_dirs, user_data_dir
from tests.packgen import build_model, make_pack, reseal, rewrite_manifest, sha256


def _set_onnx(directory, **changes) -> None:
    data = json.loads((directory / "manifest.json").read_text("utf-8"))
    data["onnx"].update(changes)
    rewrite_manifest(directory, onnx=data["onnx"])


def test_valid_pack_loads(tmp_path):
    pack = load_pack(make_pack(tmp_path, "good"))
    assert pack.id == "good" and pack.version == "1.0.0"
    assert pack.onnx_path() == tmp_path / "good" / "model.onnx"
    assert pack.model_sha256() == sha256(tmp_path / "good" / "model.onnx")


def test_model_hash_mismatch_is_refused_and_other_packs_still_load(tmp_path):
    make_pack(tmp_path, "alpha")
    bad = make_pack(tmp_path, "bravo")
    make_pack(tmp_path, "charlie", seed=2)
    # A different model under the old manifest, resealed: only the manifest hash can catch it.
    other, _ = build_model(3, seed=9)
    onnx.save(other, bad / "model.onnx")
    reseal(bad)  # and signed: only the manifest hash can catch it
    with pytest.raises(PackIntegrityError, match="bravo: model.onnx has been modified") as info:
        load_pack(bad)
    assert "manifest" in str(info.value)
    assert info.value.code == "pack_tampered"

    catalog = discover([tmp_path])
    assert catalog.ids == ("alpha", "charlie")
    assert [(p.directory.name, p.code) for p in catalog.problems] == [("bravo", "pack_tampered")]
    with pytest.raises(PackError, match="bravo") as refused:
        catalog.get("bravo")
    assert refused.value.code == "pack_tampered"


def test_invalid_manifest_is_refused_by_name(tmp_path):
    make_pack(tmp_path, "fine")
    broken = make_pack(tmp_path, "broken")
    rewrite_manifest(broken, calibration={"temperature": -1})
    catalog = discover([tmp_path])
    assert catalog.ids == ("fine",)
    (problem,) = catalog.problems
    assert problem.code == "manifest_invalid"
    assert "broken" in problem.message and "calibration/temperature" in problem.message


def test_unknown_pack_id(tmp_path):
    make_pack(tmp_path, "only")
    with pytest.raises(PackNotFoundError, match="'nope'.*only"):
        discover([tmp_path]).get("nope")


def test_unreadable_pack_file_is_a_problem_not_a_crash(tmp_path, monkeypatch):
    make_pack(tmp_path, "readable")
    make_pack(tmp_path, "locked")
    real = seal._digest

    def digest(path, *args):
        if "locked" in str(path):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *args)

    monkeypatch.setattr(seal, "_digest", digest)
    catalog = discover([tmp_path])
    assert catalog.ids == ("readable",)
    assert [p.directory.name for p in catalog.problems] == ["locked"]
    assert "locked" in catalog.problems[0].message


def test_onnx_input_name_mismatch_fails_at_dry_run(tmp_path):
    directory = make_pack(tmp_path, "renamed")
    _set_onnx(directory, input="pixels")
    engine = Engine(load_pack(directory))  # loading is fine: the hash matches
    with pytest.raises(PackMismatchError, match="renamed.*no input 'pixels'") as info:
        engine.dry_run()
    assert info.value.code == "pack_mismatch"


def test_onnx_input_size_mismatch_fails_at_dry_run(tmp_path):
    directory = make_pack(tmp_path, "resized", size=32)
    data = json.loads((directory / "manifest.json").read_text("utf-8"))
    data["input"]["size"] = [48, 48]
    rewrite_manifest(directory, input=data["input"])
    with pytest.raises(PackMismatchError, match=r"resized.*\[N, 3, 48, 48\]"):
        Engine(load_pack(directory)).dry_run()


def test_missing_heatmap_output_fails_at_dry_run(tmp_path):
    directory = make_pack(tmp_path, "nocam", cam_outputs=False)
    _set_onnx(directory, outputs={"logits": "logits", "features": "features",
                                  "head_grad": "head_grad"})
    with pytest.raises(PackMismatchError, match="lacks outputs"):
        Engine(load_pack(directory)).dry_run()


def test_class_count_mismatch_fails_at_dry_run(tmp_path):
    directory = make_pack(tmp_path, "fewer")
    data = json.loads((directory / "manifest.json").read_text("utf-8"))
    rewrite_manifest(directory, classes=data["classes"][:2])
    with pytest.raises(PackMismatchError, match="3 scores.*2 classes"):
        Engine(load_pack(directory)).dry_run()


def test_pack_found_via_cliniclens_models(tmp_path, monkeypatch):
    home, extra_a, extra_b = tmp_path / "home", tmp_path / "a", tmp_path / "b"
    make_pack(extra_b, "from-env")
    monkeypatch.setenv("CLINICLENS_HOME", str(home))
    monkeypatch.setenv("CLINICLENS_MODELS", os.pathsep.join([str(extra_a), str(extra_b)]))
    assert model_dirs()[-2:] == (extra_a, extra_b)
    catalog = discover()
    assert "from-env" in catalog.ids
    assert catalog.get("from-env").directory == extra_b / "from-env"


def test_user_models_folder_under_cliniclens_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("CLINICLENS_HOME", str(home))
    monkeypatch.delenv("CLINICLENS_MODELS", raising=False)
    assert user_data_dir() == home
    assert home / "models" in model_dirs()
    make_pack(home / "models", "user-pack")
    assert discover().get("user-pack").directory == home / "models" / "user-pack"


def test_first_pack_with_an_id_wins(tmp_path):
    make_pack(tmp_path / "first", "same", seed=1)
    make_pack(tmp_path / "second", "same", seed=2)
    catalog = discover([tmp_path / "first", tmp_path / "second"])
    assert catalog.get("same").directory == tmp_path / "first" / "same"


def test_folders_without_manifest_and_missing_roots_are_ignored(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "readme.txt").write_text("hi")
    catalog = discover([tmp_path, tmp_path / "does-not-exist"])
    assert catalog.packs == () and catalog.problems == ()


def test_find_pack_gives_what_discover_gives_without_verifying_the_others(tmp_path, monkeypatch):
    """The batch command's lookup: same pack, same errors, and other packs are not opened."""
    import shutil

    from inference import packs as packs_mod
    from inference.errors import PackNotFoundError
    from tests.packgen import make_pack

    first, second = tmp_path / "a", tmp_path / "b"
    make_pack(first, "tiny-pack")
    make_pack(first, "other-pack")
    shutil.copytree(first / "tiny-pack", second / "tiny-pack")
    manifest = first / "tiny-pack" / "manifest.json"
    manifest.write_text(manifest.read_text() + " ")  # the first copy no longer matches its seal
    roots = [first, second]
    opened = []
    real = packs_mod.load_pack
    monkeypatch.setattr(packs_mod, "load_pack", lambda d, **kw: (opened.append(d.name), real(d, **kw))[1])
    found = packs_mod.find_pack("tiny-pack", roots)
    assert found.directory == second / "tiny-pack"  # as discover: the damaged copy is skipped
    assert "other-pack" not in opened
    assert found.directory == discover(roots).get("tiny-pack").directory
    with pytest.raises(PackNotFoundError, match="installed: other-pack, tiny-pack"):
        packs_mod.find_pack("no-such-pack", roots)
