"""The one definition of what a model sees.

``training/`` and the app both call :func:`preprocess`, so an image is resized, converted
and normalised identically in the notebook-turned-pipeline and in the clinic. A golden
test pins the numbers; change them only together with a new pack version.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .manifest import InputSpec

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
    shrinking = width < img.shape[1] or height < img.shape[0]
    interp = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    return cv2.resize(img, (width, height), interpolation=interp)


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


def to_tensor(fitted: np.ndarray, spec: InputSpec, out: np.ndarray | None = None) -> np.ndarray:
    """Colour handling + normalisation of a fitted uint8 image into float32 CHW.

    ``out`` lets batch callers write straight into a preallocated batch slot.
    """
    x = fitted.astype(np.float32)
    if spec.color == "gray3":
        gray = x @ _LUMA
        x = np.repeat(gray[:, :, None], 3, axis=2)
    norm = spec.normalization
    if norm.kind == "mean_std":
        x = (x / 255.0 - np.asarray(norm.mean, np.float32)) / np.asarray(norm.std, np.float32)
    elif norm.kind == "unit":
        x = x / 255.0
    elif norm.kind == "symmetric":
        x = x / 127.5 - 1.0
    else:  # pragma: no cover - the schema forbids it
        raise ValueError(f"unknown normalisation {norm.kind!r}")
    chw = np.ascontiguousarray(x.transpose(2, 0, 1), dtype=np.float32)
    if out is not None:
        out[...] = chw
        return out
    return chw


def preprocess(rgb: np.ndarray, spec: InputSpec, out: np.ndarray | None = None) -> np.ndarray:
    """RGB uint8 HxWx3 -> float32 3xHxW exactly as the model was trained on."""
    return to_tensor(fit(rgb, spec), spec, out=out)


def cam_to_image(cam: np.ndarray, height: int, width: int, spec: InputSpec) -> np.ndarray:
    """Map a heatmap over the model input back onto the original image grid.

    Regions of the original that the model never saw (cropped away) get zero.
    """
    place = placement(height, width, spec)
    up = cv2.resize(cam.astype(np.float32), (spec.width, spec.height), interpolation=cv2.INTER_LINEAR)
    x0, y0, x1, y1 = place.box
    sx0, sy0, sx1, sy1 = place.source_box
    content = up[y0:y1, x0:x1]
    full = np.zeros((height, width), dtype=np.float32)
    full[sy0:sy1, sx0:sx1] = cv2.resize(content, (sx1 - sx0, sy1 - sy0), interpolation=cv2.INTER_LINEAR)
    return full
