"""Signed packs (issue 20, item 2): only packs signed by a trusted key run, and what runs is
exactly what was verified. Each attack here loaded, ran or answered before signatures."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import threading
from pathlib import Path

import numpy as np
import onnx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from inference import signing
from inference.engine import Engine
from inference.errors import PackIntegrityError
from inference.ood import load_guards
from inference.packs import discover, load_pack
from inference.seal import SEAL_NAME, SIGNATURE_NAME, write_seal
from inference.signing import (
    PackSignatureError,
    PackUnsignedError,
    PackUntrustedError,
    fingerprint,
    trust_key,
    untrust_key,
)
from tests.packgen import TEST_KEY, build_model, make_pack, reseal, test_trusted_key

REPO = Path(__file__).resolve().parent.parent


def _raw(key: Ed25519PrivateKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


def _rewrite_seal_keeping_signature(pack: Path) -> None:
    """What an attacker who cannot sign does: recompute SHA256SUMS, leave SIGNATURE alone."""
    signature = (pack / SIGNATURE_NAME).read_bytes()
    write_seal(pack)
    (pack / SIGNATURE_NAME).write_bytes(signature)


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A user data folder of this test's own, so the trusted-keys file is this test's."""
    path = tmp_path / "home"
    monkeypatch.setenv("CLINICLENS_HOME", str(path))
    return path


def test_a_signed_pack_loads_and_names_its_signer(tmp_path):
    pack = load_pack(make_pack(tmp_path))
    assert pack.signer is not None and pack.signer.kind == "trusted"
    assert pack.signer.fingerprint == test_trusted_key().fingerprint
    assert json.loads((pack.directory / SIGNATURE_NAME).read_text())["algorithm"] == "ed25519"


