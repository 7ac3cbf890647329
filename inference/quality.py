"""Cheap image-quality and modality checks that run before the model is trusted.

The measures equal what OpenCV computed when the packs' limits were calibrated (area
resize, fixed-point grey and HSV saturation, 3x3 Laplacian), in numpy so the app ships
without OpenCV; tests/test_quality.py and tests/test_resample.py compare them with cv2.
"""

from __future__ import annotations

import numpy as np

from .manifest import QualitySpec
from .resample import area_resize
from .results import QualityReport

_WORK_SIDE = 256  # measure sharpness at a fixed size so thresholds do not depend on resolution
# Mean HSV saturation above which an image is clearly a colour photograph, not a scan.
COLOUR_PHOTO_SATURATION = 0.12


# Outer ring of the working image whose mean grey tells a scan's black surround from the white
# one of an inverted export (brain MRI train/val: at most 85; inverted val scans: 214 or more).
BORDER_FRACTION = 0.04


def _working(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The image at the fixed working size, and its grey plane."""
    h, w = rgb.shape[:2]
    scale = _WORK_SIDE / max(h, w)
    small = area_resize(rgb, max(1, round(w * scale)), max(1, round(h * scale)))
    return small, gray_u8(small)


def _measures(small: np.ndarray, gray: np.ndarray) -> tuple[float, float, float]:
    return float(gray.mean()), float(laplacian(gray).var()), float(saturation_u8(small).mean() / 255.0)


def measure(rgb: np.ndarray) -> tuple[float, float, float]:
    """(brightness 0..255, Laplacian variance, mean saturation 0..1) of an RGB image."""
    return _measures(*_working(rgb))


def image_border(rgb: np.ndarray) -> float:
    """:func:`border_brightness` of an RGB image at the working size the check uses."""
    return border_brightness(_working(rgb)[1])


def border_brightness(gray: np.ndarray) -> float:
    """Mean grey 0..255 of the outer ring (:data:`BORDER_FRACTION` of the long side): a scan
    is surrounded by black, an inverted export (a negative) by white."""
    k = max(1, round(BORDER_FRACTION * max(gray.shape)))
    if 2 * k >= min(gray.shape):
        return float(gray.mean())
    ring = (gray[:k], gray[-k:], gray[k:-k, :k], gray[k:-k, -k:])
    return float(sum(float(r.sum()) for r in ring) / sum(r.size for r in ring))


# cv2 (5.x) COLOR_RGB2GRAY in 15-bit fixed point: BT.601 weights summing to 1 << 15.
_GRAY_WEIGHTS = (9798, 19235, 3735)
_GRAY_SHIFT = 15


def gray_u8(rgb: np.ndarray) -> np.ndarray:
    """Luma of an RGB uint8 image exactly as ``cv2.cvtColor(rgb, COLOR_RGB2GRAY)``."""
    wr, wg, wb = _GRAY_WEIGHTS
    y = rgb[:, :, 0] * np.int32(wr)
    y += rgb[:, :, 1] * np.int32(wg)
    y += rgb[:, :, 2] * np.int32(wb) + (1 << (_GRAY_SHIFT - 1))
    y >>= _GRAY_SHIFT
    return y.astype(np.uint8)


_HSV_SHIFT = 12
# cv2's sdiv_table: round(255 * 2**12 / v), so S = (max - min) * 255 / max in fixed point.
_SDIV = np.concatenate([[0], np.rint((255 << _HSV_SHIFT) / np.arange(1, 256))]).astype(np.int32)


def saturation_u8(rgb: np.ndarray) -> np.ndarray:
    """HSV saturation 0..255 exactly as the S plane of ``cv2.cvtColor(rgb, COLOR_RGB2HSV)``."""
    r, g, b = rgb[:, :, 0], rgb[:, :, 1], rgb[:, :, 2]
    top = np.maximum(np.maximum(r, g), b)  # channel-wise: max(axis=2) loops 3 at a time
    spread = top - np.minimum(np.minimum(r, g), b)
    s = spread * np.take(_SDIV, top) + (1 << (_HSV_SHIFT - 1))
    s >>= _HSV_SHIFT
    return s.astype(np.uint8)


def laplacian(gray: np.ndarray) -> np.ndarray:
    """``cv2.Laplacian(gray, CV_64F)``: kernel [[0,1,0],[1,-4,1],[0,1,0]], mirrored borders
    without repeating the edge (BORDER_REFLECT_101 = numpy's "reflect")."""
    p = np.pad(gray.astype(np.int32), 1, mode="reflect")
    lap = p[:-2, 1:-1] + p[2:, 1:-1] + p[1:-1, :-2] + p[1:-1, 2:] - 4 * p[1:-1, 1:-1]
    return lap.astype(np.float64)


def assess(rgb: np.ndarray, spec: QualitySpec) -> QualityReport:
    """Measure the image and list the problems the pack's limits reveal (codes, not prose)."""
    small, gray = _working(rgb)
    brightness, sharpness, saturation = _measures(small, gray)
    border = border_brightness(gray) if spec.max_border_brightness is not None else None
    problems: list[str] = []
    if spec.expect_grayscale and saturation > COLOUR_PHOTO_SATURATION:
        problems.append("colour_image")
    if spec.min_saturation is not None and saturation < spec.min_saturation:
        problems.append("grayscale_image")
    if spec.min_brightness is not None and brightness < spec.min_brightness:
        problems.append("too_dark")
    if spec.max_brightness is not None and brightness > spec.max_brightness:
        problems.append("over_exposed")
    if spec.min_sharpness is not None and sharpness < spec.min_sharpness:
        problems.append("blurred")
    if border is not None and border > spec.max_border_brightness:
        problems.append("inverted")
    return QualityReport(brightness, sharpness, saturation, tuple(problems), border)


PROBLEM_ADVICE = {
    "colour_image": "this is a colour photograph, but the model reads grayscale scans",
    "grayscale_image": "this is a grayscale image (a scan or X-ray?), but the model reads colour photographs",
    "too_dark": "the photo is too dark: retake it in better light",
    "over_exposed": "the photo is over-exposed: retake it without flash or direct sun",
    "blurred": "the photo is blurred: hold the camera still and retake it in focus",
    "inverted": "the scan looks inverted (a light background, dark tissue): export it again as the "
    "scanner displays it, on a black background, and screen that image",
}


def advice(problems: tuple[str, ...]) -> str:
    """What to do about ``problems``, as one sentence a person reads first (capitalised)."""
    text = "; ".join(PROBLEM_ADVICE[p] for p in problems)
    return text[:1].upper() + text[1:]
