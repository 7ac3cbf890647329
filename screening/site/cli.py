"""``cliniclens calibrate``: fit a pack to the clinic's labelled images, show before/after by
cross-validation, and apply only when it is allowed; also show, revert, export and import.

    cliniclens calibrate --model chest-xray-pneumonia normal/ pneumonia/
    cliniclens calibrate --model chest-xray-pneumonia sample.csv --target pneumonia=0.95
    cliniclens calibrate --model chest-xray-pneumonia --revert
    cliniclens calibrate --model chest-xray-pneumonia --export clinic.clsite
    cliniclens calibrate --model chest-xray-pneumonia --import clinic.clsite
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from inference.site import FitOptions, Rate, default_targets

from ..errors import InvalidInputError
from ..store import now_iso as _now
from . import profile as profile_mod
from .calibrate import CalibrationRun, calibrate
from .labelled import read_labelled

EXIT_OK, EXIT_NOT_APPLIED, EXIT_USAGE = 0, 1, 2


def add_parser(sub) -> None:  # noqa: ANN001 - argparse's private subparsers type
    p = sub.add_parser("calibrate", help="fit a pack to your clinic's labelled images (site calibration)")
    p.add_argument("labelled", nargs="*", type=Path, metavar="LABELLED",
                   help="a folder per class (named like the pack's classes), a folder of them, "
                        "or a CSV of file,label")
    p.add_argument("--model", "-m", required=True, metavar="ID", help="model pack id")
    p.add_argument("--target", action="append", default=[], metavar="CLASS=SENS",
                   help="target sensitivity of a referral class (default: the pack's own)")
    p.add_argument("--no-head", action="store_true", help="keep the shipped head; fit only "
                   "temperature, thresholds and the guard")
    p.add_argument("--folds", type=int, default=5, metavar="K", help="cross-validation folds")
    p.add_argument("--probes", type=Path, action="append", default=[], metavar="DIR",
                   help="a folder of images of other kinds the extended guard must keep "
                        "refusing (besides the built-in probes)")
    p.add_argument("--dry-run", action="store_true", help="show before/after, apply nothing")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--revert", action="store_true", help="back to the shipped calibration")
    g.add_argument("--export", type=Path, metavar="FILE", help="write the active profile to FILE")
    g.add_argument("--import", dest="import_file", type=Path, metavar="FILE",
                   help="check and activate a profile file from another machine")
    g.add_argument("--show", action="store_true", help="show the active profile")
    p.add_argument("--db", type=Path, default=None, metavar="PATH", help="patient database (audit)")
    p.add_argument("--operator", default=os.environ.get("CLINICLENS_OPERATOR"),
                   help="who makes the calibration (audited, named in results)")
    p.add_argument("--lang", dest="lang", default=None, metavar="LANG")


def _pct(r: Rate) -> str:
    lo, hi = r.interval
    return f"{r.value:6.1%}  ({lo:.1%}-{hi:.1%}, {r.k}/{r.n})"


def print_run(run: CalibrationRun, t, out=None) -> None:  # noqa: ANN001
    out = out or sys.stdout
    print(t("site.sample", n=sum(run.counts.values()),
            counts=", ".join(f"{c} {n}" for c, n in run.counts.items())), file=out)
    if run.cv is None:
        return
    b, a = run.cv.before, run.cv.after
    print(t("site.header", folds=run.cv.folds), file=out)
    rows = [(t("site.accuracy"), b.accuracy, a.accuracy), (t("site.answered"), b.answered, a.answered)]
    rows += [(t("site.sensitivity", cls=c), rb, ra) for (c, rb), (_, ra) in zip(b.sensitivity, a.sensitivity, strict=True)]
    rows += [(t("site.specificity", cls=c), rb, ra) for (c, rb), (_, ra) in zip(b.specificity, a.specificity, strict=True)]
    width = max(len(r[0]) for r in rows)
    print(f"  {'':{width}}  {t('site.shipped'):32}  {t('site.calibrated')}", file=out)
    for name, rb, ra in rows:
        print(f"  {name:{width}}  {_pct(rb):32}  {_pct(ra)}", file=out)
    ch = run.cv.accuracy_change
    lo, hi = ch.interval
    print(t("site.change", diff=f"{ch.difference:+.1%}", lo=f"{lo:+.1%}", hi=f"{hi:+.1%}",
            better=ch.better, worse=ch.worse), file=out)
    n, ref_before, ref_after, by_guard = run.probes
    print(t("site.probes", n=n, before=ref_before, after=ref_after, guard=by_guard), file=out)


def _probe_files(folders: list[Path]) -> list[Path]:
    from inference.images import is_image_path

    return [f for d in folders for f in sorted(Path(d).rglob("*")) if f.is_file() and is_image_path(f)]


def _targets(args: argparse.Namespace, manifest) -> tuple[float | None, ...]:  # noqa: ANN001
    targets = list(default_targets(manifest))
    for item in args.target:
        cls, _, value = item.partition("=")
        try:
            j = manifest.class_index(cls.strip())
            v = float(value.rstrip("%")) / (100 if value.strip().endswith("%") or float(value.rstrip("%")) > 1 else 1)
        except ValueError as exc:
            raise InvalidInputError(f"--target {item}: expected CLASS=SENSITIVITY, e.g. "
                                    f"{manifest.class_ids[-1]}=0.95") from exc
        if not manifest.classes[j].refer or not 0 < v <= 1:
            raise InvalidInputError(f"--target {item}: only referral classes, sensitivity in (0, 1]")
        targets[j] = v
    return tuple(targets)


def cmd_calibrate(args: argparse.Namespace, t, open_store, catalog) -> int:  # noqa: ANN001
    pack = catalog.get(args.model)
    operator = args.operator or ""
    if args.revert or args.export or args.import_file or args.show:
        return _manage(args, pack, t, open_store, operator)
    if not args.labelled:
        raise InvalidInputError("give the labelled images: a folder per class or a CSV of file,label")
    sample = read_labelled(args.labelled, pack.manifest.class_ids)
    options = FitOptions(targets=_targets(args, pack.manifest), head=not args.no_head)

    def progress(stage: str, done: int, total: int) -> bool:
        print(f"\r{t('site.stage.' + stage)} {done}/{total}   ", end="", file=sys.stderr, flush=True)
        return True

    run = calibrate(pack, list(sample.paths), list(sample.labels), options=options,
                    folds=args.folds, progress=progress, extra_probes=_probe_files(args.probes))
    print(file=sys.stderr)
    print_run(run, t)
    if not run.allowed:
        for reason in run.reasons:
            print(t("site.not_applied", reason=reason))
        return EXIT_NOT_APPLIED
    if args.dry_run:
        print(t("site.dry_run"))
        return EXIT_OK
    from .calibrate import apply

    with open_store(args.db) as store:
        prof = apply(run, created_by=operator, created_at=_now(), store=store)
    print(t("site.applied", label=prof.label))
    return EXIT_OK


def _manage(args, pack, t, open_store, operator: str) -> int:  # noqa: ANN001
    if args.show:
        try:
            prof = profile_mod.active_profile(pack)
        except profile_mod.ProfileError as exc:
            print(str(exc))
            return EXIT_NOT_APPLIED
        print(t("site.active", label=prof.label) if prof else t("site.none", pack=pack.id))
        return EXIT_OK
    with open_store(args.db) as store:
        if args.revert:
            done = profile_mod.revert(pack.id)
            if done:
                store.audit("site_profile.revert", operator=operator, detail=pack.id)
            print(t("site.reverted", pack=pack.id) if done else t("site.none", pack=pack.id))
            return EXIT_OK
        if args.export:
            dest = profile_mod.export_profile(pack.id, args.export)
            store.audit("site_profile.export", operator=operator, detail=f"{pack.id}: {dest}")
            print(t("site.exported", path=dest))
            return EXIT_OK
        prof = profile_mod.import_profile(args.import_file, pack)
        store.audit("site_profile.apply", operator=operator,
                    detail=f"{pack.id}: {prof.id} imported from {args.import_file}")
        print(t("site.applied", label=prof.label))
        return EXIT_OK
