"""The modality check shared by all packs: is this a brain MRI, a chest X-ray, a palm photo,
a face photo, or none of these?

Why: each pack's own out-of-distribution guard learns "like my training pool", not "a brain
MRI", so it both refused genuine images from other sites and passed some foreign photos. One
small classifier on a frozen ImageNet backbone, trained on every pack's images plus drawn
negatives, answers the modality question for every pack; the pack guard is left to catch the
same modality gone wrong. A distance check per modality (Mahalanobis on the pooled backbone
features, as in :mod:`inference.ood`) turns images far from every modality into "none".

The check ships like a pack, in ``models/checks/modality/``: ``manifest.json``
(``kind: modality-check``), ``model.onnx`` (outputs ``logits`` [N,5] and ``pooled`` [N,K]),
``distance.npz`` (per modality ``<label>.center`` ... as in ``ood.npz``), ``MODEL_CARD.md``
and the ``SHA256SUMS`` seal. It sits one level down so pack discovery never lists it.

Variants, as packs record them (issue 21): ``onnx.variants.<name>`` names another graph
(``file``, ``sha256``, ``metrics``) and the top-level ``variants.<name>.distance`` its own
distance block (statistics and thresholds fitted on its own features); ``onnx.default_variant``
says which one runs. ``onnx.base_variant`` (default ``fp32``) names what the top level holds;
a release copy keeps the default only and makes it the base (:func:`default_only`).
"""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from .engine import softmax
from .errors import PackError
from .manifest import InputSpec, Normalization
from .ood import MahalanobisScorer
from .preprocess import preprocess
from .resources import resource_path
from .seal import read_verified
from .signing import verify_signed

NONE = "none"
LABELS = ("brain-mri", "chest-xray", "palm-photo", "face-photo", NONE)
KIND = "modality-check"
# How a message names each modality, and the screening type that reads it.
LOOKS_LIKE = {
    "brain-mri": "a brain MRI",
    "chest-xray": "a chest X-ray",
    "palm-photo": "a photo of a palm",
    "face-photo": "a photo of a face",
}
# The screening type a message sends the user to.
TYPE_NAME = {
    "brain-mri": "brain MRI",
    "chest-xray": "chest X-ray",
    "palm-photo": "palm photo",
    "face-photo": "face photo",
}
# A pack's manifest field ``modality`` says what it reads; these are the ones the check knows.
CHECKED = frozenset(LOOKS_LIKE)
# What "the right modality, but unusual" most likely means, for a pack guard's refusal. Brain:
# of the 14 second-site scans brain-mri-tumor refused, 6 were CT scans the source had filed as
# MRI (the check, trained on those folders, calls them brain MRI); chest: inverted X-rays are
# the artefacts its guard sees most (models/guard_comparison.md).
UNUSUAL = {
    "brain-mri": "a CT scan rather than an MRI, another view or sequence, heavy artefacts, "
    "an unusual scanner",
    "chest-xray": "another view or body part, an inverted or heavily processed image, heavy "
    "artefacts, an unusual scanner",
}
UNUSUAL_DEFAULT = "another body part or view, heavy artefacts, an unusual scanner"


def check_dir() -> Path:
    return resource_path("models", "checks", "modality")


@dataclass(frozen=True)
class ModalityVerdict:
    """What one image looks like. ``label`` is a modality or ``none``; ``predicted`` is the
    classifier's top label before the distance check (kept for audit)."""

    label: str
    predicted: str
    probability: float  # of ``predicted``
    distance: float | None  # Mahalanobis score / its threshold; above 1 means too far
    ms: float = 0.0  # per image, preprocessing and inference

    def accepts(self, modality: str) -> bool:
        """True when a pack reading ``modality`` may screen this image."""
        return modality not in CHECKED or self.label == modality


@dataclass(frozen=True)
class ModalityInfo:
    """The parts of the check's manifest the app shows (card figures, version)."""

    version: str
    input: InputSpec
    thresholds: dict[str, float]
    metrics: dict[str, Any]
    variant: str = "fp32"  # the variant that runs (the manifest's default unless asked)


