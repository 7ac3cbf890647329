"""``cliniclens-train``: turn a folder of labelled images into a model pack."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import inference.offline  # noqa: F401 - telemetry off before anything loads onnxruntime

from .archs import ARCHS
from .loop import Recipe
from .pipeline import TrainConfig, train
from .tasks import TASKS


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="cliniclens-train",
        description="Train a ClinicLens model pack from DIR/train/<class>/ and DIR/val/<class>/.",
    )
    p.add_argument("--data", type=Path, required=True, help="folder with train/ and val/")
    p.add_argument("--out", type=Path, required=True, help="pack folder to write (models/<id>)")
    p.add_argument("--arch", choices=ARCHS, default="mobilenet_v2")
    p.add_argument("--weights", default="none", help="imagenet (downloads), PATH to a state_dict, or none")
    p.add_argument("--task", choices=sorted(TASKS), help="fill names/wording for a bundled task")
    p.add_argument("--classes", help="comma-separated subset of class folders")
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--unfreeze", type=int, default=5, help="top backbone blocks trained in phase 2")
    p.add_argument(
        "--brightness", type=float, default=0.2,
        help="brightness jitter of augmented views (0 keeps colour intact, e.g. pallor)",
    )
    p.add_argument("--views", type=int, default=3, help="cached views per training image (1 = no augmentation)")
    p.add_argument("--epochs-head", type=int, default=15)
    p.add_argument("--epochs-finetune", type=int, default=12)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--finetune-lr-factor", type=float, default=0.1)
    p.add_argument("--optimizer", choices=("adam", "rmsprop", "sgd"), default="adam")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--patience", type=int, default=4)
    p.add_argument("--balance", choices=("weights", "undersample", "none"), default="weights")
    p.add_argument("--dropout", type=float, default=0.2)
    p.add_argument("--hidden", type=int, default=0, help="units of an optional hidden head layer")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--test", type=Path, help="optional held-out test folder (<class>/ subfolders)")
    p.add_argument("--ood-probe", type=Path, action="append", default=[],
                   help="folder of images the pack must flag as out of domain (repeatable)")
    p.add_argument("--early-guard", metavar="LAYER",
                   help="add a second OOD guard on a layer training leaves frozen (e.g. features.13)")
    p.add_argument("--ood-downscaled", action="store_true",
                   help="fit the out-of-distribution guard on downscaled copies of the training "
                   "images too, so thumbnails the model still reads are not refused")
    p.add_argument("--output-stride", type=int, choices=(16, 32), default=32,
                   help="16 removes the last stride (dilated last stage): a finer heatmap grid")
    p.add_argument("--pack-version", default="1.0.0", help="the pack's version (semver)")
    p.add_argument("--init-checkpoint", type=Path, metavar="PT",
                   help="weights trained elsewhere by training.gpu_recipes: skip training here")
    p.add_argument("--ensemble-with", type=Path, nargs="+", default=[], metavar="PT",
                   help="more training.gpu_recipes runs (same size and classes): the pack averages "
                   "the logits of all of them, one forward pass each, and its heatmap stays exact")
    p.add_argument("--init-results", type=Path, metavar="JSON",
                   help="that run's results.json (every recipe tried, for the card)")
    p.add_argument("--workdir", type=Path, help="checkpoints and caches (default runs/<id>)")
    p.add_argument("--resume", dest="resume", action="store_true", default=True,
                   help="continue from checkpoints in the workdir (default)")
    p.add_argument("--restart", dest="resume", action="store_false", help="discard checkpoints")
    p.add_argument("--comparison", default="", help="text for the model card's comparison section")
    p.add_argument("--signing-key", type=Path, metavar="KEY",
                   help="private ed25519 key (PEM) that signs the pack; the app refuses unsigned "
                   "packs. Make one with: python tools/sign_pack.py --new-key KEY")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.signing_key:
        from inference.signing import load_private_key

        load_private_key(args.signing_key)  # a bad key stops here, not after the training
    recipe = Recipe(
        epochs_head=args.epochs_head,
        epochs_finetune=args.epochs_finetune,
        lr=args.lr,
        finetune_lr_factor=args.finetune_lr_factor,
        optimizer=args.optimizer,
        batch_size=args.batch_size,
        patience=args.patience,
        balance=args.balance,
        seed=args.seed,
    )
    cfg = TrainConfig(
        data=args.data,
        out=args.out,
        arch=args.arch,
        weights=args.weights,
        size=args.size,
        unfreeze=args.unfreeze,
        views=args.views,
        brightness=args.brightness,
        dropout=args.dropout,
        hidden=args.hidden,
        recipe=recipe,
        task=args.task,
        classes=tuple(args.classes.split(",")) if args.classes else None,
        workdir=args.workdir,
        threads=args.threads,
        test=args.test,
        ood_probes=tuple(args.ood_probe),
        early_guard=args.early_guard,
        ood_downscaled=args.ood_downscaled,
        output_stride=args.output_stride,
        resume=args.resume,
        comparison=args.comparison,
        signing_key=args.signing_key,
        pack_version=args.pack_version,
        init_checkpoint=args.init_checkpoint,
        init_results=args.init_results,
        ensemble_with=tuple(args.ensemble_with),
    )
    try:
        train(cfg)
    except KeyboardInterrupt:
        print("interrupted: run the same command again to resume", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
