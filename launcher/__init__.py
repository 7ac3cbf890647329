"""The one entry point above both faces: ``cliniclens`` opens the app or runs a command.

The console script and the PyInstaller entry start here. With no command (or ``gui``) it
opens the desktop app; anything else goes to the headless CLI. Keeping this choice above
both faces is what lets ``screening`` never import ``gui`` (import-linter's layers contract:
launcher > gui > screening > inference), and lets headless commands run where Qt cannot load.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import inference.offline  # noqa: F401 - first: onnxruntime telemetry off
from screening import cli


def main(argv: Sequence[str] | None = None) -> int:
    """Open the app for ``cliniclens`` / ``cliniclens gui``; otherwise run the CLI command."""
    args = list(sys.argv[1:] if argv is None else argv)
    request = cli.gui_request(args)
    if request is None:
        return cli.main(args)
    try:
        from gui.app import main as gui_main
    except ImportError as exc:
        return cli.report_gui_failure(exc, request.language)
    # --lang given on the command line wins over the settings for this run
    return int((gui_main(language=request.language) if request.language else gui_main()) or 0)
