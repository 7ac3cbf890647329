"""numpy runs one BLAS thread in every ClinicLens process (inference/blas.py), whatever the
environment says and whichever of numpy or inference a program imports first."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

REPORT = (
    "import json, threadpoolctl; "
    "print(json.dumps([i['num_threads'] for i in threadpoolctl.threadpool_info() "
    "if i['user_api'] == 'blas']))"
)


def blas_threads(imports: str) -> list[int]:
    """The BLAS thread counts a fresh process reports after ``imports``; the environment
    asks for two, so a count of one shows the app set it."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "2", "MKL_NUM_THREADS": "2"}
    out = subprocess.run(
        [sys.executable, "-c", f"{imports}; {REPORT}"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_numpy_has_a_blas_to_limit() -> None:
    """Without the app, the environment's two threads hold: the other tests mean something."""
    assert blas_threads("import numpy") == [2]


@pytest.mark.parametrize(
    "imports",
    [
        "import inference, numpy",  # before numpy loads: the environment
        "import numpy, inference",  # after: threadpoolctl
        "import screening.cli",  # the command line's entry
        "import gui.main_window",  # the desktop app's
    ],
)
def test_one_blas_thread(imports: str) -> None:
    assert blas_threads(imports) == [1]
