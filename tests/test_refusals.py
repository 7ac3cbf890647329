"""Refused "not this kind of image" vs "the right kind, but unusual": counted apart, with the
action each needs, in the CLI summary and the CSV."""

from __future__ import annotations

import csv
import shutil

import pytest

from inference.resources import resource_path
from screening import cli
from screening.refusals import refusal_breakdown

DATASETS = resource_path().parent / "shared" / "datasets"


def test_breakdown_counts_each_kind_and_says_what_to_do():
    text = refusal_breakdown(["ok", "not_modality", "not_modality", "out_of_distribution"])
    assert "2 not this kind of image (choose the screening type that matches them)" in text
    assert "1 the right kind but unusual (screen the originals" in text
    assert refusal_breakdown([{"status": "ok"}, {"status": "poor_quality"}]) == ""
    assert refusal_breakdown(["not_modality"], "id").startswith("Dari yang ditolak: 1 bukan")


def test_batch_of_a_chest_xray_on_a_brain_pack_names_it(tmp_path, monkeypatch, capsys):
    xray = DATASETS / "chest_xray" / "val" / "normal" / "00012.jpg"
    mri = sorted((DATASETS / "brain_mri" / "val" / "glioma").glob("*.jpg"))[:1]
    if not xray.is_file() or not mri:
        pytest.skip("datasets not available")
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(xray, folder / "xray.jpg")
    shutil.copy(mri[0], folder / "mri.jpg")
    monkeypatch.setenv("CLINICLENS_MODELS", "")
    monkeypatch.setenv("CLINICLENS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    out = tmp_path / "out"
    cli.main(["batch", str(folder), "--model", "brain-mri-tumor", "--out", str(out)])
    with open(out / "results.csv", newline="", encoding="utf-8-sig") as fh:
        table = list(csv.DictReader(fh))
    rows = {r["file"].split("/")[-1]: r for r in table}
    assert rows["xray.jpg"]["status"] == "not_modality"
    assert "This looks like a chest X-ray, not a brain MRI" in rows["xray.jpg"]["error"]
    assert rows["mri.jpg"]["status"] != "not_modality"
    assert "1 not this kind of image" in capsys.readouterr().err
