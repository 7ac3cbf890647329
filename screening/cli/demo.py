"""``cliniclens demo``: a batch over assets/samples/<pack-id>/ with heatmaps and a PDF
summary per pack, through the same :func:`~screening.cli.batch.run_batch` as ``batch``."""

from __future__ import annotations

import argparse

from inference.resources import resource_path, user_data_dir

from .batch import BatchRequest, run_batch
from .context import EXIT_OK, EXIT_SOME_FAILED, CliContext, CliError, catalog, report_options


def cmd_demo(args: argparse.Namespace, ctx: CliContext) -> int:
    """Batch over assets/samples/<pack-id>/ with heatmaps and a PDF report per pack."""
    t = ctx.t
    samples = resource_path("assets", "samples")
    found = catalog()
    out_root = args.out or (user_data_dir() / "demo")
    from ..settings import load_settings

    settings = load_settings()
    ran = 0
    status = EXIT_OK
    for pack in found.packs:
        folder = samples / pack.id
        if not folder.is_dir() or not any(folder.iterdir()):
            continue
        print(
            t(
                "cli.demo_pack",
                name=pack.manifest.display_name.get(ctx.language),
                pack=pack.id,
                folder=folder,
            )
        )
        request = BatchRequest(
            model=pack.id,
            out=out_root / pack.id,
            paths=(folder,),
            heatmaps=True,
            report_options=report_options(
                settings, clinic=t("cli.demo_clinic"), operator="demo", language=ctx.language
            ),
            db=out_root / "demo.db",
            new=True,
            operator="demo",
            names_in_exports=settings.names_in_exports,
        )
        code = run_batch(request, ctx)
        status = max(status, code if code != EXIT_SOME_FAILED else EXIT_OK)
        ran += 1
    if not ran:
        raise CliError(
            t(
                "cli.demo_no_samples",
                packs=", ".join(found.ids) or t("cli.none"),
                folder=samples,
            )
        )
    print("\n" + t("cli.demo_outputs", folder=out_root))
    print(t("cli.disclaimer"))
    return status
