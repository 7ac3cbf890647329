"""The copy of a model pack that goes into a release: the default ONNX variant only.

A pack offers fp32 and int8; the release ships the one its card recommends (the default, see
models/README.md), never both: where int8 is the default, fp32's model and guard files stay
out and int8's own calibration and guard become the copy's (``default_only``). The copy is
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


def _guard_files(ood: dict | None) -> set[str]:
    if not ood:
        return set()
    return {ood["file"], *([ood["early"]["file"]] if ood.get("early") else [])}


def default_only(manifest: dict) -> set[str]:
    """Rewrite ``manifest`` to describe its default variant only and return the files that
    are left out. A default other than the base model (int8) becomes the base: its file,
    hash, own calibration, thresholds and guard move to the top level (``base_variant``
    says which it is), and the base model with its guard files are left out."""
    onnx = manifest["onnx"]
    base = onnx.get("base_variant", "fp32")
    default = onnx.get("default_variant", base)
    variants = onnx.pop("variants", {})
    blocks = manifest.pop("variants", {})
    dropped = {v["file"] for name, v in variants.items() if name != default}
    for name, block in blocks.items():
        if name != default:
            dropped |= _guard_files(block.get("ood"))
    if default != base:
        if default not in variants:
            raise PackError(f"default variant {default!r} is not one of onnx.variants")
        chosen, block = variants[default], blocks.get(default, {})
        dropped.add(onnx["file"])
        onnx.update(file=chosen["file"], sha256=chosen["sha256"], base_variant=default)
        if "calibration" in block:
            manifest["calibration"] = block["calibration"]
        for cls in manifest["classes"]:
            if cls["id"] in block.get("thresholds", {}):
                cls["threshold"] = block["thresholds"][cls["id"]]
        if "ood" in block:
            dropped |= _guard_files(manifest.get("ood")) - _guard_files(block["ood"])
            manifest["ood"] = block["ood"]
        measured = chosen.get("metrics", {})
        if {"split", "n", "accuracy", "macro_f1"} <= set(measured):  # the base's per-class
            manifest["metrics"] = {k: measured[k] for k in ("split", "n", "accuracy", "macro_f1")}
    return dropped


def signed_copy(src: Path, out_root: Path, manifest: dict, dropped: set[str],
                signing_key: Path | None, tool: str) -> Path | None:
    """A sealed copy of ``src`` under ``out_root`` without ``dropped`` and with ``manifest``,
    signed by ``signing_key`` (default: the release key); None, with a message, when there
    is no key to sign it (a fresh clone), so the caller ships ``src`` whole."""
    key = Path(signing_key) if signing_key is not None else _default_key()
    if not key.is_file():
        print(f"{tool}: no signing key at {key}; {src.name} ships whole (with "
              f"{', '.join(sorted(dropped))}) under its own signature", file=sys.stderr)
        return None
    out = Path(out_root) / src.name
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for name in read_seal(src):
        if name not in dropped:
            (out / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src / name, out / name)
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    (out / "manifest.json").write_text(text, "utf-8")
    write_seal(out)
    sign_pack(out, key)
    return out


def release_copy(pack: Path, out_root: Path, signing_key: Path | None = None) -> Path:
    """``pack`` itself when it has nothing to leave out (or no key to re-sign a copy), else a
    sealed copy under ``out_root`` signed by ``signing_key`` (default: the release key)."""
    pack = Path(pack)
    source = load_pack(pack)  # signed by a trusted key, sealed, every hash
    manifest = json.loads((pack / "manifest.json").read_text("utf-8"))
    dropped = default_only(manifest)
    if not dropped:
        return pack
    out = signed_copy(pack, out_root, manifest, dropped, signing_key, "release_pack")
    if out is None:
        return pack
    copy = load_pack(out)  # schema, signature, seal and every hash
    if source.signer is not None and copy.signer is not None:
        if copy.signer.fingerprint != source.signer.fingerprint:
            raise PackError(
                f"release copy of {pack.name} would be signed by key {copy.signer.fingerprint} "
                f"but the pack is signed by {source.signer.fingerprint}; build with the key "
                "that signed the pack (CLINICLENS_SIGNING_KEY)"
            )
    return out
