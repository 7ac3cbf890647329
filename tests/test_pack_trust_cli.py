"""``cliniclens models verify`` names the signer; ``models trust/untrust/keys`` change which
keys run, each change in the audit log (issue 20, item 2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from inference import signing
from screening import cli
from screening.store import Store
from tests.packgen import make_pack, test_trusted_key


@pytest.fixture()
def env(tmp_path, monkeypatch):
    models = tmp_path / "models"
    make_pack(models, "tiny-pack")
    monkeypatch.setenv("CLINICLENS_MODELS", str(models))
    monkeypatch.setenv("CLINICLENS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CLINICLENS_OPERATOR", "nurse-a")
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    return tmp_path


def _partner_pack(env: Path) -> tuple[str, Ed25519PrivateKey]:
    key = Ed25519PrivateKey.generate()
    make_pack(env / "models", "partner-pack", key=key)
    return signing.fingerprint(signing._raw_public(key.public_key())), key


def _audit(env: Path, action: str) -> list[str]:
    store = Store(env / "home" / "cliniclens.db")
    try:
        return [e.detail for e in store.audit_log(action=action)]
    finally:
        store.close()


def test_verify_names_the_signer_of_each_pack(env, capsys):
    assert cli.main(["models", "verify"]) == 0
    out = capsys.readouterr().out
    assert f"signed by: a key trusted on this computer: {test_trusted_key().fingerprint}" in out


def test_untrusted_pack_is_refused_by_verify_then_trusted_by_fingerprint(env, capsys):
    fp, _ = _partner_pack(env)
    assert cli.main(["models", "verify"]) == 1
    out = capsys.readouterr().out
    assert "REFUSED" in out and f"untrusted key {fp}" in out
    assert f"cliniclens models trust {fp}" in out

    typed = fp.replace("-", "").upper()  # as someone might type it
    assert cli.main(["models", "trust", typed, "--name", "Partner programme"]) == 0
    assert f"key {fp} is now trusted" in capsys.readouterr().out
    assert cli.main(["models", "verify", "partner-pack"]) == 0
    assert f"{fp} (Partner programme)" in capsys.readouterr().out
    assert cli.main(["models", "keys"]) == 0
    assert f"{fp}  Partner programme" in capsys.readouterr().out

    assert cli.main(["models", "untrust", fp]) == 0
    assert cli.main(["models", "verify", "partner-pack"]) == 1
    [trusted] = _audit(env, "pack_key.trust")
    assert trusted.startswith(f"{fp} Partner programme") and "partner-pack" in trusted
    assert _audit(env, "pack_key.untrust") == [f"{fp} Partner programme"]


def test_trust_from_a_public_key_file(env, capsys, tmp_path):
    key = tmp_path / "provider.key"
    fp = signing.generate_key(key)
    assert cli.main(["models", "trust", f"{key}.pub"]) == 0
    assert f"key {fp} is now trusted" in capsys.readouterr().out
    assert fp in [k.fingerprint for k in signing.load_trusted()]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["models", "trust", "not-a-key"], "neither a key fingerprint"),
        (["models", "trust", "0" * 32], "no installed pack is signed by key"),
        (["models", "untrust", signing.PROJECT_FINGERPRINT], "cannot be untrusted"),
        (["models", "untrust", next(iter(signing.RETIRED_KEYS))], "cannot be untrusted"),
    ],
)
def test_trust_mistakes_get_a_plain_message(env, capsys, args, message):
    assert cli.main(args) == 2
    assert message in capsys.readouterr().err
    assert signing.load_trusted() == ()


def test_unsigned_pack_is_refused_with_the_developer_option_named(env, capsys):
    make_pack(env / "models", "home-made", key=None)
    assert cli.main(["models", "verify", "home-made"]) == 1
    out = capsys.readouterr().out
    assert "not signed" in out and "CLINICLENS_ALLOW_UNSIGNED=1" in out and "[pack_unsigned]" in out
