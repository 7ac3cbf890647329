"""The archive a clinic downloads: the one-folder build packed as small as its OS can open.

    python tools/make_dist.py [--dist dist/ClinicLens] [--out dist] [--check]

Linux and macOS get ``ClinicLens-<version>-<os>-<arch>.tar.xz`` (xz preset 9 extreme: the
smallest archive every such system unpacks without extra software); Windows gets a ``.zip``
(deflate level 9), because Explorer opens nothing better. Prints the archive's size and the
folder's, so the download a clinic feels is visible at every build (``make dist``).
``--check`` unpacks the archive into a temporary folder and runs ``tools/exe_smoke.sh`` on
what came out, which is what ``make dist-test`` does: the archive is tested, not the folder.
It then fails if any bundled pack or the modality check carries a model file other than its
default variant's (:func:`non_default_files`): the download holds only what runs.

:func:`release_check_copy` is the modality check's counterpart of
``tools/release_pack.release_copy`` (``build.spec`` calls both): its default variant only.
"""

from __future__ import annotations

import argparse
import json
import lzma
import platform
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from inference import __version__  # noqa: E402

MB = 1_000_000


def release_check_copy(check: Path, out_root: Path, signing_key: Path | None = None) -> Path:
    """The modality check as a release ships it: its default variant only, as the base
    (``inference.modality.default_only``), re-sealed, re-signed with the key that signed it
    and loaded like the app loads it. ``check`` itself when nothing is left out; also when
    the release key is absent (a fresh clone), then whole under its own signature."""
    from inference.errors import PackError
    from inference.modality import ModalityCheck, default_only
    from inference.signing import verify_signed
    from tools.release_pack import signed_copy

    check = Path(check)
    source_signer, _ = verify_signed(check, "modality check")
    manifest = json.loads((check / "manifest.json").read_text("utf-8"))
    dropped = default_only(manifest)
    if not dropped:
        return check
    out = signed_copy(check, out_root, manifest, dropped, signing_key, "make_dist")
    if out is None:
        return check
    copy = ModalityCheck(out)  # signature, seal, every hash, the manifest it runs
    signer, _ = verify_signed(out, "modality check")
    if source_signer.fingerprint and signer.fingerprint != source_signer.fingerprint:
        raise PackError(
            f"release copy of the modality check would be signed by key {signer.fingerprint} "
            f"but the check is signed by {source_signer.fingerprint}; build with the key that "
            "signed it (CLINICLENS_SIGNING_KEY)"
        )
    wanted = json.loads((check / "manifest.json").read_text("utf-8"))["onnx"]
    if copy.info.variant != wanted.get("default_variant", wanted.get("base_variant", "fp32")):
        raise PackError(f"release copy of the modality check runs {copy.info.variant}, not its default")
    return out


def _strings(value: object) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(_strings(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_strings(v) for v in value)) if value else set()
    return {value} if isinstance(value, str) else set()


def non_default_files(models: Path) -> list[str]:
    """What under a bundle's ``models`` folder belongs to no default variant: a manifest that
    still lists variants, or a graph or statistics file (``*.onnx``, ``*.npz``) its manifest
    does not name (an fp32 graph next to an int8 default, say). A release must ship none."""
    found = []
    for manifest in sorted(models.rglob("manifest.json")):
        raw = json.loads(manifest.read_text("utf-8"))
        if raw.get("onnx", {}).get("variants") or raw.get("variants"):
            found.append(f"{manifest.parent.relative_to(models).as_posix()}: lists variants")
        named = _strings(raw)
        for path in sorted([*manifest.parent.glob("*.onnx"), *manifest.parent.glob("*.npz")]):
            if path.name not in named:
                found.append(path.relative_to(models).as_posix())
    return found


def archive_name(version: str, system: str, machine: str) -> str:
    """``ClinicLens-0.1.0-linux-x86_64.tar.xz`` (``.zip`` on Windows)."""
    os_name = {"Windows": "windows", "Darwin": "macos"}.get(system, system.lower())
    suffix = ".zip" if os_name == "windows" else ".tar.xz"
    return f"ClinicLens-{version}-{os_name}-{machine.lower()}{suffix}"


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def pack(folder: Path, archive: Path) -> Path:
    """Write ``archive`` holding ``folder`` (under its own name), keeping modes and links."""
    archive.parent.mkdir(parents=True, exist_ok=True)
    partial = archive.with_name(archive.name + ".partial")
    if archive.suffix == ".zip":
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
            for path in sorted(folder.rglob("*")):
                zf.write(path, path.relative_to(folder.parent).as_posix())
    else:
        preset = 9 | lzma.PRESET_EXTREME
        with tarfile.open(partial, "w:xz", preset=preset) as tf:
            tf.add(folder, arcname=folder.name)
    partial.replace(archive)  # a killed build never leaves a half archive under the real name
    return archive


def unpack(archive: Path, into: Path) -> Path:
    """Unpack ``archive`` into ``into``; returns the program folder inside it."""
    if archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(into)
    else:
        with tarfile.open(archive) as tf:
            tf.extractall(into, filter="tar")
    (folder,) = [p for p in into.iterdir() if p.is_dir()]
    return folder


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dist", type=Path, default=ROOT / "dist" / "ClinicLens")
    ap.add_argument("--out", type=Path, default=ROOT / "dist")
    ap.add_argument("--check", action="store_true", help="unpack and smoke-test the archive")
    args = ap.parse_args(argv)
    if not (args.dist / ("ClinicLens.exe" if sys.platform == "win32" else "ClinicLens")).exists():
        print(f"make_dist: no build in {args.dist} (run 'make exe')", file=sys.stderr)
        return 2
    name = archive_name(__version__, platform.system(), platform.machine())
    archive = pack(args.dist, args.out / name)
    size, unpacked = archive.stat().st_size, folder_bytes(args.dist)
    print(f"{archive}: {size / MB:.1f} MB to download ({unpacked / MB:.1f} MB unpacked)")
    if not args.check:
        return 0
    with tempfile.TemporaryDirectory(prefix="cliniclens-dist-") as tmp:
        folder = unpack(archive, Path(tmp))
        bundled = [p for p in (folder / "_internal" / "models", folder / "models") if p.is_dir()]
        extra = [f for models in bundled for f in non_default_files(models)]
        if extra:
            print("make_dist: non-default variants in the archive: " + ", ".join(extra))
            return 1
        return subprocess.run(["bash", str(ROOT / "tools" / "exe_smoke.sh"), str(folder)]).returncode


if __name__ == "__main__":
    sys.exit(main())
