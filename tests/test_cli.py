"""The cliniclens command, run in-process: models, batch end to end, report, export, demo."""

from __future__ import annotations

import csv
import errno
import hashlib
import json
import shutil
import sys
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

import inference
from screening import cli
from screening import files as files_mod
from screening.store import Store
from tests.packgen import make_pack
from tests.screening_fixtures import pin_cli_environment, write_corrupt_jpeg, write_image

HEAD = ["file", "sha256", "status", "predicted_class", "p_normal", "p_abnormal", "p_other", "error"]


@pytest.fixture()
def env(tmp_path, monkeypatch):
    models = tmp_path / "models"
    make_pack(models, "tiny-pack")
    make_pack(models, "gray-pack", quality={"expect_grayscale": True})
    pin_cli_environment(tmp_path, monkeypatch, models)
    return tmp_path


def mixed_folder(root: Path) -> Path:
    for i in range(3):
        write_image(root / f"good{i}.png", seed=i)
    write_image(root / "sub dir" / "ünï cödé.jpg", seed=9, fmt="JPEG")
    write_corrupt_jpeg(root / "corrupt.jpg")
    (root / "readme.txt").write_text("hello", "utf-8")
    return root


def read_csv(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["--version"])
    assert info.value.code == 0
    assert inference.__version__ in capsys.readouterr().out


def test_models_list_and_verify_refuse_tampered_pack(env, capsys):
    broken = make_pack(env / "models", "broken-pack")
    with open(broken / "model.onnx", "ab") as fh:
        fh.write(b"tampered")
    assert cli.main(["models", "list"]) == 0
    out = capsys.readouterr().out
    assert "tiny-pack  v1.0.0  Test pack tiny-pack" in out and "REFUSED  broken-pack" in out
    assert cli.main(["models", "verify"]) == 1
    out = capsys.readouterr().out
    assert "OK      tiny-pack v1.0.0" in out and "OK      gray-pack" in out
    assert "REFUSED broken-pack" in out and "modified or damaged" in out
    assert cli.main(["models", "verify", "tiny-pack"]) == 0
    assert "broken-pack" not in capsys.readouterr().out
    assert cli.main(["models", "verify", "nope"]) == 2
    assert "no model pack 'nope'" in capsys.readouterr().err