def variant_names(raw: dict[str, Any]) -> tuple[str, str, tuple[str, ...]]:
    """(base, default, every variant) named by a check's manifest."""
    onnx = raw["onnx"]
    base = onnx.get("base_variant", "fp32")
    default = onnx.get("default_variant", base)
    return base, default, (base, *sorted(v for v in onnx.get("variants", {}) if v != base))


def _variant_blocks(raw: dict[str, Any], variant: str) -> tuple[dict, dict, dict]:
    """(graph, distance, metrics) blocks of ``variant``; the base's are the top level."""
    base, _, names = variant_names(raw)
    if variant not in names:
        raise PackError(
            f"the modality check has no variant {variant!r} (it has {', '.join(names)}); "
            "reinstall ClinicLens"
        )
    onnx = raw["onnx"]
    if variant == base:
        return onnx, raw["distance"], dict(raw.get("metrics", {}))
    graph = {**onnx, **onnx["variants"][variant]}
    block = raw.get("variants", {}).get(variant, {})
    if "distance" not in block:
        raise PackError(
            f"the modality check's {variant} variant has no distance thresholds of its own; "
            "reinstall ClinicLens"
        )
    return graph, block["distance"], dict(block.get("metrics", raw.get("metrics", {})))


def default_only(raw: dict[str, Any]) -> set[str]:
    """Rewrite a check's manifest ``raw`` to describe its default variant only (as the base)
    and return the files a release copy leaves out: what ships is what runs."""
    base, default, names = variant_names(raw)
    keep_graph, keep_dist, metrics = _variant_blocks(raw, default)
    every = {v: _variant_blocks(raw, v) for v in names}
    dropped = {g["file"] for g, _, _ in every.values()} | {d["file"] for _, d, _ in every.values()}
    dropped -= {keep_graph["file"], keep_dist["file"]}
    onnx = raw["onnx"]
    onnx.pop("variants", None)
    onnx.pop("default_variant", None)
    onnx.update(file=keep_graph["file"], sha256=keep_graph["sha256"], base_variant=default)
    raw.pop("variants", None)
    raw["distance"] = keep_dist
    raw["metrics"] = metrics
    return dropped


def _input_spec(raw: dict[str, Any]) -> InputSpec:
    norm = raw["normalization"]
    return InputSpec(
        height=int(raw["size"][0]),
        width=int(raw["size"][1]),
        color=raw["color"],
        resize=raw["resize"],
        normalization=Normalization(
            kind=norm["kind"],
            mean=tuple(norm.get("mean", (0, 0, 0))),
            std=tuple(norm.get("std", (1, 1, 1))),
        ),
    )


