"""Issue 19 item 5, GUI side: a referral caused by a class that is not the most likely one
reads as one message (the referral is the headline) and its heatmap is shown first."""

from __future__ import annotations

from dataclasses import replace

from gui import presenter
from gui.result_panel import ResultPanel
from inference.packs import load_pack
from inference.results import Prediction, ScreenResult, Status


def palm_like(manifest) -> ScreenResult:
    """'Normal 66.1 %' on top, yet 'Abnormal' 30.0 % passed its referral threshold."""
    pred = Prediction(
        manifest.id, "1.0.0", "x", ("normal", "abnormal", "other"), (0.661, 0.300, 0.039),
        "normal", 0.661, True, ("abnormal",),
    )  # fmt: skip
    return ScreenResult("palm.png", Status.OK, prediction=pred)


def test_headline_is_the_referral_and_the_heatmap_its_class(qtbot, packs_root):
    manifest = load_pack(packs_root / "tiny-pack").manifest
    result = palm_like(manifest)
    summary = presenter.summarize(result, manifest, "en")
    assert summary.referral_first
    panel = ResultPanel()
    qtbot.addWidget(panel)
    panel.show_summary(summary)
    assert panel.headline.text() == "Refer: Abnormal"
    text = panel.probability.text()
    assert text.startswith("Abnormal 30.0") and "Most likely class: Normal 66.1" in text
    assert "because of" not in panel.refer_label.text()  # said once, in the headline
    assert presenter.heatmap_class(result.prediction) == "abnormal"
    assert presenter.finding_line(summary).startswith("Abnormal 30.0")
    # an ordinary referral (the top class refers) keeps the class as the headline
    top = replace(
        result.prediction, top_class="abnormal", top_probability=0.7,
        probabilities=(0.2, 0.7, 0.1),
    )  # fmt: skip
    plain = presenter.summarize(replace(result, prediction=top), manifest, "en")
    assert not plain.referral_first
    panel.show_summary(plain)
    assert panel.headline.text() == "Abnormal"
    assert presenter.heatmap_class(top) == "abnormal"
