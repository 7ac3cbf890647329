"""Pack signatures: who vouches for a pack, and which of them this installation trusts.

Why: the seal (``SHA256SUMS``) catches damage, but whoever can rewrite a pack file can rewrite
its hash and the seal too (a consistently rewritten model answered "no tumour" for a glioma).
An ed25519 signature over the seal's exact bytes, in ``SIGNATURE`` next to it, ties the whole
pack to a key. A pack runs only when that key is the ClinicLens project's (compiled in below)
or one the clinic chose to trust (``trusted-keys.json`` in the user data folder, changed by
``cliniclens models trust/untrust``, which the store's audit log records). Unsigned packs run
only with the developer option ``CLINICLENS_ALLOW_UNSIGNED=1``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from .errors import PackError, PackIntegrityError
from .resources import user_data_dir
from .seal import SEAL_NAME, SIGNATURE_NAME, read_pack_file, read_seal_bytes, verify_seal

FORMAT = "cliniclens-pack-signature/1"
# Signed bytes = DOMAIN + seal bytes, so a signature made for anything else never fits a pack.
DOMAIN = b"ClinicLens pack seal v1\n"
MAX_SIGNATURE_BYTES = 4096
ALLOW_UNSIGNED_ENV = "CLINICLENS_ALLOW_UNSIGNED"
TRUSTED_KEYS_NAME = "trusted-keys.json"
PROJECT_NAME = "ClinicLens project"
# The project's release key (raw ed25519 public key, base64). Its private half is never in the
# repository; DEVELOPERS.md says who holds it and how packs are signed with it.
PROJECT_PUBLIC_KEY = "sKOHDOzQTBt/mMD5rGGhrHldpvgta2qcDubZQS4qiCc="
# Earlier release keys whose private half was lost, not leaked (2026-11-30 to 2026-12-01: it
# stayed on a development VM that was not kept). Nobody can sign with them any more, so packs
# they signed stay trusted as the project's: a clinic's copy of an earlier pack still loads.
RETIRED_PROJECT_KEYS: tuple[str, ...] = ("/yccxnkLcLrHFQQvGe5TP4dDRqxN/SrRdBVec5A1i/w=",)


class PackUnsignedError(PackError):
    """The pack has no signature and the developer option is off."""

    code = "pack_unsigned"


class PackUntrustedError(PackError):
    """The pack is signed by a key this installation does not trust (yet)."""

    code = "pack_untrusted"

    def __init__(self, message: str, *, fingerprint: str = "") -> None:
        super().__init__(message)
        self.fingerprint = fingerprint


class PackSignatureError(PackIntegrityError):
    """The signature is damaged or does not match the seal: the pack changed after signing."""


class SigningKeyError(PackError):
    """A key file that cannot be used (missing, unreadable, not an ed25519 key)."""

    code = "signing_key_invalid"


@dataclass(frozen=True)
class TrustedKey:
    """A public key whose packs may run, with the name the clinic gave it."""

    fingerprint: str
    public_key: str  # raw ed25519 public key, base64
    name: str = ""
    added: str = ""  # ISO time the clinic trusted it; "" for the project key

    @property
    def raw(self) -> bytes:
        return base64.b64decode(self.public_key)


@dataclass(frozen=True)
class Signer:
    """Who signed a loaded pack: ``kind`` is "project", "trusted" or "unsigned"."""

    kind: str
    fingerprint: str = ""
    name: str = ""

    def describe(self) -> str:
        """One line for ``models verify`` and the pack information (English)."""
        if self.kind == "project":
            return f"{PROJECT_NAME} (key {self.fingerprint})"
        if self.kind == "trusted":
            named = f" ({self.name})" if self.name else ""
            return f"a key trusted on this computer: {self.fingerprint}{named}"
        return "nobody: unsigned, running only because developer mode is on"


def fingerprint(raw: bytes) -> str:
    """128 bits of sha256 over the raw public key, as 8 groups of 4 hex digits."""
    digest = hashlib.sha256(raw).hexdigest()[:32]
    return "-".join(digest[i : i + 4] for i in range(0, 32, 4))


def normalise_fingerprint(text: str) -> str:
    """A fingerprint as typed (any case, with or without separators) in canonical form,
    or "" when it is not one."""
    digits = re.sub(r"[\s:\-]", "", text).lower()
    if not re.fullmatch(r"[0-9a-f]{32}", digits):
        return ""
    return "-".join(digits[i : i + 4] for i in range(0, 32, 4))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


PROJECT_FINGERPRINT = fingerprint(base64.b64decode(PROJECT_PUBLIC_KEY))
PROJECT_KEY = TrustedKey(PROJECT_FINGERPRINT, PROJECT_PUBLIC_KEY, PROJECT_NAME)
RETIRED_KEYS = {
    k.fingerprint: k
    for k in (
        TrustedKey(fingerprint(base64.b64decode(b64)), b64, f"{PROJECT_NAME} (earlier key)")
        for b64 in RETIRED_PROJECT_KEYS
    )
}


def is_project_key(fp: str) -> bool:
    """The project's release key or one of its earlier keys: built in, never the clinic's to
    trust or untrust."""
    return fp == PROJECT_FINGERPRINT or fp in RETIRED_KEYS


# Keys this process trusts besides the project key and the clinic's list (tests add theirs).
SESSION_TRUSTED: dict[str, TrustedKey] = {}


def developer_mode() -> bool:
    """True when the developer option that lets unsigned packs run is on."""
    return os.environ.get(ALLOW_UNSIGNED_ENV, "").strip().lower() in ("1", "true", "yes", "on")


# -- keys --------------------------------------------------------------------------------
def generate_key(path: Path | str) -> str:
    """Write a new private key (PEM, owner-only) to ``path`` and its public half to
    ``path.pub``; returns the fingerprint. Never overwrites an existing key."""
    path = Path(path)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise SigningKeyError(f"{path} already exists; choose another name for a new key") from exc
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    public = key.public_key()
    Path(f"{path}.pub").write_bytes(
        public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return fingerprint(_raw_public(public))


def load_private_key(path: Path | str) -> Ed25519PrivateKey:
    """An ed25519 private key from a PEM (PKCS#8) or OpenSSH file."""
    path = Path(path)
    try:
        data = read_pack_file(path, path.name, MAX_SIGNATURE_BYTES)
    except PackError as exc:
        raise SigningKeyError(f"signing key {path} could not be read ({exc})") from exc
    try:
        if data.lstrip().startswith(b"-----BEGIN OPENSSH"):
            key = serialization.load_ssh_private_key(data, password=None)
        else:
            key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise SigningKeyError(
            f"{path} is not an unencrypted ed25519 private key ({exc})"
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"{path} is not an ed25519 key; packs are signed with ed25519")
    return key


def load_public_key(path: Path | str) -> bytes:
    """Raw ed25519 public key from a PEM or ``ssh-ed25519`` public key file."""
    path = Path(path)
    try:
        data = read_pack_file(path, path.name, MAX_SIGNATURE_BYTES).strip()
    except PackError as exc:
        raise SigningKeyError(f"public key {path} could not be read ({exc})") from exc
    try:
        if data.startswith(b"ssh-"):
            key = serialization.load_ssh_public_key(data)
        else:
            key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise SigningKeyError(f"{path} is not an ed25519 public key ({exc})") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise SigningKeyError(f"{path} is not an ed25519 public key")
    return _raw_public(key)


# -- signing and checking ----------------------------------------------------------------
def sign_pack(directory: Path | str, key: Ed25519PrivateKey | Path | str) -> str:
    """Sign the pack's current seal (write ``SIGNATURE``); returns the key's fingerprint.
    Call after :func:`inference.seal.write_seal`."""
    directory = Path(directory)
    private = key if isinstance(key, Ed25519PrivateKey) else load_private_key(key)
    seal = read_seal_bytes(directory)
    raw = _raw_public(private.public_key())
    record = {
        "format": FORMAT,
        "algorithm": "ed25519",
        "signs": SEAL_NAME,
        "public_key": _b64(raw),
        "fingerprint": fingerprint(raw),
        "signature": _b64(private.sign(DOMAIN + seal)),
    }
    tmp = directory / (SIGNATURE_NAME + ".tmp")
    tmp.write_text(json.dumps(record, indent=2) + "\n", "utf-8", newline="\n")
    tmp.replace(directory / SIGNATURE_NAME)
    return record["fingerprint"]


def read_signature(directory: Path | str, label: str | None = None) -> tuple[bytes, bytes] | None:
    """(raw public key, signature) from ``SIGNATURE``, or None when the pack has none."""
    directory = Path(directory)
    label = label or directory.name
    path = directory / SIGNATURE_NAME
    if not path.exists() and not path.is_symlink():
        return None
    damaged = f"pack {label}: its {SIGNATURE_NAME} file is damaged; reinstall the pack"
    try:
        record = json.loads(read_pack_file(path, label, MAX_SIGNATURE_BYTES).decode("utf-8"))
        if record.get("format") != FORMAT or record.get("algorithm") != "ed25519":
            raise PackSignatureError(damaged)
        raw = base64.b64decode(record["public_key"], validate=True)
        signature = base64.b64decode(record["signature"], validate=True)
    except PackSignatureError:
        raise
    except (PackError, ValueError, KeyError, TypeError, AttributeError, binascii.Error) as exc:
        raise PackSignatureError(damaged) from exc
    if len(raw) != 32 or len(signature) != 64:
        raise PackSignatureError(damaged)
    return raw, signature


def trusted_keys(path: Path | None = None) -> dict[str, TrustedKey]:
    """Every key whose packs may run: the project's, this process's and the clinic's."""
    keys = {PROJECT_FINGERPRINT: PROJECT_KEY, **RETIRED_KEYS, **SESSION_TRUSTED}
    for key in load_trusted(path):
        keys.setdefault(key.fingerprint, key)
    return keys


def check_signature(
    directory: Path | str,
    seal: bytes,
    label: str | None = None,
    *,
    trusted: Mapping[str, TrustedKey] | None = None,
    allow_unsigned: bool | None = None,
) -> Signer:
    """Who signed ``seal`` (the seal bytes as read for verification); refuses a damaged or
    mismatched signature, an untrusted key, and (outside developer mode) no signature."""
    directory = Path(directory)
    label = label or directory.name
    found = read_signature(directory, label)
    if found is None:
        if allow_unsigned if allow_unsigned is not None else developer_mode():
            return Signer("unsigned")
        raise PackUnsignedError(
            f"pack {label} is not signed, so nothing shows who made it; only signed packs are "
            f"used. Get a signed copy from its provider (developers: {ALLOW_UNSIGNED_ENV}=1 "
            "lets unsigned packs run)."
        )
    raw, signature = found
    fp = fingerprint(raw)
    try:
        Ed25519PublicKey.from_public_bytes(raw).verify(signature, DOMAIN + seal)
    except (InvalidSignature, ValueError) as exc:
        raise PackSignatureError(
            f"pack {label}: its files were changed after it was signed (the signature of key "
            f"{fp} does not match {SEAL_NAME}); reinstall the pack from its original source"
        ) from exc
    keys = trusted_keys() if trusted is None else trusted
    key = keys.get(fp)
    if key is None or key.raw != raw:
        raise PackUntrustedError(
            f"pack {label} is signed by an untrusted key {fp}. If you know and trust the "
            f"provider of this pack, trust its key with: cliniclens models trust {fp}",
            fingerprint=fp,
        )
    return Signer("project" if is_project_key(fp) else "trusted", fp, key.name)


def verify_signed(directory: Path | str, label: str | None = None) -> tuple[Signer, dict[str, str]]:
    """Signature, then every sealed file, of any sealed folder (a pack, the modality check):
    who signed it and the seal's {name: sha256}, to read files with ``seal.read_verified``."""
    directory = Path(directory)
    label = label or directory.name
    seal = read_seal_bytes(directory, label)
    signer = check_signature(directory, seal, label)
    return signer, verify_seal(directory, label, seal=seal)


# -- the clinic's trusted keys -------------------------------------------------------------
def trusted_keys_path() -> Path:
    return user_data_dir() / TRUSTED_KEYS_NAME


def load_trusted(path: Path | None = None) -> tuple[TrustedKey, ...]:
    """The keys the clinic trusted; a missing or damaged file trusts nobody extra."""
    target = path or trusted_keys_path()
    try:
        raw = json.loads(target.read_text("utf-8"))
        entries = raw["keys"] if isinstance(raw, dict) else []
    except (OSError, ValueError, KeyError, TypeError):
        return ()
    keys: list[TrustedKey] = []
    for entry in entries if isinstance(entries, list) else []:
        try:
            public = base64.b64decode(entry["public_key"], validate=True)
        except (KeyError, TypeError, ValueError, binascii.Error):
            continue
        if len(public) == 32:
            name, added = str(entry.get("name", "")), str(entry.get("added", ""))
            keys.append(TrustedKey(fingerprint(public), _b64(public), name, added))
    return tuple(keys)


def save_trusted(keys: Iterable[TrustedKey], path: Path | None = None) -> Path:
    """Write the clinic's trusted keys atomically (the project key is never listed)."""
    target = path or trusted_keys_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    listed = [asdict(k) for k in keys if not is_project_key(k.fingerprint)]
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(json.dumps({"keys": listed}, indent=2) + "\n", "utf-8")
    tmp.replace(target)
    return target


def trust_key(raw: bytes, name: str = "", path: Path | None = None) -> TrustedKey:
    """Add a raw public key to the clinic's trusted keys (idempotent); returns its entry."""
    if len(raw) != 32:
        raise SigningKeyError("an ed25519 public key has 32 bytes")
    current = list(load_trusted(path))
    fp = fingerprint(raw)
    for key in current:
        if key.fingerprint == fp:
            return key
    added = datetime.now(timezone.utc).isoformat(timespec="seconds")
    key = TrustedKey(fp, _b64(raw), name, added)
    save_trusted([*current, key], path)
    return key


def untrust_key(fp: str, path: Path | None = None) -> TrustedKey | None:
    """Remove a key from the clinic's trusted keys; returns what was removed, if anything."""
    current = load_trusted(path)
    removed = next((k for k in current if k.fingerprint == fp), None)
    if removed is not None:
        save_trusted([k for k in current if k.fingerprint != fp], path)
    return removed


def find_pack_key(fp: str, directories: Iterable[Path]) -> tuple[bytes | None, list[str]]:
    """The public key with fingerprint ``fp`` from the signatures of packs in ``directories``
    (so a clinic can trust a pack's key by the fingerprint it was shown), and those packs."""
    found: bytes | None = None
    packs: list[str] = []
    for directory in directories:
        try:
            signature = read_signature(directory)
        except PackError:
            continue
        if signature is not None and fingerprint(signature[0]) == fp:
            found = signature[0]
            packs.append(directory.name)
    return found, packs
