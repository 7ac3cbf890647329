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


def test_the_peer_runs_the_packs_own_architecture():
    """A v2 brain pack runs at output stride 16: the peer's feature map is as fine (8x8 at
    128 px), so the ratio compares like with like."""
    import json

    torch = pytest.importorskip("torch")
    sys.path.insert(0, str(ROOT / "bench"))
    from peer import peer_model

    for pack_id, grid in (("brain-mri-tumor", 8), ("chest-xray-pneumonia", 7)):
        manifest = json.loads((ROOT / "models" / pack_id / "manifest.json").read_text("utf-8"))
        size = manifest["input"]["size"][0]
        with torch.no_grad():
            feats = peer_model(manifest).features(torch.zeros(1, 3, size, size))
        assert feats.shape[-2:] == (grid, grid), pack_id
