"""``cliniclens models list`` and ``models verify``: what is installed, and whether each
pack still matches its hashes, schema and a dry run."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from inference.errors import InferenceError
from inference.packs import ModelPack

from .. import pack_trust
from .context import EXIT_OK, EXIT_SOME_FAILED, CliContext, CliError, catalog


def cmd_models_list(_: argparse.Namespace, ctx: CliContext) -> int:
    t = ctx.t
    found = catalog()
    if not found.packs:
        print(t("cli.no_packs"))
    for pack in found.packs:
        man = pack.manifest
        classes = ", ".join(man.class_ids)
        print(
            f"{man.id}  v{man.pack_version}  {man.display_name.get(ctx.language)}  "
            f"[{man.modality}]\n"
            f"    {t('cli.pack_classes', classes=classes)}\n"
            "    "
            + t(
                "cli.pack_accuracy",
                accuracy=f"{man.metrics.accuracy:.1%}",
                n=man.metrics.n,
                split=man.metrics.split,
            )
            + f"\n    {t('cli.pack_folder', folder=pack.directory)}"
        )
        print(pack_trust.signed_line(pack, t))
    for problem in found.problems:
        print(f"{t('cli.refused')}  {problem.directory.name}: {problem.message} [{problem.code}]")
    return EXIT_OK


def cmd_models_verify(args: argparse.Namespace, ctx: CliContext) -> int:
    from inference.engine import Engine

    t = ctx.t
    found = catalog()
    packs: Sequence[ModelPack] = found.packs
    problems = list(found.problems)
    if args.pack_id:
        packs = [p for p in found.packs if p.id == args.pack_id]
        problems = [p for p in problems if p.directory.name == args.pack_id]
        if not packs and not problems:
            known = ", ".join(found.ids) or t("cli.none")
            raise CliError(t("cli.no_such_pack", pack=args.pack_id, known=known))
    failed = 0
    for pack in packs:
        try:
            out = Engine(pack, threads=1).dry_run()
        except InferenceError as exc:
            failed += 1
            print(f"{t('cli.failed')}  {pack.id}: {exc} [{exc.code}]")
            continue
        cam = t("cli.with_gradcam") if out.features is not None else t("cli.with_occlusion")
        early = pack.manifest.ood.early if pack.manifest.ood is not None else None
        if early is not None and out.early_pooled is not None:
            cam += "; " + t("cli.with_early_guard", layer=early.layer)
        passed = t("cli.verify_passed", heatmaps=cam)
        print(f"{t('cli.ok'):<7} {pack.id} v{pack.version}: {passed}")
        print(pack_trust.signed_line(pack, t))
    for problem in problems:
        failed += 1
        print(f"{t('cli.refused'):<7} {problem.directory.name}: {problem.message} [{problem.code}]")
        if hint := pack_trust.problem_hint(problem, t):
            print(hint)
    if not packs and not problems:
        print(t("cli.no_packs"))
    return EXIT_SOME_FAILED if failed else EXIT_OK
