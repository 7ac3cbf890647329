"""PDF reports: parse them back with pypdf and check text, images, fonts, privacy."""

from __future__ import annotations

import errno
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

import inference
from inference.results import Status
from screening import files as files_mod
from screening import i18n
from screening.errors import OutputError, ReportError
from screening.queue import BatchQueue, collect_inputs
from screening.reports import (
    ReportOptions,
    batch_summary,
    patient_report,
    report_filename,
)
from screening.store import PatientInfo, Store
from tests.report_fixtures import trusted_test_key
from tests.screening_fixtures import tiny_screener, write_image

NAME = "Siti Nurhaliza Ñúñez <b>x</b> & Co"


@pytest.fixture(scope="module")
def clinic(tmp_path_factory):
    """A store with one patient: two answered screenings from a batch and one flagged."""
    with trusted_test_key():
        root = tmp_path_factory.mktemp("clinic")
        screener = tiny_screener(root / "packs")
        store = Store(root / "clinic.db")
        patient = store.add_patient(
            PatientInfo(
                "P-0042",
                NAME,
                birth_date="1984-03-09",
                sex="F",
                contact="0812-555",
                notes="allergic to latex",
            )
        )
        files = [write_image(root / f"scan{i}.png", seed=i, size=200) for i in range(2)]
        (root / "bad.txt").write_text("not an image", "utf-8")
        queue = BatchQueue(store, screener, workers=1, operator="Nurse Ayu")
        job, _ = queue.submit(collect_inputs([*files, root / "bad.txt"], patient_code="P-0042"))
        queue.run(job.id)
        result = screener.screen_path(files[0])
        flagged = store.record_screening(
            replace(result, status=Status.OUT_OF_DISTRIBUTION, message="unlike the training images"),
            patient_id=patient.id,
            manifest=screener.manifest,
            thumbnail=files[0].read_bytes(),
        )
        yield store, patient, job, flagged, root
        store.close()


