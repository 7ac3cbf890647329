"""``cliniclens batch``: screen files and folders into the store, then write results.csv,
results.json and (with --report) the PDF summary.

One :class:`BatchRequest` says what to do, so ``cliniclens demo`` calls :func:`run_batch`
directly instead of building a command line. The steps (:func:`submit_job`,
:func:`run_job`, :func:`write_outputs`, :func:`print_summary`) each do one thing.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ReportError
from .context import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_REPORT,
    EXIT_SOME_FAILED,
    CliContext,
    CliError,
    err,
    open_store,
    report_options_from_args,
)

if TYPE_CHECKING:
    from inference.packs import ModelPack

    from ..outcomes import OutcomeCounts
    from ..queue import BatchQueue
    from ..reports import ReportInfo, ReportOptions
    from ..store import BatchJob, JobCounts, Store


@dataclass(frozen=True)
class BatchRequest:
    """Everything one batch run needs, from the command line or from the demo."""

    model: str
    out: Path
    paths: tuple[Path, ...] = ()
    heatmaps: bool = False
    report_options: ReportOptions | None = None  # None: no PDF summary
    db: Path | None = None
    threads: int | None = None
    patient: str = ""
    folder_per_patient: bool = False
    mapping: Path | None = None
    resume: int | None = None
    retry_failed: bool = False
    new: bool = False
    quiet: bool = False
    operator: str | None = None
    names_in_exports: bool = False


@dataclass(frozen=True)
class BatchOutputs:
    """What the batch wrote, and the report's failure when only the PDF went wrong."""

    csv_path: Path
    json_path: Path
    rows: tuple[Any, ...]
    report: ReportInfo | None
    report_failed: ReportError | None


def request_from_args(args: argparse.Namespace) -> BatchRequest:
    return BatchRequest(
        model=args.model,
        out=args.out,
        paths=tuple(args.paths),
        heatmaps=bool(args.heatmaps),
        report_options=report_options_from_args(args) if args.report else None,
        db=args.db,
        threads=args.threads,
        patient=args.patient,
        folder_per_patient=args.folder_per_patient,
        mapping=args.mapping,
        resume=args.resume,
        retry_failed=args.retry_failed,
        new=args.new,
        quiet=args.quiet,
        operator=args.operator,
        names_in_exports=args.settings.names_in_exports and not args.no_names,
    )


def cmd_batch(args: argparse.Namespace, ctx: CliContext) -> int:
    return run_batch(request_from_args(args), ctx)


def run_batch(request: BatchRequest, ctx: CliContext) -> int:
    """Screen, write the outputs, say what happened; the exit code of ``cliniclens batch``."""
    from inference.engine import Engine
    from inference.packs import find_pack

    from ..files import check_writable_dir
    from ..queue import BatchQueue
    from ..site.active import screener_for as site_screener_for

    t = ctx.t
    if request.resume is None and not request.paths and request.mapping is None:
        raise CliError(t("cli.batch_needs_input"))
    if request.threads is not None and request.threads < 1:
        raise CliError(t("cli.threads_min"))
    pack = find_pack(request.model)  # verifies this pack only, not every installed one
    out = check_writable_dir(request.out)
    workers = request.threads or min(2, os.cpu_count() or 1)
    screener, site_note = site_screener_for(pack, Engine(pack, threads=1))
    if site_note:
        err(t("site.stale_warning", reason=site_note))
    weak = weak_pack_warning(pack, ctx)
    if weak:  # before the first image is screened, and again in the summary
        err(weak)
    with open_store(request.db) as store:
        queue = BatchQueue(
            store,
            screener,
            workers=workers,
            operator=request.operator,
            heatmap_dir=out / "heatmaps" if request.heatmaps else None,
        )
        job, resumed = submit_job(queue, store, request, out)
        interrupted = run_job(queue, store, job, resumed, pack, request, ctx)
        outputs = write_outputs(store, job.id, out, pack, request)
        counts = print_summary(job.id, out, outputs, request, ctx, pack)
        if interrupted:
            err(t("cli.interrupted_batch"))
            return EXIT_INTERRUPTED
        if outputs.report_failed is not None:
            err(t("cli.report_failed", error=outputs.report_failed))
            return EXIT_REPORT
        return EXIT_OK if counts.complete else EXIT_SOME_FAILED


def submit_job(
    queue: BatchQueue, store: Store, request: BatchRequest, out: Path
) -> tuple[BatchJob, bool]:
    """The job to run: the one asked to resume, else the inputs stored as a (new or same) job."""
    from ..queue import collect_inputs, read_mapping

    if request.resume is not None:
        job, resumed = store.get_job(request.resume), True
    else:
        inputs = read_mapping(request.mapping) if request.mapping else []
        if request.paths:
            inputs += collect_inputs(
                list(request.paths),
                patient_code=request.patient,
                folder_per_patient=request.folder_per_patient,
            )
        job, resumed = queue.submit(
            inputs,
            out_dir=out,
            label=", ".join(str(p) for p in request.paths)[:200],
            options={"heatmaps": bool(request.heatmaps)},
            new=request.new,
        )
    if request.retry_failed:
        queue.retry_failed(job.id)
    return job, resumed


