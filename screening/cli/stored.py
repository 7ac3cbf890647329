"""``cliniclens report`` and ``cliniclens export``: PDFs and CSVs from what the database
holds (a read-only copy works too; the export is audited when the database can be written)."""

from __future__ import annotations

import argparse
from pathlib import Path

from .context import EXIT_OK, CliContext, CliError, err, report_options_from_args


def cmd_report(args: argparse.Namespace, ctx: CliContext) -> int:
    from ..outputs import batch_summary_detail, patient_report_detail
    from ..readonly import audit_export, open_for_reading
    from ..reports import batch_summary, patient_report, report_filename

    t = ctx.t
    options = report_options_from_args(args)
    with open_for_reading(args.db) as store:  # a read-only database can be reported from
        db, patient_key = store.path, None
        if args.job is not None:
            store.get_job(args.job)
            target = args.out or Path.cwd()
            if target.suffix.lower() != ".pdf":
                target = target / f"batch-{args.job}-summary.pdf"
            info = batch_summary(store, args.job, target, options)
            detail = batch_summary_detail(args.job, info.path)
        else:
            patient = store.get_patient_by_code(args.patient)
            if patient is None:
                raise CliError(t("cli.no_patient", patient=args.patient, db=store.path))
            target = args.out or Path.cwd()
            if target.suffix.lower() != ".pdf":
                target = target / report_filename(patient, options)
            info = patient_report(store, patient.id, target, options, args.screening)
            patient_key, detail = patient.id, patient_report_detail(info)
    for warning in info.warnings:
        err(warning)
    if not audit_export(
        db, "report.export", operator=args.operator, patient_id=patient_key, detail=detail
    ):
        err(t("cli.not_audited", db=db))
    print(t("cli.report_written", report_id=info.report_id, path=info.path, pages=info.pages))
    return EXIT_OK


def cmd_export(args: argparse.Namespace, ctx: CliContext) -> int:
    from .. import export
    from ..readonly import audit_export, open_for_reading
    from ..records import voids

    t = ctx.t
    options = export.ExportOptions(
        include_patient_names=args.include_names or args.settings.names_in_exports
    )
    with open_for_reading(args.db) as store:  # a read-only database can be exported
        db, patient_id = store.path, None
        if args.patient:
            patient = store.get_patient_by_code(args.patient)
            if patient is None:
                raise CliError(t("cli.no_patient", patient=args.patient, db=store.path))
            patient_id = patient.id
        records = store.list_screenings(patient_id=patient_id, job_id=args.job, limit=-1)
        columns, rows = export.screening_rows(records, options, voids(store))  # never as valid
        path = export.write_csv(args.out, columns, rows)
    if not audit_export(
        db,
        "results.export",
        operator=args.operator,
        patient_id=patient_id,
        detail=f"{len(rows)} screening(s): {path}",
    ):
        err(t("cli.not_audited", db=db))
    print(t("cli.exported", n=len(rows), path=path))
    return EXIT_OK
