"""A sensitivity the clinic chose is a choice, not a regression (screening.site.calibrate)."""

from __future__ import annotations

from types import SimpleNamespace

from inference.packs import load_pack
from inference.site import FitOptions, PairedDifference, Rate, default_targets
from screening.site.calibrate import _sensitivity_reasons
from tests.test_bundled_packs import MODELS

MAN = load_pack(MODELS / "chest-xray-pneumonia").manifest


def cv(after_k: int, better: int, worse: int) -> SimpleNamespace:
    """Calibrated sensitivity after_k/195; paired change on those 195 positives."""
    return SimpleNamespace(after=SimpleNamespace(sensitivity=(("pneumonia", Rate(after_k, 195)),)),
                           sensitivity_change=(("pneumonia", PairedDifference(better, worse, 195)),))


def test_a_drop_against_the_shipped_pack_refuses_with_the_default_target():
    reasons = _sensitivity_reasons(cv(184, 0, 9), MAN, FitOptions(targets=default_targets(MAN)))
    assert reasons and "would drop beyond noise" in reasons[0]


def test_a_target_the_clinic_chose_is_met_within_noise_and_not_refused():
    assert _sensitivity_reasons(cv(184, 0, 9), MAN, FitOptions(targets=(None, 0.95))) == []


def test_falling_short_of_the_chosen_target_beyond_noise_refuses():
    reasons = _sensitivity_reasons(cv(150, 0, 43), MAN, FitOptions(targets=(None, 0.95)))
    assert reasons and "fall short of the chosen 95%" in reasons[0]
