"""Sign model packs (and other sealed folders under models/), or make a signing key.

    python tools/sign_pack.py models/<id> [models/<id2> ...]     sign with the release key
    python tools/sign_pack.py --key PATH PACK...                  sign with another key
    python tools/sign_pack.py --new-key PATH                      make a key (PATH, PATH.pub)

Signing checks the pack first (its seal and every hash must match: a pack is never signed in
a state the app would refuse), then writes ``SIGNATURE`` over its ``SHA256SUMS``. The release
key defaults to ``.signing/cliniclens-release.ed25519`` (git-ignored; ``CLINICLENS_SIGNING_KEY``
overrides it); packs signed with it run everywhere, others only where their key is trusted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from inference.errors import PackError  # noqa: E402
from inference.packs import load_pack  # noqa: E402
from inference.seal import MANIFEST_NAME, verify_seal  # noqa: E402
from inference.signing import (  # noqa: E402
    PROJECT_FINGERPRINT,
    generate_key,
    sign_pack,
    verify_signed,
)

DEFAULT_KEY = ROOT / ".signing" / "cliniclens-release.ed25519"


def release_key() -> Path:
    """The project release key's path (``CLINICLENS_SIGNING_KEY`` overrides the default)."""
    return Path(os.environ.get("CLINICLENS_SIGNING_KEY") or DEFAULT_KEY)


def _is_model_pack(folder: Path) -> bool:
    """A screening pack, or another sealed folder (``"kind"`` in its manifest, e.g. the
    modality check), which is checked by its seal alone."""
    try:
        raw = json.loads((folder / MANIFEST_NAME).read_text("utf-8"))
    except (OSError, ValueError):
        return True  # load_pack says what is wrong with it
    return not (isinstance(raw, dict) and raw.get("kind") not in (None, "pack"))


def sign(pack: Path, key: Path) -> str:
    """Verify the folder's seal and hashes, then sign it; returns the key's fingerprint."""
    is_pack = _is_model_pack(pack)
    if is_pack:
        load_pack(pack, check_signature=False)  # seal, schema and every hash
    else:
        verify_seal(pack)
    fp = sign_pack(pack, key)
    if is_pack:
        load_pack(pack)  # and now the app's own check, signature included
    else:
        verify_signed(pack)
    return fp


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("packs", nargs="*", type=Path, help="pack folders to sign")
    ap.add_argument("--key", type=Path, help="private key (default: the release key)")
    ap.add_argument("--new-key", type=Path, metavar="PATH", help="write a new key pair and stop")
    args = ap.parse_args(argv)
    try:
        if args.new_key:
            print(f"new key {args.new_key} (public: {args.new_key}.pub), "
                  f"fingerprint {generate_key(args.new_key)}")
            return 0
        if not args.packs:
            ap.error("name the pack folders to sign")
        key = args.key or release_key()
        for pack in args.packs:
            fp = sign(pack, key)
            who = "ClinicLens project key" if fp == PROJECT_FINGERPRINT else "key"
            print(f"signed {pack} with {who} {fp}")
    except PackError as exc:
        print(f"sign_pack: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
