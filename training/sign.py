"""Signing what training writes (no torch here: quantize and the guard tools use it too)."""

from __future__ import annotations

from pathlib import Path

from inference.signing import sign_pack


def sign(directory: Path, key: Path | None, log=print) -> str | None:
    """Sign the pack's current seal with ``key`` (a private key file); without one, say that
    the app will refuse the pack and how to sign it. Returns the key's fingerprint."""
    if key is None:
        log(f"{directory}: not signed (no --signing-key); the app refuses unsigned packs. "
            f"Sign it with: python tools/sign_pack.py --key KEY {directory}")
        return None
    fp = sign_pack(directory, key)
    log(f"{directory}: signed with key {fp}. A computer that does not trust this key yet "
        f"refuses the pack until someone runs: cliniclens models trust {fp}")
    return fp


def record_then_sign(prog: str, directory: Path, key: Path | None, record, errors: tuple[type[Exception], ...]) -> int:
    """A recording command's ending: print what ``record()`` returns and sign the re-sealed
    pack, or say why it could not record (exit status 2) and leave the signature alone."""
    import sys

    try:
        print(record())
    except errors as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 2
    sign(directory, key, log=lambda msg: print(msg, file=sys.stderr))
    return 0