class ModalityCheck:
    """The loaded, verified check. Thread-safe: onnxruntime's ``run`` may be called concurrently."""

    def __init__(
        self, directory: Path | str, *, threads: int | None = 1, variant: str | None = None
    ) -> None:
        """``variant``: ``fp32``, ``int8`` ... (default: the manifest's ``default_variant``)."""
        self.directory = Path(directory)
        label = "modality check"
        try:
            # Signed by a trusted key, every sealed file intact (as for packs).
            _, sealed = verify_signed(self.directory, label)
            raw = json.loads(self._verified("manifest.json", sealed["manifest.json"]))
            if raw.get("kind") != KIND or tuple(raw["labels"]) != LABELS:
                raise PackError(f"{self.directory}: not a modality check for {', '.join(LABELS)}")
            chosen = variant or variant_names(raw)[1]
            onnx, dist, metrics = _variant_blocks(raw, chosen)
            # What runs is what was checked: the bytes hashed are the bytes used.
            self._model = self._verified(onnx["file"], onnx["sha256"])
            stats = self._verified(dist["file"], dist["sha256"])
            self.info = ModalityInfo(
                version=raw["pack_version"],
                input=_input_spec(raw["input"]),
                thresholds={k: float(v) for k, v in dist["thresholds"].items()},
                metrics=metrics,
                variant=chosen,
            )
            self._outputs = [onnx["outputs"]["logits"], onnx["outputs"]["pooled"]]
            self._input = onnx["input"]
            with np.load(io.BytesIO(stats), allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files}
        except (OSError, KeyError, ValueError, TypeError) as exc:
            raise PackError(
                f"{label} in {self.directory} is unreadable ({exc}); reinstall ClinicLens"
            ) from exc
        self.scorers = {
            m: MahalanobisScorer.from_arrays(
                {k.split(".", 1)[1]: v for k, v in arrays.items() if k.startswith(m + ".")},
                self.info.thresholds[m],
            )
            for m in CHECKED
        }
        self.threads = threads
        self._session: ort.InferenceSession | None = None
        self._lock = threading.Lock()

    def _verified(self, name: str, expected: str) -> bytes:
        """The bytes of ``name`` once checked: what is used is what was verified."""
        return read_verified(self.directory / name, expected, "modality check")

    @property
    def session(self) -> ort.InferenceSession:
        with self._lock:
            if self._session is None:
                opts = ort.SessionOptions()
                opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
                if self.threads:
                    opts.intra_op_num_threads = int(self.threads)
                    opts.inter_op_num_threads = 1
                opts.log_severity_level = 3
                self._session = ort.InferenceSession(
                    self._model, opts, providers=["CPUExecutionProvider"]
                )
            return self._session

    def run(self, images: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Logits [N,5] and pooled features [N,K] for RGB uint8 images."""
        spec = self.info.input
        batch = np.empty((len(images), 3, spec.height, spec.width), np.float32)
        for i, rgb in enumerate(images):
            preprocess(rgb, spec, out=batch[i])
        logits, pooled = self.session.run(self._outputs, {self._input: batch})
        return np.asarray(logits), np.asarray(pooled)

    def decide(
        self, logits: np.ndarray, pooled: np.ndarray, ms: float = 0.0
    ) -> list[ModalityVerdict]:
        """The classifier's top label, turned into ``none`` when the image is too far from it."""
        probs = softmax(logits)
        top = probs.argmax(axis=1)
        out = []
        for i, t in enumerate(top):
            predicted = LABELS[int(t)]
            distance = None
            label = predicted
            if predicted in self.scorers:
                scorer = self.scorers[predicted]
                distance = float(scorer.score(pooled[i : i + 1])[0] / scorer.threshold)
                if distance > 1.0:
                    label = NONE
            out.append(ModalityVerdict(label, predicted, float(probs[i, t]), distance, ms))
        return out

    def classify(self, images: Sequence[np.ndarray]) -> list[ModalityVerdict]:
        if not images:
            return []
        t0 = time.perf_counter()
        logits, pooled = self.run(images)
        ms = (time.perf_counter() - t0) * 1000.0 / len(images)
        return self.decide(logits, pooled, ms)


@lru_cache(maxsize=4)
def _cached(directory: str) -> ModalityCheck:
    return ModalityCheck(directory)


def default_check() -> ModalityCheck | None:
    """The bundled check, loaded once per process; None where it is not installed (a source
    tree before training it). A damaged check raises PackError: it must not silently pass."""
    directory = check_dir()
    if not (directory / "manifest.json").is_file():
        return None
    return _cached(str(directory))


def refusal_message(verdict: ModalityVerdict, modality: str, screening_name: str) -> str:
    """Why a pack reading ``modality`` refuses an image, and what the user can do about it."""
    wanted = LOOKS_LIKE.get(modality, "an image for this screening type")
    if verdict.label in LOOKS_LIKE:
        looks = LOOKS_LIKE[verdict.label]
        return (
            f"This looks like {looks}, not {wanted}, so no answer is given. "
            f"Choose the {TYPE_NAME[verdict.label]} screening type."
        )
    return (
        f"This does not look like {wanted}, nor like any image ClinicLens screens "
        "(it may be a document, a screenshot, a blank frame or an ordinary photo), so no answer "
        f"is given. Check that the right file was chosen for {screening_name}."
    )
