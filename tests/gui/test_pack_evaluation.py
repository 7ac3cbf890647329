"""Pack information shows the answered share and the heatmap check next to accuracy."""

from __future__ import annotations

from gui.packs_panel import evaluation_lines, pack_html
from inference.packs import discover, load_pack
from inference.resources import resource_path

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
    assert "heatmap peak on the tumour 10.0" in lines[2] and "centre 30.0" in lines[2]
    assert "97,0" in evaluation_lines(EXTRA, "id")[0]  # the decimal comma in Bahasa
    assert evaluation_lines({}, "en") == []


def test_bundled_brain_pack_shows_its_measured_figures(qapp):
    pack = load_pack(resource_path("models", "brain-mri-tumor"))
    html = pack_html(pack, discover([resource_path("models")]), "en")
    assert "Images from a second site" in html and "heatmap peak on the tumour" in html
