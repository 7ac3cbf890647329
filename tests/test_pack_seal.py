"""Pack seal (SHA256SUMS): any change to a sealed file, manifest included, refuses the pack."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from inference.errors import PackIntegrityError
from inference.packs import discover, load_pack
from inference.seal import SEAL_NAME, read_seal, verify_seal
from tests.packgen import make_pack, reseal, rewrite_manifest

REPO = Path(__file__).resolve().parent.parent


def _sealed_pack_with_ood(root: Path) -> Path:
    pack = make_pack(root, "sealed")
    k, d = 8, 4
    np.savez(
        pack / "ood.npz",
        center=np.zeros(k, np.float32),
        projection=np.eye(k, d, dtype=np.float32),
        class_means=np.zeros((3, d), np.float32),
        precision=np.eye(d, dtype=np.float32),
    )
    digest = hashlib.sha256((pack / "ood.npz").read_bytes()).hexdigest()
    ood = {"file": "ood.npz", "sha256": digest, "method": "mahalanobis", "threshold": 5.0}
    rewrite_manifest(pack, ood=ood)
    return pack


def test_seal_is_standard_sha256sum_format_and_loads(tmp_path):
    pack = _sealed_pack_with_ood(tmp_path)
    lines = (pack / SEAL_NAME).read_text("utf-8").splitlines()
    names = [line.split("  ", 1)[1] for line in lines]
    assert names == ["manifest.json", "model.onnx", "ood.npz"]
    for line in lines:
        digest, name = line.split("  ", 1)
        assert digest == hashlib.sha256((pack / name).read_bytes()).hexdigest()
    assert load_pack(pack).manifest.ood is not None


@pytest.mark.parametrize("name", ["model.onnx", "ood.npz"])
def test_modified_pack_file_is_refused(tmp_path, name):
    pack = _sealed_pack_with_ood(tmp_path)
    with open(pack / name, "ab") as fh:
        fh.write(b"x")
    with pytest.raises(PackIntegrityError, match=f"{name} has been modified or damaged") as info:
        load_pack(pack)
    assert info.value.code == "pack_tampered"


def test_tampered_manifest_is_refused(tmp_path):
    pack = _sealed_pack_with_ood(tmp_path)
    renamed = json.loads((pack / "manifest.json").read_text("utf-8"))["classes"]
    renamed[1]["name"] = {"en": "Healthy"}
    rewrite_manifest(pack, classes=renamed, seal=False)
    with pytest.raises(PackIntegrityError, match="manifest.json has been modified"):
        load_pack(pack)
    assert load_pack(pack, verify=False).manifest.classes[1].name.get() == "Healthy"
    reseal(pack)  # a provider re-sealing (and re-signing) a deliberate change is accepted again
    assert load_pack(pack).manifest.classes[1].name.get() == "Healthy"


def test_threshold_change_is_refused_and_reported_by_discover(tmp_path):
    pack = make_pack(tmp_path, "thresh")
    classes = json.loads((pack / "manifest.json").read_text("utf-8"))["classes"]
    classes[1]["threshold"] = 0.99
    rewrite_manifest(pack, classes=classes, seal=False)
    catalog = discover([tmp_path])
    assert catalog.ids == ()
    assert catalog.problems[0].code == "pack_tampered"
    assert "manifest.json" in catalog.problems[0].message


def test_missing_seal_is_refused_with_clear_message(tmp_path):
    pack = make_pack(tmp_path, "unsealed")
    (pack / SEAL_NAME).unlink()
    with pytest.raises(PackIntegrityError, match="SHA256SUMS is missing.*reinstall"):
        load_pack(pack)
    assert load_pack(pack, verify=False).id == "unsealed"


def test_extra_unlisted_file_is_ok_but_listed_missing_file_is_not(tmp_path):
    pack = make_pack(tmp_path, "extra")
    (pack / "clinic-notes.txt").write_text("added later", "utf-8")
    assert load_pack(pack).id == "extra"
    (pack / "MODEL_CARD.md").write_text("card", "utf-8")
    reseal(pack)
    (pack / "MODEL_CARD.md").unlink()
    with pytest.raises(PackIntegrityError, match="MODEL_CARD.md is missing"):
        load_pack(pack)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not a seal\n",
        b"\xff\xfe binary",
        ("0" * 64 + "  ../../etc/passwd\n").encode(),
        ("0" * 64 + "  model.onnx\n").encode(),  # does not cover manifest.json
    ],
)
def test_damaged_seal_is_refused_not_crashing(tmp_path, content):
    pack = make_pack(tmp_path, "damaged")
    (pack / SEAL_NAME).write_bytes(content)
    with pytest.raises(PackIntegrityError):
        load_pack(pack)


def test_binary_mode_marker_and_blank_lines_are_accepted(tmp_path):
    pack = make_pack(tmp_path, "star")
    seal = pack / SEAL_NAME
    text = seal.read_text("utf-8").replace("  ", " *") + "\n\n"
    seal.write_text(text, "utf-8")
    assert set(read_seal(pack)) == {"manifest.json", "model.onnx"}
    verify_seal(pack)


def test_bundled_packs_are_sealed():
    packs = [p for p in sorted((REPO / "models").iterdir()) if (p / "manifest.json").is_file()]
    for pack in packs:
        if (pack / SEAL_NAME).exists():  # a pack still being trained is sealed when it is done
            assert load_pack(pack).id == pack.name
