"""Turning a heatmap into a picture a person can read over the original image."""

from __future__ import annotations

import cv2
import numpy as np

COLORMAPS: dict[str, int] = {
    "jet": cv2.COLORMAP_JET,
    "turbo": cv2.COLORMAP_TURBO,
    "inferno": cv2.COLORMAP_INFERNO,
    "viridis": cv2.COLORMAP_VIRIDIS,
    "hot": cv2.COLORMAP_HOT,
}
DEFAULT_COLORMAP = "jet"


def colorize(heat: np.ndarray, colormap: str = DEFAULT_COLORMAP) -> np.ndarray:
    """[H,W] values in [0,1] -> RGB uint8 colour image."""
    try:
        code = COLORMAPS[colormap]
    except KeyError:
        raise ValueError(f"unknown colormap {colormap!r}; choose from {sorted(COLORMAPS)}") from None
    scaled = np.clip(np.nan_to_num(heat) * 255.0 + 0.5, 0, 255).astype(np.uint8)
    bgr = cv2.applyColorMap(scaled, code)
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def blend(
    rgb: np.ndarray, heat: np.ndarray, opacity: float = 0.45, colormap: str = DEFAULT_COLORMAP
) -> np.ndarray:
    """Alpha-blend the coloured heatmap over the image; ``heat`` must match the image size."""
    if heat.shape != rgb.shape[:2]:
        raise ValueError(f"heatmap {heat.shape} does not match image {rgb.shape[:2]}")
    opacity = float(np.clip(opacity, 0.0, 1.0))
    colour = colorize(heat, colormap)
    return cv2.addWeighted(rgb, 1.0 - opacity, colour, opacity, 0.0)
