"""Refitting a pack's linear head on a clinic's pooled features, held close to the shipped head.

Why: at another hospital the chest pack's shipped head separates pneumonia from normal with an
AUC of 0.95 but no threshold gets it above 90 % accuracy; a head refitted on the local pooled
features (the network below it untouched) does better. The refit is penalised toward the shipped
weights so a small sample cannot drag it far. The heatmaps stay exact: for a linear head on
globally pooled features, d logit / d pooled is the weight matrix, so the calibrated engine
reports the refitted weights as ``head_grad``.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .engine import Engine, RawOutputs, softmax
from .ood import pool

HEAD_PENALTY = 0.01  # L2 pull toward the shipped weights (chosen by 5-fold CV on chest shift)
STEPS = 300
LEARNING_RATE = 0.01


def shipped_head(raw: RawOutputs) -> tuple[np.ndarray, np.ndarray] | None:
    """The shipped head's weights [C,K] and bias [C], read off one forward pass: head_grad is
    the weight matrix, and the bias is what the logits add to pooled @ W.T."""
    if raw.features is None or raw.head_grad is None:
        return None
    weight = np.asarray(raw.head_grad[0], np.float64)
    if not np.allclose(raw.head_grad, raw.head_grad[:1], atol=1e-6):
        return None  # not a linear head: its gradient depends on the image
    bias = (np.asarray(raw.logits, np.float64) - pool(raw.features) @ weight.T).mean(axis=0)
    return weight, bias


def fit_head(
    pooled: np.ndarray,
    labels: np.ndarray,
    weight0: np.ndarray,
    bias0: np.ndarray,
    penalty: float = HEAD_PENALTY,
    steps: int = STEPS,
) -> tuple[np.ndarray, np.ndarray]:
    """Cross-entropy plus ``penalty * |W - W0|^2``, Adam from the shipped head (classes the
    sample lacks keep being pulled toward their shipped weights)."""
    x = np.asarray(pooled, np.float64)
    w, b = weight0.astype(np.float64).copy(), bias0.astype(np.float64).copy()
    onehot = np.eye(w.shape[0])[labels]
    m_w, v_w, m_b, v_b = np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)
    n = max(len(labels), 1)
    for t in range(1, steps + 1):
        g = (softmax(x @ w.T + b, 1.0) - onehot) / n
        g_w = g.T @ x + 2 * penalty * (w - weight0)
        g_b = g.sum(axis=0)
        m_w, v_w = 0.9 * m_w + 0.1 * g_w, 0.999 * v_w + 0.001 * g_w**2
        m_b, v_b = 0.9 * m_b + 0.1 * g_b, 0.999 * v_b + 0.001 * g_b**2
        c1, c2 = 1 - 0.9**t, 1 - 0.999**t
        w -= LEARNING_RATE * (m_w / c1) / (np.sqrt(v_w / c2) + 1e-8)
        b -= LEARNING_RATE * (m_b / c1) / (np.sqrt(v_b / c2) + 1e-8)
    return w, b


class CalibratedEngine:
    """An engine whose logits come from the refitted head on the pooled features, and whose
    ``head_grad`` is that head's weights (so Grad-CAM explains what was answered)."""

    def __init__(self, engine: Engine, weight: np.ndarray, bias: np.ndarray) -> None:
        self._engine = engine
        self.weight = np.asarray(weight, np.float32)
        self.bias = np.asarray(bias, np.float32)

    def __getattr__(self, name: str):  # noqa: ANN204 - plain delegation (variant, pack, ...)
        return getattr(self._engine, name)

    def run(self, batch: np.ndarray) -> RawOutputs:
        raw = self._engine.run(batch)
        if raw.features is None:
            return raw
        logits = (pool(raw.features) @ self.weight.T + self.bias).astype(np.float32)
        grad = np.broadcast_to(self.weight, (len(logits), *self.weight.shape))
        return replace(raw, logits=logits, head_grad=np.ascontiguousarray(grad))
