"""The ``cliniclens`` command line: every subcommand and option, and nothing else (the
launcher asks it whether a command line opens the app, so it stays the one place that
knows the command line)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

import inference

from .. import pack_trust
from ..i18n import languages
from ..records_cli import add_parser as add_records_parser
from ..site import cli as site_cli

EPILOG = """exit codes:
  0    all done; in a batch every file was screened and answered
  1    batch finished but some files were not screened or were flagged
       (see the status column of results.csv), or a pack failed verification
  2    usage error, bad input, or the model pack cannot be used
  3    output could not be written (disk full, read-only folder or database)
  4    the PDF report could not be made (a batch's results and CSV are saved)
  130  interrupted: finished work is kept; run the same command to resume

ClinicLens is a screening aid, not a diagnosis."""

LANG_HELP = (
    "language of messages and reports: "
    + ", ".join(languages() or ("en",))
    + " (default: clinic settings, else the system language)"
)


def lang_arg(p: Any, dest: str = "lang") -> None:  # a parser or an argument group
    p.add_argument("--lang", dest=dest, default=None, metavar="LANG", help=LANG_HELP)


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
    lang_arg(g)
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
    lang_arg(parser, dest="global_lang")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    models = sub.add_parser("models", help="list or verify installed model packs")
    msub = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    lang_arg(msub.add_parser("list", help="list installed packs and refused ones"))
    verify = msub.add_parser("verify", help="check hashes, manifest schema and a dry run")
    lang_arg(verify)
    verify.add_argument("pack_id", nargs="?", metavar="ID", help="only this pack")
    pack_trust.add_parsers(msub, lang_arg)  # trust, untrust, keys: signing keys (audited)
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
    lang_arg(export)

    demo = sub.add_parser("demo", help="headless demo on the bundled sample images")
    demo.add_argument(
        "--out",
        "-o",
        type=Path,
        default=None,
        metavar="DIR",
        help="where to write the demo outputs (default: user data folder/demo)",
    )
    lang_arg(demo)
    add_records_parser(sub)
    sub.add_parser("gui", help="open the desktop app (same as no command)")
    return parser
