"""Running a pack once over a labelled sample (and over probe images) for site calibration.

The Screener decides as it always does (so every refusal reason, present and future, counts)
while a recording engine keeps the raw outputs calibration needs: logits and the features
the guards read. One forward pass per image; cross-validation then costs no inference.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import quality as quality_mod
from .engine import Engine, RawOutputs
from .errors import ImageError
from .images import LoadedImage
from .ood import pool
from .packs import ModelPack
from .resources import resource_path
from .results import Status
from .site import Cancelled, Probes, SampleOutputs

BATCH = 16


class _RecordingEngine:
    """Delegates to the real engine and keeps each batch's raw outputs."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self.last: RawOutputs | None = None

    def __getattr__(self, name: str):  # noqa: ANN204 - plain delegation
        return getattr(self._engine, name)

    def run(self, batch: np.ndarray) -> RawOutputs:
        self.last = self._engine.run(batch)
        return self.last


@dataclass(frozen=True, eq=False)
class Collected:
    outputs: SampleOutputs
    statuses: tuple[Status, ...]  # the shipped pack's verdict per image
    unreadable: tuple[str, ...]  # files that could not be decoded (counted as refusals)


def collect(
    pack: ModelPack,
    images: Sequence[Path | LoadedImage],
    labels: Sequence[int],
    *,
    engine: Engine | None = None,
    progress: Callable[[int, int], bool] | None = None,
) -> Collected:
    """Screen every image with the shipped pack, keeping logits and guard features.
    ``progress(done, total)`` returning False cancels."""
    from .screener import Screener  # late: the screener imports this package's siblings

    recorder = _RecordingEngine(engine or Engine(pack))
    screener = Screener(pack, engine=recorder)  # type: ignore[arg-type]
    n_classes = len(pack.manifest.classes)
    logits = np.zeros((len(images), n_classes), np.float32)
    pooled: list[np.ndarray | None] = [None] * len(images)
    early: list[np.ndarray | None] = [None] * len(images)
    other = np.ones(len(images), bool)
    statuses: list[Status] = [Status.UNREADABLE] * len(images)
    unreadable: list[str] = []
    for start in range(0, len(images), BATCH):
        if progress is not None and not progress(start, len(images)):
            raise Cancelled("calibration cancelled")
        chunk, where = [], []
        for i in range(start, min(start + BATCH, len(images))):
            item = images[i]
            if isinstance(item, LoadedImage):
                chunk.append(item)
                where.append(i)
                continue
            try:
                chunk.append(screener.load(item))
                where.append(i)
            except ImageError:
                unreadable.append(str(item))
        if not chunk:
            continue
        results = screener.screen_images(chunk)
        raw = recorder.last
        assert raw is not None
        feats = pool(raw.features) if raw.features is not None else None
        for r, (i, img, res) in enumerate(zip(where, chunk, results, strict=True)):
            logits[i] = raw.logits[r]
            pooled[i] = None if feats is None else feats[r]
            early[i] = None if raw.early_pooled is None else raw.early_pooled[r]
            statuses[i] = res.status
            other[i] = _refused_whatever_the_guard(res.status, img, pack)
    if progress is not None:
        progress(len(images), len(images))
    outputs = SampleOutputs(
        labels=np.asarray(labels, int),
        logits=logits,
        pooled=_stack(pooled),
        early=_stack(early),
        other_refusal=other,
    )
    return Collected(outputs, tuple(statuses), tuple(unreadable))


def _refused_whatever_the_guard(status: Status, img: LoadedImage, pack: ModelPack) -> bool:
    """A refusal calibration cannot lift: anything but OK or the guard, and guard refusals
    that quality checks would refuse next (the screener reports the guard first)."""
    if status is Status.OK:
        return False
    if status is not Status.OUT_OF_DISTRIBUTION:
        return True
    return bool(quality_mod.assess(img.pixels, pack.manifest.quality).problems)


def _stack(rows: list[np.ndarray | None]) -> np.ndarray | None:
    if not rows or any(r is None for r in rows):
        return None
    return np.stack(rows).astype(np.float64)  # type: ignore[arg-type]


# -- probes -----------------------------------------------------------------------------
def synthetic_probes(seed: int = 0) -> list[tuple[str, np.ndarray]]:
    """Frames a mis-click feeds the app (blank, grey, ramp, noise) and rendered text pages:
    any guard extension must keep refusing them."""
    from PIL import Image, ImageDraw, ImageFont

    rng = np.random.default_rng(seed)
    ramp = np.tile(np.linspace(0, 255, 384).astype(np.uint8), (384, 1))
    noise = rng.integers(0, 256, (384, 384), dtype=np.uint8)
    out = [
        ("black", np.zeros((384, 384, 3), np.uint8)),
        ("white", np.full((384, 384, 3), 255, np.uint8)),
        ("grey", np.full((384, 384, 3), 128, np.uint8)),
        ("ramp", np.stack([ramp] * 3, -1)),
        ("grey noise", np.stack([noise] * 3, -1)),
        ("colour noise", rng.integers(0, 256, (384, 384, 3), dtype=np.uint8)),
    ]
    font = ImageFont.load_default()
    for i in range(4):
        page = Image.new("L", (420, 560), int(rng.integers(215, 255)))
        draw = ImageDraw.Draw(page)
        for y in range(20, 530, 22):
            draw.text((int(rng.integers(10, 40)), y), "Hasil pemeriksaan: ____ g/dL", fill=30, font=font)
        arr = np.asarray(page, np.float32) + rng.normal(0, 6, (560, 420))
        grey = np.clip(arr, 0, 255).astype(np.uint8)
        out.append((f"document {i}", np.stack([grey] * 3, -1)))
    return out


def _as_image(pixels: np.ndarray, name: str) -> LoadedImage:
    h, w = pixels.shape[:2]
    return LoadedImage(pixels=pixels, sha256="", source_mode="RGB", original_size=(w, h), path=name)


def bundled_foreign_samples(pack: ModelPack) -> list[Path]:
    """The sample images shipped for packs of other modalities: real images of the kinds a
    clinic might pick by mistake."""
    root = resource_path("assets", "samples")
    from .packs import discover

    catalog = discover()
    out: list[Path] = []
    for other_id in catalog.ids:
        other = catalog.get(other_id)
        if other.manifest.modality == pack.manifest.modality:
            continue
        out += sorted(p for p in (root / other_id).glob("*") if p.suffix.lower() in {".jpg", ".png"})
    return out


def probe_features(pack: ModelPack, engine: Engine | None = None,
                   extra: Sequence[Path] = ()) -> tuple[Probes | None, int]:
    """The probes the shipped pack refuses (with whether only its guard does), and how many
    probes there were. Probes the shipped pack answers are left out: calibration is not
    asked to do better than shipped on them."""
    probes = [_as_image(px, name) for name, px in synthetic_probes()]
    paths = list(bundled_foreign_samples(pack)) + list(extra)
    collected = collect(pack, [*probes, *paths], [0] * (len(probes) + len(paths)), engine=engine)
    refused = np.array([s is not Status.OK for s in collected.statuses])
    pooled = collected.outputs.pooled
    if pooled is None:
        return None, len(refused)
    guard_only = ~collected.outputs.other_refusal[refused]
    early = collected.outputs.early
    return Probes(pooled[refused], guard_only, None if early is None else early[refused]), len(refused)
