"""How long from process start to the main window's first show event (and to "ready").

    python tools/startup_time.py [--runs 5] [--offscreen]

Each run starts a fresh ``python`` process that runs the real entry point (``gui.app.main``)
on a virtual screen (Xvfb, like tools/screenshots.py) with settings and data in a temporary
folder. The clock starts just before the process is spawned, so interpreter start-up and
every import count. Prints one line per run and the median.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHILD = r"""
import sys, time
sys.path.insert(0, {root!r})
from PySide6.QtCore import QTimer
import gui.main_window as mw

shown = {{}}
original = mw.MainWindow.showEvent

def show_event(self, event):
    if "show" not in shown:
        shown["show"] = time.time()
        def poll():
            if self.ready:
                shown["ready"] = time.time()
                print(f"SHOW {{shown['show']:.6f}} READY {{shown['ready']:.6f}}", flush=True)
                self.close()
            else:
                QTimer.singleShot(5, poll)
        QTimer.singleShot(0, poll)
    original(self, event)

mw.MainWindow.showEvent = show_event
import gui.app
sys.exit(gui.app.main([]))
"""


def one_run(env: dict[str, str]) -> tuple[float, float]:
    code = CHILD.format(root=str(ROOT))
    start = time.time()
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    for line in out.stdout.splitlines():
        if line.startswith("SHOW "):
            parts = line.split()
            return float(parts[1]) - start, float(parts[3]) - start
    raise RuntimeError(f"no show event (exit {out.returncode}):\n{out.stderr[-2000:]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--offscreen", action="store_true", help="no Xvfb: offscreen platform")
    args = parser.parse_args(argv)
    from tools.screenshots import start_xvfb

    xvfb = None
    if args.offscreen:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    else:
        xvfb = start_xvfb(1366, 768)
        if xvfb is None:
            print("Xvfb is not available; use --offscreen", file=sys.stderr)
            return 2
    try:
        with tempfile.TemporaryDirectory(prefix="cliniclens-start-") as tmp:
            env = dict(os.environ)
            env["CLINICLENS_HOME"] = str(Path(tmp) / "home")
            env["XDG_CONFIG_HOME"] = str(Path(tmp) / "config")  # QSettings of the app
            shows, readies = [], []
            for i in range(args.runs):
                show, ready = one_run(env)
                shows.append(show)
                readies.append(ready)
                print(f"run {i + 1}: window shown {show:.2f} s, packs found {ready:.2f} s")
            print(
                f"median: window shown {statistics.median(shows):.2f} s, "
                f"packs found {statistics.median(readies):.2f} s "
                f"({args.runs} runs, platform {os.environ.get('QT_QPA_PLATFORM', 'default')})"
            )
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
