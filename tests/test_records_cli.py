"""``cliniclens records``: assign, reassign, void from a terminal, all audited."""

from __future__ import annotations

import pytest

from screening import records
from screening.cli import main
from screening.store import Store
from tests.screening_fixtures import tiny_screener, write_image


@pytest.fixture()
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("CLINICLENS_HOME", str(tmp_path / "home"))
    path = tmp_path / "clinic.db"
    screener = tiny_screener(tmp_path / "packs")
    with Store(path) as store:
        result = screener.screen_path(write_image(tmp_path / "scan.png", seed=3))
        store.record_screening(result)  # saved as "no patient (assign later)"
    return path


def run(db, capsys, *argv):
    code = main(["records", *argv, "--db", str(db), "--operator", "ana", "--lang", "en"])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_assign_reassign_void_from_the_command_line(db, capsys):
    code, out, _ = run(db, capsys, "list", "--unassigned")
    assert code == 0 and out.startswith("#1 ") and "(no patient yet)" in out
    code, _, err = run(db, capsys, "assign", "1", "P-001")
    assert code == 2 and "No patient with ID P-001" in err
    code, out, _ = run(db, capsys, "assign", "1", "P-001", "--create")
    assert code == 0 and "now on patient P-001" in out
    code, _, err = run(db, capsys, "assign", "1", "P-002", "--create")
    assert code == 2 and "--reason" in err  # moving needs a reason
    code, out, _ = run(db, capsys, "reassign", "1", "P-002", "--create", "--reason", "mix-up")
    assert code == 0 and "P-002" in out
    code, out, _ = run(db, capsys, "void", "1", "--reason", "blurred")
    assert code == 0 and "voided: blurred" in out
    code, _, err = run(db, capsys, "reassign", "1", "P-001", "--reason", "again")
    assert code == 2 and "was voided" in err
    code, out, _ = run(db, capsys, "show", "1")
    assert "VOIDED (blurred)" in out.splitlines()[0]
    assert [line.split()[2] for line in out.splitlines()[1:]] == [
        "screening.record",
        "screening.assign",
        "screening.assign",
        "screening.void",
    ]
    assert "- -> P-001" in out and "P-001 -> P-002: mix-up" in out
    with Store(db) as store:
        assert records.void_of(store, 1).operator == "ana"


def test_indonesian_messages(db, capsys):
    code, _, err = run(db, capsys, "void", "1", "--reason", " ")
    assert code == 2 and "--reason" in err
    code = main(["records", "void", "1", "--reason", "buram", "--db", str(db), "--lang", "id"])
    assert code == 0 and "dibatalkan: buram" in capsys.readouterr().out
