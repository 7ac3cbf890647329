"""Held-out metrics, temperature calibration and operating thresholds (numpy only)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from inference.engine import softmax


@dataclass(frozen=True)
class Report:
    n: int
    accuracy: float
    macro_f1: float
    per_class: dict[str, dict[str, float]]
    confusion: list[list[int]]
    roc_auc: dict[str, float]

    def as_dict(self) -> dict:
        return {
            "n": self.n,
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "per_class": self.per_class,
            "confusion": self.confusion,
            "roc_auc": self.roc_auc,
        }


def roc_auc(scores: np.ndarray, positive: np.ndarray) -> float:
    """Mann-Whitney form of the area under the ROC curve (ties count half)."""
    pos, neg = scores[positive], scores[~positive]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    order = np.argsort(np.concatenate([pos, neg]), kind="mergesort")
    ranks = np.empty(len(order))
    values = np.concatenate([pos, neg])[order]
    i = 0
    while i < len(values):  # average ranks over ties
        j = i
        while j + 1 < len(values) and values[j + 1] == values[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def report(probs: np.ndarray, labels: np.ndarray, classes: tuple[str, ...]) -> Report:
    pred = probs.argmax(axis=1)
    c = len(classes)
    confusion = np.zeros((c, c), dtype=int)
    np.add.at(confusion, (labels, pred), 1)
    per_class, f1s = {}, []
    for i, name in enumerate(classes):
        tp = confusion[i, i]
        precision = tp / max(confusion[:, i].sum(), 1)
        recall = tp / max(confusion[i, :].sum(), 1)
        f1 = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
        f1s.append(f1)
        per_class[name] = {
            "precision": float(precision),
            "recall": float(recall),
            "f1": float(f1),
            "support": int(confusion[i, :].sum()),
        }
    return Report(
        n=int(len(labels)),
        accuracy=float((pred == labels).mean()),
        macro_f1=float(np.mean(f1s)),
        per_class=per_class,
        confusion=confusion.tolist(),
        roc_auc={name: roc_auc(probs[:, i], labels == i) for i, name in enumerate(classes)},
    )


def ece(probs: np.ndarray, labels: np.ndarray, bins: int = 15) -> float:
    """Expected calibration error of the top-class confidence."""
    conf = probs.max(axis=1)
    correct = probs.argmax(axis=1) == labels
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        mask = (conf > lo) & (conf <= hi)
        if mask.any():
            total += mask.mean() * abs(correct[mask].mean() - conf[mask].mean())
    return float(total)


def nll(logits: np.ndarray, labels: np.ndarray, temperature: float) -> float:
    p = softmax(logits, temperature)
    return float(-np.log(np.clip(p[np.arange(len(labels)), labels], 1e-12, None)).mean())


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """Guo et al. 2017: the single temperature minimising validation NLL."""
    grid = np.exp(np.linspace(np.log(0.05), np.log(20.0), 400))
    coarse = min(grid, key=lambda t: nll(logits, labels, float(t)))
    fine = coarse * np.exp(np.linspace(-0.02, 0.02, 41))
    return float(min(fine, key=lambda t: nll(logits, labels, float(t))))


def youden_threshold(scores: np.ndarray, positive: np.ndarray) -> float:
    """Threshold maximising sensitivity + specificity - 1 (Youden's J) on held-out data.

    The cut sits halfway between the best observed score and the next lower one, not on a
    validation score itself: with saturated probabilities the lowest positive can be exactly
    1.0, and a threshold of 1.0 would refer almost nobody in the clinic.
    """
    if positive.all() or (~positive).all():
        return 0.5
    values = np.unique(scores)
    best_i, best_j = 0, -1.0
    for i, t in enumerate(values):
        pred = scores >= t
        j = pred[positive].mean() + (~pred[~positive]).mean() - 1
        if j > best_j:
            best_i, best_j = i, float(j)
    if best_i == 0:
        return float(values[0])
    return float((values[best_i - 1] + values[best_i]) / 2)