def text_of(path: Path) -> str:
    """All page text with line breaks and runs of spaces collapsed (wrapping varies)."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def image_count(path: Path) -> int:
    return sum(len(page.images) for page in PdfReader(path).pages)


def test_patient_report_text_images_and_fonts(clinic, tmp_path):
    store, patient, _, _, _ = clinic
    opts = ReportOptions(clinic_name="Puskesmas Sukamaju", operator="Dr. Ñúñez")
    info = patient_report(store, patient.id, tmp_path / "r.pdf", opts)
    text = text_of(info.path)
    assert NAME in text  # unicode intact and user markup printed literally, not applied
    assert "Puskesmas Sukamaju" in text and "Dr. Ñúñez" in text
    assert info.report_id in text and info.report_id.startswith("CL-")
    assert "Screening aid, not a diagnosis" in text
    assert f"ClinicLens {inference.__version__}" in text
    assert f"Page 1 of {info.pages}" in text and f"Page {info.pages} of {info.pages}" in text
    records = store.list_screenings(patient_id=patient.id)
    assert len(info.image_sha256) == len(records) == 3
    for rec in records:
        assert rec.image_sha256 in text
    assert "Test pack tiny-pack" in text and "50.0 % on held-out" in text
    assert "REFER for follow-up" in text or "No referral indicated" in text
    assert "Outside the model's training data" in text  # the flagged one
    assert "Heatmap:" in text and "Result:" in text and "Probability" in text
    assert "0812-555" not in text  # contact details: not chosen
    assert "Notes: allergic to latex" in text  # the notes typed for the patient are printed
    # 2 answered screenings x (image + heatmap) + the flagged one's image only
    assert image_count(info.path) == 5
    fonts = {
        str(f.get_object()["/BaseFont"])
        for page in PdfReader(info.path).pages
        for f in page["/Resources"]["/Font"].values()
    }
    assert fonts and all("DejaVuSans" in f for f in fonts)


def test_flagged_screening_shows_warning_not_answer(clinic, tmp_path):
    store, patient, _, flagged, _ = clinic
    info = patient_report(store, patient.id, tmp_path / "f.pdf", ReportOptions(), [flagged.id])
    text = text_of(info.path)
    assert "Refused: Outside the model's training data" in text
    assert "unlike the training images" in text
    for answer_text in ("Probability", "REFER for follow-up", "No referral", "Heatmap:", "Result:"):
        assert answer_text not in text
    assert image_count(info.path) == 1


def test_privacy_options_leave_out_what_was_not_chosen(clinic, tmp_path):
    store, patient, _, _, _ = clinic
    opts = ReportOptions(include_patient_name=False, include_birth_date=False, include_contact=True)
    text = text_of(patient_report(store, patient.id, tmp_path / "p.pdf", opts).path)
    assert "Siti" not in text and "1984-03-09" not in text
    assert "P-0042" in text and "0812-555" in text
    assert "Siti" not in report_filename(patient)
    assert report_filename(patient).startswith("report-P-0042-")
    named = report_filename(patient, ReportOptions(names_in_filenames=True))
    assert "Siti_Nurhaliza_Ñúñez" in named and "<" not in named and "/" not in named


def test_paper_sizes(clinic, tmp_path):
    store, patient, _, _, _ = clinic
    for paper, size in (("a4", (595, 842)), ("letter", (612, 792))):
        pdf = patient_report(
            store, patient.id, tmp_path / f"{paper}.pdf", ReportOptions(paper=paper)
        )
        box = PdfReader(pdf.path).pages[0].mediabox
        assert (round(box.width), round(box.height)) == size


def test_batch_summary_lists_every_file_and_highlights(clinic, tmp_path):
    store, _, job, _, _ = clinic
    info = batch_summary(
        store, job.id, tmp_path / "b.pdf", ReportOptions(include_patient_name=False)
    )
    text = text_of(info.path)
    assert "Batch screening summary" in text and info.report_id in text
    for name in ("scan0.png", "scan1.png", "bad.txt"):
        assert name in text
    assert "File not readable" in text and "not an image file" in text
    refer = sum(1 for _, r in store.job_results(job.id) if r is not None and r.refer)
    assert refer >= 1
    assert text.count("REFER") == refer + 1  # one per referral row + the disclaimer
    assert "Siti" not in text and "P-0042" in text
    assert "Page 1 of 1" in text


def test_logo_is_embedded(clinic, tmp_path):
    store, patient, _, _, _ = clinic
    logo = tmp_path / "logo.png"
    Image.new("RGB", (120, 40), (29, 95, 138)).save(logo)
    with_logo = patient_report(
        store, patient.id, tmp_path / "l.pdf", ReportOptions(clinic_logo=logo)
    )
    without = patient_report(store, patient.id, tmp_path / "n.pdf", ReportOptions())
    assert image_count(with_logo.path) == image_count(without.path) + with_logo.pages
    bad = tmp_path / "logo.txt"
    bad.write_text("nope")
    info = patient_report(store, patient.id, tmp_path / "x.pdf", ReportOptions(clinic_logo=bad))
    assert image_count(info.path) == image_count(without.path)  # made, without the logo
    assert len(info.warnings) == 1 and "logo" in info.warnings[0] and "without it" in info.warnings[0]


def test_a_new_language_needs_only_a_catalogue(clinic, tmp_path, monkeypatch):
    store, patient, _, _, _ = clinic
    english = i18n.catalogue("en")
    fake = {
        "report.patient_title": "Laporan skrining",
        "report.page": "Halaman {page} dari {pages}",
    }
    monkeypatch.setattr(i18n, "catalogue", lambda lang: fake if lang == "id" else english)
    text = text_of(
        patient_report(store, patient.id, tmp_path / "id.pdf", ReportOptions(language="id")).path
    )
    assert "Laporan skrining" in text and "Halaman 1 dari" in text
    assert "Screening aid, not a diagnosis" in text  # missing keys fall back to English


def test_write_failure_leaves_no_partial_pdf(clinic, tmp_path, monkeypatch):
    store, patient, _, _, _ = clinic
    target = tmp_path / "out" / "r.pdf"

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files_mod.os, "fsync", no_space)
    with pytest.raises(OutputError, match="disk is full"):
        patient_report(store, patient.id, target, ReportOptions())
    assert list(target.parent.iterdir()) == []


def test_unknown_screening_ids_are_refused(clinic, tmp_path):
    store, patient, _, _, _ = clinic
    with pytest.raises(ReportError, match="do not belong"):
        patient_report(store, patient.id, tmp_path / "x.pdf", ReportOptions(), [999999])


def test_every_string_the_code_asks_for_is_in_the_english_catalogue():
    import re

    import screening

    source = "".join(p.read_text("utf-8") for p in Path(screening.__path__[0]).glob("*.py"))
    keys = set(re.findall(r"""tr\(\s*(?:f?["'])([a-z_]+\.[a-z_.]+)["']""", source))
    keys |= {f"status.{s.value}" for s in Status}
    assert len(keys) > 40
    missing = sorted(k for k in keys if k not in i18n.catalogue("en"))
    assert missing == []


def test_patient_report_says_why_a_non_refer_top_class_is_referred(tmp_path):
    """The bundled palm sample non_anemic.jpg: top class "Not anaemic", referred because the
    anaemic probability is above its threshold. The report must say so."""
    from inference.packs import load_pack
    from inference.resources import resource_path
    from inference.screener import Screener

    pack = load_pack(resource_path("models", "palm-anemia"))
    result = Screener(pack).screen_path(resource_path("assets", "samples", "palm-anemia", "non_anemic.jpg"))
    pred = result.prediction
    assert result.answered and pred.refer and pred.top_class == "non_anemic", "pick another sample"
    with Store(tmp_path / "c.db") as store:
        patient = store.add_patient(PatientInfo(patient_id="P-9"))
        store.record_screening(result, patient_id=patient.id, manifest=pack.manifest)
        text = " ".join(text_of(patient_report(store, patient.id, tmp_path / "r.pdf").path).split())
    anaemic = 100 * pred.probabilities[pack.manifest.class_index("anemic")]
    top = 100 * pred.top_probability
    # one message: the referral leads, the top class comes second
    headline = f"REFER for follow-up: Anaemic {anaemic:.1f} % is above its referral threshold"
    assert f"{headline} Most likely finding: Not anaemic ({top:.1f} %)" in text
    assert "Result: Not anaemic" not in text