def run_job(
    queue: BatchQueue,
    store: Store,
    job: BatchJob,
    resumed: bool,
    pack: ModelPack,
    request: BatchRequest,
    ctx: CliContext,
) -> bool:
    """Screen what is pending with a progress bar; True when a signal stopped it early."""
    counts = store.job_counts(job.id)
    if not request.quiet:
        key = "cli.batch_resume" if resumed and counts.finished else "cli.batch_start"
        print(
            ctx.t(
                key,
                job=job.id,
                total=counts.total,
                pending=counts.pending,
                pack=pack.id,
                version=pack.version,
            ),
            file=sys.stderr,
        )
    with (
        progress_bar(counts, request.quiet, ctx) as callback,
        cancel_on_signal(queue, ctx) as hit,
    ):
        queue.run(job.id, callback)
    return bool(hit)


def write_outputs(
    store: Store, job_id: int, out: Path, pack: ModelPack, request: BatchRequest
) -> BatchOutputs:
    """results.csv (audited as results.export), results.json and the PDF summary (audited
    as report.export); a report that fails leaves the results saved."""
    from .. import export
    from ..outputs import export_job_results, write_batch_summary

    table = export_job_results(
        store,
        job_id,
        out / "results.csv",
        pack.manifest.class_ids,
        export.ExportOptions(include_patient_names=request.names_in_exports),
        operator=request.operator,
    )
    json_path = export.write_json(
        out / "results.json",
        table.columns,
        table.rows,
        job_id=job_id,
        pack={
            "id": pack.id,
            "version": pack.version,
            "model_sha256": pack.manifest.onnx.sha256,
        },
    )
    report, report_failed = None, None
    if request.report_options is not None:
        try:
            report = write_batch_summary(
                store, job_id, out / "report.pdf", request.report_options,
                operator=request.operator, manifests={pack.id: pack.manifest},
            )  # fmt: skip
        except ReportError as exc:  # the results are saved: say so, not "disk problem"
            report_failed = exc
        else:
            for warning in report.warnings:
                err(warning)
    return BatchOutputs(table.path, json_path, table.rows, report, report_failed)


def weak_pack_warning(pack: ModelPack | None, ctx: CliContext) -> str:
    """The weak-pack warning (screening.pack_warnings, the same words and numbers as the
    app and the report) as the command prints it; "" for a pack fit for routine use."""
    from ..pack_warnings import warning_text

    text = warning_text(pack.manifest if pack is not None else None, ctx.language)
    return f"{pack.id}: {text}" if text and pack is not None else ""


def print_summary(
    job_id: int,
    out: Path,
    outputs: BatchOutputs,
    request: BatchRequest,
    ctx: CliContext,
    pack: ModelPack | None = None,
) -> OutcomeCounts:
    """The outcome counts in the same words as the CSV, the report and the GUI; a weak
    pack's warning even with --quiet (it is about every result above)."""
    from ..outcomes import count_outcomes
    from ..refusals import refusal_breakdown

    t = ctx.t
    counts = count_outcomes(outputs.rows)
    if weak := weak_pack_warning(pack, ctx):
        err(weak)
    if request.quiet:
        return counts
    print(
        t(
            "cli.batch_done",
            job=job_id,
            summary=counts.summary(ctx.language),
            total=counts.total,
            refer=counts.referred,
        ),
        file=sys.stderr,
    )
    if breakdown := refusal_breakdown(outputs.rows, ctx.language):
        print(breakdown, file=sys.stderr)
    label = t("cli.results")
    print(f"{label} {outputs.csv_path}\n{' ' * len(label)} {outputs.json_path}")
    if request.heatmaps:
        print(f"{t('cli.heatmaps')} {out / 'heatmaps'}")
    if outputs.report is not None:
        print(f"{t('cli.report')} {outputs.report.path}")
    return counts


@contextlib.contextmanager
def cancel_on_signal(queue: BatchQueue, ctx: CliContext) -> Iterator[list[int]]:
    """Ctrl-C / SIGTERM: finish the items in hand, keep the rest pending, exit 130; a
    second signal, or a worker stuck past the grace time, exits at once (screening.interrupts)."""
    from ..interrupts import stop_on_signal

    with stop_on_signal(
        queue.cancel, stopping=ctx.t("cli.stopping"), stopped=ctx.t("cli.stopped_now")
    ) as hit:
        yield hit


@contextlib.contextmanager
def progress_bar(
    counts: JobCounts, quiet: bool, ctx: CliContext
) -> Iterator[Callable[[Any], None]]:
    """tqdm on a terminal; nothing when output is redirected."""
    from tqdm import tqdm

    bar = tqdm(
        total=counts.total,
        initial=counts.finished,
        unit=ctx.t("cli.progress_unit"),
        ncols=min(100, shutil.get_terminal_size().columns),  # a 0-wide pty would hide it
        disable=quiet or not sys.stderr.isatty(),
        file=sys.stderr,
    )

    def callback(progress: Any) -> None:
        bar.n = progress.finished
        bar.set_postfix_str(
            ctx.t("cli.progress_not_ok", n=progress.failed) if progress.failed else "",
            refresh=False,
        )
        bar.refresh()

    try:
        yield callback
    finally:
        bar.close()
