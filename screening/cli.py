"""The ``cliniclens`` command: the GUI without arguments, headless work with subcommands.

Exit codes (also shown by ``cliniclens --help``):
  0  everything asked for was done; in a batch every file was screened and answered
  1  the batch finished, but some files were not screened or were flagged (see the
     status column of results.csv); or ``models verify`` found a broken pack
  2  usage error, bad input, or the model pack cannot be used
  3  output could not be written (disk full, read-only folder or database)
  4  the PDF report could not be made (the batch's results and CSV are saved)
  130 interrupted; finished work is kept and the same command resumes the batch
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import inference
from inference.errors import InferenceError, PackError
from inference.packs import ModelPack, PackCatalog, discover
from inference.resources import resource_path, user_data_dir

from . import pack_trust
from .errors import InvalidInputError, OutputError, ReportError, ScreeningError, StoreError
from .i18n import DEFAULT_LANGUAGE, languages, resolve_language
from .i18n import tr as _tr
from .records_cli import add_parser as add_records_parser
from .records_cli import cmd_records
from .site import cli as site_cli

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_USAGE = 2
EXIT_OUTPUT = 3
EXIT_REPORT = 4
EXIT_INTERRUPTED = 130

EPILOG = """exit codes:
  0    all done; in a batch every file was screened and answered
  1    batch finished but some files were not screened or were flagged
       (see the status column of results.csv), or a pack failed verification
  2    usage error, bad input, or the model pack cannot be used
  3    output could not be written (disk full, read-only folder or database)
  4    the PDF report could not be made (a batch's results and CSV are saved)
  130  interrupted: finished work is kept; run the same command to resume

ClinicLens is a screening aid, not a diagnosis."""


class CliError(Exception):
    """A message for the user and the exit code to leave with."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.exit_code = code


# Language of this run's messages: --lang, else the clinic settings, else the system's.
# (Set once by main(); argparse's own --help and usage texts stay English.)
_LANG = DEFAULT_LANGUAGE


def t(key: str, **values) -> str:
    """A CLI message in this run's language (screening/locale/<lang>.json)."""
    return _tr(key, _LANG, **values)


def _err(message: str) -> None:
    print(f"cliniclens: {message}", file=sys.stderr)


LANG_HELP = (
    "language of messages and reports: "
    + ", ".join(languages() or ("en",))
    + " (default: clinic settings, else the system language)"
)


def _lang_arg(p, dest: str = "lang") -> None:
    p.add_argument("--lang", dest=dest, default=None, metavar="LANG", help=LANG_HELP)


# ---------------------------------------------------------------------------------------
# Argument parsing
# ---------------------------------------------------------------------------------------
def _report_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("report options")
    g.add_argument("--clinic", default=None, help="clinic name printed on reports")
    g.add_argument("--logo", type=Path, default=None, help="clinic logo image for reports")
    g.add_argument(
        "--operator",
        default=os.environ.get("CLINICLENS_OPERATOR"),
        help="who ran the screening (printed and audited)",
    )
    g.add_argument(
        "--paper",
        choices=("a4", "letter"),
        default=None,
        help="paper size (default: clinic settings, else a4)",
    )
    _lang_arg(g)
    g.add_argument(
        "--no-names", action="store_true", help="leave patient names out of reports and exports"
    )
    g.add_argument(
        "--names-in-filenames",
        action="store_true",
        help="put patient names in report file names (default: patient ID only)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cliniclens",
        description="Offline screening aid for medical images. Without a command, opens the app.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"ClinicLens {inference.__version__}"
    )
    _lang_arg(parser, dest="global_lang")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    models = sub.add_parser("models", help="list or verify installed model packs")
    msub = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    _lang_arg(msub.add_parser("list", help="list installed packs and refused ones"))
    verify = msub.add_parser("verify", help="check hashes, manifest schema and a dry run")
    _lang_arg(verify)
    verify.add_argument("pack_id", nargs="?", metavar="ID", help="only this pack")
    pack_trust.add_parsers(msub, _lang_arg)  # trust, untrust, keys: signing keys (audited)
    site_cli.add_parser(sub)  # calibrate: site calibration (screening/site)

    batch = sub.add_parser(
        "batch",
        help="screen files and folders, write results.csv/results.json",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    batch.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="image files or folders (scanned recursively)",
    )
    batch.add_argument("--model", "-m", required=True, metavar="ID", help="model pack id")
    batch.add_argument(
        "--out",
        "-o",
        required=True,
        type=Path,
        metavar="DIR",
        help="folder for results.csv, results.json, heatmaps and report",
    )
    batch.add_argument("--heatmaps", action="store_true", help="save heatmap overlays as PNG")
    batch.add_argument("--report", action="store_true", help="write a PDF batch summary report")
    batch.add_argument(
        "--db",
        type=Path,
        default=None,
        metavar="PATH",
        help="patient database (default: the user data folder)",
    )
    batch.add_argument(
        "--threads", type=int, default=None, metavar="N", help="parallel workers (default: up to 2)"
    )
    who = batch.add_mutually_exclusive_group()
    who.add_argument(
        "--patient", default="", metavar="PATIENT_ID", help="assign every file to this patient ID"
    )
    who.add_argument(
        "--folder-per-patient",
        action="store_true",
        help="each subfolder of a given folder is one patient (its name = ID)",
    )
    who.add_argument("--mapping", type=Path, metavar="CSV", help="CSV with columns file,patient_id")
    batch.add_argument(
        "--resume",
        type=int,
        default=None,
        metavar="JOB",
        help="resume batch job JOB (instead of giving the paths again)",
    )
    batch.add_argument(
        "--retry-failed", action="store_true", help="screen again the files that failed last time"
    )
    batch.add_argument(
        "--new", action="store_true", help="screen again even if the same batch already finished"
    )
    batch.add_argument("--quiet", "-q", action="store_true", help="no progress bar or summary")
    _report_args(batch)

    report = sub.add_parser("report", help="write a PDF report for a patient or a batch job")
    target = report.add_mutually_exclusive_group(required=True)
    target.add_argument("--patient", metavar="PATIENT_ID", help="patient report (all screenings)")
    target.add_argument("--job", type=int, metavar="JOB", help="batch summary for a batch job")
    report.add_argument(
        "--screening",
        type=int,
        action="append",
        metavar="ID",
        help="only these screening ids (repeatable)",
    )
    report.add_argument(
        "--out",
        "-o",
        type=Path,
        default=None,
        metavar="PATH",
        help="PDF file or folder (default: current folder)",
    )
    report.add_argument("--db", type=Path, default=None, metavar="PATH", help="patient database")
    _report_args(report)

    export = sub.add_parser("export", help="export stored screenings as CSV")
    export.add_argument("--out", "-o", type=Path, required=True, metavar="CSV")
    export.add_argument("--patient", default=None, metavar="PATIENT_ID")
    export.add_argument("--job", type=int, default=None, metavar="JOB")
    export.add_argument("--db", type=Path, default=None, metavar="PATH")
    export.add_argument(
        "--include-names",
        action="store_true",
        help="add a patient_name column (left out by default)",
    )
    export.add_argument("--operator", default=os.environ.get("CLINICLENS_OPERATOR"))
    _lang_arg(export)

    demo = sub.add_parser("demo", help="headless demo on the bundled sample images")
    demo.add_argument(
        "--out",
        "-o",
        type=Path,
        default=None,
        metavar="DIR",
        help="where to write the demo outputs (default: user data folder/demo)",
    )
    _lang_arg(demo)
    add_records_parser(sub)
    sub.add_parser("gui", help="open the desktop app (same as no command)")
    return parser


# ---------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GuiRequest:
    """The command line asks for the desktop app; ``language`` is --lang when given."""

    language: str | None


def gui_request(argv: Sequence[str]) -> GuiRequest | None:
    """A :class:`GuiRequest` when ``argv`` opens the app (no command, or ``gui``), else None.

    The launcher (above both faces) asks this, so the CLI's parser stays the one place
    that knows the command line, and screening never imports gui.
    """
    args = build_parser().parse_args(list(argv))
    if args.command not in (None, "gui"):
        return None
    chosen = getattr(args, "global_lang", None)
    return GuiRequest(resolve_language(chosen) if chosen else None)


def report_gui_failure(error: BaseException, language: str | None = None) -> int:
    """Say that the desktop app could not start and which headless commands still work."""
    lang = language or _run_language(argparse.Namespace())
    _err(_tr("cli.gui_failed", lang, error=error))
    return EXIT_USAGE


def _catalog() -> PackCatalog:
    return discover()


def cmd_models_list(_: argparse.Namespace) -> int:
    catalog = _catalog()
    if not catalog.packs:
        print(t("cli.no_packs"))
    for pack in catalog.packs:
        man = pack.manifest
        classes = ", ".join(man.class_ids)
        print(
            f"{man.id}  v{man.pack_version}  {man.display_name.get(_LANG)}  [{man.modality}]\n"
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
    for problem in catalog.problems:
        print(f"{t('cli.refused')}  {problem.directory.name}: {problem.message} [{problem.code}]")
    return EXIT_OK


def cmd_models_verify(args: argparse.Namespace) -> int:
    from inference.engine import Engine

    catalog = _catalog()
    packs: Sequence[ModelPack] = catalog.packs
    problems = list(catalog.problems)
    if args.pack_id:
        packs = [p for p in catalog.packs if p.id == args.pack_id]
        problems = [p for p in problems if p.directory.name == args.pack_id]
        if not packs and not problems:
            known = ", ".join(catalog.ids) or t("cli.none")
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


@contextlib.contextmanager
def _open_store(db: Path | None) -> Iterator:
    from .store import Store

    store = Store(db)
    try:
        yield store
    finally:
        store.close()


@contextlib.contextmanager
def _cancel_on_signal(queue) -> Iterator[list[int]]:
    """Ctrl-C / SIGTERM: finish the items in hand, keep the rest pending, exit 130; a
    second signal, or a worker stuck past the grace time, exits at once (screening.interrupts)."""
    from .interrupts import stop_on_signal

    with stop_on_signal(
        queue.cancel, stopping=t("cli.stopping"), stopped=t("cli.stopped_now")
    ) as hit:
        yield hit


def _settings_defaults(args: argparse.Namespace) -> argparse.Namespace:
    """Fill report options the user did not give from the clinic settings file."""
    from .settings import load_settings

    settings = load_settings()
    if args.operator is None:
        args.operator = settings.operator
    args.settings = settings
    return args


def _report_options(args: argparse.Namespace):
    settings = args.settings
    overrides = {
        k: v
        for k, v in (
            ("clinic_name", args.clinic),
            ("clinic_logo", args.logo),
            ("operator", args.operator),
            ("paper", args.paper),
            ("language", args.lang),
        )
        if v is not None
    }
    if args.no_names:
        overrides["include_patient_name"] = False
        overrides["names_in_filenames"] = False
    elif args.names_in_filenames:
        overrides["names_in_filenames"] = True
    return settings.report_options(**overrides)


def cmd_batch(args: argparse.Namespace) -> int:
    from inference.engine import Engine

    from . import export
    from .files import check_writable_dir
    from .outcomes import count_outcomes
    from .queue import BatchQueue, collect_inputs, read_mapping
    from .site.active import screener_for as site_screener_for

    if args.resume is None and not args.paths and args.mapping is None:
        raise CliError(t("cli.batch_needs_input"))
    if args.threads is not None and args.threads < 1:
        raise CliError(t("cli.threads_min"))
    pack = _catalog().get(args.model)
    out = check_writable_dir(args.out)
    workers = args.threads or min(2, os.cpu_count() or 1)
    screener, site_note = site_screener_for(pack, Engine(pack, threads=1))
    if site_note:
        _err(t("site.stale_warning", reason=site_note))
    with _open_store(args.db) as store:
        queue = BatchQueue(
            store,
            screener,
            workers=workers,
            operator=args.operator,
            heatmap_dir=out / "heatmaps" if args.heatmaps else None,
        )
        if args.resume is not None:
            job, resumed = store.get_job(args.resume), True
        else:
            inputs = read_mapping(args.mapping) if args.mapping else []
            if args.paths:
                inputs += collect_inputs(
                    args.paths,
                    patient_code=args.patient,
                    folder_per_patient=args.folder_per_patient,
                )
            job, resumed = queue.submit(
                inputs,
                out_dir=out,
                label=", ".join(str(p) for p in args.paths)[:200],
                options={"heatmaps": bool(args.heatmaps)},
                new=args.new,
            )
        if args.retry_failed:
            queue.retry_failed(job.id)
        counts = store.job_counts(job.id)
        if not args.quiet:
            key = "cli.batch_resume" if resumed and counts.finished else "cli.batch_start"
            print(
                t(
                    key,
                    job=job.id,
                    total=counts.total,
                    pending=counts.pending,
                    pack=pack.id,
                    version=pack.version,
                ),
                file=sys.stderr,
            )
        with _progress_bar(counts, args.quiet) as callback, _cancel_on_signal(queue) as hit:
            queue.run(job.id, callback)
        from .outputs import export_job_results, write_batch_summary

        names = args.settings.names_in_exports and not args.no_names
        table = export_job_results(  # audited as results.export
            store,
            job.id,
            out / "results.csv",
            pack.manifest.class_ids,
            export.ExportOptions(include_patient_names=names),
            operator=args.operator,
        )
        csv_path, columns, rows = table.path, table.columns, table.rows
        json_path = export.write_json(
            out / "results.json",
            columns,
            rows,
            job_id=job.id,
            pack={
                "id": pack.id,
                "version": pack.version,
                "model_sha256": pack.manifest.onnx.sha256,
            },
        )
        report_path, report_failed = None, None
        if args.report:
            from .errors import ReportError

            try:  # audited as report.export
                report_path = write_batch_summary(
                    store, job.id, out / "report.pdf", _report_options(args), operator=args.operator
                )
            except ReportError as exc:  # the results are saved: say so, not "disk problem"
                report_failed = exc
            else:
                for warning in report_path.warnings:
                    _err(warning)
        counts = count_outcomes(rows)  # the same words as the CSV, the report and the GUI
        if not args.quiet:
            print(
                t(
                    "cli.batch_done",
                    job=job.id,
                    summary=counts.summary(_LANG),
                    total=counts.total,
                    refer=counts.referred,
                ),
                file=sys.stderr,
            )
            from .refusals import refusal_breakdown

            if breakdown := refusal_breakdown(rows, _LANG):
                print(breakdown, file=sys.stderr)
            label = t("cli.results")
            print(f"{label} {csv_path}\n{' ' * len(label)} {json_path}")
            if args.heatmaps:
                print(f"{t('cli.heatmaps')} {out / 'heatmaps'}")
            if report_path is not None:
                print(f"{t('cli.report')} {report_path.path}")
        if hit:
            _err(t("cli.interrupted_batch"))
            return EXIT_INTERRUPTED
        if report_failed is not None:
            _err(t("cli.report_failed", error=report_failed))
            return EXIT_REPORT
        return EXIT_OK if counts.complete else EXIT_SOME_FAILED


@contextlib.contextmanager
def _progress_bar(counts, quiet: bool) -> Iterator:
    """tqdm on a terminal; nothing when output is redirected."""
    from tqdm import tqdm

    bar = tqdm(
        total=counts.total,
        initial=counts.finished,
        unit=t("cli.progress_unit"),
        ncols=min(100, shutil.get_terminal_size().columns),  # a 0-wide pty would hide it
        disable=quiet or not sys.stderr.isatty(),
        file=sys.stderr,
    )

    def callback(progress) -> None:
        bar.n = progress.finished
        bar.set_postfix_str(
            t("cli.progress_not_ok", n=progress.failed) if progress.failed else "", refresh=False
        )
        bar.refresh()

    try:
        yield callback
    finally:
        bar.close()


def cmd_report(args: argparse.Namespace) -> int:
    from .outputs import batch_summary_detail, patient_report_detail
    from .readonly import audit_export, open_for_reading
    from .reports import batch_summary, patient_report, report_filename

    options = _report_options(args)
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
        _err(warning)
    if not audit_export(
        db, "report.export", operator=args.operator, patient_id=patient_key, detail=detail
    ):
        _err(t("cli.not_audited", db=db))
    print(t("cli.report_written", report_id=info.report_id, path=info.path, pages=info.pages))
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from . import export
    from .readonly import audit_export, open_for_reading
    from .records import voids

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
        _err(t("cli.not_audited", db=db))
    print(t("cli.exported", n=len(rows), path=path))
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    """Batch over assets/samples/<pack-id>/ with heatmaps and a PDF report per pack."""
    samples = resource_path("assets", "samples")
    catalog = _catalog()
    out_root = args.out or (user_data_dir() / "demo")
    ran = 0
    status = EXIT_OK
    for pack in catalog.packs:
        folder = samples / pack.id
        if not folder.is_dir() or not any(folder.iterdir()):
            continue
        print(
            t(
                "cli.demo_pack",
                name=pack.manifest.display_name.get(_LANG),
                pack=pack.id,
                folder=folder,
            )
        )
        batch_args = build_parser().parse_args(
            [
                "batch",
                str(folder),
                "--model",
                pack.id,
                "--out",
                str(out_root / pack.id),
                "--heatmaps",
                "--report",
                "--db",
                str(out_root / "demo.db"),
                "--new",
                "--clinic",
                t("cli.demo_clinic"),
                "--operator",
                "demo",
                "--lang",
                _LANG,
            ]
        )
        code = cmd_batch(_settings_defaults(batch_args))
        status = max(status, code if code != EXIT_SOME_FAILED else EXIT_OK)
        ran += 1
    if not ran:
        raise CliError(
            t(
                "cli.demo_no_samples",
                packs=", ".join(catalog.ids) or t("cli.none"),
                folder=samples,
            )
        )
    print("\n" + t("cli.demo_outputs", folder=out_root))
    print(t("cli.disclaimer"))
    return status


def _run_language(args: argparse.Namespace) -> str:
    """--lang (after or before the command), else the clinic settings, else the system's."""
    chosen = getattr(args, "lang", None) or getattr(args, "global_lang", None)
    if chosen:
        return resolve_language(chosen)
    try:
        from .settings import load_settings

        return load_settings().resolved_language
    except Exception:  # noqa: BLE001 - settings never stop a command
        return resolve_language("")


COMMANDS = {
    "batch": cmd_batch,
    "report": cmd_report,
    "export": cmd_export,
    "demo": cmd_demo,
    "records": cmd_records,
    "calibrate": lambda a: site_cli.cmd_calibrate(a, t, _open_store, _catalog()),
}


def main(argv: Sequence[str] | None = None) -> int:
    global _LANG
    parser = build_parser()
    args = parser.parse_args(argv)
    _LANG = _run_language(args)
    if hasattr(args, "paper"):
        args.lang = _LANG  # reports follow the messages' language
    try:
        if args.command in (None, "gui"):
            # Only the launcher (``cliniclens``) opens the app: screening never imports gui.
            return report_gui_failure(RuntimeError(t("cli.gui_from_launcher")), _LANG)
        if hasattr(args, "operator"):
            _settings_defaults(args)
        if args.command == "models" and args.models_command in pack_trust.COMMANDS:
            return pack_trust.COMMANDS[args.models_command](args, t, _open_store)
        if args.command == "models":
            return (
                cmd_models_verify(args)
                if args.models_command == "verify"
                else cmd_models_list(args)
            )
        return COMMANDS[args.command](args)
    except CliError as exc:
        _err(str(exc))
        return exc.exit_code
    except PackError as exc:
        _err(f"{exc} [{exc.code}]")
        return EXIT_USAGE
    except ReportError as exc:  # a layout problem is not a disk problem
        _err(str(exc))
        return EXIT_REPORT
    except (OutputError, StoreError) as exc:
        _err(str(exc))
        return (
            EXIT_OUTPUT
            if exc.code in ("disk_full", "read_only") or isinstance(exc, OutputError)
            else EXIT_USAGE
        )
    except InvalidInputError as exc:
        _err(str(exc))
        return EXIT_USAGE
    except ScreeningError as exc:
        _err(str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        _err(t("cli.interrupted"))
        return EXIT_INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