def test_batch_end_to_end_mixed_folder(env, capsys):
    folder = mixed_folder(env / "in")
    out = env / "out"
    db = env / "clinic.db"
    code = cli.main(
        [
            "batch",
            str(folder),
            "--model",
            "tiny-pack",
            "--out",
            str(out),
            "--heatmaps",
            "--report",
            "--db",
            str(db),
            "--threads",
            "2",
        ]
    )
    assert code == 1  # two files could not be screened
    columns, rows = read_csv(out / "results.csv")
    assert columns[: len(HEAD)] == HEAD
    assert {"refer", "ood_score", "pack_version", "inference_ms", "total_ms"} <= set(columns)
    by_name = {Path(r["file"]).name: r for r in rows}
    assert len(rows) == 6 and set(by_name) == {
        "good0.png",
        "good1.png",
        "good2.png",
        "ünï cödé.jpg",
        "corrupt.jpg",
        "readme.txt",
    }
    for name in ("corrupt.jpg", "readme.txt"):
        row = by_name[name]
        assert row["status"] == "unreadable" and row["error"]
        assert row["predicted_class"] == "" and row["p_normal"] == ""
    for name in ("good0.png", "good1.png", "good2.png", "ünï cödé.jpg"):
        row = by_name[name]
        path = Path(row["file"])
        assert row["status"] == "ok" and row["error"] == ""
        assert row["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        probs = [float(row[f"p_{c}"]) for c in ("normal", "abnormal", "other")]
        assert sum(probs) == pytest.approx(1.0, abs=1e-4)
        assert row["predicted_class"] == ("normal", "abnormal", "other")[probs.index(max(probs))]
        with Image.open(row["heatmap"]) as im:
            assert im.size == Image.open(path).size
    doc = json.loads((out / "results.json").read_text("utf-8"))
    assert doc["app_version"] == inference.__version__ and doc["pack"]["id"] == "tiny-pack"
    assert [r["file"] for r in doc["results"]] == [r["file"] for r in rows]
    assert all(r["p_normal"] is None for r in doc["results"] if r["status"] != "ok")
    report = " ".join(p.extract_text() for p in PdfReader(out / "report.pdf").pages)
    assert "Batch screening summary" in report and "corrupt.jpg" in report
    stdout = capsys.readouterr().out
    assert str(out / "results.csv") in stdout and str(out / "report.pdf") in stdout
    with Store(db) as store:
        actions = {e.action for e in store.audit_log()}
        assert {"batch.create", "screening.record", "results.export", "report.export"} <= actions


def test_batch_all_good_exits_zero_and_rerun_resumes(env, capsys):
    folder = env / "in"
    for i in range(3):
        write_image(folder / f"g{i}.png", seed=i)
    args = ["batch", str(folder), "--model", "tiny-pack", "--out", str(env / "out")]
    assert cli.main(args) == 0
    assert cli.main(args) == 0
    assert "Resuming batch job 1" in capsys.readouterr().err
    with Store(env / "home" / "cliniclens.db") as store:  # default db in the data folder
        assert len(store.list_screenings()) == 3  # the re-run did not screen again
    assert cli.main([*args, "--new"]) == 0
    with Store(env / "home" / "cliniclens.db") as store:
        assert len(store.list_screenings()) == 6


def test_flagged_images_have_status_code_and_no_answer(env):
    folder = env / "in"
    write_image(folder / "colour.png", seed=1)  # a colour photo for a grayscale-scan model
    code = cli.main(["batch", str(folder), "--model", "gray-pack", "--out", str(env / "out")])
    assert code == 1
    _, (row,) = read_csv(env / "out" / "results.csv")
    assert row["status"] == "not_modality" and "colour photograph" in row["error"]
    assert row["predicted_class"] == "" and row["p_normal"] == row["p_other"] == ""
    assert row["refer"] == "" and row["heatmap"] == ""


def test_usage_and_pack_errors_exit_two(env, capsys):
    assert cli.main(["batch", str(env), "--model", "nope", "--out", str(env / "o")]) == 2
    assert "no model pack 'nope'" in capsys.readouterr().err
    assert cli.main(["batch", "--model", "tiny-pack", "--out", str(env / "o")]) == 2
    assert (
        cli.main(["batch", str(env / "missing"), "--model", "tiny-pack", "--out", str(env / "o")])
        == 2
    )
    assert "does not exist" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        cli.main(["batch", str(env)])
    assert info.value.code == 2


def test_read_only_output_exits_three(env, capsys, monkeypatch):
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    write_image(env / "in" / "a.png")
    monkeypatch.setattr(files_mod.tempfile, "mkstemp", read_only)
    code = cli.main(["batch", str(env / "in"), "--model", "tiny-pack", "--out", str(env / "o")])
    assert code == 3
    assert "read-only" in capsys.readouterr().err
    assert not (env / "home" / "cliniclens.db").exists()  # refused before touching the store


def test_folder_per_patient_report_and_export(env, capsys):
    write_image(env / "in" / "P-001" / "a.png", seed=1)
    write_image(env / "in" / "P-001" / "b.png", seed=2)
    write_image(env / "in" / "P-002" / "c.png", seed=3)
    db = env / "c.db"
    assert (
        cli.main(
            [
                "batch",
                str(env / "in"),
                "--model",
                "tiny-pack",
                "--out",
                str(env / "o"),
                "--db",
                str(db),
                "--folder-per-patient",
            ]
        )
        == 0
    )
    with Store(db) as store:
        p1 = store.get_patient_by_code("P-001")
        assert len(store.list_screenings(patient_id=p1.id)) == 2
    assert (
        cli.main(
            [
                "report",
                "--patient",
                "P-001",
                "--db",
                str(db),
                "--out",
                str(env / "r"),
                "--paper",
                "letter",
                "--operator",
                "Ayu",
            ]
        )
        == 0
    )
    (pdf,) = (env / "r").glob("report-P-001-*.pdf")
    text = " ".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "a.png" in text and "b.png" in text and "c.png" not in text
    assert cli.main(["report", "--patient", "P-404", "--db", str(db)]) == 2
    assert cli.main(["report", "--job", "1", "--db", str(db), "--out", str(env / "s.pdf")]) == 0
    assert (env / "s.pdf").exists()
    assert cli.main(["export", "--db", str(db), "--out", str(env / "all.csv")]) == 0
    columns, rows = read_csv(env / "all.csv")
    assert len(rows) == 3 and "patient_name" not in columns
    assert {r["patient_id"] for r in rows} == {"P-001", "P-002"}
    assert (
        cli.main(
            [
                "export",
                "--db",
                str(db),
                "--out",
                str(env / "p.csv"),
                "--patient",
                "P-002",
                "--include-names",
            ]
        )
        == 0
    )
    columns, rows = read_csv(env / "p.csv")
    assert len(rows) == 1 and "patient_name" in columns
    with Store(db) as store:
        assert len(store.audit_log(action="report.export")) == 2


def test_mapping_csv_assigns_patients(env):
    write_image(env / "imgs" / "x.png", seed=1)
    write_image(env / "imgs" / "y.png", seed=2)
    mapping = env / "map.csv"
    mapping.write_text("file,patient_id\nimgs/x.png,A-1\nimgs/y.png,B-2\n", "utf-8")
    db = env / "m.db"
    assert (
        cli.main(
            [
                "batch",
                "--mapping",
                str(mapping),
                "--model",
                "tiny-pack",
                "--out",
                str(env / "o"),
                "--db",
                str(db),
            ]
        )
        == 0
    )
    _, rows = read_csv(env / "o" / "results.csv")
    assert {(Path(r["file"]).name, r["patient_id"]) for r in rows} == {
        ("x.png", "A-1"),
        ("y.png", "B-2"),
    }


def test_no_arguments_starts_gui_or_explains(monkeypatch, capsys):
    import launcher

    monkeypatch.setitem(sys.modules, "gui.app", None)  # import fails as if Qt were missing
    assert launcher.main([]) == 2
    assert "desktop app could not start" in capsys.readouterr().err


def test_launcher_opens_the_app_only_without_a_command(monkeypatch):
    import launcher

    opened: list[str | None] = []
    fake = type(sys)("gui.app")
    fake.main = lambda language=None: opened.append(language) or 0
    monkeypatch.setitem(sys.modules, "gui.app", fake)
    assert launcher.main([]) == 0 and launcher.main(["gui"]) == 0
    assert launcher.main(["--lang", "id"]) == 0
    assert opened == [None, None, "id"]
    assert cli.gui_request(["models", "list"]) is None
    assert launcher.main(["models", "list"]) == 0 and len(opened) == 3


def test_the_cli_alone_never_opens_the_app(capsys):
    """screening must not import gui: without the launcher, no command is a usage error."""
    assert cli.main([]) == 2
    assert "cliniclens" in capsys.readouterr().err


def test_demo_runs_on_samples(env, monkeypatch, capsys):
    assets = env / "app"
    for i in range(2):
        write_image(assets / "assets" / "samples" / "tiny-pack" / f"s{i}.png", seed=i)
    monkeypatch.setattr(cli.demo, "resource_path", lambda *parts: assets.joinpath(*parts))
    assert cli.main(["demo", "--out", str(env / "demo")]) == 0
    out = env / "demo" / "tiny-pack"
    assert (out / "report.pdf").exists() and len(list((out / "heatmaps").glob("*.png"))) == 2
    _, rows = read_csv(out / "results.csv")
    assert len(rows) == 2
    assert f"Demo outputs are in {env / 'demo'}" in capsys.readouterr().out
    shutil.rmtree(assets / "assets" / "samples")
    assert cli.main(["demo", "--out", str(env / "demo2")]) == 2


def test_clinic_settings_are_report_defaults(env):
    from screening.settings import ClinicSettings, load_settings, save_settings, settings_path

    write_image(env / "in" / "a.png", seed=1)
    save_settings(
        ClinicSettings(clinic_name="Klinik Sehat Ñusantara", paper="letter", operator="Bidan Rina")
    )
    assert load_settings().operator == "Bidan Rina"
    assert (
        cli.main(
            [
                "batch",
                str(env / "in"),
                "--model",
                "tiny-pack",
                "--out",
                str(env / "o"),
                "--report",
                "--patient",
                "P-1",
            ]
        )
        == 0
    )
    reader = PdfReader(env / "o" / "report.pdf")
    text = reader.pages[0].extract_text()
    assert "Klinik Sehat Ñusantara" in text and "Bidan Rina" in text
    assert round(reader.pages[0].mediabox.height) == 792
    assert (
        cli.main(
            [
                "report",
                "--patient",
                "P-1",
                "--out",
                str(env / "r.pdf"),
                "--paper",
                "a4",
                "--clinic",
                "Other Clinic",
            ]
        )
        == 0
    )
    page = PdfReader(env / "r.pdf").pages[0]
    assert "Other Clinic" in page.extract_text() and round(page.mediabox.height) == 842
    settings_path().write_text("{not json", "utf-8")
    assert load_settings() == ClinicSettings()  # a damaged file never blocks screening


def test_batch_works_with_network_blocked(env, monkeypatch):
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("ClinicLens tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    write_image(env / "in" / "a.png", seed=1)
    assert (
        cli.main(
            [
                "batch",
                str(env / "in"),
                "--model",
                "tiny-pack",
                "--out",
                str(env / "o"),
                "--heatmaps",
                "--report",
            ]
        )
        == 0
    )


def test_batch_summary_says_why_a_non_refer_top_class_is_referred(env):
    """palm-anemia refers from 32 % anaemic up: "Not anaemic 66 %" must not read as REFER
    without the reason (the bundled sample non_anemic.jpg is such a case)."""
    from inference.resources import resource_path

    out = env / "out"
    folder = resource_path("assets", "samples", "palm-anemia")
    code = cli.main(["batch", str(folder), "--model", "palm-anemia", "--out", str(out),
                     "--report", "--db", str(env / "c.db")])
    assert code == 0
    _, rows = read_csv(out / "results.csv")
    odd = [r for r in rows if r["refer"] == "yes" and r["predicted_class"] == "non_anemic"]
    assert odd, "no sample exercises the case any more: pick another one"
    text = " ".join(p.extract_text() for p in PdfReader(out / "report.pdf").pages)
    text = " ".join(text.split())
    anaemic = 100 * float(odd[0]["p_anemic"])
    top = 100 * float(odd[0]["p_non_anemic"])
    # one message: the row leads with the referring class, the top class comes second
    assert f"Anaemic most likely: Not anaemic {top:.1f} % {anaemic:.1f} % REFER" in text
    assert text.count("most likely:") == len(odd)
