"""The one definition of what a model sees.

``training/`` and the app both call :func:`preprocess`, so an image is resized, converted
and normalised identically in the notebook-turned-pipeline and in the clinic. A golden
test pins the numbers; change them only together with a new pack version.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .manifest import InputSpec
from .resample import area_resize, linear_resize, linear_weights

# ITU-R BT.601 luma, the weights Pillow's "L" conversion uses.
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


@dataclass(frozen=True)
class Placement:
    """Where the original image lies inside the model input, for mapping heatmaps back.

    ``box`` is (x0, y0, x1, y1) in model-input pixels covered by image content, and
    ``source_box`` the part of the original image (in original pixels) that maps onto it.
    """

    box: tuple[int, int, int, int]
    source_box: tuple[int, int, int, int]


def placement(height: int, width: int, spec: InputSpec) -> Placement:
    """How an ``height`` x ``width`` image is fitted into the model input."""
    th, tw = spec.height, spec.width
    if spec.resize == "stretch":
        return Placement((0, 0, tw, th), (0, 0, width, height))
    if spec.resize == "letterbox":
        scale = min(tw / width, th / height)
        nw, nh = max(1, round(width * scale)), max(1, round(height * scale))
        x0, y0 = (tw - nw) // 2, (th - nh) // 2
        return Placement((x0, y0, x0 + nw, y0 + nh), (0, 0, width, height))
    # center_crop: scale the shorter side to the target, crop the centre.
    scale = max(tw / width, th / height)
    cw, ch = min(width, round(tw / scale)), min(height, round(th / scale))
    sx, sy = (width - cw) // 2, (height - ch) // 2
    return Placement((0, 0, tw, th), (sx, sy, sx + cw, sy + ch))


def _resize(img: np.ndarray, width: int, height: int) -> np.ndarray:
    """Area averaging when shrinking, bilinear otherwise: cv2's INTER_AREA / INTER_LINEAR,
    which the packs were trained on (inference.resample reproduces them without OpenCV)."""
    shrinking = width < img.shape[1] or height < img.shape[0]
    return (area_resize if shrinking else linear_resize)(img, width, height)


def fit(rgb: np.ndarray, spec: InputSpec) -> np.ndarray:
    """Resize/crop/pad an RGB uint8 image to the model's input size (still uint8 HWC)."""
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"expected HxWx3 uint8, got {rgb.shape} {rgb.dtype}")
    h, w = rgb.shape[:2]
    place = placement(h, w, spec)
    sx0, sy0, sx1, sy1 = place.source_box
    x0, y0, x1, y1 = place.box
    src = rgb[sy0:sy1, sx0:sx1]
    resized = _resize(src, x1 - x0, y1 - y0)
    if (x1 - x0, y1 - y0) == (spec.width, spec.height):
        return resized
    canvas = np.zeros((spec.height, spec.width, 3), dtype=np.uint8)
    canvas[y0:y1, x0:x1] = resized
    return canvas


def _affine(spec: InputSpec) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel (scale, offset) so that normalised = uint8 * scale + offset."""
    norm = spec.normalization
    if norm.kind == "mean_std":
        std = np.asarray(norm.std, np.float64)
        return 1.0 / (255.0 * std), -np.asarray(norm.mean, np.float64) / std
    if norm.kind == "unit":
        return np.full(3, 1.0 / 255.0), np.zeros(3)
    if norm.kind == "symmetric":
        return np.full(3, 1.0 / 127.5), np.full(3, -1.0)
    raise ValueError(f"unknown normalisation {norm.kind!r}")  # pragma: no cover - schema


def to_tensor(fitted: np.ndarray, spec: InputSpec, out: np.ndarray | None = None) -> np.ndarray:
    """Colour handling + normalisation of a fitted uint8 image into float32 CHW.

    One multiply-add per channel written straight into the CHW planes (8x faster than
    float conversion, divide and transpose; equal to them within 5e-7). ``out`` lets batch
    callers write into a preallocated batch slot.
    """
    h, w = fitted.shape[:2]
    chw = out if out is not None else np.empty((3, h, w), np.float32)
    scale, offset = _affine(spec)
    if spec.color == "gray3":
        gray = fitted.astype(np.float32) @ _LUMA
        planes = (gray, gray, gray)
    else:
        planes = (fitted[:, :, 0], fitted[:, :, 1], fitted[:, :, 2])
    for c, plane in enumerate(planes):
        np.multiply(plane, np.float32(scale[c]), out=chw[c], dtype=np.float32)
        chw[c] += np.float32(offset[c])
    return chw


def preprocess(rgb: np.ndarray, spec: InputSpec, out: np.ndarray | None = None) -> np.ndarray:
    """RGB uint8 HxWx3 -> float32 3xHxW exactly as the model was trained on."""
    return to_tensor(fit(rgb, spec), spec, out=out)


def cam_to_image(cam: np.ndarray, height: int, width: int, spec: InputSpec) -> np.ndarray:
    """Map a heatmap over the model input back onto the original image grid.

    Regions of the original that the model never saw (cropped away) get zero.
    """
    place = placement(height, width, spec)
    x0, y0, x1, y1 = place.box
    sx0, sy0, sx1, sy1 = place.source_box
    h, w = cam.shape
    # heatmap -> model input -> original: two bilinear resizes composed into one small
    # matrix per axis (cells x pixels), instead of two passes over full-size arrays.
    wy = linear_weights(y1 - y0, sy1 - sy0) @ linear_weights(h, spec.height)[y0:y1]
    wx = linear_weights(x1 - x0, sx1 - sx0) @ linear_weights(w, spec.width)[x0:x1]
    full = np.zeros((height, width), dtype=np.float32)
    full[sy0:sy1, sx0:sx1] = wy @ cam.astype(np.float32) @ wx.T
    return full
