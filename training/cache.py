"""Precomputed outputs of the frozen lower backbone, so CPU training only pays for the top.

The frozen layers run in eval mode, so their output for a given (image, augmentation)
never changes: compute it once per view with onnxruntime (several times faster than
eager PyTorch on a laptop CPU), keep it as float16 on disk, and train the top on it.
Each view file is written atomically, so a killed job resumes at the next missing view.
"""

from __future__ import annotations

import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

import inference.offline  # noqa: F401 - telemetry off before onnxruntime loads

# isort: split
import onnxruntime as ort
import torch
from torch import nn
from tqdm import tqdm

from inference.manifest import InputSpec

from .data import Augment, Split, load_tensor


def export_prefix(prefix: nn.Module, spec: InputSpec, path: Path) -> None:
    prefix.eval()
    dummy = torch.zeros(1, 3, spec.height, spec.width)
    torch.onnx.export(
        prefix,
        dummy,
        str(path),
        input_names=["x"],
        output_names=["y"],
        dynamic_axes={"x": {0: "n"}, "y": {0: "n"}},
        opset_version=17,
        dynamo=False,
    )


def _session(path: Path, threads: int) -> ort.InferenceSession:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.log_severity_level = 3
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def compute_view(
    split: Split,
    spec: InputSpec,
    session: ort.InferenceSession,
    augment: Augment | None,
    seed: int,
    batch: int = 64,
    desc: str = "",
) -> np.ndarray:
    """Prefix outputs [N, C, h, w] float16 for one augmented (or clean) view of every image."""
    out: np.ndarray | None = None
    n = len(split.samples)
    with ThreadPoolExecutor(max_workers=2) as pool:
        for start in tqdm(range(0, n, batch), desc=desc, unit="batch", leave=False):
            chunk = split.samples[start : start + batch]
            seeds = [seed * 1_000_003 + start + i for i in range(len(chunk))]
            tensors = list(pool.map(lambda a: load_tensor(a[0], spec, augment, a[1]), zip(chunk, seeds, strict=False)))
            y = session.run(None, {"x": np.stack(tensors)})[0]
            if out is None:
                out = np.empty((n, *y.shape[1:]), dtype=np.float16)
            out[start : start + len(chunk)] = y.astype(np.float16)
    assert out is not None
    return out


def _save_atomic(path: Path, array: np.ndarray) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp.npy")
    os.close(fd)
    np.save(tmp, array)
    os.replace(tmp, path)


def build_cache(
    prefix: nn.Module,
    spec: InputSpec,
    train: Split,
    val: Split,
    workdir: Path,
    views: int,
    augment: Augment | None,
    threads: int = 2,
) -> tuple[list[np.ndarray], np.ndarray]:
    """Train views (view 0 is un-augmented) and the val view, reusing files already on disk."""
    workdir.mkdir(parents=True, exist_ok=True)
    onnx_path = workdir / "prefix.onnx"
    if not onnx_path.exists():
        export_prefix(prefix, spec, onnx_path)
    session = None
    arrays = []
    jobs = [(f"train_v{v}.npy", train, augment if v > 0 else None, v) for v in range(views)]
    jobs.append(("val.npy", val, None, 0))
    for name, split, aug, seed in jobs:
        path = workdir / name
        if path.exists():
            arrays.append(np.load(path, mmap_mode="r"))
            continue
        session = session or _session(onnx_path, threads)
        arr = compute_view(split, spec, session, aug, seed, desc=name)
        _save_atomic(path, arr)
        arrays.append(np.load(path, mmap_mode="r"))
    return arrays[:-1], arrays[-1]
