"""The stand-alone build's invariants that can be checked without running PyInstaller.

`make exe-test` (tools/exe_smoke.sh) checks the built executable itself.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import inference
from inference.resources import resource_path

ROOT = Path(__file__).resolve().parent.parent


def test_version_has_one_source():
    """pyproject.toml reads the version from inference.__version__ (no second copy), and the
    spec, the CLI, the About box and the reports all print inference.__version__."""
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert "version" not in project["project"], "set the version in inference/__init__.py only"
    assert "version" in project["project"]["dynamic"]
    dynamic = project["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "inference.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+([ab]|rc)?\d*", inference.__version__)
    spec = (ROOT / "build.spec").read_text("utf-8")
    assert "VERSION = inference.__version__" in spec
    assert inference.__version__ not in spec  # never hard-coded there


def test_app_icon_files():
    from PIL import Image

    png = resource_path("assets", "icons", "cliniclens.png")
    ico = resource_path("assets", "icons", "cliniclens.ico")
    with Image.open(png) as im:
        assert im.size == (256, 256) and im.mode == "RGBA"
    with Image.open(ico) as im:
        sizes = set(im.info["sizes"])
    assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= sizes


def test_spec_keeps_training_stack_out():
    spec = (ROOT / "build.spec").read_text("utf-8")
    for name in ("torch", "torchvision", "training", "tests", "matplotlib", "tkinter"):
        assert f'"{name}"' in spec


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_smoke_script_parses():
    subprocess.run(["bash", "-n", str(ROOT / "tools" / "exe_smoke.sh")], check=True)


def test_data_files_are_found_the_frozen_way():
    """The exe finds bundled files through inference.resources.resource_path (which knows
    PyInstaller's bundle folder) or next to a module whose data build.spec bundles there.
    A new ``__file__``/``importlib.resources`` lookup must be added here and to the spec."""
    allowed = {
        "inference/resources.py": "__file__",  # app_root() from source
        "screening/i18n.py": "__file__",  # screening/locale/*.json, bundled as such
        "inference/manifest.py": "resources.files",  # manifest.schema.json, bundled
    }
    found = {}
    for package in ("inference", "screening", "gui"):
        for path in sorted((ROOT / package).rglob("*.py")):
            text = path.read_text("utf-8")
            for marker in ("__file__", "resources.files", "pkgutil.get_data", "pkg_resources"):
                if marker in text:
                    found[path.relative_to(ROOT).as_posix()] = marker
    assert found == allowed
    spec = (ROOT / "build.spec").read_text("utf-8")
    assert '"screening" / "locale", "screening/locale"' in spec
    assert '"inference" / "manifest.schema.json"), "inference"' in spec


def _test_signed_palm_pack(tmp_path):
    """The bundled palm pack, signed with the tests' key (the release key is not in git)."""
    import shutil

    from inference.signing import sign_pack
    from tests.packgen import TEST_KEY, write_test_key

    source = tmp_path / "src" / "palm-anemia"
    shutil.copytree(ROOT / "models" / "palm-anemia", source)
    sign_pack(source, TEST_KEY)
    return source, write_test_key(tmp_path / "test.key")


def test_release_copy_of_a_pack_keeps_the_default_variant_only(tmp_path):
    from inference.packs import load_pack
    from inference.screener import Screener
    from tools.release_pack import release_copy

    source, key = _test_signed_palm_pack(tmp_path)
    original = load_pack(source)
    assert original.manifest.onnx.variants, "the bundled pack has an int8 variant to leave out"
    copy = release_copy(source, tmp_path, signing_key=key)
    assert copy != source and not (copy / "model.int8.onnx").exists()
    pack = load_pack(copy)  # signed, sealed and hash-checked
    assert pack.signer == original.signer
    assert pack.manifest.onnx.variants == () and pack.manifest.onnx.default_variant == "fp32"
    assert pack.manifest.ood == original.manifest.ood
    image = ROOT / "assets" / "samples" / "palm-anemia"
    first = sorted(p for p in image.iterdir() if p.suffix.lower() in (".jpg", ".png"))[0]
    a, b = Screener(original).screen_path(first), Screener(pack).screen_path(first)
    assert a.prediction.probabilities == b.prediction.probabilities and a.status == b.status
    assert release_copy(copy, tmp_path / "again") == copy  # nothing left to drop


def test_release_copy_without_the_signing_key_ships_the_pack_whole(tmp_path):
    from inference.packs import load_pack
    from tools.release_pack import release_copy

    source, _ = _test_signed_palm_pack(tmp_path)
    assert release_copy(source, tmp_path / "out", signing_key=tmp_path / "absent.key") == source
    assert load_pack(source).signer.fingerprint  # its own signature still holds


def test_release_copy_signed_by_another_key_stops_the_build(tmp_path):
    from inference.errors import PackError
    from inference.signing import generate_key
    from tools.release_pack import release_copy

    source, _ = _test_signed_palm_pack(tmp_path)
    other = tmp_path / "other.key"
    generate_key(other)
    with pytest.raises(PackError, match="untrusted key|signed by"):
        release_copy(source, tmp_path / "out", signing_key=other)


def test_release_copy_refuses_a_tampered_pack(tmp_path):
    import shutil

    from inference.errors import PackIntegrityError
    from tools.release_pack import release_copy

    pack = tmp_path / "palm-anemia"
    shutil.copytree(ROOT / "models" / "palm-anemia", pack)
    (pack / "ood.npz").write_bytes(b"changed")
    with pytest.raises(PackIntegrityError):
        release_copy(pack, tmp_path / "out")


def test_spec_keeps_every_qt_module_the_gui_imports():
    """The executable crashed at start when gui/printing.py imported QtPrintSupport, which
    build.spec excluded: every PySide6 module gui/ imports must stay in the bundle."""
    import ast
    import re

    spec = (ROOT / "build.spec").read_text("utf-8")
    block = spec[spec.index("# Qt: the app uses"):]
    block = block[: block.index("]")]
    excluded = set(re.findall(r"\bQt\w+", " ".join(re.findall(r'"([^"]*)"', block))))
    used = set()
    for path in (ROOT / "gui").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("PySide6."):
                used.add(node.module.split(".")[1])
    assert {"QtCore", "QtGui", "QtWidgets"} <= used
    assert used & excluded == set(), f"build.spec excludes Qt modules gui/ imports: {used & excluded}"


# -- the modality check ships its default variant only (issue 21) -------------------------
def _bundle_models(tmp_path: Path, check: Path) -> Path:
    """A bundle's models folder holding ``check`` where the build puts it."""
    import shutil

    models = tmp_path / "bundle" / "models"
    shutil.copytree(check, models / "checks" / "modality")
    return models


@pytest.mark.parametrize("default", ["int8", "fp32"])
def test_release_copy_of_the_modality_check_keeps_its_default_only(tmp_path, default):
    from inference.modality import ModalityCheck
    from tests.packgen import write_test_key
    from tests.test_modality_variants import _brain_image, _with_int8
    from tools.make_dist import non_default_files, release_check_copy

    source = _with_int8(tmp_path / "src", default=default)
    key = write_test_key(tmp_path / "test.key")
    copy = release_check_copy(source, tmp_path / "out", signing_key=key)
    assert copy != source
    files = {p.name for p in copy.iterdir()}
    if default == "int8":
        assert {"model.int8.onnx", "distance.int8.npz"} <= files
        assert not {"model.onnx", "distance.npz"} & files
    else:
        assert {"model.onnx", "distance.npz"} <= files
        assert not {"model.int8.onnx", "distance.int8.npz"} & files
    released, original = ModalityCheck(copy), ModalityCheck(source)
    assert released.info.variant == original.info.variant == default
    assert released.info.thresholds == original.info.thresholds
    image = _brain_image()
    assert released.classify([image])[0].label == original.classify([image])[0].label
    assert non_default_files(_bundle_models(tmp_path, copy)) == []
    assert release_check_copy(copy, tmp_path / "again", signing_key=key) == copy


def test_a_bundle_with_a_non_default_variant_is_caught(tmp_path):
    from tests.test_modality_variants import _with_int8
    from tools.make_dist import non_default_files

    whole = _with_int8(tmp_path / "src", default="int8")
    assert non_default_files(_bundle_models(tmp_path / "a", whole)) == [
        "checks/modality: lists variants"
    ]
    # a stray fp32 graph left next to a released int8 check
    from tests.packgen import write_test_key
    from tools.make_dist import release_check_copy

    copy = release_check_copy(whole, tmp_path / "out", signing_key=write_test_key(tmp_path / "k"))
    models = _bundle_models(tmp_path / "b", copy)
    (models / "checks" / "modality" / "model.onnx").write_bytes(b"fp32")
    assert non_default_files(models) == ["checks/modality/model.onnx"]


def test_the_spec_bundles_the_checks_release_copy():
    spec = (ROOT / "build.spec").read_text("utf-8")
    assert "check = release_check_copy(" in spec
    assert 'out.append((str(check / name), "models/checks/modality"))' in spec
    assert "pack = release_copy(source" in spec


def test_dist_check_refuses_an_archive_with_non_default_variants(tmp_path):
    """``make dist-test`` fails before the smoke test when a variant slipped in."""
    import shutil

    from tools import make_dist

    folder = tmp_path / "ClinicLens"
    (folder / "_internal" / "models" / "p").mkdir(parents=True)
    (folder / "ClinicLens").write_text("#!/bin/sh\n", "utf-8")
    shutil.copy2(ROOT / "models" / "palm-anemia" / "manifest.json", folder / "_internal" / "models" / "p")
    rc = make_dist.main(["--dist", str(folder), "--out", str(tmp_path / "out"), "--check"])
    assert rc == 1


def test_the_spec_leaves_module_compression_to_the_download():
    """Modules stored, not zlib'd, in the one-folder PYZ: xz over the whole archive packs them
    2.8 MB tighter (80.9 -> 78.1 MB). A PyInstaller upgrade that renames the setting must fail here, not silently
    grow the download."""
    spec = (ROOT / "build.spec").read_text("utf-8")
    assert "ZlibArchiveWriter._COMPRESSION_LEVEL = 0" in spec
    assert "_store_modules_uncompressed()\npyz = PYZ(" in spec
    writers = pytest.importorskip("PyInstaller.archive.writers")  # installed by make exe/dist
    assert hasattr(writers.ZlibArchiveWriter, "_COMPRESSION_LEVEL")
