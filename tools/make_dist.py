"""The archive a clinic downloads: the one-folder build packed as small as its OS can open.

    python tools/make_dist.py [--dist dist/ClinicLens] [--out dist] [--check]

Linux and macOS get ``ClinicLens-<version>-<os>-<arch>.tar.xz`` (xz preset 9 extreme: the
smallest archive every such system unpacks without extra software); Windows gets a ``.zip``
(deflate level 9), because Explorer opens nothing better. Prints the archive's size and the
folder's, so the download a clinic feels is visible at every build (``make dist``).
``--check`` unpacks the archive into a temporary folder and runs ``tools/exe_smoke.sh`` on
what came out, which is what ``make dist-test`` does: the archive is tested, not the folder.
"""

from __future__ import annotations

import argparse
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
        return subprocess.run(["bash", str(ROOT / "tools" / "exe_smoke.sh"), str(folder)]).returncode


if __name__ == "__main__":
    sys.exit(main())
