"""English and Bahasa Indonesia for reports and CLI messages (screening/locale/*.json)."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from pypdf import PdfReader

import screening
from screening import cli, i18n
from screening.settings import ClinicSettings, load_settings, save_settings
from tests.packgen import make_pack
from tests.screening_fixtures import write_corrupt_jpeg, write_image


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_indonesian_catalogue_is_complete_with_the_same_placeholders():
    en, id_ = i18n.catalogue("en"), i18n.catalogue("id")
    assert set(id_) == set(en), sorted(set(en) ^ set(id_))
    for key, text in en.items():
        assert fields(id_[key]) == fields(text), key
        assert id_[key].strip(), key
    assert "id" in i18n.languages() and "en" in i18n.languages()


def test_indonesian_is_actually_indonesian():
    id_ = i18n.catalogue("id")
    assert id_["report.disclaimer_title"] == "Alat bantu skrining, bukan diagnosis"
    assert "rujuk" in id_["report.refer"].lower()
    assert "pemeriksaan lanjutan" in id_["report.refer"]
    same = [k for k, v in id_.items() if v == i18n.catalogue("en")[k]]
    # only names, abbreviations and internationally shared words may stay as they are
    assert set(same) <= {
        "app.name",
        "report.model",
        "report.col_confidence",
        "cli.ok",
        "cli.pack_folder",
    }, same


def test_every_cli_message_key_exists():
    folder = Path(screening.__path__[0]) / "cli"
    source = "".join(p.read_text("utf-8") for p in sorted(folder.glob("*.py")))
    keys = set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z_.]+)["']""", source))
    keys |= {"cli.batch_resume", "cli.batch_start"}
    assert len(keys) > 25
    assert sorted(k for k in keys if k not in i18n.catalogue("en")) == []


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LANG": "id_ID.UTF-8"}, "id"),
        ({"LANG": "in_ID"}, "id"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),
        ({"LC_ALL": "id_ID.UTF-8", "LANG": "en_US.UTF-8"}, "id"),
        ({"LC_ALL": "C", "LANG": "id_ID"}, "id"),
    ],
)
def test_system_language(monkeypatch, env, expected):
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert i18n.system_language() == expected


def test_settings_default_to_the_system_language(tmp_path, monkeypatch):
    monkeypatch.setenv("CLINICLENS_HOME", str(tmp_path))
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "id_ID.UTF-8")
    settings = load_settings()
    assert settings.language == ""  # "System default"
    assert settings.resolved_language == "id"
    assert settings.report_options().language == "id"
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert load_settings().report_options().language == "en"
    save_settings(ClinicSettings(language="id"))
    assert load_settings().report_options().language == "id"
    assert i18n.resolve_language("system") == "en"
    assert i18n.resolve_language("id-ID") == "id"
    assert i18n.resolve_language("xx") == "en"


