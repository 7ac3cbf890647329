"""From image file to calibrated, guarded answer: decode, check, preprocess, run, score."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from . import cam as cam_mod
from . import quality as quality_mod
from .engine import Engine, RawOutputs, softmax
from .errors import ImageError, InferenceError
from .images import LoadedImage, load_image
from .modality import (
    CHECKED,
    LOOKS_LIKE,
    NONE,
    UNUSUAL,
    UNUSUAL_DEFAULT,
    ModalityCheck,
    ModalityVerdict,
    default_check,
    refusal_message,
)
from .ood import MahalanobisScorer, combined_scores, load_guards, pool
from .overlay import DEFAULT_COLORMAP, blend
from .packs import ModelPack
from .preprocess import cam_to_image, preprocess
from .results import CamSource, Prediction, ScreenResult, Status, Timings

# Screener(modality=DEFAULT_CHECK): the bundled modality check, where the pack's modality is one
# it knows; pass None to screen without it (tests of other guards on drawn images).
DEFAULT_CHECK = "default"

# Out-of-distribution scores up to this multiple of the threshold count as near misses.
NEAR_MISS = 1.5


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000.0


class Screener:
    """Screens images with one pack. Safe to share between threads."""

    def __init__(
        self,
        pack: ModelPack,
        engine: Engine | None = None,
        modality: ModalityCheck | str | None = DEFAULT_CHECK,
    ) -> None:
        self.pack = pack
        self.engine = engine or Engine(pack)
        # The temperature, thresholds and guard fitted for the variant the engine runs.
        self.manifest = pack.manifest.for_variant(self.engine.variant)
        if pack.manifest.modality not in CHECKED:
            modality = None
        self.modality_check = default_check() if modality == DEFAULT_CHECK else modality
        self._guards: tuple[MahalanobisScorer | None, MahalanobisScorer | None] | None = None

    # -- pieces -----------------------------------------------------------------
    def _load_guards(self) -> tuple[MahalanobisScorer | None, MahalanobisScorer | None]:
        if self._guards is None:  # the guards read pooled features: packs with CAM outputs
            cam = self.engine.has_cam_outputs
            self._guards = load_guards(self.pack, self.engine.variant) if cam else (None, None)
        return self._guards

    @property
    def ood(self) -> MahalanobisScorer | None:
        """The guard on the pooled features the head reads."""
        return self._load_guards()[0]

    @property
    def early_ood(self) -> MahalanobisScorer | None:
        """The guard on an earlier layer (packs whose late features are too narrow)."""
        return self._load_guards()[1]

    @property
    def draft_size(self) -> tuple[int, int]:
        """Let JPEG decode at reduced scale, but never below twice the model input."""
        spec = self.manifest.input
        return (2 * spec.width, 2 * spec.height)

    def load(self, path: Path | str) -> LoadedImage:
        return load_image(path, draft_size=self.draft_size)

    def predict(self, probabilities: np.ndarray) -> Prediction:
        man = self.manifest
        top = int(np.argmax(probabilities))
        referring = []
        for i, cls in enumerate(man.classes):
            if not cls.refer:
                continue
            passed = probabilities[i] >= cls.threshold if cls.threshold is not None else i == top
            if passed:
                referring.append(cls.id)
        return Prediction(
            pack_id=man.id,
            pack_version=man.pack_version,
            model_sha256=self.pack.model_sha256(self.engine.variant),
            class_ids=man.class_ids,
            probabilities=tuple(float(p) for p in probabilities),
            top_class=man.classes[top].id,
            top_probability=float(probabilities[top]),
            refer=bool(referring),
            referring_classes=tuple(referring),
        )

    # -- screening --------------------------------------------------------------
    def screen_images(
        self, images: Sequence[LoadedImage], *, decode_ms: Sequence[float] | None = None
    ) -> list[ScreenResult]:
        """Screen decoded images as one batch."""
        if not images:
            return []
        spec = self.manifest.input
        t0 = time.perf_counter()
        batch = np.empty((len(images), 3, spec.height, spec.width), dtype=np.float32)
        for i, img in enumerate(images):
            preprocess(img.pixels, spec, out=batch[i])
        prep_ms = _ms(t0) / len(images)
        t1 = time.perf_counter()
        raw = self.engine.run(batch)
        infer_ms = _ms(t1) / len(images)
        probs = softmax(raw.logits, self.manifest.temperature)
        verdicts = self._modality(images)
        scores = None
        if self.ood is not None and raw.features is not None:
            scores = combined_scores(self.ood, self.early_ood, pool(raw.features), raw.early_pooled)
        results = []
        for i, img in enumerate(images):
            timings = Timings(
                decode_ms=decode_ms[i] if decode_ms else 0.0,
                preprocess_ms=prep_ms,
                inference_ms=infer_ms + (verdicts[i].ms if verdicts else 0.0),
            )
            verdict = verdicts[i] if verdicts else None
            results.append(self._verdict(img, raw, i, probs[i], scores, timings, verdict))
        return results

    def _verdict(
        self,
        img: LoadedImage,
        raw: RawOutputs,
        i: int,
        probs: np.ndarray,
        scores: np.ndarray | None,
        timings: Timings,
        verdict: ModalityVerdict | None = None,
    ) -> ScreenResult:
        report = quality_mod.assess(img.pixels, self.manifest.quality)
        cam_source = None
        if raw.features is not None and raw.head_grad is not None:
            cam_source = CamSource(raw.features[i], raw.head_grad[i])
        score = None if scores is None else float(scores[i])
        status, message = Status.OK, ""
        wrong_kind = "colour_image" in report.problems or "grayscale_image" in report.problems
        modality = self.manifest.modality
        if verdict is not None and not verdict.accepts(modality) and not (
            verdict.label == NONE and wrong_kind
        ):
            status = Status.NOT_MODALITY
            message = refusal_message(verdict, modality, self.manifest.display_name.get("en"))
        elif wrong_kind:
            status = Status.NOT_MODALITY
            kind = "a colour photograph" if "colour_image" in report.problems else "a grayscale scan"
            message = (
                f"This looks like {kind}, not an image for "
                f"{self.manifest.display_name.get('en')}. "
                "The model was not made for it, so no answer is given."
            )
        elif self.ood is not None and score is not None and score > self.ood.threshold:
            status = Status.OUT_OF_DISTRIBUTION
            message = self._unusual_message(verdict) + self._small_image_hint(img, score)
        elif report.problems:
            status = Status.POOR_QUALITY
            message = quality_mod.advice(report.problems)
        return ScreenResult(
            source=img.path,
            status=status,
            message=message,
            image_sha256=img.sha256,
            prediction=self.predict(probs),
            ood_score=score,
            quality=report,
            timings=timings,
            cam_source=cam_source,
            image_size=(img.width, img.height),
            looks_like="" if verdict is None else verdict.label,
        )

    def _unusual_message(self, verdict: ModalityVerdict | None) -> str:
        """Refused by the pack's own guard. Where the shared check confirmed the modality,
        say so: the screening type is right, the image is what is unusual."""
        name = self.manifest.display_name.get("en")
        if verdict is not None and verdict.label == self.manifest.modality:
            return (
                f"This looks like {LOOKS_LIKE[verdict.label]}, but unlike the images the model "
                f"for {name} was trained on ({UNUSUAL.get(verdict.label, UNUSUAL_DEFAULT)}), so "
                "no answer is given. Have a clinician read it."
            )
        return (
            f"This image does not look like the images the model for {name} was trained on, "
            "so no answer is given. Check the screening type and the image."
        )

    def _modality(self, images: Sequence[LoadedImage]) -> list[ModalityVerdict] | None:
        """The shared check's answer per image, or None where this pack is not checked."""
        if self.modality_check is None:
            return None
        return self.modality_check.classify([img.pixels for img in images])

    def _small_image_hint(self, img: LoadedImage, score: float) -> str:
        """Downscaled copies (thumbnails, screenshots, forwarded photos) are refused far more
        often than originals (a 224-px pack: 10 % of its validation X-rays at 160 px against
        4 %), so say what to try when the image is smaller than the model's input. Only for
        near misses: such copies scored at most 1.5x the threshold, unrelated photos and
        scans mostly far above it, and they need no advice about resolution."""
        spec = self.manifest.input
        width, height = img.original_size
        near_miss = self.ood is not None and score <= NEAR_MISS * self.ood.threshold
        if not near_miss or min(width, height) >= min(spec.width, spec.height):
            return ""
        return (
            f" The image is small ({width} x {height} pixels; the model reads "
            f"{spec.width} x {spec.height}): if there is an original, full-size image, screen "
            "that instead."
        )

    def screen_image(self, image: LoadedImage, decode_ms: float = 0.0) -> ScreenResult:
        return self.screen_images([image], decode_ms=[decode_ms])[0]

    def screen_path(self, path: Path | str) -> ScreenResult:
        """Screen one file; unreadable files become a result with a status, never an exception."""
        t0 = time.perf_counter()
        try:
            image = self.load(path)
        except ImageError as exc:
            return failed_result(str(path), exc)
        return self.screen_image(image, decode_ms=_ms(t0))

    # -- heatmaps ---------------------------------------------------------------
    def heatmap(
        self,
        image: LoadedImage,
        result: ScreenResult,
        class_id: str | None = None,
        method: str = "gradcam",
    ) -> tuple[cam_mod.CamMap, np.ndarray]:
        """The CAM for ``class_id`` (default: top class) and its map at image resolution."""
        if result.prediction is None:
            raise InferenceError("no prediction to explain", code="error")
        class_id = class_id or result.prediction.top_class
        index = self.manifest.class_index(class_id)
        spec = self.manifest.input
        if result.cam_source is not None:
            cmap = cam_mod.compute(
                result.cam_source.features, result.cam_source.head_grad, index, class_id, method
            )
        else:
            tensor = preprocess(image.pixels, spec)
            cmap = cam_mod.occlusion(
                lambda b: softmax(self.engine.run(b).logits, self.manifest.temperature),
                tensor,
                index,
                class_id,
            )
        full = cam_to_image(cmap.values, image.height, image.width, spec)
        return cmap, full

    def overlay(
        self,
        image: LoadedImage,
        result: ScreenResult,
        class_id: str | None = None,
        *,
        method: str = "gradcam",
        opacity: float = 0.45,
        colormap: str = DEFAULT_COLORMAP,
    ) -> tuple[cam_mod.CamMap, np.ndarray, ScreenResult]:
        """Heatmap overlay (RGB uint8) and the result with heatmap/overlay timings filled in."""
        t0 = time.perf_counter()
        cmap, full = self.heatmap(image, result, class_id, method)
        picture, timed = finish_overlay(
            image, result, cmap, full, _ms(t0), opacity=opacity, colormap=colormap
        )
        return cmap, picture, timed


def finish_overlay(
    image: LoadedImage,
    result: ScreenResult,
    cmap: cam_mod.CamMap,
    full: np.ndarray,
    heat_ms: float,
    *,
    opacity: float = 0.45,
    colormap: str = DEFAULT_COLORMAP,
) -> tuple[np.ndarray, ScreenResult]:
    """Blend a computed heatmap over the image (the image alone when the map shows no
    evidence) and fill in the heatmap/overlay timings. ``heat_ms``: what computing the map
    cost, also when the caller took it from a cache (the desktop viewer re-blends on every
    opacity or colour-map change)."""
    t1 = time.perf_counter()
    picture = blend(image.pixels, full, opacity, colormap) if cmap.has_evidence else image.pixels
    timed = replace(result, timings=replace(result.timings, heatmap_ms=heat_ms, overlay_ms=_ms(t1)))
    return picture, timed


def failed_result(source: str, exc: InferenceError) -> ScreenResult:
    """Result row for a file that never reached the model."""
    try:
        status = Status(exc.code)
    except ValueError:
        status = Status.UNREADABLE if isinstance(exc, ImageError) else Status.ERROR
    return ScreenResult(source=source, status=status, message=str(exc))
