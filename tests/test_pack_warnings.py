"""Weak packs warn wherever a result is read (issue 16), and a report of a screening made
with a site calibration prints the calibration's own measured accuracy (issue 18):
screening.pack_warnings and screening.site.figures, the CLI summary and the PDF."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from inference.packs import load_pack
from inference.resources import resource_path
from inference.site import OperatingPoint
from screening import cli
from screening.pack_warnings import ROUTINE_MIN, measured_accuracy, warning_text, weak_pack
from screening.queue import BatchQueue, QueueInput
from screening.reports import ReportOptions, patient_report
from screening.site import profile as profile_mod
from screening.site.active import screener_for
from screening.site.figures import accuracy_rows, profile_id_of
from screening.store import PatientInfo, Store
from tests.packgen import make_pack
from tests.screening_fixtures import pin_cli_environment, write_image


def evaluation(value: float, n: int = 64) -> dict:
    return {"splits": {"val": {"n": n, "accuracy": {"value": value, "n": n, "k": round(value * n)}}}}


def manifest_dict(accuracy: float, measured: float | None = None) -> dict:
    metrics = {"split": "val", "n": 64, "accuracy": accuracy, "macro_f1": accuracy}
    if measured is not None:
        metrics["evaluation"] = evaluation(measured)
    return {"id": "some-pack", "metrics": metrics}


def bundled(pack_id: str) -> dict:
    return json.loads(resource_path("models", pack_id, "manifest.json").read_text("utf-8"))


# -- the rule -------------------------------------------------------------------------------
def test_bundled_palm_pack_is_weak_and_says_so_and_brain_is_not():
    palm = bundled("palm-anemia")
    weak = weak_pack(palm)
    assert weak is not None and weak.pack_id == "palm-anemia"
    assert weak.accuracy.counts_refusals and weak.accuracy.value < ROUTINE_MIN
    text = warning_text(palm, "en")
    assert "right about 7 in 10 times on its own validation images" in text
    pct = f"{100 * weak.accuracy.value:.1f}"  # the pack's recorded figure, whatever it is
    assert f"{pct}\u00a0% of 64 images, refused images counted as misses" in text
    assert "below the 80\u00a0% ClinicLens requires for routine use" in text
    assert "Use it only alongside a haemoglobin test. Take the photo in daylight" in text
    assert text.endswith("warm (yellow) light makes a palm look less pale.")  # its capture advice
    indonesian = warning_text(palm, "id")
    assert "7 dari 10" in indonesian and pct.replace(".", ",") in indonesian and "tes hemoglobin" in indonesian
    assert indonesian.endswith("cahaya hangat (kekuningan) membuat telapak tangan tampak kurang pucat.")
    for pack_id in ("brain-mri-tumor", "brain-mri-glioma-meningioma"):
        assert weak_pack(bundled(pack_id)) is None and warning_text(bundled(pack_id)) == ""


def test_a_loaded_manifest_gives_the_same_figure_as_its_dict():
    pack = load_pack(resource_path("models", "palm-anemia"))
    assert measured_accuracy(pack.manifest) == measured_accuracy(bundled("palm-anemia"))
    assert warning_text(pack.manifest, "en") == warning_text(bundled("palm-anemia"), "en")


@pytest.mark.parametrize(
    ("accuracy", "measured", "weak"),
    [
        (0.79, None, True),  # no evaluation: the plain accuracy decides
        (0.80, None, False),  # the bar itself is fit for routine use
        (0.85, 0.75, True),  # refusals counted as misses decide when measured
        (0.72, 0.81, False),
    ],
)
def test_below_eighty_percent_warns_at_or_above_does_not(accuracy, measured, weak):
    assert (weak_pack(manifest_dict(accuracy, measured)) is not None) is weak
    assert bool(warning_text(manifest_dict(accuracy, measured))) is weak


def test_the_warning_says_on_what_the_figure_was_measured():
    plain = warning_text(manifest_dict(0.65), "en")
    assert "about 7 in 10" in plain and "65.0\u00a0% of 64 images)" in plain  # half rounds up
    assert "refused" not in plain  # answered images only: not claimed
    assert "a confirmatory test" in plain  # no pack-specific test known
    assert warning_text(None) == "" and weak_pack({"id": "x"}) is None


def test_a_weak_packs_capture_advice_follows_its_warning_in_each_language():
    """The manifest's ``capture_advice`` (how to take the image) ends the warning, in the
    reader's language; a pack without one warns as before; a routine pack says nothing."""
    advice = {"en": "Use daylight.", "id": "Gunakan cahaya siang."}
    weak, plain = {**manifest_dict(0.65), "capture_advice": advice}, manifest_dict(0.65)
    assert warning_text(weak, "en") == warning_text(plain, "en") + " Use daylight."
    assert warning_text(weak, "id") == warning_text(plain, "id") + " Gunakan cahaya siang."
    assert warning_text({**manifest_dict(0.9), "capture_advice": advice}, "en") == ""


# -- the command line -----------------------------------------------------------------------
@pytest.fixture()
def weak_env(tmp_path, monkeypatch):
    models = tmp_path / "models"
    make_pack(models, "weak-pack", classes=("normal", "abnormal"),
              metrics={"split": "val", "n": 64, "accuracy": 0.72, "macro_f1": 0.7,
                       "evaluation": evaluation(0.6875)})
    make_pack(models, "good-pack", classes=("normal", "abnormal"),
              metrics={"split": "val", "n": 500, "accuracy": 0.95, "macro_f1": 0.95,
                       "evaluation": evaluation(0.93, 500)})
    pin_cli_environment(tmp_path, monkeypatch, models)
    for i in range(2):
        write_image(tmp_path / "imgs" / f"a{i}.png", seed=i)
    return tmp_path


