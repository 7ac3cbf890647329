"""What a screening produces, as frozen dataclasses that cross into workflow and GUI."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np


class Status(str, Enum):
    """Why an image was or was not given an answer. The value is the CSV status code."""

    OK = "ok"
    UNREADABLE = "unreadable"
    TOO_LARGE = "too_large"
    NOT_MODALITY = "not_modality"
    OUT_OF_DISTRIBUTION = "out_of_distribution"
    POOR_QUALITY = "poor_quality"
    ERROR = "error"

    @property
    def answered(self) -> bool:
        return self is Status.OK


@dataclass(frozen=True)
class Timings:
    """Milliseconds spent per stage of one screening."""

    decode_ms: float = 0.0
    preprocess_ms: float = 0.0
    inference_ms: float = 0.0
    heatmap_ms: float = 0.0
    overlay_ms: float = 0.0

    @property
    def total_ms(self) -> float:
        return (
            self.decode_ms + self.preprocess_ms + self.inference_ms + self.heatmap_ms + self.overlay_ms
        )


@dataclass(frozen=True)
class Prediction:
    """The model's calibrated answer for one image."""

    pack_id: str
    pack_version: str
    model_sha256: str
    class_ids: tuple[str, ...]
    probabilities: tuple[float, ...]  # softmax(logits / temperature), same order as class_ids
    top_class: str
    top_probability: float
    refer: bool  # a "refer for follow-up" class passed its operating threshold
    referring_classes: tuple[str, ...] = ()

    def probability(self, class_id: str) -> float:
        return self.probabilities[self.class_ids.index(class_id)]

    @property
    def explained_class(self) -> str:
        """The class whose heatmap explains the message: the one that caused a referral when
        that is not the top class (palm: "Not anaemic 66 %" referred because of Anaemic),
        else the top class. The GUI shows it first and batches save its heatmap."""
        if self.refer and self.referring_classes and self.top_class not in self.referring_classes:
            return self.referring_classes[0]
        return self.top_class


@dataclass(frozen=True, eq=False)
class CamSource:
    """The arrays any gradient CAM needs, kept so a heatmap for any class costs no rerun."""

    features: np.ndarray  # [K, h, w]
    head_grad: np.ndarray  # [C, K]


@dataclass(frozen=True)
class QualityReport:
    brightness: float  # mean grey level 0..255
    sharpness: float  # variance of the Laplacian at a fixed working size
    colourfulness: float  # mean HSV saturation 0..1
    problems: tuple[str, ...] = ()
    border: float | None = None  # mean grey of the outer ring, where the pack checks it


@dataclass(frozen=True, eq=False)
class ScreenResult:
    """One image's outcome. ``prediction`` is kept even when the image is flagged, for
    audit, but callers must show ``message`` instead of a confident answer unless
    ``status`` is OK."""

    source: str
    status: Status
    message: str = ""
    image_sha256: str = ""
    prediction: Prediction | None = None
    # On the pack's main guard scale: above manifest.ood.threshold means flagged. With an
    # early-layer guard it is the larger of the two, the early one rescaled to that threshold.
    ood_score: float | None = None
    quality: QualityReport | None = None
    timings: Timings = Timings()
    cam_source: CamSource | None = None
    image_size: tuple[int, int] | None = None  # (width, height) as decoded
    # What the shared modality check (inference.modality) says the image is: a modality id
    # ("chest-xray"), "none", or "" where the check did not run (packs of other modalities).
    looks_like: str = ""

    @property
    def answered(self) -> bool:
        return self.status is Status.OK and self.prediction is not None
