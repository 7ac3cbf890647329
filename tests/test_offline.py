"""Nothing leaves the machine: long-lived app and CLI processes make no network call.

onnxruntime's telemetry starts about ten seconds into a process (a DNS lookup of
``mobile.events.data.microsoft.com``, a device id under ``~/.cache/Microsoft``), so each
process here stays alive for longer than that under ``strace``. Any socket of an internet
family, and any file written outside the app's folders, fails the test.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import inference.offline as offline

ROOT = Path(__file__).resolve().parent.parent
ALIVE_S = 16  # longer than onnxruntime's telemetry delay (about 10 s)
STRACE = shutil.which("strace")

# The CLI driver: the real `cliniclens demo` (every bundled pack, heatmaps, reports), then the
# process stays alive so that anything onnxruntime schedules for later gets its chance.
CLI_DRIVER = """
import sys, threading
from screening.cli import main
code = main(["demo", "--out", sys.argv[1]])
threading.Event().wait(float(sys.argv[2]))
sys.exit(code)
"""


@dataclass(frozen=True)
class Trace:
    """What one traced process did: internet sockets, written paths, libraries it opened."""

    internet_calls: list[str]
    written: list[str]
    opened: list[str]


def _environment(tmp: Path) -> dict[str, str]:
    for name in ("home", "app", "tmp", "out"):
        (tmp / name).mkdir(exist_ok=True)
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp / "home"),
        "CLINICLENS_HOME": str(tmp / "app"),
        "TMPDIR": str(tmp / "tmp"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONPATH": str(ROOT),
        "QT_QPA_PLATFORM": "offscreen",
        "CLINICLENS_QUIT_AFTER_MS": str(ALIVE_S * 1000),
        # An inherited "0" must not switch telemetry back on.
        "ORT_DISABLE_TELEMETRY": "0",
    }


_PATH = re.compile(r'"((?:[^"\\]|\\.)*)"')
_WRITES = re.compile(r"O_WRONLY|O_RDWR|O_CREAT|\bmkdir|\brename|\bcreat\(")


def _parse(log: Path) -> Trace:
    internet, written, opened = [], [], []
    for line in log.read_text(errors="replace").splitlines():
        if "AF_INET" in line:
            internet.append(line)
            continue
        paths = _PATH.findall(line)
        if not paths or "ENOENT" in line:
            continue
        if _WRITES.search(line):
            written.extend(paths if "rename" in line else paths[:1])
        elif "openat(" in line:
            opened.append(paths[0])
    return Trace(internet, written, opened)


def _start(argv: list[str], tmp: Path) -> tuple[subprocess.Popen, Path]:
    log = tmp / "strace.txt"
    calls = "network,openat,mkdir,mkdirat,rename,renameat,renameat2,creat"
    cmd = [STRACE, "-f", "-qq", "-e", f"trace={calls}", "-o", str(log), *argv]
    proc = subprocess.Popen(
        cmd,
        cwd=tmp,
        env=_environment(tmp),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    return proc, log


def _outside(paths: list[str], allowed: list[Path]) -> list[str]:
    """Paths not inside an allowed folder (nor an ancestor made on the way to one, nor /dev)."""
    roots = [str(p) for p in allowed]

    def inside(path: str) -> bool:
        return path.startswith("/dev/") or any(
            path == r or path.startswith(r + "/") or r.startswith(path + "/") for r in roots
        )

    return sorted({p for p in paths if not inside(p)})


def test_importing_inference_forces_telemetry_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORT_DISABLE_TELEMETRY", "0")
    offline.enforce_offline_environment()
    assert os.environ["ORT_DISABLE_TELEMETRY"] == "1"


@pytest.mark.skipif(STRACE is None, reason="strace is not installed")
def test_app_and_cli_alive_longer_than_telemetry_delay_make_no_network_call(
    tmp_path: Path,
) -> None:
    gui_dir, cli_dir = tmp_path / "gui", tmp_path / "cli"
    gui_dir.mkdir()
    cli_dir.mkdir()
    # Both run at once: the test costs one telemetry delay, not two.
    gui, gui_log = _start([sys.executable, "-m", "gui.app"], gui_dir)
    cli, cli_log = _start(
        [sys.executable, "-c", CLI_DRIVER, str(cli_dir / "out"), str(ALIVE_S)], cli_dir
    )
    gui_out, _ = gui.communicate(timeout=180)
    cli_out, _ = cli.communicate(timeout=180)
    assert gui.returncode == 0, gui_out.decode(errors="replace")[-2000:]
    assert cli.returncode == 0, cli_out.decode(errors="replace")[-2000:]

    for folder, log, allowed in (
        (gui_dir, gui_log, ["app", "tmp", "home/.config/ClinicLens"]),
        (cli_dir, cli_log, ["app", "tmp", "out"]),
    ):
        trace = _parse(log)
        # The test can fail: onnxruntime really ran in the traced process.
        assert any("onnxruntime" in p for p in trace.opened), f"{folder.name}: no onnxruntime"
        assert trace.internet_calls == [], f"{folder.name}: {trace.internet_calls[:5]}"
        outside = _outside(trace.written, [folder / a for a in allowed])
        # strace's own log and the folders the test made are the only other writes allowed.
        outside = [p for p in outside if p != str(log)]
        assert outside == [], f"{folder.name} wrote outside the app's folders: {outside[:10]}"
        assert not (folder / "home" / ".cache" / "Microsoft").exists()
