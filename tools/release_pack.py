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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from inference.errors import PackError  # noqa: E402
from inference.manifest import VARIANT_REPORT_KEYS  # noqa: E402
from inference.packs import load_pack  # noqa: E402
from inference.seal import read_seal, write_seal  # noqa: E402
from inference.signing import sign_pack  # noqa: E402


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
            evaluation = manifest.get("metrics", {}).get("evaluation")
            manifest["metrics"] = {k: measured[k] for k in ("split", "n", "accuracy", "macro_f1")}
            # its own per-class figures (training/variant_report.py), never the base's
            manifest["metrics"] |= {k: measured[k] for k in VARIANT_REPORT_KEYS if k in measured}
            # tools/evaluate_packs.py measured the default variant: the pack information
            # panel and the pre-screening warning read it, in the release as in the repository.
            if isinstance(evaluation, dict) and evaluation.get("variant") == default:
                manifest["metrics"]["evaluation"] = evaluation
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


def _say_so_in_card(pack: Path, whole_bytes: int) -> None:
    """The card's size line says the folder holds the default variant only, and why."""
    card = pack / "MODEL_CARD.md"
    if not card.is_file():
        return
    lines = card.read_text("utf-8").split("\n")
    note = (f" This folder holds the {json.loads((pack / 'manifest.json').read_text('utf-8'))['onnx']['base_variant']} "
            "model only, as the executable does (`python tools/release_pack.py PACK --in-place`): "
            f"whole, the pack weighs {whole_bytes / 1e6:.1f} MB. Figures of the variant left out were "
            "measured on the whole pack when it was built; `training/make_packs.sh` builds it again.")
    for i, line in enumerate(lines):
        if line.startswith("- Size:") and "This folder holds" not in line:
            lines[i] = line + note
            card.write_text("\n".join(lines), "utf-8")
            return


def main(argv: list[str] | None = None) -> int:
    """``python tools/release_pack.py PACK --in-place [--key KEY]``: the pack folder becomes its
    release copy. For a pack whose fp32 model would take it over the size a bundled pack may
    weigh (an ensemble, training/ensemble.py): the repository then holds what the executable
    ships, and the card keeps the fp32 figures measured when it was built."""
    import argparse
    import tempfile

    p = argparse.ArgumentParser(prog="python tools/release_pack.py", description=main.__doc__)
    p.add_argument("pack", type=Path)
    p.add_argument("--in-place", action="store_true", required=True,
                   help="replace the pack folder by its release copy")
    p.add_argument("--key", type=Path, help="signing key (default: the release key)")
    args = p.parse_args(argv)
    whole = sum(f.stat().st_size for f in args.pack.iterdir() if f.is_file())
    with tempfile.TemporaryDirectory(dir=args.pack.parent) as tmp:
        out = release_copy(args.pack, Path(tmp), args.key)
        if out == args.pack:
            print(f"{args.pack}: nothing to leave out, or no key to sign a copy; unchanged", file=sys.stderr)
            return 1
        _say_so_in_card(out, whole)
        write_seal(out)
        sign_pack(out, Path(args.key) if args.key else _default_key())
        load_pack(out)  # still a pack the app loads
        args.pack.rename(Path(tmp) / "previous")
        out.rename(args.pack)
    print(f"{args.pack}: now holds its default variant only ({', '.join(sorted(p.name for p in args.pack.iterdir()))})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
