"""Out-of-distribution scoring on the pooled features the model already computes.

A pack ships ``ood.npz`` fitted by ``training/`` on its training images:
``center`` [K], ``projection`` [K,D] (orthonormal PCA basis), ``class_means`` [C,D], a
shared ``precision`` [D,D] in the projected space and, optionally, ``l2_normalise`` (1 to
L2-normalise features first) and ``residual_var`` (mean energy outside the PCA subspace).

The score is the class-conditional Mahalanobis distance (Lee et al. 2018) in the subspace,
per dimension, plus the normalised energy left outside it (the probabilistic-PCA
"reconstruction" term). The second term is what catches images unlike anything the model
was trained on; the first catches images between the classes. Above the pack's threshold
the image is flagged as outside what the model was made for.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from .errors import PackError
from .packs import ModelPack

REQUIRED = ("center", "projection", "class_means", "precision")


@dataclass(frozen=True, eq=False)
class MahalanobisScorer:
    center: np.ndarray
    projection: np.ndarray
    class_means: np.ndarray
    precision: np.ndarray
    threshold: float
    l2_normalise: bool = False
    residual_var: float | None = None

    @classmethod
    def load(cls, path: Path | BinaryIO, threshold: float, where: str = "") -> MahalanobisScorer:
        """From an ``ood.npz`` file or an open binary stream of one (verified bytes)."""
        try:
            with np.load(path, allow_pickle=False) as data:
                return cls.from_arrays({k: data[k] for k in data.files}, threshold)
        except (OSError, KeyError, ValueError, EOFError) as exc:
            raise PackError(
                f"{where or path}: out-of-distribution statistics unreadable ({exc})"
            ) from exc

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray], threshold: float) -> MahalanobisScorer:
        """The scorer for statistics as ``training`` fits them (the contents of ``ood.npz``)."""
        l2 = bool(arrays["l2_normalise"]) if "l2_normalise" in arrays else False
        rv = float(arrays["residual_var"]) if "residual_var" in arrays else None
        required = {k: np.asarray(arrays[k], dtype=np.float64) for k in REQUIRED}
        return cls(threshold=float(threshold), l2_normalise=l2, residual_var=rv, **required)

    def score(self, pooled: np.ndarray) -> np.ndarray:
        """Scores for pooled features [N,K] -> [N]; larger means further from training data."""
        x = np.asarray(pooled, np.float64)
        if self.l2_normalise:
            x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
        xc = x - self.center
        z = xc @ self.projection
        diff = z[:, None, :] - self.class_means[None, :, :]
        d2 = np.einsum("ncd,de,nce->nc", diff, self.precision, diff).min(axis=1)
        if self.residual_var is None:
            return np.sqrt(np.maximum(d2, 0.0))
        residual = ((xc - z @ self.projection.T) ** 2).sum(axis=1) / self.residual_var
        return np.maximum(d2, 0.0) / self.projection.shape[1] + residual

    def flags(self, pooled: np.ndarray) -> np.ndarray:
        return self.score(pooled) > self.threshold


def load_guards(
    pack: ModelPack, variant: str | None = None
) -> tuple[MahalanobisScorer | None, MahalanobisScorer | None]:
    """A pack's main guard and, where it has one, its early-layer guard, as fitted for the
    model ``variant`` (None: the default one), whose features they will score."""
    spec, main, early = pack.manifest.for_variant(variant).ood, None, None
    if spec is not None:
        main = _load_verified(pack, spec.file, spec.sha256, spec.threshold)
        if spec.early is not None:
            early = _load_verified(pack, spec.early.file, spec.early.sha256, spec.early.threshold)
    return main, early


def _load_verified(pack: ModelPack, name: str, sha256: str, threshold: float) -> MahalanobisScorer:
    """Statistics parsed from the bytes checked against the pack's signed hash."""
    data = pack.read_verified(name, sha256)
    return MahalanobisScorer.load(io.BytesIO(data), threshold, where=f"pack {pack.id}: {name}")


def combined_scores(
    main: MahalanobisScorer,
    early: MahalanobisScorer | None,
    pooled: np.ndarray,
    early_pooled: np.ndarray | None,
) -> np.ndarray:
    """One score per image on ``main``'s scale, above ``main.threshold`` when either guard flags.

    The early guard reads an earlier layer with more generic features; its score is rescaled
    so that its own threshold lands on the main one.
    """
    scores = main.score(pooled)
    if early is not None and early_pooled is not None:
        ratio = early.score(early_pooled) / early.threshold
        scores = np.maximum(scores, ratio * main.threshold)
    return scores


def pool(features: np.ndarray) -> np.ndarray:
    """Global average pooling of [N,K,h,w] -> [N,K], the same pooling the head applies."""
    return features.mean(axis=(2, 3))
