"""Labelled image folders and the published augmentations, on top of the app's loader.

Images are read with :func:`inference.images.load_image` and turned into tensors with
:func:`inference.preprocess.preprocess`, so training sees exactly what the clinic app sees.
Augmentations act on the uint8 image first, as the published Keras pipelines did.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from inference.images import is_image_path, load_image
from inference.manifest import InputSpec
from inference.preprocess import preprocess


@dataclass(frozen=True)
class Sample:
    path: Path
    label: int


@dataclass(frozen=True)
class Split:
    classes: tuple[str, ...]
    samples: tuple[Sample, ...]

    @property
    def labels(self) -> np.ndarray:
        return np.array([s.label for s in self.samples], dtype=np.int64)

    def counts(self) -> dict[str, int]:
        labels = self.labels
        return {c: int((labels == i).sum()) for i, c in enumerate(self.classes)}


class DataError(Exception):
    """The data folder does not have the expected train/<class>/ val/<class>/ layout."""


def list_classes(root: Path) -> tuple[str, ...]:
    classes = tuple(sorted(p.name for p in Path(root).iterdir() if p.is_dir()))
    if len(classes) < 2:
        raise DataError(f"{root}: needs at least two class folders, found {list(classes)}")
    return classes


def read_split(root: Path, classes: tuple[str, ...] | None = None) -> Split:
    """All images under ``root/<class>/`` (recursively), classes in sorted order by default."""
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"{root}: folder not found")
    classes = classes or list_classes(root)
    samples = []
    for label, name in enumerate(classes):
        folder = root / name
        if not folder.is_dir():
            raise DataError(f"{root}: class folder {name!r} is missing")
        files = sorted(p for p in folder.rglob("*") if p.is_file() and is_image_path(p))
        samples.extend(Sample(p, label) for p in files)
    if not samples:
        raise DataError(f"{root}: no images found")
    return Split(classes, tuple(samples))


@dataclass(frozen=True)
class Augment:
    """Random geometric and photometric changes (Keras ImageDataGenerator-style ranges)."""

    rotation_deg: float = 15.0
    shift: float = 0.10
    zoom: float = 0.10
    hflip: bool = True
    brightness: float = 0.20

    def __call__(self, rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        h, w = rgb.shape[:2]
        angle = rng.uniform(-self.rotation_deg, self.rotation_deg)
        scale = rng.uniform(1 - self.zoom, 1 + self.zoom)
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, scale)
        matrix[0, 2] += rng.uniform(-self.shift, self.shift) * w
        matrix[1, 2] += rng.uniform(-self.shift, self.shift) * h
        out = cv2.warpAffine(rgb, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)
        if self.hflip and rng.random() < 0.5:
            out = out[:, ::-1]
        factor = rng.uniform(1 - self.brightness, 1 + self.brightness)
        return np.clip(out.astype(np.float32) * factor, 0, 255).astype(np.uint8)


def load_tensor(
    sample: Sample, spec: InputSpec, augment: Augment | None = None, seed: int = 0
) -> np.ndarray:
    """One preprocessed float32 CHW tensor; augmentation is seeded per sample and view."""
    image = load_image(sample.path).pixels
    if augment is not None:
        image = np.ascontiguousarray(augment(image, np.random.default_rng(seed)))
    return preprocess(image, spec)
