"""A smaller ICU data library for the Linux build: English and Bahasa Indonesia only.

    python tools/icu_slim.py LIBICUDATA [--out PATH]

PySide6's Linux wheels bundle ICU, and its data library (``libicudata.so.NN``, 32 MB) holds
every locale, every legacy charset converter, CJK/Thai line-break dictionaries and the
transliterators. Qt uses ICU for case mapping, collation and normalisation in the
app's languages; nothing in ClinicLens converts legacy charsets or transliterates. This
rebuilds the library with ICU's own tools (``icupkg``, ``genccode``; Debian/Ubuntu package
``icu-devtools``) keeping: all root-level data (properties, normalisation, collation root,
time zones, charset aliases), and the locale bundles of root, English and Indonesian (``id``,
and ``in``, its old code). Dropped: other locales' bundles, ``.cnv`` converters, ``.dict``
break dictionaries, transliterators. ICU falls back to root for anything dropped, it never
fails on it. ``build.spec`` calls :func:`slim_library` on Linux when the tools are
installed, and ``tools/exe_smoke.sh`` runs the GUI and a batch on the result.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

KEEP_LANGUAGES = ("root", "en", "id", "in")
# A locale bundle: a language code (2-3 letters, or root), then optional _Script/_REGION parts.
_LOCALE = re.compile(r"^(?:[a-z]{2,3}|root)(?:_[A-Za-z0-9]+)*\.res$")
DROP_FOLDERS = ("translit",)
SHARED_BUNDLES = ("res_index.res", "pool.res")  # shaped like locale names, needed by all


def tools_available() -> bool:
    return all(shutil.which(t) for t in ("icupkg", "genccode", "gcc"))


def keep_item(item: str) -> bool:
    """Whether a package item (``coll/en.res``, ``ibm-943.cnv``...) stays in the slim data."""
    folder, _, name = item.rpartition("/")
    if folder.split("/")[0] in DROP_FOLDERS or name.endswith((".cnv", ".dict")):
        return False
    if name in SHARED_BUNDLES:
        return True
    if _LOCALE.match(name):
        return name.split("_")[0].removesuffix(".res") in KEEP_LANGUAGES
    return True  # pool.res, res_index.res, ucadata.icu, *.nrm, supplementalData.res ...


def _data_symbol(library: Path) -> tuple[str, int, int]:
    """(symbol, file offset, size) of the ICU data blob, e.g. ``icudt73_dat``."""
    nm = subprocess.run(
        ["nm", "-D", "--defined-only", "-S", str(library)], capture_output=True, text=True,
        check=True,
    ).stdout
    for line in nm.splitlines():
        parts = line.split()
        if len(parts) == 4 and re.fullmatch(r"icudt\d+_dat", parts[3]):
            address, size = int(parts[0], 16), int(parts[1], 16)
            return parts[3], _file_offset(library, address), size
    raise ValueError(f"{library}: no icudtNN_dat symbol (not an ICU data library)")


def _soname(library: Path) -> str:
    dynamic = subprocess.run(
        ["readelf", "-d", str(library)], capture_output=True, text=True, check=True
    ).stdout
    found = re.search(r"\(SONAME\)\s+Library soname: \[([^\]]+)\]", dynamic)
    return found.group(1) if found else library.name


def _file_offset(library: Path, address: int) -> int:
    sections = subprocess.run(
        ["readelf", "-S", "-W", str(library)], capture_output=True, text=True, check=True
    ).stdout
    for m in re.finditer(r"\]\s+\S+\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)", sections):
        start, offset, size = (int(g, 16) for g in m.groups())
        if start <= address < start + size:
            return offset + (address - start)
    raise ValueError(f"{library}: address {address:#x} is in no section")


def slim_library(library: Path, out: Path) -> tuple[int, int]:
    """Write the slim ``libicudata`` to ``out``; returns (bytes before, bytes after)."""
    symbol, offset, size = _data_symbol(library)
    soname = _soname(library)  # libicudata.so.73: what libicuuc asks the loader for
    with tempfile.TemporaryDirectory(prefix="icu-slim-") as tmp:
        work = Path(tmp)
        package = work / f"{symbol.removesuffix('_dat')}l.dat"
        with library.open("rb") as f:
            f.seek(offset)
            package.write_bytes(f.read(size))
        items = subprocess.run(
            ["icupkg", "-l", str(package)], capture_output=True, text=True, check=True
        ).stdout.split()
        drop = [i for i in items if not keep_item(i)]
        (work / "drop.txt").write_text("\n".join(drop) + "\n")
        # --ignore-deps: root.res names the dropped break dictionaries; ICU then breaks CJK/Thai
        # text by rules only (English and Indonesian never use them).
        subprocess.run(["icupkg", "--ignore-deps", "-r", str(work / "drop.txt"), str(package)],
                       check=True,
                       capture_output=True)
        # Assembly, not genccode's own object writer, which guesses the wrong ELF machine.
        entry = symbol.removesuffix("_dat")
        subprocess.run(["genccode", "-a", "gcc", "-e", entry, "-d", str(work), str(package)],
                       check=True, capture_output=True)
        (assembly,) = work.glob("*.S")
        obj = work / "icudata.o"
        subprocess.run(["gcc", "-c", "-o", str(obj), str(assembly)], check=True,
                       capture_output=True)
        out.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["gcc", "-shared", "-nostdlib", f"-Wl,-soname,{soname}", "-o", str(out), str(obj)],
            check=True, capture_output=True,
        )
    return library.stat().st_size, out.stat().st_size


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("library", type=Path)
    ap.add_argument("--out", type=Path, help="default: replace the library in place")
    args = ap.parse_args(argv)
    if not tools_available():
        print("icu_slim: needs icupkg, genccode (icu-devtools) and gcc", file=sys.stderr)
        return 2
    out = args.out or args.library
    target = out.with_name(out.name + ".slim") if out == args.library else out
    before, after = slim_library(args.library, target)
    if target != out:
        target.replace(out)
    print(f"{out}: {before / 1e6:.1f} MB -> {after / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
