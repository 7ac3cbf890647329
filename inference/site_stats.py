"""Statistics for site calibration: stratified folds, Wilson intervals, paired differences.

Pure numpy and ``math``; ``inference.site`` builds the calibration on them (and re-exports
them, so callers keep importing from there).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

Z95 = 1.959963984540054
MIN_PER_CLASS = 30  # fewer labelled images of a class than this cannot show a change


def kfold(labels: np.ndarray, k: int, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified folds: (fit indices, held-out indices) for each fold."""
    rng = np.random.default_rng(seed)
    fold_of = np.empty(len(labels), int)
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        rng.shuffle(idx)
        fold_of[idx] = np.arange(idx.size) % k
    return [(np.flatnonzero(fold_of != f), np.flatnonzero(fold_of == f)) for f in range(k)]


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """95 % Wilson score interval for a proportion (sensible at 0 or n, unlike Wald)."""
    if n <= 0:
        return (0.0, 1.0)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class Rate:
    """k of n, with its 95 % Wilson interval."""

    k: int
    n: int

    @property
    def value(self) -> float:
        return self.k / self.n if self.n else float("nan")

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.k, self.n)


@dataclass(frozen=True)
class PairedDifference:
    """Calibrated minus shipped accuracy on the same images: ``better`` images only the
    calibrated one got right, ``worse`` the reverse. The interval comes from the Wilson
    interval of better/(better+worse) (a McNemar-type comparison), scaled by the share of
    discordant images."""

    better: int
    worse: int
    n: int

    @property
    def difference(self) -> float:
        return (self.better - self.worse) / self.n if self.n else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        m = self.better + self.worse
        if m == 0 or self.n == 0:
            return (0.0, 0.0)
        lo, hi = wilson(self.better, m)
        return ((2 * lo - 1) * m / self.n, (2 * hi - 1) * m / self.n)

    @property
    def beats_noise(self) -> bool:
        return self.interval[0] > 0


def paired(correct_after: np.ndarray, correct_before: np.ndarray) -> PairedDifference:
    return PairedDifference(
        int((correct_after & ~correct_before).sum()),
        int((~correct_after & correct_before).sum()),
        int(correct_after.size),
    )


class Cancelled(Exception):
    """The user cancelled a calibration in progress."""


def missing_per_class(labels: np.ndarray, class_ids: Sequence[str], minimum: int = MIN_PER_CLASS) -> dict[str, int]:
    """How many more labelled images each class needs before a change can be shown."""
    counts = np.bincount(labels, minlength=len(class_ids))
    return {cid: int(minimum - counts[j]) for j, cid in enumerate(class_ids) if counts[j] < minimum}
