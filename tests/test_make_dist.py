"""`make dist`: the archive a clinic downloads holds the program folder, modes and links kept."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import make_dist  # noqa: E402


def test_archive_names_say_version_os_and_machine():
    assert make_dist.archive_name("0.2.0", "Linux", "x86_64") == (
        "ClinicLens-0.2.0-linux-x86_64.tar.xz"
    )
    assert make_dist.archive_name("0.2.0", "Windows", "AMD64") == (
        "ClinicLens-0.2.0-windows-amd64.zip"
    )
    assert make_dist.archive_name("0.2.0", "Darwin", "arm64").endswith("macos-arm64.tar.xz")


@pytest.mark.parametrize("suffix", [".tar.xz", ".zip"])
def test_pack_then_unpack_gives_the_same_folder(tmp_path, suffix):
    folder = tmp_path / "ClinicLens"
    (folder / "_internal" / "models").mkdir(parents=True)
    program = folder / "ClinicLens"
    program.write_bytes(b"\x7fELF" + os.urandom(2000))
    program.chmod(0o755)
    (folder / "_internal" / "models" / "manifest.json").write_text('{"id": "x"}')
    archive = make_dist.pack(folder, tmp_path / "out" / f"ClinicLens{suffix}")
    assert archive.exists() and not list(archive.parent.glob("*.partial"))
    out = make_dist.unpack(archive, tmp_path / "unpacked")
    assert out.name == "ClinicLens"
    assert (out / "ClinicLens").read_bytes() == program.read_bytes()
    assert (out / "_internal" / "models" / "manifest.json").read_text() == '{"id": "x"}'
    if suffix == ".tar.xz":  # zip keeps no Unix modes; Windows needs none
        assert (out / "ClinicLens").stat().st_mode & stat.S_IXUSR


def test_no_build_is_a_clear_message(tmp_path, capsys):
    assert make_dist.main(["--dist", str(tmp_path / "missing")]) == 2
    assert "run 'make exe'" in capsys.readouterr().err
