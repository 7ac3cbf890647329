"""The copy of a model pack that goes into a release: the default ONNX variant only.

The int8 variants are the default nowhere (models/README.md says why) and would add 13 MB
to the standalone build; a release offers what each pack's card recommends. The copy is
re-sealed, re-signed with the key that signed the source (the release key,
``tools/sign_pack.py``) and loaded like any pack the app would load, so a build can never
ship a pack the app refuses. Without that key (a build from a fresh clone) the pack ships
whole, its own signature intact. ``build.spec`` calls this for every bundled pack.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from inference.errors import PackError
from inference.packs import load_pack
from inference.seal import read_seal, write_seal
from inference.signing import sign_pack


def _default_key() -> Path:
    from tools.sign_pack import release_key

    return release_key()


def release_copy(pack: Path, out_root: Path, signing_key: Path | None = None) -> Path:
    """``pack`` itself when it has nothing to leave out (or no key to re-sign a copy), else a
    sealed copy under ``out_root`` signed by ``signing_key`` (default: the release key)."""
    pack = Path(pack)
    source = load_pack(pack)  # signed by a trusted key, sealed, every hash
    manifest = json.loads((pack / "manifest.json").read_text("utf-8"))
    onnx = manifest["onnx"]
    default = onnx.get("default_variant", "fp32")
    variants = onnx.get("variants", {})
    dropped = {v["file"] for name, v in variants.items() if name != default}
    if not dropped:
        return pack
    key = Path(signing_key) if signing_key is not None else _default_key()
    if not key.is_file():
        print(
            f"release_pack: no signing key at {key}; {pack.name} ships whole (with "
            f"{', '.join(sorted(dropped))}) under its own signature",
            file=sys.stderr,
        )
        return pack
    out = Path(out_root) / pack.name
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for name in read_seal(pack):
        if name not in dropped:
            (out / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(pack / name, out / name)
    kept = {k: v for k, v in variants.items() if v["file"] not in dropped}
    if kept:
        onnx["variants"] = kept
    else:
        onnx.pop("variants", None)
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    (out / "manifest.json").write_text(text, "utf-8")
    write_seal(out)
    sign_pack(out, key)
    copy = load_pack(out)  # schema, signature, seal and every hash
    if source.signer is not None and copy.signer is not None:
        if copy.signer.fingerprint != source.signer.fingerprint:
            raise PackError(
                f"release copy of {pack.name} would be signed by key {copy.signer.fingerprint} "
                f"but the pack is signed by {source.signer.fingerprint}; build with the key "
                "that signed the pack (CLINICLENS_SIGNING_KEY)"
            )
    return out
