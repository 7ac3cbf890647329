"""Reports never crash on outside text and say what they are (issue 20 items 14 and 15,
issue 19 items 4-6): long or broken fields are shortened, a bad logo is left out, a report
failure is not a disk problem, and a read-only database can be reported and exported."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from inference.results import Status
from screening import cli, report_page
from screening.errors import ReportError
from screening.queue import BatchQueue, QueueInput
from screening.readonly import ReadOnlyStore, open_for_reading
from screening.reports import ReportOptions, batch_summary, patient_report
from screening.store import PatientInfo, Store
from tests.packgen import make_pack
from tests.screening_fixtures import tiny_screener, write_image


def pages_text(path: Path) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(path).pages]


@pytest.fixture
def clinic(tmp_path):
    """One patient with several screenings (so the report has a page 2), one of them
    certain (p = 1.0), one refused; and a batch with same-named files in two folders."""
    screener = tiny_screener(tmp_path / "packs")
    store = Store(tmp_path / "c.db")
    patient = store.add_patient(
        PatientInfo("P-7", "Dewi Lestari", notes="Pregnant, 24 weeks.\nAllergic to latex.")
    )
    files = [
        write_image(tmp_path / "in" / "clinicA" / "scan.png", seed=1, size=96),
        write_image(tmp_path / "in" / "clinicB" / "scan.png", seed=2, size=96),
        write_image(tmp_path / "in" / "other.png", seed=3, size=96),
    ]
    queue = BatchQueue(store, screener, workers=1, operator="Nurse Ayu")
    job, _ = queue.submit([QueueInput(str(f), "P-7") for f in files])
    queue.run(job.id)
    result = screener.screen_path(files[0])
    pred = result.prediction
    certain = replace(
        pred,
        probabilities=tuple(1.0 if c == pred.top_class else 0.0 for c in pred.class_ids),
        top_probability=1.0,
    )
    store.record_screening(
        replace(result, prediction=certain), patient_id=patient.id, manifest=screener.manifest
    )
    store.record_screening(
        replace(
            result,
            status=Status.OUT_OF_DISTRIBUTION,
            message="scan.png: unlike the training images " + "and much more detail " * 20,
        ),
        patient_id=patient.id,
        manifest=screener.manifest,
    )
    yield store, patient, job
    store.close()


# -- issue 20 item 14: layout failures ---------------------------------------------------
def test_huge_and_broken_fields_are_shortened_not_a_crash(clinic, tmp_path):
    store, patient, job = clinic
    pid = "P\n" * 400
    store.update_patient(patient.id, PatientInfo(pid, "N" * 5000, notes="x\n" * 3000))
    options = ReportOptions(
        operator="O" * 5000, clinic_name="C" * 5000, clinic_address="A" * 5000
    )
    info = patient_report(store, patient.id, tmp_path / "p.pdf", options)
    batch = batch_summary(store, job.id, tmp_path / "b.pdf", options)
    for made in (info, batch):
        text = " ".join(pages_text(made.path))
        assert "OOOOOOOOOO" in text and "O" * 200 not in text  # shortened...
        assert "…" in text  # ...and says so
    assert "P P P P" in " ".join(pages_text(info.path))  # line breaks became spaces


def test_unreadable_logo_leaves_the_logo_out_with_a_warning(clinic, tmp_path):
    store, patient, job = clinic
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)  # a PNG header and nothing else
    info = batch_summary(store, job.id, tmp_path / "b.pdf", ReportOptions(clinic_logo=logo))
    assert info.path.is_file() and info.pages >= 1
    assert any("logo" in w and str(logo) in w for w in info.warnings)


def test_a_layout_failure_is_a_report_error_in_words(clinic, tmp_path, monkeypatch):
    store, patient, _ = clinic

    def broken(*args, **kwargs):
        raise ValueError("Flowable <Table@0x7f> too large on page 2 in frame 'normal'")

    monkeypatch.setattr(report_page.SimpleDocTemplate, "build", broken)
    with pytest.raises(ReportError) as info:
        patient_report(store, patient.id, tmp_path / "p.pdf", ReportOptions())
    message = str(info.value)
    assert "could not be laid out" in message and "results are saved" in message
    assert "Flowable" not in message and "0x7f" not in message  # no reportlab internals
    assert not (tmp_path / "p.pdf").exists()


@pytest.fixture
def env(tmp_path, monkeypatch):
    models = tmp_path / "models"
    make_pack(models, "tiny-pack")
    monkeypatch.setenv("CLINICLENS_MODELS", str(models))
    monkeypatch.setenv("CLINICLENS_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CLINICLENS_OPERATOR", raising=False)
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    write_image(tmp_path / "in" / "a.png", seed=1)
    write_image(tmp_path / "in" / "b.png", seed=2)
    return tmp_path


def _batch(env: Path, *extra: str) -> int:
    return cli.main(
        ["batch", str(env / "in"), "--model", "tiny-pack", "--out", str(env / "out"),
         "--db", str(env / "c.db"), "--report", *extra]
    )


def test_cli_batch_with_a_5000_character_operator_writes_its_report(env, capsys):
    code = _batch(env, "--operator", "O" * 5000, "--patient", "P\n" * 400)
    assert code in (cli.EXIT_OK, cli.EXIT_SOME_FAILED)
    assert (env / "out" / "report.pdf").is_file()
    assert "could not" not in capsys.readouterr().err


def test_cli_report_failure_is_not_a_disk_problem(env, capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("too large on page 2")

    monkeypatch.setattr(report_page.SimpleDocTemplate, "build", broken)
    code = _batch(env)
    err = capsys.readouterr().err
    assert code == cli.EXIT_REPORT != cli.EXIT_OUTPUT
    assert "results are saved" in err and "PDF report could not be made" in err
    assert "disk" not in err and "output could not be written" not in err
    assert (env / "out" / "results.csv").is_file() and not (env / "out" / "report.pdf").exists()


# -- issue 20 item 15: a read-only database ----------------------------------------------
@contextlib.contextmanager
def read_only(*paths: Path):
    """Make files and folders read-only for this process, even as root (chattr +i)."""
    if os.geteuid() == 0:
        if shutil.which("chattr") is None:
            pytest.skip("running as root without chattr: cannot make a file read-only")
        done = []
        try:
            for p in paths:
                if subprocess.run(["chattr", "+i", str(p)], capture_output=True).returncode:
                    pytest.skip("this file system does not support chattr +i")
                done.append(p)
            yield
        finally:
            for p in reversed(done):
                subprocess.run(["chattr", "-i", str(p)], check=False)
    else:
        modes = {p: p.stat().st_mode for p in paths}
        try:
            for p in paths:
                p.chmod(0o555 if p.is_dir() else 0o444)
            yield
        finally:
            for p, mode in modes.items():
                p.chmod(mode)


def test_export_and_reports_from_a_read_only_database(env, capsys):
    db = env / "store" / "c.db"
    code = cli.main(
        ["batch", str(env / "in"), "--model", "tiny-pack", "--out", str(env / "out"),
         "--db", str(db), "--patient", "P-1"]
    )
    assert code in (cli.EXIT_OK, cli.EXIT_SOME_FAILED)
    before = db.read_bytes()
    capsys.readouterr()
    with read_only(db, db.parent):
        with pytest.raises(Exception):  # noqa: B017, PT011 - really read-only for this process
            (db.parent / "probe").write_text("x")
        assert cli.main(["export", "--db", str(db), "--out", str(env / "x" / "all.csv")]) == 0
        assert cli.main(["report", "--job", "1", "--db", str(db), "--out", str(env / "x")]) == 0
        assert cli.main(
            ["report", "--patient", "P-1", "--db", str(db), "--out", str(env / "x" / "p.pdf")]
        ) == 0
        err = capsys.readouterr().err
        assert err.count("read-only, so this export is not recorded in its audit trail") == 3
        assert db.read_bytes() == before
    assert (env / "x" / "all.csv").read_text("utf-8-sig").count("tiny-pack") == 2
    assert (env / "x" / "batch-1-summary.pdf").is_file() and (env / "x" / "p.pdf").is_file()
    assert sorted(p.name for p in db.parent.iterdir() if p.name.startswith("c.db")) == ["c.db"]


def test_a_writable_database_is_read_read_only_and_the_export_audited(env):
    _batch(env)
    db = env / "c.db"
    with open_for_reading(db) as store:
        assert isinstance(store, ReadOnlyStore) and store.list_jobs()
        with pytest.raises(Exception, match="read-only"):
            store.add_patient(PatientInfo("P-2"))
    assert cli.main(["export", "--db", str(db), "--out", str(env / "all.csv")]) == 0
    with Store(db) as store:
        assert [e.action for e in store.audit_log(action="results.export")][:1] == [
            "results.export"
        ]


def test_a_missing_database_is_not_created_by_an_export(env, capsys):
    code = cli.main(["export", "--db", str(env / "none.db"), "--out", str(env / "a.csv")])
    assert code != 0 and not (env / "none.db").exists()
    assert "no patient database" in capsys.readouterr().err.lower()


# -- issue 19 items 4-6: what the reports say --------------------------------------------
def test_patient_report_names_the_patient_on_every_page_and_prints_notes(clinic, tmp_path):
    store, patient, _ = clinic
    info = patient_report(store, patient.id, tmp_path / "p.pdf", ReportOptions())
    pages = pages_text(info.path)
    assert len(pages) >= 2
    assert all("Patient: P-7 · Dewi Lestari" in page for page in pages)
    assert "Notes: Pregnant, 24 weeks. Allergic to latex." in pages[0]
    hidden = patient_report(
        store, patient.id, tmp_path / "q.pdf", ReportOptions(pseudonym_secret="k")
    )
    assert all("Dewi" not in page and "Pregnant" not in page for page in pages_text(hidden.path))


def test_probabilities_never_print_certainty_and_use_a_decimal_comma(clinic, tmp_path):
    store, patient, _ = clinic
    en = " ".join(pages_text(patient_report(store, patient.id, tmp_path / "e.pdf").path))
    assert "> 99.9 %" in en and "< 0.1 %" in en
    assert "100.0 %" not in en and " 0.0 %" not in en
    idn = patient_report(store, patient.id, tmp_path / "i.pdf", ReportOptions(language="id"))
    text = " ".join(pages_text(idn.path))
    assert "> 99,9 %" in text and "< 0,1 %" in text and "99.9" not in text


def test_batch_summary_tells_same_named_files_apart_and_counts_in_words(clinic, tmp_path):
    store, _, job = clinic
    text = " ".join(pages_text(batch_summary(store, job.id, tmp_path / "b.pdf").path))
    assert "clinicA/scan.png" in text and "clinicB/scan.png" in text
    assert "in/other.png" not in text and "other.png" in text  # unique names stay short
    assert "Answered 3 · Refused 0 · Failed 0" in text


def test_indonesian_batch_summary_reasons_are_indonesian_and_end_in_an_ellipsis(tmp_path):
    screener = tiny_screener(tmp_path / "packs")
    with Store(tmp_path / "c.db") as store:
        queue = BatchQueue(store, screener, workers=1)
        bad = tmp_path / "rusak.png"
        bad.write_text("bukan gambar " * 50)
        job, _ = queue.submit([QueueInput(str(bad))])
        queue.run(job.id)
        info = batch_summary(store, job.id, tmp_path / "b.pdf", ReportOptions(language="id"))
        text = " ".join(pages_text(info.path))
    assert "Ditolak: Berkas tidak dapat dibaca" in text
    assert "Berkas tidak dapat dibaca sebagai gambar." in text
    assert "not an image" not in text and "cannot" not in text  # no English in the cell
    assert "Terjawab 0 · Ditolak 1 · Gagal 0" in text


def test_batch_summary_shows_each_image_and_heatmap_where_space_allows(clinic, tmp_path, monkeypatch):
    from screening import batch_report

    store, _, job = clinic
    results = store.job_results(job.id)
    expected = sum(int(r.has_thumbnail) + int(r.answered and r.has_overlay) for _, r in results)
    assert expected >= len(results)  # each row has its image, answered ones their heatmap
    info = batch_summary(store, job.id, tmp_path / "b.pdf")
    assert sum(len(p.images) for p in PdfReader(info.path).pages) == expected
    monkeypatch.setattr(batch_report, "THUMBS_UP_TO", len(results) - 1)  # a long batch
    info = batch_summary(store, job.id, tmp_path / "long.pdf")
    assert sum(len(p.images) for p in PdfReader(info.path).pages) == 0


def test_read_only_copy_with_unmerged_changes_is_refused_not_read_stale(tmp_path):
    """A database copied with its -wal file into a read-only folder: reading the main file
    alone (immutable) would show an old state, so the user is told what to do instead."""
    src = Store(tmp_path / "src" / "c.db")
    src._conn.execute("PRAGMA wal_autocheckpoint = 0")  # keep the changes in the -wal file
    src.add_patient(PatientInfo("P-1"))
    copy = tmp_path / "ro"
    copy.mkdir()
    for name in ("c.db", "c.db-wal"):
        shutil.copy(tmp_path / "src" / name, copy / name)
    src.close()
    with read_only(copy / "c.db", copy / "c.db-wal", copy):
        with pytest.raises(Exception, match="latest changes are still in c.db-wal"):
            with open_for_reading(copy / "c.db"):
                pass


def test_two_screenings_fit_an_a4_page_even_with_a_two_line_referral(tmp_path):
    """The bundled palm sample non_anemic.jpg is referred by its second class, so its
    verdict takes two lines; two such screenings still share an A4 page."""
    from inference.packs import load_pack
    from inference.resources import resource_path
    from inference.screener import Screener

    pack = load_pack(resource_path("models", "palm-anemia"))
    sample = resource_path("assets", "samples", "palm-anemia", "non_anemic.jpg")
    result = Screener(pack).screen_path(sample)
    assert result.answered and result.prediction.top_class == "non_anemic"
    with Store(tmp_path / "c.db") as store:
        patient = store.add_patient(PatientInfo("P-3"))
        image = sample.read_bytes()
        for _ in range(3):
            store.record_screening(
                result, patient_id=patient.id, manifest=pack.manifest,
                thumbnail=image, overlay=image,
            )
        info = patient_report(store, patient.id, tmp_path / "r.pdf")
    pages = pages_text(info.path)
    assert "Most likely finding" in pages[0]
    assert any("Screening 2 of 3" in page and "Screening 3 of 3" in page for page in pages)
