"""Pack information shows the answered share and the heatmap check next to accuracy."""

from __future__ import annotations

from gui.packs_panel import evaluation_lines, pack_html
from inference.packs import discover, load_pack
from inference.resources import resource_path
from screening.numbers import format_percent

EXTRA = {
    "evaluation": {
        "splits": {
            "val": {
                "n": 100,
                "answered": {"value": 0.97, "low": 0.915, "high": 0.99},
                "accuracy": {"value": 0.9, "low": 0.83, "high": 0.95},
            },
            "shift": {
                "n": 50,
                "answered": {"value": 0.9, "low": 0.79, "high": 0.96},
                "accuracy": {"value": 0.8, "low": 0.67, "high": 0.89},
                "per_class": {
                    "normal": {"referred": {"value": 0.188, "low": 0.128, "high": 0.268}},
                    "pneumonia": {"referred": {"value": 0.985, "low": 0.956, "high": 0.995}},
                },
                "localisation": {
                    "gradcam": {"all": {"pointing": {"value": 0.1, "low": 0.04, "high": 0.2}}},
                    "centre": {"all": {"pointing": {"value": 0.3, "low": 0.2, "high": 0.4}}},
                },
            },
        }
    }
}


def test_each_split_says_answered_and_accuracy_with_intervals(qapp):
    lines = evaluation_lines(EXTRA, "en")
    assert lines[0].startswith("Own validation images (100): answered 97.0")
    assert "(91.5-99.0" in lines[0] and "90.0" in lines[0]
    assert lines[1].startswith("Images from a second site (50): answered 90.0")
    assert lines[2] == (
        "Images from a second site: marked “refer for follow-up”, by true class: "
        "normal 18.8\u00a0% (12.8-26.8\u00a0%); pneumonia 98.5\u00a0% (95.6-99.5\u00a0%)."
    )
    assert "heatmap peak on the tumour 10.0" in lines[3] and "centre 30.0" in lines[3]
    assert "97,0" in evaluation_lines(EXTRA, "id")[0]  # the decimal comma in Bahasa
    assert evaluation_lines({}, "en") == []


def test_referrals_are_named_by_the_packs_class_names(qapp):
    lines = evaluation_lines(EXTRA, "en", {"normal": "Normal X-ray", "pneumonia": "Pneumonia"})
    assert "Normal X-ray 18.8\u00a0%" in lines[2] and "Pneumonia 98.5\u00a0%" in lines[2]


def test_bundled_chest_pack_shows_false_referrals_at_the_second_site(qapp):
    """What a clinic weighs before trusting the chest pack: how many normal X-rays from another
    hospital it marked refer (recorded in its manifest by tools/evaluate_packs.py)."""
    pack = load_pack(resource_path("models", "chest-xray-pneumonia"))
    html = pack_html(pack, discover([resource_path("models")]), "en")
    normal = next(c for c in pack.manifest.classes if c.id == "normal").name.get("en")
    shift = pack.manifest.metrics.extra["evaluation"]["splits"]["shift"]
    share = shift["per_class"]["normal"]["referred"]["value"]
    assert f"Images from a second site: marked “refer for follow-up”, by true class: {normal} " in html
    assert f"{normal} {format_percent(share, 'en')}" in html


def test_bundled_brain_pack_shows_its_measured_figures(qapp):
    pack = load_pack(resource_path("models", "brain-mri-tumor"))
    html = pack_html(pack, discover([resource_path("models")]), "en")
    assert "Images from a second site" in html and "heatmap peak on the tumour" in html
