"""Out-of-distribution scoring on the pooled features the model already computes.

A pack ships ``ood.npz`` fitted by ``training/`` on its training images:
``center`` [K], ``projection`` [K,D] (PCA basis), ``class_means`` [C,D] and a shared
``precision`` [D,D] in the projected space. The score is the smallest Mahalanobis
distance to a class mean (Lee et al. 2018); above the pack's threshold the image is
flagged as outside what the model was trained on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import PackError

REQUIRED = ("center", "projection", "class_means", "precision")


@dataclass(frozen=True, eq=False)
class MahalanobisScorer:
    center: np.ndarray
    projection: np.ndarray
    class_means: np.ndarray
    precision: np.ndarray
    threshold: float

    @classmethod
    def load(cls, path: Path, threshold: float) -> MahalanobisScorer:
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {k: np.asarray(data[k], dtype=np.float64) for k in REQUIRED}
        except (OSError, KeyError, ValueError) as exc:
            raise PackError(f"{path}: out-of-distribution statistics unreadable ({exc})") from exc
        return cls(threshold=float(threshold), **arrays)

    def score(self, pooled: np.ndarray) -> np.ndarray:
        """Distances for pooled features [N,K] -> [N]."""
        z = (np.asarray(pooled, np.float64) - self.center) @ self.projection
        diff = z[:, None, :] - self.class_means[None, :, :]
        d2 = np.einsum("ncd,de,nce->nc", diff, self.precision, diff)
        return np.sqrt(np.maximum(d2.min(axis=1), 0.0))

    def flags(self, pooled: np.ndarray) -> np.ndarray:
        return self.score(pooled) > self.threshold


def pool(features: np.ndarray) -> np.ndarray:
    """Global average pooling of [N,K,h,w] -> [N,K], the same pooling the head applies."""
    return features.mean(axis=(2, 3))
