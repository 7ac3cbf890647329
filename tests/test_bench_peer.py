"""`make bench` compares with the peer path (torch eager + pytorch-grad-cam): keep it running."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("pytorch_grad_cam")

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.train
def test_peer_benchmark_times_both_paths_in_their_own_processes():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "peer.py"), "--repeats", "1", "--threads", "1"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    found = re.search(r"([\d.]+) ms vs ClinicLens ([\d.]+) ms .*: ([\d.]+)x", proc.stdout)
    assert found, proc.stdout
    peer, ours, ratio = (float(g) for g in found.groups())
    assert ratio == pytest.approx(peer / ours, rel=0.05)
    assert re.search(r"(PASS|FAIL): ClinicLens >= 10x", proc.stdout)