def text_of(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


@pytest.fixture()
def env(tmp_path, monkeypatch):
    models = tmp_path / "models"
    make_pack(models, "tiny-pack")
    monkeypatch.setenv("CLINICLENS_MODELS", str(models))
    monkeypatch.setenv("CLINICLENS_HOME", str(tmp_path / "home"))
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    return tmp_path


def test_cli_and_reports_in_indonesian(env, capsys):
    for i in range(2):
        write_image(env / "in" / f"s{i}.png", seed=i)
    write_corrupt_jpeg(env / "in" / "broken.jpg")
    args = ["batch", str(env / "in"), "--model", "tiny-pack", "--out", str(env / "o")]
    assert cli.main([*args, "--report", "--patient", "P-7", "--lang", "id"]) in (0, 1)
    captured = capsys.readouterr()
    assert "Pekerjaan massal 1: Terjawab 2 · Ditolak 1 · Gagal 0" in captured.err
    assert "Hasil:" in captured.out and "Laporan:" in captured.out
    summary = text_of(env / "o" / "report.pdf")
    assert "Ringkasan skrining massal" in summary
    assert "Alat bantu skrining, bukan diagnosis" in summary
    assert "Halaman 1 dari 1" in summary
    assert "Batch screening summary" not in summary
    assert "Berkas tidak dapat dibaca sebagai gambar." in summary  # the reason, in Indonesian

    # the clinic settings choose the language when --lang is not given
    save_settings(ClinicSettings(language="id"))
    assert cli.main(["report", "--patient", "P-7", "--out", str(env / "p.pdf")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Laporan ") and "halaman" in out
    report = text_of(env / "p.pdf")
    for words in (
        "Laporan skrining",
        "ID pasien",
        "Ditinjau oleh",
        "Nama dan tanda tangan",
        "Paket uji tiny-pack",  # the manifest's Indonesian display name
    ):
        assert words in report, words
    assert "Screening report" not in report
    # --lang (before or after the command) wins over the settings
    assert cli.main(["--lang", "en", "report", "--patient", "P-404"]) == 2
    assert "no patient with ID 'P-404'" in capsys.readouterr().err
    assert cli.main(["report", "--patient", "P-404"]) == 2
    assert "tidak ada pasien dengan ID 'P-404'" in capsys.readouterr().err
    assert cli.main(["models", "list", "--lang", "id"]) == 0
    assert "kelas:" in capsys.readouterr().out


def test_cli_follows_the_system_locale(env, monkeypatch, capsys):
    monkeypatch.setenv("LANG", "id_ID.UTF-8")
    assert cli.main(["batch", "--model", "tiny-pack", "--out", str(env / "o")]) == 2
    assert "berikan berkas atau folder" in capsys.readouterr().err


def test_reports_take_class_names_from_the_manifest_in_the_report_language(monkeypatch):
    """Manifest LocalText: an Indonesian report names classes with the manifest's `id` text."""
    from screening import reports

    for name in ("CLINICLENS_MODELS", "CLINICLENS_HOME"):
        monkeypatch.delenv(name, raising=False)
    assert reports.pack_class_name("brain-mri-tumor", "notumor", "id") == "Tidak ada tumor"
    assert reports.pack_class_name("brain-mri-tumor", "notumor", "en") == "No tumour"
    assert reports.pack_class_name("palm-anemia", "anemic", "id") == "Anemia"
    assert reports.sex_label("F", "id") == "Perempuan" and reports.sex_label("M", "en") == "Male"
    assert reports.sex_label("perempuan", "id") == "perempuan"  # free text stays as typed


def test_status_reason():
    detail = "the image is damaged or incomplete"
    assert i18n.status_reason("unreadable", detail, "en") == detail
    assert i18n.status_reason("unreadable", detail, "id") == (
        f"Berkas tidak dapat dibaca sebagai gambar. ({detail})"
    )
    assert i18n.status_reason("not_modality", "", "id_ID").startswith("Gambar ini tampaknya")
    assert i18n.status_reason("something_new", "detail", "id") == "detail"


def test_the_unusual_reason_is_written_for_the_packs_modality():
    """Refused as unusual: a brain MRI pack says it may be a CT scan, in the reader's language."""
    detail = "This looks like a brain MRI, but unlike the images ... (a CT scan rather than an MRI, ...)"
    brain = i18n.status_reason("out_of_distribution", detail, "id", modality="brain-mri")
    assert brain.startswith(i18n.tr("reason.out_of_distribution.brain-mri", "id"))
    assert "CT scan" in brain.split(" (")[0] and brain.endswith(f"({detail})")
    chest = i18n.status_reason("out_of_distribution", "", "id", modality="chest-xray")
    assert "warna terbalik" in chest
    generic = i18n.tr("reason.out_of_distribution", "id")
    assert i18n.status_reason("out_of_distribution", "", "id", modality="face-photo") == generic
    assert i18n.status_reason("out_of_distribution", "", "id") == generic
    # English readers keep the screener's own message
    assert i18n.status_reason("out_of_distribution", detail, "en", modality="brain-mri") == detail


def test_every_modality_reason_exists_in_every_language():
    from inference.modality import CHECKED

    for lang in i18n.languages():
        keys = {k for k in i18n.catalogue(lang) if k.startswith("reason.out_of_distribution.")}
        assert keys == {"reason.out_of_distribution.brain-mri", "reason.out_of_distribution.chest-xray"}
        assert {k.rsplit(".", 1)[1] for k in keys} <= CHECKED