@pytest.mark.parametrize("keep_signature", [True, False])
def test_consistent_rewrite_of_model_manifest_hash_and_seal_is_refused(tmp_path, keep_signature):
    """The red-team attack: another model, its hash in manifest.json and SHA256SUMS, all
    consistent. ``models verify`` used to call this pack OK."""
    pack = make_pack(tmp_path, "victim")
    other, _ = build_model(3, seed=42)
    onnx.save(other, pack / "model.onnx")
    manifest = json.loads((pack / "manifest.json").read_text("utf-8"))
    manifest["onnx"]["sha256"] = hashlib.sha256((pack / "model.onnx").read_bytes()).hexdigest()
    (pack / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    if keep_signature:
        _rewrite_seal_keeping_signature(pack)
        with pytest.raises(PackSignatureError, match="changed after it was signed") as info:
            load_pack(pack)
        assert info.value.code == "pack_tampered"
    else:
        write_seal(pack)  # drops the stale signature: the pack is now simply unsigned
        with pytest.raises(PackUnsignedError):
            load_pack(pack)
    catalog = discover([tmp_path])
    assert catalog.ids == () and catalog.problems[0].directory == pack


def test_threshold_only_rewrite_and_reseal_is_refused(tmp_path):
    pack = make_pack(tmp_path, "thresholds")
    manifest = json.loads((pack / "manifest.json").read_text("utf-8"))
    manifest["classes"][1]["threshold"] = 0.999  # "abnormal" would never be referred
    (pack / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    _rewrite_seal_keeping_signature(pack)
    with pytest.raises(PackSignatureError):
        load_pack(pack)


def test_signature_copied_from_another_pack_by_the_same_key_is_refused(tmp_path):
    a, b = make_pack(tmp_path, "a", seed=1), make_pack(tmp_path, "b", seed=2)
    shutil.copy(a / SIGNATURE_NAME, b / SIGNATURE_NAME)
    with pytest.raises(PackSignatureError):
        load_pack(b)


def test_unknown_key_is_refused_until_trusted_and_again_after_untrust(tmp_path, home):
    provider = Ed25519PrivateKey.generate()
    pack = make_pack(tmp_path, "partner", key=provider)
    fp = fingerprint(_raw(provider))
    with pytest.raises(PackUntrustedError, match=f"untrusted key {fp}.*models trust {fp}") as info:
        load_pack(pack)
    assert info.value.code == "pack_untrusted" and info.value.fingerprint == fp

    trust_key(_raw(provider), "Partner programme")
    assert (home / signing.TRUSTED_KEYS_NAME).is_file()
    signer = load_pack(pack).signer
    assert (signer.kind, signer.fingerprint, signer.name) == ("trusted", fp, "Partner programme")

    assert untrust_key(fp) is not None
    with pytest.raises(PackUntrustedError):
        load_pack(pack)


def test_trusted_keys_file_that_is_damaged_trusts_nobody(tmp_path, home):
    provider = Ed25519PrivateKey.generate()
    pack = make_pack(tmp_path, "partner", key=provider)
    home.mkdir(parents=True)
    (home / signing.TRUSTED_KEYS_NAME).write_text("{not json", "utf-8")
    with pytest.raises(PackUntrustedError):
        load_pack(pack)


def test_unsigned_pack_runs_only_with_the_developer_option(tmp_path, monkeypatch):
    pack = make_pack(tmp_path, "unsigned", key=None)
    with pytest.raises(PackUnsignedError, match="not signed.*CLINICLENS_ALLOW_UNSIGNED=1"):
        load_pack(pack)
    monkeypatch.setenv(signing.ALLOW_UNSIGNED_ENV, "1")
    assert load_pack(pack).signer.kind == "unsigned"
    # The developer option never excuses a signature that does not match.
    signed = make_pack(tmp_path, "signed")
    (signed / SEAL_NAME).write_text((signed / SEAL_NAME).read_text() + "\n", "utf-8")
    with pytest.raises(PackSignatureError):
        load_pack(signed)


@pytest.mark.parametrize(
    "content",
    [b"", b"{}", b"not json", b'{"format": "cliniclens-pack-signature/1", "algorithm": "rsa"}',
     json.dumps({"format": "cliniclens-pack-signature/1", "algorithm": "ed25519",
                 "public_key": "AAAA", "signature": "AAAA"}).encode(),
     b"\xff" * 10_000],
)
def test_damaged_signature_file_is_refused_not_crashing(tmp_path, content):
    pack = make_pack(tmp_path, "damaged")
    (pack / SIGNATURE_NAME).write_bytes(content)
    with pytest.raises(PackSignatureError):
        load_pack(pack)


def test_model_swapped_after_load_does_not_change_what_runs(tmp_path):
    """Verify once, run the verified bytes: a swap between discovery and first use is
    refused, and a swap after the session exists changes nothing."""
    directory = make_pack(tmp_path, "swap")
    x = np.random.default_rng(0).normal(0, 1, (1, 3, 32, 32)).astype(np.float32)
    other, _ = build_model(3, seed=77)

    pack = load_pack(directory)  # verified at discovery
    original = directory / "model.onnx.orig"
    shutil.copy(directory / "model.onnx", original)
    onnx.save(other, directory / "model.onnx")  # swapped before the session is made
    with pytest.raises(PackIntegrityError, match="model.onnx has been modified"):
        Engine(pack).run(x)

    shutil.copy(original, directory / "model.onnx")
    engine = Engine(load_pack(directory))
    before = engine.run(x).logits
    onnx.save(other, directory / "model.onnx")  # swapped while the app is running
    np.testing.assert_array_equal(engine.run(x).logits, before)
    swapped = onnx.load(directory / "model.onnx")
    assert swapped.graph.initializer[0].raw_data != onnx.load(original).graph.initializer[0].raw_data


def test_guard_statistics_swapped_after_load_are_refused(tmp_path):
    directory = make_pack(tmp_path, "guarded")
    np.savez(directory / "ood.npz", center=np.zeros(8), projection=np.eye(8)[:, :2],
             class_means=np.zeros((3, 2)), precision=np.eye(2))
    manifest = json.loads((directory / "manifest.json").read_text("utf-8"))
    manifest["ood"] = {"file": "ood.npz", "method": "mahalanobis", "threshold": 3.0,
                       "sha256": hashlib.sha256((directory / "ood.npz").read_bytes()).hexdigest()}
    (directory / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    reseal(directory)
    pack = load_pack(directory)
    assert load_guards(pack)[0] is not None
    np.savez(directory / "ood.npz", center=np.ones(8), projection=np.eye(8)[:, :2],
             class_means=np.zeros((3, 2)), precision=np.eye(2) * 1e-9)
    with pytest.raises(PackIntegrityError, match="ood.npz has been modified"):
        load_guards(pack)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_in_place_of_the_model_is_refused_without_hanging(tmp_path):
    directory = make_pack(tmp_path, "fifo")
    pack = load_pack(directory)
    (directory / "model.onnx").unlink()
    os.mkfifo(directory / "model.onnx")
    outcome: list[BaseException | None] = []

    def use() -> None:
        try:
            Engine(pack).run(np.zeros((1, 3, 32, 32), np.float32))
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - reported to the test thread
            outcome.append(exc)

    worker = threading.Thread(target=use, daemon=True)
    worker.start()
    worker.join(timeout=20)
    assert not worker.is_alive(), "reading the FIFO blocked"
    assert isinstance(outcome[0], PackIntegrityError)
    assert discover([tmp_path]).problems[0].code == "pack_tampered"


def test_bundled_packs_are_signed_by_the_project_key(monkeypatch):
    monkeypatch.setattr(signing, "SESSION_TRUSTED", {})  # only what the app itself trusts
    catalog = discover([REPO / "models"])
    assert catalog.problems == ()
    assert catalog.packs
    for pack in catalog.packs:
        assert pack.signer.kind == "project", pack.id
        assert pack.signer.fingerprint == signing.PROJECT_FINGERPRINT


def test_every_sealed_folder_under_models_is_signed_by_the_project_key(monkeypatch):
    """Packs and other checked folders (e.g. a modality check in models/checks/)."""
    monkeypatch.setattr(signing, "SESSION_TRUSTED", {})
    sealed = sorted(p.parent for p in (REPO / "models").rglob(SEAL_NAME))
    assert len(sealed) >= 5
    for folder in sealed:
        signer, entries = signing.verify_signed(folder)
        assert signer.kind == "project", folder
        assert "manifest.json" in entries


def test_sign_pack_tool_signs_a_sealed_folder_that_is_not_a_pack(tmp_path):
    sys.path.insert(0, str(REPO))
    from tools import sign_pack as tool

    folder = tmp_path / "checks" / "modality"
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps({"kind": "modality-check"}), "utf-8")
    (folder / "distance.npz").write_bytes(b"statistics")
    write_seal(folder)
    key = tmp_path / "k"
    fp = signing.generate_key(key)
    with pytest.raises(PackUntrustedError):  # signed, but by nobody this computer trusts
        tool.sign(folder, key)
    assert json.loads((folder / SIGNATURE_NAME).read_text())["fingerprint"] == fp


def test_the_test_key_is_not_trusted_by_the_app(tmp_path, monkeypatch):
    monkeypatch.setattr(signing, "SESSION_TRUSTED", {})
    with pytest.raises(PackUntrustedError):
        load_pack(make_pack(tmp_path))
    assert fingerprint(_raw(TEST_KEY)) != signing.PROJECT_FINGERPRINT


def test_fingerprints_are_accepted_as_typed():
    fp = signing.PROJECT_FINGERPRINT
    assert signing.normalise_fingerprint(fp.replace("-", "").upper()) == fp
    assert signing.normalise_fingerprint(fp.replace("-", ":")) == fp
    assert signing.normalise_fingerprint("c879") == ""


def test_sign_pack_tool_signs_and_refuses_a_broken_pack(tmp_path, capsys):
    sys.path.insert(0, str(REPO))
    from tools import sign_pack as tool

    key = tmp_path / "provider.key"
    assert tool.main(["--new-key", str(key)]) == 0
    assert (tmp_path / "provider.key.pub").is_file() and oct(key.stat().st_mode)[-3:] == "600"
    pack = make_pack(tmp_path / "packs", "to-sign", key=None)
    trusted = signing.load_public_key(tmp_path / "provider.key.pub")
    signing.SESSION_TRUSTED[fingerprint(trusted)] = signing.TrustedKey(
        fingerprint(trusted), signing._b64(trusted), "provider"
    )
    try:
        assert tool.main(["--key", str(key), str(pack)]) == 0
        assert load_pack(pack).signer.name == "provider"
        (pack / "model.onnx").write_bytes(b"broken")
        assert tool.main(["--key", str(key), str(pack)]) == 1
        assert "model.onnx" in capsys.readouterr().err
    finally:
        signing.SESSION_TRUSTED.pop(fingerprint(trusted), None)


RETIRED = REPO / "tests" / "fixtures" / "retired_project_key"


def test_a_seal_signed_by_an_earlier_project_key_is_still_the_projects(monkeypatch):
    """The seal and signature of the modality check as released before the key was rotated on
    2026-12-01 (its private half was lost with a development VM): still verifies, as the
    project's, so a clinic's copy of an earlier pack keeps loading."""
    monkeypatch.setattr(signing, "SESSION_TRUSTED", {})
    seal = (RETIRED / SEAL_NAME).read_bytes()
    signer = signing.check_signature(RETIRED, seal, "earlier check", allow_unsigned=False)
    assert signer.kind == "project"
    assert signer.fingerprint in signing.RETIRED_KEYS
    assert signer.fingerprint != signing.PROJECT_FINGERPRINT
    with pytest.raises(PackSignatureError):  # the old signature fits only the bytes it signed
        signing.check_signature(RETIRED, seal + b"\n", "earlier check", allow_unsigned=False)


def test_an_earlier_project_key_is_never_written_to_the_clinics_list(home):
    retired = next(iter(signing.RETIRED_KEYS.values()))
    path = signing.save_trusted([retired, signing.TrustedKey("ab", "AAAA", "partner")])
    assert retired.fingerprint not in path.read_text("utf-8")
    assert signing.is_project_key(retired.fingerprint) and not signing.is_project_key("ab")
