"""Which packs are too weak for routine use, and the words and numbers that say so (issue 16).

One place for the app, the command line and the PDF report, so "about 7 in 10" and
"68.8 %" mean the same wherever a clinic reads them. The figure is the pack's measured
accuracy on its own validation images counting refused images as misses
(``metrics.evaluation``, written by tools/evaluate_packs.py via training/eval_record.py);
a pack measured before that evaluation existed falls back to ``metrics.accuracy``
(answered images only, so never lower than the evaluation's figure would be). Below
:data:`ROUTINE_MIN` a pack may still be used, but only alongside a confirmatory test,
and every screening with it says so.

    weak = weak_pack(manifest)          # None for a pack fit for routine use
    weak.accuracy.in_ten                # 7
    warning_text(manifest, "id")        # the sentence, decimal comma in Bahasa Indonesia
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from inference.manifest import LocalText

from .i18n import tr
from .numbers import format_percent

if TYPE_CHECKING:
    from inference.manifest import Manifest

ROUTINE_MIN = 0.80  # ClinicLens's bar for routine use: below it, a pack only aids a test
SPLIT = "val"  # the pack's own held-out validation images

# The test that confirms a weak pack's result, by pack id (catalogue key ``pack.test.<id>``
# with "-" as "_"); packs not named here get the generic "a confirmatory test".
_CONFIRMING_TEST = frozenset({"palm-anemia"})


@dataclass(frozen=True)
class MeasuredAccuracy:
    """A pack's accuracy as measured on ``n`` of its own validation images."""

    value: float  # 0..1
    n: int | None  # images measured on (None: not recorded)
    counts_refusals: bool  # True: refused images counted as misses (metrics.evaluation)

    @property
    def in_ten(self) -> int:
        """"right about 7 in 10 times": the value rounded half up to tenths (0.6875 -> 7)."""
        return int(math.floor(self.value * 10 + 0.5))


@dataclass(frozen=True)
class WeakPack:
    """A pack measured below :data:`ROUTINE_MIN`."""

    pack_id: str
    accuracy: MeasuredAccuracy


def _parts(manifest: Manifest | Mapping[str, Any]) -> tuple[str, Mapping[str, Any]]:
    """(pack id, metrics as a dict) of a loaded Manifest or a raw manifest dict."""
    if isinstance(manifest, Mapping):
        metrics = manifest.get("metrics")
        return str(manifest.get("id", "")), metrics if isinstance(metrics, Mapping) else {}
    m = manifest.metrics
    return manifest.id, {**(m.extra or {}), "split": m.split, "n": m.n, "accuracy": m.accuracy}


def measured_accuracy(manifest: Manifest | Mapping[str, Any]) -> MeasuredAccuracy | None:
    """The pack's validation accuracy counting refusals as misses, else its plain
    ``metrics.accuracy``; None when the manifest records neither."""
    _, metrics = _parts(manifest)
    evaluation = metrics.get("evaluation")
    splits = evaluation.get("splits") if isinstance(evaluation, Mapping) else None
    figures = splits.get(SPLIT) if isinstance(splits, Mapping) else None
    entry = figures.get("accuracy") if isinstance(figures, Mapping) else None
    if isinstance(entry, Mapping) and isinstance(entry.get("value"), int | float):
        n = entry.get("n", figures.get("n"))
        return MeasuredAccuracy(float(entry["value"]), int(n) if n else None, True)
    value = metrics.get("accuracy")
    if isinstance(value, int | float) and not isinstance(value, bool):
        n = metrics.get("n")
        return MeasuredAccuracy(float(value), int(n) if n else None, False)
    return None


def weak_pack(manifest: Manifest | Mapping[str, Any] | None) -> WeakPack | None:
    """The pack as a :class:`WeakPack` when its measured accuracy is below 80 %, else None
    (also None without a manifest or any recorded accuracy: nothing to say)."""
    if manifest is None:
        return None
    accuracy = measured_accuracy(manifest)
    if accuracy is None or accuracy.value >= ROUTINE_MIN:
        return None
    return WeakPack(_parts(manifest)[0], accuracy)


def accuracy_text(accuracy: MeasuredAccuracy, language: str = "en") -> str:
    """'68.8 % of 64 images, refused images counted as misses' (what the figure is)."""
    value = format_percent(accuracy.value, language)
    if not accuracy.n:
        return tr("pack.basis_value", language, accuracy=value)
    key = "pack.basis_evaluation" if accuracy.counts_refusals else "pack.basis_answers"
    return tr(key, language, accuracy=value, n=accuracy.n)


def confirming_test(pack_id: str, language: str = "en") -> str:
    """The test a weak pack's result must be confirmed with ("a haemoglobin test")."""
    if pack_id in _CONFIRMING_TEST:
        return tr(f"pack.test.{pack_id.replace('-', '_')}", language)
    return tr("pack.test.default", language)


def capture_advice(manifest: Manifest | Mapping[str, Any] | None, language: str = "en") -> str:
    """How to take the image (manifest ``capture_advice``), "" where the pack gives none."""
    if manifest is None:
        return ""
    if isinstance(manifest, Mapping):
        raw = manifest.get("capture_advice")
        return LocalText.parse(raw).get(language) if raw else ""
    return manifest.capture_advice.get(language) if manifest.capture_advice else ""


def warning_text(manifest: Manifest | Mapping[str, Any] | None, language: str = "en") -> str:
    """The warning every screening with a weak pack carries; "" for a pack fit for routine
    use. Says how often it is right, on what, the bar it misses and what to do, then how to
    take the image where the pack says (palm-anemia: the light)."""
    weak = weak_pack(manifest)
    if weak is None:
        return ""
    text = tr(
        "pack.weak_warning",
        language,
        in_ten=weak.accuracy.in_ten,
        basis=accuracy_text(weak.accuracy, language),
        required=format_percent(ROUTINE_MIN, language, digits=0),
        test=confirming_test(weak.pack_id, language),
    )
    advice = capture_advice(manifest, language)
    return f"{text} {advice}" if advice else text


__all__ = [
    "ROUTINE_MIN",
    "MeasuredAccuracy",
    "WeakPack",
    "accuracy_text",
    "capture_advice",
    "confirming_test",
    "measured_accuracy",
    "warning_text",
    "weak_pack",
]
