"""Class activation maps computed from the ONNX graph's outputs with numpy alone.

Packs export ``features`` A [K,h,w] (the tensor that is globally average-pooled) and
``head_grad`` G [C,K] = d logit_c / d pooled_k. For global average pooling,
d logit_c / d A[k,i,j] = G[c,k] / (h*w) at every position, so gradient-based CAMs are
exact without autograd. Each method is a small class behind one interface, after
pytorch-grad-cam.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

EPS = 1e-7
PLUSPLUS_EPS = 1e-6


@dataclass(frozen=True, eq=False)
class CamMap:
    """A map over the model's feature grid, scaled to [0, 1].

    ``has_evidence`` is False when nothing in the image speaks for the class: the map is
    then all zeros and must be shown as "no positive evidence", never as noise.
    """

    values: np.ndarray  # [h, w] float32 in [0, 1]
    has_evidence: bool
    class_id: str
    method: str


def normalise(cam: np.ndarray) -> tuple[np.ndarray, bool]:
    """Min-max scale a non-negative map; an (almost) all-zero map stays zero."""
    cam = np.nan_to_num(np.asarray(cam, dtype=np.float32), nan=0.0, posinf=0.0, neginf=0.0)
    cam = np.maximum(cam, 0)
    peak = float(cam.max()) if cam.size else 0.0
    if peak <= EPS:
        return np.zeros_like(cam), False
    cam = cam - cam.min()
    # A flat map (same value everywhere) points nowhere: treat it like no evidence.
    if float(cam.max()) <= EPS * peak:
        return np.zeros_like(cam), False
    return (cam / (cam.max() + EPS)).astype(np.float32), True


def _spatial_grads(features: np.ndarray, grad: np.ndarray) -> np.ndarray:
    k, h, w = features.shape
    return np.broadcast_to((grad / (h * w))[:, None, None], (k, h, w)).astype(np.float64)


class GradCAM:
    """Selvaraju et al.: channel weights are the spatially averaged gradients."""

    name = "gradcam"

    def raw(self, features: np.ndarray, grad: np.ndarray) -> np.ndarray:
        h, w = features.shape[1:]
        weights = grad.astype(np.float64) / (h * w)
        return np.maximum(np.tensordot(weights, features.astype(np.float64), axes=1), 0)


class HiResCAM:
    """Draelos & Carin: gradients times activations element-wise, summed over channels.

    Faithful to the model by construction. Behind a global-average-pooled head the gradient
    is the same at every position, so this equals Grad-CAM here (kept so that the equality
    is tested and measured rather than assumed, and for heads that are not pooled)."""

    name = "hirescam"

    def raw(self, features: np.ndarray, grad: np.ndarray) -> np.ndarray:
        g = _spatial_grads(features, grad)
        return np.maximum((g * features).sum(axis=0), 0)


class GradCAMPlusPlus:
    """Chattopadhay et al., in pytorch-grad-cam's closed form."""

    name = "gradcam++"

    def raw(self, features: np.ndarray, grad: np.ndarray) -> np.ndarray:
        a = features.astype(np.float64)
        g = _spatial_grads(features, grad)
        g2, g3 = g**2, g**3
        sum_a = a.sum(axis=(1, 2))[:, None, None]
        # pytorch-grad-cam's eps (1e-6), not EPS: with pooled-head gradients (~1e-4) the eps is
        # not negligible against g**2, so a different one gave a different map (0.06 apart).
        aij = g2 / (2 * g2 + sum_a * g3 + PLUSPLUS_EPS)
        aij = np.where(g != 0, aij, 0)
        weights = (np.maximum(g, 0) * aij).sum(axis=(1, 2))
        return np.maximum(np.tensordot(weights, a, axes=1), 0)


class LayerCAM:
    """Jiang et al.: positive gradients weight each activation element-wise."""

    name = "layercam"

    def raw(self, features: np.ndarray, grad: np.ndarray) -> np.ndarray:
        g = _spatial_grads(features, grad)
        return np.maximum((np.maximum(g, 0) * features).sum(axis=0), 0)


class EigenCAM:
    """Muhammad & Yeasin: first principal component of the activations (class-agnostic)."""

    name = "eigencam"

    def raw(self, features: np.ndarray, grad: np.ndarray) -> np.ndarray:
        k, h, w = features.shape
        flat = features.reshape(k, -1).T.astype(np.float64)
        flat = flat - flat.mean(axis=0)
        if not np.any(flat):
            return np.zeros((h, w))
        _, _, vt = np.linalg.svd(flat, full_matrices=False)
        proj = (flat @ vt[0]).reshape(h, w)
        # The SVD sign is arbitrary; orient the component so it agrees with the activations.
        if float((proj * features.sum(axis=0)).sum()) < 0:
            proj = -proj
        return np.maximum(proj, 0)


METHODS: dict[str, type] = {
    m.name: m for m in (GradCAM, GradCAMPlusPlus, LayerCAM, EigenCAM)
}
# Every method ``compute`` accepts; METHODS is what the viewer offers. HiResCAM is left out
# of the viewer because it equals Grad-CAM for every pooled head the packs export.
ALL_METHODS: dict[str, type] = {**METHODS, HiResCAM.name: HiResCAM}


def compute(
    features: np.ndarray,
    head_grad: np.ndarray,
    class_index: int,
    class_id: str,
    method: str = "gradcam",
) -> CamMap:
    """CAM for one image: ``features`` [K,h,w], ``head_grad`` [C,K]."""
    try:
        impl = ALL_METHODS[method]()
    except KeyError:
        raise ValueError(f"unknown heatmap method {method!r}; choose from {sorted(ALL_METHODS)}") from None
    values, evidence = normalise(impl.raw(features, head_grad[class_index]))
    return CamMap(values, evidence, class_id, method)


def occlusion(
    forward: Callable[[np.ndarray], np.ndarray],
    tensor: np.ndarray,
    class_index: int,
    class_id: str,
    *,
    grid: int = 8,
    batch: int = 16,
) -> CamMap:
    """Forward-only sensitivity map for packs without heatmap outputs (Zeiler & Fergus).

    Each of ``grid`` x ``grid`` patches is replaced by zeros (the dataset mean after
    normalisation) and the drop in the class probability is the map's value there.
    ``forward`` maps a float32 [N,3,H,W] batch to probabilities [N,C].
    """
    _, h, w = tensor.shape
    ys = np.linspace(0, h, grid + 1).astype(int)
    xs = np.linspace(0, w, grid + 1).astype(int)
    base = float(forward(tensor[None])[0, class_index])
    drops = np.zeros((grid, grid), dtype=np.float64)
    cells = [(i, j) for i in range(grid) for j in range(grid)]
    for start in range(0, len(cells), batch):
        chunk = cells[start : start + batch]
        stack = np.repeat(tensor[None], len(chunk), axis=0)
        for n, (i, j) in enumerate(chunk):
            stack[n, :, ys[i] : ys[i + 1], xs[j] : xs[j + 1]] = 0.0
        probs = forward(stack)[:, class_index]
        for n, (i, j) in enumerate(chunk):
            drops[i, j] = base - float(probs[n])
    values, evidence = normalise(np.maximum(drops, 0))
    return CamMap(values, evidence, class_id, "occlusion")
