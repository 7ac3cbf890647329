"""Train the modality check (inference/modality.py): frozen MobileNetV3-Small features, a
logistic head and a Mahalanobis distance per modality.

Why this design: on two shared CPU cores, a frozen ImageNet backbone at 160 px costs a few ms
an image and its pooled features separate scans, photos and documents well; only a linear
head and per-modality statistics are fitted, in seconds. Stages (each resumable):

    python -m training.modality extract    # cached pooled features, runs/modality/cache/
    python -m training.modality fit        # head + distances, thresholds chosen on val
    python -m training.modality export     # models/checks/modality/, card, seal

Thresholds are chosen on ``val`` only; ``shift/`` (second site) is measured, never fitted.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

import inference.offline  # noqa: F401 - telemetry off before onnxruntime loads

# isort: split
import onnxruntime as ort

from inference.manifest import InputSpec, Normalization
from inference.modality import LABELS, check_dir
from inference.preprocess import preprocess
from inference.resources import resource_path

from .modality_data import Item, genuine, negatives

RUNS = resource_path("runs", "modality")
CACHE = RUNS / "cache"
WEIGHTS = resource_path().parent / "shared" / "weights" / "mobilenet_v3_small"
WEIGHTS_FILE = "mobilenet_v3_small_imagenet1k_tflite_uint8_dequant.pth"
SIZE = 160
SPEC = InputSpec(
    height=SIZE,
    width=SIZE,
    color="rgb",
    resize="stretch",
    normalization=Normalization("mean_std", (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
)
CHUNK = 256
# Augmented copies per genuine training image: few palms (364), so more copies of them.
COPIES = {"brain-mri": 1, "chest-xray": 1, "palm-photo": 7, "face-photo": 1}


def log(msg: str) -> None:
    print(time.strftime("%H:%M:%S"), msg, flush=True)


# -- the graph ---------------------------------------------------------------------------
def build_net(head_w: np.ndarray | None = None, head_b: np.ndarray | None = None):
    """MobileNetV3-Small features -> global average pool -> linear head; outputs (logits, pooled)."""
    import torch
    import torchvision
    from torch import nn

    base = torchvision.models.mobilenet_v3_small(weights=None)
    state = torch.load(WEIGHTS / WEIGHTS_FILE, map_location="cpu", weights_only=True)
    base.load_state_dict(state, strict=True)

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.features = base.features
            self.head = nn.Linear(576, len(LABELS))
            with torch.no_grad():
                if head_w is not None and head_b is not None:
                    self.head.weight.copy_(torch.from_numpy(head_w.astype(np.float32)))
                    self.head.bias.copy_(torch.from_numpy(head_b.astype(np.float32)))
                else:
                    self.head.weight.zero_()
                    self.head.bias.zero_()

        def forward(self, x):
            pooled = self.features(x).mean(dim=(2, 3))
            return self.head(pooled), pooled

    return Net().eval()


def export_onnx(
    path: Path, head_w: np.ndarray | None = None, head_b: np.ndarray | None = None
) -> None:
    import torch

    net = build_net(head_w, head_b)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.onnx.export(
        net,
        torch.zeros(1, 3, SIZE, SIZE),
        str(tmp),
        input_names=["image"],
        output_names=["logits", "pooled"],
        dynamic_axes={"image": {0: "n"}, "logits": {0: "n"}, "pooled": {0: "n"}},
        opset_version=17,
        dynamo=False,
    )
    tmp.replace(path)


# -- feature cache -----------------------------------------------------------------------
def sets() -> dict[str, list[Item]]:
    """Every image set, by name. ``train`` is fitted; ``val*`` chooses; the rest measures."""
    return {
        "train": genuine("train", COPIES, seed=1) + negatives(8000, seed=1),
        "val": genuine("val") + negatives(1500, seed=2),
        "val_aug": genuine("val", {m: 1 for m in COPIES}, seed=3),
        "shift": genuine("shift"),
    }


def extract(names: list[str], backbone: Path | None = None, cache: Path = CACHE) -> None:
    """Pooled features per chunk of CHUNK items, written atomically: a killed run resumes.
    ``backbone`` is any graph with a ``pooled`` output (the int8 variant's, say), ``cache``
    where its features go."""
    cache.mkdir(parents=True, exist_ok=True)
    if backbone is None:
        backbone = RUNS / "backbone.onnx"
        if not backbone.exists():
            export_onnx(backbone)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.log_severity_level = 3
    session = ort.InferenceSession(str(backbone), opts, providers=["CPUExecutionProvider"])
    all_sets = sets()
    for name in names:
        items = all_sets[name]
        if name == "val_aug":  # only the augmented copies; the originals are in val
            items = [it for it in items if it.augment]
        n_chunks = (len(items) + CHUNK - 1) // CHUNK
        for c in range(n_chunks):
            out = cache / f"{name}_{c:04d}.npz"
            if out.exists():
                continue
            part = items[c * CHUNK : (c + 1) * CHUNK]
            t0 = time.perf_counter()
            batch = np.stack([preprocess(it.pixels(), SPEC) for it in part])
            pooled = np.concatenate(
                [
                    session.run(["pooled"], {"image": batch[i : i + 64]})[0]
                    for i in range(0, len(part), 64)
                ]
            )
            tmp = out.with_suffix(".tmp.npz")
            np.savez(
                tmp,
                pooled=pooled.astype(np.float32),
                labels=np.array([LABELS.index(it.label) for it in part]),
                keys=np.array([it.key for it in part]),
                kinds=np.array([it.key if not it.path else "" for it in part]),
            )
            os.replace(tmp, out)
            log(
                f"{name} chunk {c + 1}/{n_chunks}: {len(part)} images, {time.perf_counter() - t0:.1f} s"
            )
    log("extract done")


def load(name: str, cache: Path = CACHE) -> dict[str, np.ndarray]:
    chunks = sorted(cache.glob(f"{name}_[0-9][0-9][0-9][0-9].npz"))
    if not chunks:
        raise SystemExit(f"no cached features for {name}: run extract first")
    parts = [np.load(p) for p in chunks]
    return {k: np.concatenate([p[k] for p in parts]) for k in ("pooled", "labels", "keys", "kinds")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.modality")
    sub = ap.add_subparsers(dest="stage", required=True)
    ex = sub.add_parser("extract")
    ex.add_argument("sets", nargs="*", default=["val", "val_aug", "shift", "train"])
    sub.add_parser("fit")
    sub.add_parser("measure")
    sub.add_parser("export")
    args = ap.parse_args(argv)
    if args.stage == "extract":
        extract(args.sets)
    elif args.stage == "fit":
        from .modality_fit import fit

        fit()
    elif args.stage == "measure":
        from .modality_fit import remeasure

        remeasure()
    else:
        from .modality_fit import export

        export(check_dir())
    return 0


if __name__ == "__main__":
    sys.exit(main())
