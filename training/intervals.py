"""95 % intervals for the evaluation tables (numpy only).

Validation and second-site splits are small (a class can have 14 boxed images), so every
figure the cards and ``models/README.md`` show carries its interval: Wilson for shares,
a seeded percentile bootstrap for means of unbounded per-image figures (energy lift).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Estimate:
    """A figure with its 95 % interval and the counts behind it."""

    value: float
    low: float
    high: float
    n: int
    k: int | None = None  # successes, for shares

    def as_dict(self) -> dict:
        out = {"value": self.value, "low": self.low, "high": self.high, "n": self.n}
        if self.k is not None:
            out["k"] = self.k
        return out

    def pct(self) -> str:
        """'95.4 % (93.5-96.8)', or 'n/a' without data."""
        if self.n == 0:
            return "n/a"
        return f"{100 * self.value:.1f} % ({100 * self.low:.1f}-{100 * self.high:.1f})"

    def num(self, digits: int = 2) -> str:
        if self.n == 0:
            return "n/a"
        return f"{self.value:.{digits}f} ({self.low:.{digits}f}-{self.high:.{digits}f})"


def wilson(k: int, n: int, z: float = Z95) -> Estimate:
    """Wilson score interval of k successes in n trials (good at 0 %, 100 % and small n)."""
    if n <= 0:
        return Estimate(float("nan"), float("nan"), float("nan"), 0, 0)
    if not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low = 0.0 if k == 0 else max(0.0, centre - half)  # exact ends, not 0.9999999999999999
    high = 1.0 if k == n else min(1.0, centre + half)
    return Estimate(p, low, high, n, k)


def share(flags: np.ndarray) -> Estimate:
    flags = np.asarray(flags, dtype=bool)
    return wilson(int(flags.sum()), int(flags.size))


def bootstrap_mean(values: np.ndarray, *, rounds: int = 2000, seed: int = 0) -> Estimate:
    """Mean with a percentile-bootstrap 95 % interval (seeded, so tables are repeatable)."""
    values = np.asarray(values, dtype=np.float64)
    n = int(values.size)
    if n == 0:
        return Estimate(float("nan"), float("nan"), float("nan"), 0)
    mean = float(values.mean())
    if n == 1:
        return Estimate(mean, mean, mean, 1)
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, n, size=(rounds, n))].mean(axis=1)
    low, high = np.quantile(means, [0.025, 0.975])
    return Estimate(mean, float(low), float(high), n)
