"""Crash safety: SIGKILL a real `cliniclens batch` process mid-run, twice, then run the
same command again; every file must end up screened exactly once."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from screening.store import Store
from tests.packgen import make_pack, trust_test_key
from tests.screening_fixtures import write_image

N_FILES = 120

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")


def done_count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute("SELECT COUNT(*) FROM batch_items WHERE state='done'").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:  # tables not created yet
        return 0


def run_until(cmd: list[str], env: dict, db: Path, at_least: int, timeout: float = 60.0) -> int:
    """Start the batch, SIGKILL it once ``at_least`` items are done; returns done count."""
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    try:
        while done_count(db) < at_least:
            if proc.poll() is not None:
                pytest.fail(f"batch ended before it could be killed: {proc.stderr.read()!r}")
            if time.monotonic() > deadline:
                pytest.fail("batch made no progress")
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    return done_count(db)


def test_sigkill_mid_batch_then_same_command_resumes_exactly_once(tmp_path):
    models = tmp_path / "models"
    make_pack(models, "tiny-pack")
    src = write_image(tmp_path / "seed.jpg", seed=1, size=640, fmt="JPEG")
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(N_FILES):
        shutil.copyfile(src, folder / f"scan_{i:03d}.jpg")
    db = tmp_path / "clinic.db"
    out = tmp_path / "out"
    trust_test_key(tmp_path / "home")  # the child process checks the pack's signature
    env = {
        **os.environ,
        "CLINICLENS_MODELS": str(models),
        "CLINICLENS_HOME": str(tmp_path / "home"),
        "OMP_NUM_THREADS": "1",
    }
    cmd = [
        sys.executable,
        "-m",
        "screening.cli",
        "batch",
        str(folder),
        "--model",
        "tiny-pack",
        "--out",
        str(out),
        "--db",
        str(db),
        "--threads",
        "2",
        "--patient",
        "P-KILL",
    ]
    first = run_until(cmd, env, db, at_least=5)
    second = run_until(cmd, env, db, at_least=first + 10)
    assert 5 <= first < second < N_FILES, (first, second)

    final = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert final.returncode == 0, final.stderr
    assert "Resuming batch job 1" in final.stderr

    with Store(db) as store:
        assert store.integrity_ok()
        assert len(store.list_jobs()) == 1  # the same job, not a new one each time
        items = store.job_items(1)
        assert len(items) == N_FILES and all(i.state == "done" for i in items)
        rows = store._query("SELECT batch_item_id, COUNT(*) FROM screenings GROUP BY batch_item_id")
        assert len(rows) == N_FILES and all(count == 1 for _, count in rows)
        assert {i.screening_id for i in items} == {s.id for s in store.list_screenings(limit=-1)}
        patient = store.get_patient_by_code("P-KILL")
        assert patient is not None
        assert len(store.list_screenings(patient_id=patient.id, limit=-1)) == N_FILES

    with open(out / "results.csv", encoding="utf-8-sig", newline="") as fh:
        table = list(csv.DictReader(fh))
    assert len(table) == N_FILES
    assert sorted(r["file"] for r in table) == sorted(str(p) for p in folder.iterdir())
    assert {r["status"] for r in table} == {"ok"}
    assert len({r["screening_id"] for r in table}) == N_FILES


def test_ctrl_c_finishes_items_in_hand_writes_partial_results_and_exits_130(tmp_path):
    models = tmp_path / "models"
    make_pack(models, "tiny-pack")
    src = write_image(tmp_path / "seed.jpg", seed=2, size=640, fmt="JPEG")
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(60):
        shutil.copyfile(src, folder / f"scan_{i:03d}.jpg")
    db = tmp_path / "clinic.db"
    trust_test_key(tmp_path)  # the child process checks the pack's signature
    env = {**os.environ, "CLINICLENS_MODELS": str(models), "CLINICLENS_HOME": str(tmp_path)}
    cmd = [
        sys.executable,
        "-m",
        "screening.cli",
        "batch",
        str(folder),
        "--model",
        "tiny-pack",
        "--out",
        str(tmp_path / "out"),
        "--db",
        str(db),
        "--threads",
        "1",
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while done_count(db) < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "run the same command again" in err
    with open(tmp_path / "out" / "results.csv", encoding="utf-8-sig", newline="") as fh:
        statuses = [r["status"] for r in csv.DictReader(fh)]
    assert len(statuses) == 60 and 3 <= statuses.count("ok") < 60
    assert set(statuses) == {"ok", "pending"}
    with Store(db) as store:
        assert store.get_job(1).state == "cancelled"
    rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
