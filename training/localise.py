"""Do heatmaps point at the lesion? Pointing game and energy lift against known boxes.

Both figures are taken on the heatmap at image resolution, i.e. the map the viewer paints
over the image (``Screener.heatmap``), and compared with a trivial map that ignores the
image: a centred isotropic Gaussian. A heatmap that does not beat that baseline by a wide
margin tells a clinician nothing about where the model looked.

- Pointing game (Zhang et al. 2016): the map's peak lies inside the box grown on every side
  by ``TOLERANCE`` (3 %) of the image side. A map with no positive evidence is a miss.
- Energy lift: share of the map's mass inside the (ungrown) box divided by the box's share
  of the image. 1 = no better than a uniform map; a map wholly inside the box scores
  1 / box share.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .intervals import Estimate, bootstrap_mean, share

TOLERANCE = 0.03  # of the image side, per the pointing-game convention used in issue 15
CENTRE_SIGMA = 0.25  # of the shorter image side


@dataclass(frozen=True)
class Box:
    """A box in fractions of the image width/height, as in ``tumour_boxes.csv``."""

    xc: float
    yc: float
    w: float
    h: float

    def pixels(self, height: int, width: int, grow: float = 0.0) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1), half-open, clipped to the image; ``grow`` in image-side fractions.

        Pixel (x, y) counts as inside when its centre (x + 0.5, y + 0.5) lies in the box.
        """
        fx0, fx1 = self.xc - self.w / 2 - grow, self.xc + self.w / 2 + grow
        fy0, fy1 = self.yc - self.h / 2 - grow, self.yc + self.h / 2 + grow

        def span(lo: float, hi: float, side: int) -> tuple[int, int]:
            a = int(np.clip(np.ceil(lo * side - 0.5), 0, side))
            b = int(np.clip(np.floor(hi * side - 0.5) + 1, a, side))
            return a, b

        x0, x1 = span(fx0, fx1, width)
        y0, y1 = span(fy0, fy1, height)
        return x0, y0, x1, y1


@dataclass(frozen=True)
class BoxedImage:
    path: Path
    label: str
    box: Box


def read_boxes(csv_path: Path, split: str) -> list[BoxedImage]:
    """Rows of ``tumour_boxes.csv`` for one split; ``file`` is relative to the CSV's folder."""
    root = Path(csv_path).parent
    out = []
    with open(csv_path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["split"] != split:
                continue
            box = Box(float(row["xc"]), float(row["yc"]), float(row["w"]), float(row["h"]))
            out.append(BoxedImage(root / row["file"], row["label"], box))
    return out


def peak(heatmap: np.ndarray) -> tuple[int, int] | None:
    """(y, x) of the maximum; None for a map with no positive value (no evidence).

    Ties (plateaus) are resolved by the mean position of the tied pixels, so a flat-topped
    map is not credited for whichever tied pixel happens to come first.
    """
    m = np.asarray(heatmap, dtype=np.float64)
    top = float(m.max()) if m.size else 0.0
    if not np.isfinite(top) or top <= 0:
        return None
    ys, xs = np.nonzero(m >= top * (1 - 1e-6))
    return int(round(ys.mean())), int(round(xs.mean()))


def pointing_hit(heatmap: np.ndarray, box: Box, tolerance: float = TOLERANCE) -> bool:
    """True when the map's peak lies in the box grown by ``tolerance`` of the image side."""
    at = peak(heatmap)
    if at is None:
        return False
    h, w = heatmap.shape
    x0, y0, x1, y1 = box.pixels(h, w, grow=0.0)
    gx, gy = round(tolerance * w), round(tolerance * h)
    y, x = at
    return (max(0, x0 - gx) <= x < min(w, x1 + gx)) and (max(0, y0 - gy) <= y < min(h, y1 + gy))


def energy_lift(heatmap: np.ndarray, box: Box) -> float:
    """(mass inside the box / total mass) / (box area / image area); 0 for an empty map."""
    m = np.maximum(np.asarray(heatmap, dtype=np.float64), 0)
    h, w = m.shape
    x0, y0, x1, y1 = box.pixels(h, w)
    area = (x1 - x0) * (y1 - y0)
    total = float(m.sum())
    if area == 0:
        raise ValueError("box covers no pixel of the image")
    if total <= 0:
        return 0.0
    return (float(m[y0:y1, x0:x1].sum()) / total) / (area / (h * w))


def centre_heatmap(height: int, width: int, sigma: float = CENTRE_SIGMA) -> np.ndarray:
    """The trivial baseline: an isotropic Gaussian at the image centre, sigma in shorter sides."""
    s = sigma * min(height, width)
    y = (np.arange(height) + 0.5 - height / 2) / s
    x = (np.arange(width) + 0.5 - width / 2) / s
    return np.exp(-0.5 * (y[:, None] ** 2 + x[None, :] ** 2)).astype(np.float32)


@dataclass(frozen=True)
class LocalScores:
    """Per-image figures of one map kind over a set of boxed images."""

    labels: tuple[str, ...]
    hits: tuple[bool, ...]
    lifts: tuple[float, ...]

    def summary(self, classes: Iterable[str] | None = None) -> dict[str, dict[str, Estimate]]:
        """Pointing game (Wilson) and mean energy lift (bootstrap) per class and over all."""
        labels = np.array(self.labels)
        hits, lifts = np.array(self.hits, dtype=bool), np.array(self.lifts, dtype=np.float64)
        names = list(classes) if classes is not None else sorted(set(self.labels))
        out = {"all": {"pointing": share(hits), "lift": bootstrap_mean(lifts)}}
        for name in names:
            mask = labels == name
            if mask.any():
                out[name] = {"pointing": share(hits[mask]), "lift": bootstrap_mean(lifts[mask])}
        return out


def score_maps(items: Iterable[tuple[str, np.ndarray, Box]]) -> LocalScores:
    """Pointing hits and energy lifts for (label, image-sized heatmap, box) triples."""
    labels, hits, lifts = [], [], []
    for label, heatmap, box in items:
        labels.append(label)
        hits.append(pointing_hit(heatmap, box))
        lifts.append(energy_lift(heatmap, box))
    return LocalScores(tuple(labels), tuple(hits), tuple(lifts))
