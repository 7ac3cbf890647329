"""The pack evaluation: intervals, localisation metrics on hand-made maps, and the screening
path on a tiny generated pack (figures must equal what the app's Screener answers)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from inference import cam as cam_mod
from inference.packs import load_pack
from inference.screener import Screener
from tests.packgen import make_pack
from training.eval_tables import (
    render_answers,
    render_classes,
    render_localisation,
    render_methods,
    render_section,
)
from training.intervals import bootstrap_mean, wilson
from training.localise import (
    Box,
    centre_heatmap,
    energy_lift,
    peak,
    pointing_hit,
    read_boxes,
    score_maps,
)
from training.pack_eval import CENTRE, Outcome, answer_metrics, evaluate_pack, main

# -- intervals -----------------------------------------------------------------------------


def test_wilson_matches_published_values():
    # Newcombe (1998), table I: 81/263 -> 0.2553-0.3662; 0/10 -> 0-0.2775.
    e = wilson(81, 263)
    assert (round(e.low, 4), round(e.high, 4)) == (0.2553, 0.3662)
    e = wilson(0, 10)
    assert e.low == 0.0 and round(e.high, 4) == 0.2775
    assert wilson(10, 10).high == 1.0 and round(wilson(10, 10).low, 4) == 0.7225


def test_wilson_rejects_impossible_counts_and_marks_empty():
    with pytest.raises(ValueError):
        wilson(3, 2)
    assert wilson(0, 0).n == 0 and wilson(0, 0).pct() == "n/a"


def test_bootstrap_is_repeatable_and_brackets_the_mean():
    values = np.random.default_rng(1).normal(2.0, 1.0, 200)
    a, b = bootstrap_mean(values), bootstrap_mean(values)
    assert a == b
    assert a.low < values.mean() < a.high
    # Standard error 1/sqrt(200) = 0.071: the 95 % interval is about +-0.14 wide.
    assert 0.2 < a.high - a.low < 0.36
    c = bootstrap_mean(np.full(30, 1.5))
    assert c.low == c.high == c.value == 1.5


# -- localisation on hand-made heatmaps ----------------------------------------------------


def blob(h: int, w: int, y: int, x: int) -> np.ndarray:
    m = np.zeros((h, w), np.float32)
    m[y, x] = 1.0
    return m


def test_box_pixels_are_the_pixels_whose_centres_lie_inside():
    # 100 px wide, box from 0.2 to 0.4: pixel centres 20.5 .. 39.5 -> columns 20..39.
    assert Box(0.3, 0.5, 0.2, 1.0).pixels(10, 100) == (20, 0, 40, 10)
    # Clipped at the image border.
    assert Box(0.05, 0.05, 0.2, 0.2).pixels(100, 100) == (0, 0, 15, 15)


def test_pointing_game_hit_inside_within_tolerance_and_miss_beyond():
    box = Box(0.5, 0.5, 0.2, 0.2)  # pixels 40..59 of a 100 x 100 image
    assert pointing_hit(blob(100, 100, 50, 50), box)
    assert pointing_hit(blob(100, 100, 50, 62), box)  # 3 px right of the box: within 3 %
    assert not pointing_hit(blob(100, 100, 50, 63), box)  # 4 px right: outside
    assert not pointing_hit(blob(100, 100, 36, 50), box)  # 4 px above
    assert not pointing_hit(np.zeros((100, 100), np.float32), box)  # no evidence = miss
    # Tolerance is per side: 3 % of 200 px wide = 6 px.
    assert pointing_hit(blob(100, 200, 50, 125), Box(0.5, 0.5, 0.2, 0.2))


def test_a_plateau_points_at_its_middle_not_its_first_pixel():
    m = np.zeros((100, 100), np.float32)
    m[:, :] = 1.0  # everything tied: the peak is the centre
    assert peak(m) == (50, 50)
    assert not pointing_hit(m, Box(0.1, 0.1, 0.1, 0.1))


def test_energy_lift_uniform_is_one_and_all_inside_is_inverse_box_share():
    box = Box(0.5, 0.5, 0.2, 0.2)  # 400 of 10,000 pixels
    assert energy_lift(np.ones((100, 100)), box) == pytest.approx(1.0)
    inside = np.zeros((100, 100))
    inside[40:60, 40:60] = 1
    assert energy_lift(inside, box) == pytest.approx(25.0)
    half = inside.copy()
    half[0:20, 0:20] = 1  # as much mass outside as inside
    assert energy_lift(half, box) == pytest.approx(12.5)
    assert energy_lift(np.zeros((100, 100)), box) == 0.0


def test_centre_baseline_peaks_at_the_centre_and_is_isotropic():
    m = centre_heatmap(100, 160)
    assert peak(m) == (50, 80)
    assert m[50, 80 + 20] == pytest.approx(m[50 + 20, 80])
    assert pointing_hit(m, Box(0.5, 0.5, 0.1, 0.1))
    assert not pointing_hit(m, Box(0.15, 0.15, 0.1, 0.1))
    # Centred box: the baseline's mass is concentrated there, so its lift is above 1.
    assert energy_lift(m, Box(0.5, 0.5, 0.3, 0.3)) > 2.0


def test_score_maps_summarises_per_class():
    box = Box(0.5, 0.5, 0.2, 0.2)
    rows = [
        ("a", blob(100, 100, 50, 50), box),
        ("a", blob(100, 100, 5, 5), box),
        ("b", blob(100, 100, 45, 45), box),
    ]
    s = score_maps(rows).summary(["a", "b"])
    assert (s["all"]["pointing"].k, s["all"]["pointing"].n) == (2, 3)
    assert s["a"]["pointing"].value == 0.5 and s["b"]["pointing"].value == 1.0
    assert s["a"]["lift"].value == pytest.approx(12.5)  # one map inside (25), one outside (0)


def test_read_boxes_keeps_one_split_and_resolves_paths(tmp_path):
    csv = tmp_path / "boxes.csv"
    csv.write_text("split,file,label,xc,yc,w,h\nval,val/a/1.png,a,0.5,0.5,0.2,0.1\n"
                   "shift,shift/a/2.png,a,0.1,0.1,0.1,0.1\n")
    rows = read_boxes(csv, "val")
    assert len(rows) == 1 and rows[0].path == tmp_path / "val/a/1.png"
    assert rows[0].box == Box(0.5, 0.5, 0.2, 0.1)


# -- CAM methods ------------------------------------------------------------------------------


def test_hirescam_equals_gradcam_behind_a_pooled_head():
    rng = np.random.default_rng(0)
    feats = np.maximum(rng.normal(size=(16, 5, 5)), 0).astype(np.float32)
    grad = rng.normal(size=(3, 16)).astype(np.float32)
    a = cam_mod.compute(feats, grad, 1, "x", "gradcam")
    b = cam_mod.compute(feats, grad, 1, "x", "hirescam")
    np.testing.assert_allclose(a.values, b.values, atol=1e-6)
    assert "hirescam" not in cam_mod.METHODS  # not offered twice in the viewer
    # LayerCAM differs: it drops channels with negative gradient instead of subtracting them.
    c = cam_mod.compute(feats, grad, 1, "x", "layercam")
    assert np.abs(c.values - a.values).max() > 1e-3


# -- answers through the real screening path --------------------------------------------------


def test_answer_metrics_count_refusals_as_misses():
    o = [
        Outcome(None, "a", "ok", "a", refer=True),
        Outcome(None, "a", "ok", "b"),
        Outcome(None, "a", "out_of_distribution", "a", refer=True),  # refused: a miss even if right
        Outcome(None, "b", "ok", "b"),
    ]
    m = answer_metrics(o, ["a", "b"])
    assert (m["accuracy"].k, m["accuracy"].n) == (2, 4)
    assert (m["answered"].k, m["answered"].n) == (3, 4)
    assert (m["accuracy_of_answers"].k, m["accuracy_of_answers"].n) == (2, 3)
    assert m["per_class"]["a"]["recall"].value == pytest.approx(1 / 3)
    assert m["per_class"]["a"]["refused"].value == pytest.approx(1 / 3)
    assert m["per_class"]["a"]["recall_of_answers"].value == pytest.approx(1 / 2)
    assert m["refusals"] == {"out_of_distribution": 1}
    # referred: answered and marked REFER; a refused image is not sent on whatever it says
    assert (m["per_class"]["a"]["referred"].k, m["per_class"]["a"]["referred"].n) == (1, 3)
    assert m["per_class"]["b"]["referred"].k == 0


@pytest.fixture()
def tiny(tmp_path):
    """A tiny pack and a val split of random images, one unreadable, with boxes."""
    classes = ("normal", "abnormal", "other")
    pack = make_pack(tmp_path / "packs", classes=classes)
    rng = np.random.default_rng(3)
    rows = ["split,file,label,xc,yc,w,h"]
    for cls in classes:
        folder = tmp_path / "data" / "val" / cls
        folder.mkdir(parents=True)
        for i in range(4):
            Image.fromarray(rng.integers(0, 255, (40, 48, 3), np.uint8)).save(folder / f"{i}.png")
            if cls != "normal":
                rows.append(f"val,val/{cls}/{i}.png,{cls},0.5,0.5,0.3,0.3")
    (tmp_path / "data" / "val" / "other" / "broken.png").write_bytes(b"not an image")
    (tmp_path / "data" / "boxes.csv").write_text("\n".join(rows) + "\n")
    return pack, tmp_path / "data"


def test_pack_figures_are_what_the_screener_answers(tiny):
    pack_dir, data = tiny
    report = evaluate_pack(pack_dir, data, ["val"], boxes=data / "boxes.csv",
                           methods=["gradcam", "layercam"])
    val = report["splits"]["val"]
    screener = Screener(load_pack(pack_dir))
    correct = answered = 0
    referred = {}
    for cls in ("normal", "abnormal", "other"):
        for path in sorted((data / "val" / cls).iterdir()):
            res = screener.screen_path(path)
            answered += res.status.value == "ok"
            correct += res.status.value == "ok" and res.prediction.top_class == cls
            referred[cls] = referred.get(cls, 0) + int(res.status.value == "ok" and res.prediction.refer)
    assert report["variant"] == "fp32" and len(report["model_sha256"]) == 64
    assert val["n"] == 13
    assert val["accuracy"]["k"] == correct and val["answered"]["k"] == answered
    assert val["refusals"].get("unreadable") == 1
    assert val["per_class"]["other"]["refused"]["k"] >= 1
    assert {c: pc["referred"]["k"] for c, pc in val["per_class"].items()} == referred
    loc = val["localisation"]
    assert set(loc) == {"gradcam", "layercam", CENTRE}
    assert loc[CENTRE]["all"]["pointing"]["n"] == 8
    # Every box is centred on the image: the centre baseline always points inside it.
    assert loc[CENTRE]["all"]["pointing"]["value"] == 1.0
    assert loc[CENTRE]["abnormal"]["lift"]["value"] > 1.0


def test_cli_writes_json_and_tables(tiny, tmp_path, capsys):
    pack_dir, data = tiny
    out = tmp_path / "eval.json"
    assert main([str(pack_dir), "--data", str(data), "--splits", "val", "--boxes",
                 str(data / "boxes.csv"), "--json", str(out)]) == 0
    reports = json.loads(out.read_text())
    text = capsys.readouterr().out
    assert "`tiny-pack`" in text and "centre (baseline)" in text
    assert render_answers(reports, ["val", "shift"]).endswith("| - | - | - | - |")  # no shift split
    assert render_classes(reports, ["val"]).count("`tiny-pack`") == 3
    assert "gradcam" in render_localisation(reports, ["val"])


def test_readme_section_shows_val_and_shift_side_by_side(tiny, tmp_path):
    pack_dir, data = tiny
    report = evaluate_pack(pack_dir, data, ["val"], boxes=data / "boxes.csv",
                           methods=["gradcam", "eigencam"])
    text = render_section([report])
    assert "| val: accuracy (refusal = miss) |" in text and "| shift: answered |" in text
    # The viewer's method and the baseline per class; every method only in the compact table.
    per_class = text.split("### Do the heatmaps")[1].split("Every CAM method")[0]
    assert "eigencam" not in per_class and "centre (baseline)" in per_class
    assert "eigencam" in render_methods([report], ["val"])
    assert max(len(line) for line in text.splitlines() if not line.startswith("|")) <= 95


def test_record_puts_figures_in_manifest_and_card_and_reseals(tiny):
    from inference.errors import PackError
    from inference.signing import sign_pack
    from tests.packgen import TEST_KEY
    from training.eval_record import END, START, record

    pack_dir, data = tiny
    (pack_dir / "MODEL_CARD.md").write_text("# Tiny\n\nSome text.\n")
    from inference.seal import write_seal

    write_seal(pack_dir)
    sign_pack(pack_dir, TEST_KEY)
    report = evaluate_pack(pack_dir, data, ["val"], boxes=data / "boxes.csv")
    record(pack_dir, report)
    record(pack_dir, report)  # idempotent: one section, not two
    # The old signature covered the old seal: the pack must be signed again before use.
    with pytest.raises(PackError):
        load_pack(pack_dir)
    sign_pack(pack_dir, TEST_KEY)
    pack = load_pack(pack_dir)
    entry = pack.manifest.metrics.extra["evaluation"]
    assert entry["splits"]["val"]["accuracy"] == report["splits"]["val"]["accuracy"]
    assert set(entry["splits"]["val"]["localisation"]) == {"gradcam", CENTRE}
    card = (pack_dir / "MODEL_CARD.md").read_text()
    assert card.startswith("# Tiny\n\nSome text.\n") and card.count(START) == card.count(END) == 1
    assert "accuracy (refusal = miss)" in card and "centre (baseline)" in card
    with pytest.raises(ValueError):
        record(pack_dir, {**report, "pack": "another-pack"})
