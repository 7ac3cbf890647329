"""Foreign images the modality check is measured on, never fitted on: the bundled-pack tests'
probes (rendered documents, blank, grey, ramp and noise frames, an app screenshot), the app's
other screenshots, and the three natural photos in shared/weights, in colour, grey and
washed-out grey (the kind of photo that got a brain pack to answer "meningioma" at 0.99)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from inference.images import load_image
from inference.modality import NONE
from inference.resources import resource_path

PHOTOS = resource_path().parent / "shared" / "weights" / "test_images"
# Photos that ship inside the dev environment's packages (never bundled, never fitted on).
SITE = Path(np.__file__).resolve().parent.parent
EXTRA_PHOTOS = {
    "sklearn/datasets/images/flower.jpg": NONE,
    "sklearn/datasets/images/china.jpg": NONE,
    "matplotlib/mpl-data/sample_data/grace_hopper.jpg": "face-photo",  # a portrait
}
# App screenshots that show mostly a face photo: a face photo is a fair answer.
FACE_SCREENSHOTS = {"04-warning.png", "warning_id.png"}


def synthetic_frames() -> dict[str, np.ndarray]:
    """The same frames tests/test_bundled_packs.py feeds every pack."""
    rng = np.random.default_rng(0)
    ramp = np.tile(np.linspace(0, 255, 384).astype(np.uint8), (384, 1))
    noise = rng.integers(0, 256, (384, 384), dtype=np.uint8)
    return {
        "black": np.zeros((384, 384, 3), np.uint8),
        "white": np.full((384, 384, 3), 255, np.uint8),
        "grey": np.full((384, 384, 3), 128, np.uint8),
        "ramp": np.stack([ramp] * 3, -1),
        "grey noise": np.stack([noise] * 3, -1),
        "colour noise": rng.integers(0, 256, (384, 384, 3), dtype=np.uint8),
    }


def _grey(rgb: np.ndarray, contrast: float = 1.0) -> np.ndarray:
    y = rgb.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    y = 128 + (y - 128) * contrast + (1 - contrast) * 60  # washed out: flat and bright
    return np.repeat(np.clip(y, 0, 255).astype(np.uint8)[..., None], 3, axis=2)


def probe_images() -> tuple[list[str], list[np.ndarray], list[str]]:
    """Names, RGB images and the label each should get."""
    from .make_probes import render

    names, images = [], []
    with tempfile.TemporaryDirectory() as tmp:
        render(Path(tmp), n=12, seed=7)
        for p in sorted(Path(tmp).iterdir()):
            names.append(f"document {p.name}")
            images.append(load_image(p).pixels)
    for name, pixels in synthetic_frames().items():
        names.append(name)
        images.append(pixels)
    expect: list[str] = [NONE] * len(names)
    for p in sorted(resource_path("docs", "screenshots").glob("*.png")):
        names.append(f"screenshot {p.name}")
        images.append(load_image(p).pixels)
        expect.append("face-photo" if p.name in FACE_SCREENSHOTS else NONE)
    for p in sorted(PHOTOS.glob("*.jpg")):
        rgb = load_image(p).pixels
        h, w = rgb.shape[:2]
        crop = rgb[h // 4 : 3 * h // 4, w // 4 : 3 * w // 4]
        for suffix, img in (
            ("", rgb),
            (" grey", _grey(rgb)),
            (" washed-out grey", _grey(rgb, 0.4)),
            (" centre crop", crop),
            (" grey centre crop", _grey(crop)),
        ):
            names.append(p.stem + suffix)
            images.append(np.ascontiguousarray(img))
            expect.append(NONE)
    for rel, label in EXTRA_PHOTOS.items():
        if (SITE / rel).is_file():
            names.append(Path(rel).name)
            images.append(load_image(SITE / rel).pixels)
            expect.append(label)
    return names, images, expect
