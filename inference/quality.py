"""Cheap image-quality and modality checks that run before the model is trusted."""

from __future__ import annotations

import cv2
import numpy as np

from .manifest import QualitySpec
from .results import QualityReport

_WORK_SIDE = 256  # measure sharpness at a fixed size so thresholds do not depend on resolution
# Mean HSV saturation above which an image is clearly a colour photograph, not a scan.
COLOUR_PHOTO_SATURATION = 0.12


def measure(rgb: np.ndarray) -> tuple[float, float, float]:
    """(brightness 0..255, Laplacian variance, mean saturation 0..1) of an RGB image."""
    h, w = rgb.shape[:2]
    scale = _WORK_SIDE / max(h, w)
    small = cv2.resize(rgb, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    hsv = cv2.cvtColor(small, cv2.COLOR_RGB2HSV)
    brightness = float(gray.mean())
    sharpness = float(cv2.Laplacian(gray, cv2.CV_64F).var())
    saturation = float(hsv[:, :, 1].mean() / 255.0)
    return brightness, sharpness, saturation


def assess(rgb: np.ndarray, spec: QualitySpec) -> QualityReport:
    """Measure the image and list the problems the pack's limits reveal (codes, not prose)."""
    brightness, sharpness, saturation = measure(rgb)
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
    return QualityReport(brightness, sharpness, saturation, tuple(problems))


PROBLEM_ADVICE = {
    "colour_image": "this is a colour photograph, but the model reads grayscale scans",
    "grayscale_image": "this is a grayscale image (a scan or X-ray?), but the model reads colour photographs",
    "too_dark": "the photo is too dark: retake it in better light",
    "over_exposed": "the photo is over-exposed: retake it without flash or direct sun",
    "blurred": "the photo is blurred: hold the camera still and retake it in focus",
}
