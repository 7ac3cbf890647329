"""Measuring a model on files through the app's own loader and ONNX engine: the outputs the
guards and calibrations are fitted on, and probe images' flag rates for the model card.

Shared by ``training.pipeline``, ``training.guard`` and ``training.variant_fit``, so the
guard no longer imports the pipeline that imports it (no import circle)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from inference.engine import Engine
from inference.images import is_image_path
from inference.manifest import InputSpec
from inference.ood import pool
from inference.preprocess import preprocess


def probe_files(dirs: tuple[Path, ...], limit_per_dir: int = 60) -> list[Path]:
    files: list[Path] = []
    for d in dirs:
        found = sorted(p for p in Path(d).rglob("*") if p.is_file() and is_image_path(p))
        step = max(1, len(found) // limit_per_dir)
        files.extend(found[::step][:limit_per_dir])
    return files


def summarise_probes(dirs: tuple[Path, ...], paths: list[Path], flagged: np.ndarray) -> str:
    """Flag rate per probe folder, for the model card."""
    per_dir = []
    for d in dirs:
        mask = np.array([str(p).startswith(str(d)) for p in paths])
        if mask.any():
            per_dir.append(
                f"{Path(d).parent.name}/{Path(d).name}: {flagged[mask].mean():.0%} of {mask.sum()}"
            )
    return "; ".join(per_dir)


@dataclass(frozen=True)
class Screened:
    logits: np.ndarray
    pooled: np.ndarray
    early: np.ndarray | None  # pooled early-layer features, when the pack has that guard


def screen_files(
    engine: Engine,
    spec: InputSpec,
    paths: list[Path],
    batch: int = 64,
    loader: Callable[[Path], np.ndarray] | None = None,
) -> Screened:
    """Model outputs for files, through the app's loader (or ``loader``) and ONNX engine."""
    from inference.images import load_image

    logits, pooled, early = [], [], []
    draft = (2 * spec.width, 2 * spec.height)
    load = loader or (lambda p: load_image(p, draft_size=draft).pixels)
    for s in range(0, len(paths), batch):
        x = np.stack([preprocess(load(p), spec) for p in paths[s : s + batch]])
        raw = engine.run(x)
        logits.append(raw.logits)
        pooled.append(pool(raw.features))
        if raw.early_pooled is not None:
            early.append(raw.early_pooled)
    return Screened(
        np.concatenate(logits), np.concatenate(pooled), np.concatenate(early) if early else None
    )
