"""Text fitted to a page (screening.report_text) and the one-message verdict."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from screening.report_text import (
    block,
    distinguishing_names,
    field,
    one_line,
    shorten,
    table_reason,
)
from screening.verdict import verdict_of


def test_shorten_cuts_at_a_word_and_says_so():
    text = "The image is unlike the images the model was trained on, so no answer is given."
    short = shorten(text, 40)
    assert len(short) <= 40 and short.endswith("…")
    assert text.startswith(short[:-1]) and short[-2] != " "
    assert shorten("short", 40) == "short"
    assert shorten("x" * 100, 10) == "x" * 9 + "…"  # one long word: cut where it must be


def test_fields_are_one_line_and_bounded():
    assert one_line("P\n" * 3 + "\t\x00end") == "P P P end"
    assert len(field("O" * 5000)) == 160
    assert block("a\n" * 100).count("\n") == 15  # 15 lines, then an ellipsis line
    assert block("a\n" * 100).endswith("…")


@pytest.mark.parametrize(
    ("paths", "shown"),
    [
        (["/x/a/scan.png", "/x/b/scan.png", "/x/c.png"], ["a/scan.png", "b/scan.png", "c.png"]),
        (["/d/1/a/s.png", "/d/2/a/s.png"], ["1/a/s.png", "2/a/s.png"]),
        (["/a/s.png", "/a/s.png"], ["s.png", "s.png"]),  # the same file twice
        (["/a/s.png", "/b/a/s.png"], ["/a/s.png", "b/a/s.png"]),
        (["C:\\scans\\a\\x.png", "C:\\scans\\b\\x.png"], ["a/x.png", "b/x.png"]),
        ([], []),
    ],
)
def test_distinguishing_names(paths, shown):
    assert distinguishing_names(paths) == shown


def test_table_reason_is_in_the_readers_language():
    english = table_reason("unreadable", "scan.txt: not an image file ClinicLens can read", "en")
    assert english == "scan.txt: not an image file ClinicLens can read"
    indonesian = table_reason("unreadable", "scan.txt: not an image file", "id")
    assert indonesian == "Berkas tidak dapat dibaca sebagai gambar."
    long = table_reason("error", "boom " * 100, "en")
    assert len(long) <= 150 and long.endswith("…")


def _manifest(thresholds: dict[str, float | None]) -> SimpleNamespace:
    classes = [
        SimpleNamespace(id=c, refer=t is not None, threshold=t) for c, t in thresholds.items()
    ]
    return SimpleNamespace(class_ids=tuple(thresholds), classes=classes)


def test_a_referral_from_a_lower_class_leads_the_message():
    man = _manifest({"non_anemic": None, "anemic": 0.32})
    v = verdict_of(man, ("non_anemic", "anemic"), (0.661, 0.339), "non_anemic", 0.661, True)
    assert v.referred_by_other_class
    assert (v.headline_class, v.headline_probability) == ("anemic", 0.339)
    plain = verdict_of(man, ("non_anemic", "anemic"), (0.2, 0.8), "anemic", 0.8, True)
    assert not plain.referred_by_other_class and plain.headline_class == "anemic"
    unknown = verdict_of(None, ("non_anemic", "anemic"), (0.661, 0.339), "non_anemic", 0.661, True)
    assert unknown.headline_class == "non_anemic"  # no manifest: nothing to explain with


def test_patient_report_reason_keeps_languages_apart():
    from screening.report_text import reason_parts

    assert reason_parts("poor_quality", "too dark", "en") == ("too dark", "")
    assert reason_parts("poor_quality", "", "en") == (
        "The image quality is too poor for a reliable answer.", ""
    )
    why, detail = reason_parts("poor_quality", "too dark", "id")
    assert why == "Kualitas gambar terlalu buruk untuk memberikan jawaban yang andal."
    assert detail == "too dark"
    assert reason_parts("brand_new_code", "explained", "id") == ("explained", "")


def test_report_reasons_use_the_modality_sentence():
    from screening.report_text import reason_parts

    why, detail = reason_parts("out_of_distribution", "English detail", "id", "brain-mri")
    assert "CT scan" in why and detail == "English detail"
    assert "CT scan" in table_reason("out_of_distribution", "English detail", "id", "brain-mri")
    assert "CT scan" not in table_reason("out_of_distribution", "English detail", "id", "")
