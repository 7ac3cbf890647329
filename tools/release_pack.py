"""The copy of a model pack that goes into a release: the default ONNX variant only.

The int8 variants are the default nowhere (models/README.md says why) and would add 13 MB
to the standalone build; a release offers what each pack's card recommends. The copy is
re-sealed and loaded like any pack the app would load, so a build can never ship a pack the
app refuses. ``build.spec`` calls this for every bundled pack.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from inference.packs import load_pack
from inference.seal import read_seal, verify_seal, write_seal


def release_copy(pack: Path, out_root: Path) -> Path:
    """``pack`` itself when it has nothing to leave out, else a sealed copy under ``out_root``."""
    pack = Path(pack)
    verify_seal(pack)
    manifest = json.loads((pack / "manifest.json").read_text("utf-8"))
    onnx = manifest["onnx"]
    default = onnx.get("default_variant", "fp32")
    variants = onnx.get("variants", {})
    dropped = {v["file"] for name, v in variants.items() if name != default}
    if not dropped:
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
    load_pack(out)  # schema, seal and every hash
    return out
