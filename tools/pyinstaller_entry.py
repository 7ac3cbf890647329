"""PyInstaller entry script for the frozen ClinicLens (see build.spec).

Same as the ``cliniclens`` console command (``launcher:main``): no arguments opens the
app, subcommands run headless. A script file is needed because PyInstaller wants a script,
not a package's ``main``.
"""

import os
import sys

# A windowed Windows build (ClinicLens.exe) has no console: sys.stdout/stderr are None, and
# argparse or a warning would crash on them. Send that output nowhere instead.
for _name in ("stdout", "stderr"):
    if getattr(sys, _name) is None:
        setattr(sys, _name, open(os.devnull, "w", encoding="utf-8"))

import inference.offline  # noqa: E402, F401 - first: onnxruntime telemetry off
from launcher import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