def test_cli_batch_summary_prints_the_weak_pack_warning(weak_env, capsys):
    args = ["batch", str(weak_env / "imgs"), "--db", str(weak_env / "c.db"), "--out"]
    cli.main([*args, str(weak_env / "out1"), "--model", "weak-pack"])
    err = capsys.readouterr().err
    assert err.count("weak-pack: This pack is right about 7 in 10 times") == 2  # start, summary
    assert "68.8\u00a0% of 64 images" in err
    cli.main([*args, str(weak_env / "out2"), "--model", "good-pack", "--quiet"])
    assert "right about" not in capsys.readouterr().err
    cli.main([*args, str(weak_env / "out3"), "--model", "weak-pack", "--quiet", "--new"])
    assert "right about 7 in 10" in capsys.readouterr().err  # even --quiet says it


# -- the PDF report -------------------------------------------------------------------------
def text_of(path: Path) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())


SITE_INFO = {
    "folds": 5,
    "before": {"accuracy": {"k": 40, "n": 80, "value": 0.5, "interval": [0.392, 0.608]}},
    "after": {"accuracy": {"k": 68, "n": 80, "value": 0.85, "interval": [0.755, 0.912]}},
}


def screened_record(root: Path, screener) -> tuple[Store, object]:
    store = Store(root / "c.db")
    store.add_patient(PatientInfo("P-1", "Ani"))
    queue = BatchQueue(store, screener, workers=1)
    job, _ = queue.submit([QueueInput(str(write_image(root / "s.png", seed=1, size=96)), "P-1")])
    queue.run(job.id)
    (rec,) = store.list_screenings(limit=-1)
    return store, rec


def test_report_of_a_weak_pack_carries_the_warning_and_a_good_one_not(weak_env):
    for pack_id, warned in (("weak-pack", True), ("good-pack", False)):
        pack = load_pack(weak_env / "models" / pack_id)
        root = weak_env / pack_id
        root.mkdir()
        store, rec = screened_record(root, screener_for(pack)[0])
        pdf = patient_report(store, rec.patient_id, root / "p.pdf", ReportOptions(),
                             manifests={pack.id: pack.manifest})
        text = text_of(pdf.path)
        assert ("Weak pack" in text and "right about 7 in 10 times" in text) is warned
        store.close()


def test_report_with_a_site_calibration_prints_its_measured_accuracy_and_the_shipped(weak_env):
    pack = load_pack(weak_env / "models" / "weak-pack")
    files = profile_mod.build_files(pack, OperatingPoint.shipped(pack.manifest),
                                    "2026-11-30T10:00:00+00:00", "dr. Sari", 80, SITE_INFO)
    profile_mod.write_active(pack.id, files)
    prof = profile_mod.active_profile(pack)
    store, rec = screened_record(weak_env, screener_for(pack)[0])
    assert profile_id_of(rec.pack_version) == prof.id
    manifests = {pack.id: pack.manifest}
    text = text_of(patient_report(store, rec.patient_id, weak_env / "p.pdf", ReportOptions(),
                                  manifests=manifests).path)
    assert "Measured accuracy, site calibration" in text
    assert (f"Site calibration {prof.id}: 85.0 % (95 % interval 75.5-91.2 %) on 80 of this "
            "clinic's labelled images, 5-fold cross-validated") in text
    assert "the shipped calibration on the same images: 50.0 %" in text
    assert "Shipped pack (for comparison) Own validation images: 68.8 % of 64 images" in text
    indonesian = text_of(patient_report(store, rec.patient_id, weak_env / "p-id.pdf",
                                        ReportOptions(language="id"), manifests=manifests).path)
    assert f"Kalibrasi situs {prof.id}: 85,0 %" in indonesian
    # replaced or reverted later: the report does not pass another calibration's figures off
    profile_mod.revert(pack.id)
    rows = accuracy_rows(rec.pack_id, rec.pack_version, rec.pack_accuracy, pack.manifest)
    assert "no longer on this computer" in rows[0][1] and "68.8" in rows[1][1]
    store.close()


def test_without_a_site_calibration_the_report_row_is_the_shipped_figure(weak_env):
    man = load_pack(weak_env / "models" / "weak-pack").manifest
    rows = accuracy_rows(man.id, "1.0.0", 0.72, man)
    assert rows == [("Measured accuracy",
                     "Own validation images: 68.8\u00a0% of 64 images, refused images counted "
                     "as misses")]
    # another version than the one installed: the figure stored with the screening
    older = accuracy_rows(man.id, "0.9.0", 0.7, replace(man))
    assert older == [("Measured accuracy", "70.0\u00a0% on held-out validation images")]


def test_batch_summary_pdf_warns_and_states_accuracy_as_the_patient_report_does(weak_env):
    args = ["batch", str(weak_env / "imgs"), "--db", str(weak_env / "c.db"), "--quiet", "--report"]
    for pack_id in ("weak-pack", "good-pack"):
        cli.main([*args, "--out", str(weak_env / pack_id), "--model", pack_id])
    weak = text_of(next((weak_env / "weak-pack").rglob("*.pdf")))
    assert "Weak pack: This pack is right about 7 in 10 times" in weak
    assert "Own validation images: 68.8 % of 64 images, refused images counted as misses" in weak
    good = text_of(next((weak_env / "good-pack").rglob("*.pdf")))
    assert "Weak pack" not in good and "Own validation images: 93.0 % of 500 images" in good
