"""The ``cliniclens`` command: the GUI without arguments, headless work with subcommands.

Exit codes (also shown by ``cliniclens --help``):
  0  everything asked for was done; in a batch every file was screened and answered
  1  the batch finished, but some files were not screened or were flagged (see the
     status column of results.csv); or ``models verify`` found a broken pack
  2  usage error, bad input, or the model pack cannot be used
  3  output could not be written (disk full, read-only folder or database)
  4  the PDF report could not be made (the batch's results and CSV are saved)
  130 interrupted; finished work is kept and the same command resumes the batch

Layout: ``parser`` (the command line), ``context`` (the run's language in a frozen
:class:`CliContext`, exit codes, shared helpers; no module globals), one module per group
of commands (``models``, ``batch``, ``stored`` for report/export, ``demo``), and this
module's :func:`main`, which picks the command and turns errors into exit codes.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from inference.errors import PackError

from .. import pack_trust
from ..errors import InvalidInputError, OutputError, ReportError, ScreeningError, StoreError
from ..i18n import resolve_language
from ..i18n import tr as _tr
from ..records_cli import cmd_records
from ..site import cli as site_cli
from .batch import BatchRequest, cmd_batch, run_batch
from .context import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_OUTPUT,
    EXIT_REPORT,
    EXIT_SOME_FAILED,
    EXIT_USAGE,
    CliContext,
    CliError,
    catalog,
    err,
    open_store,
    run_language,
    settings_defaults,
)
from .demo import cmd_demo
from .models import cmd_models_list, cmd_models_verify
from .parser import EPILOG, build_parser
from .stored import cmd_export, cmd_report


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
    lang = language or run_language(argparse.Namespace())
    err(_tr("cli.gui_failed", lang, error=error))
    return EXIT_USAGE


Command = Callable[[argparse.Namespace, CliContext], int]

COMMANDS: dict[str, Command] = {
    "batch": cmd_batch,
    "report": cmd_report,
    "export": cmd_export,
    "demo": cmd_demo,
    "records": cmd_records,
    "calibrate": lambda a, ctx: site_cli.cmd_calibrate(a, ctx.t, open_store, catalog()),
}


def _models(args: argparse.Namespace, ctx: CliContext) -> int:
    if args.models_command in pack_trust.COMMANDS:
        return pack_trust.COMMANDS[args.models_command](args, ctx.t, open_store)
    if args.models_command == "verify":
        return cmd_models_verify(args, ctx)
    return cmd_models_list(args, ctx)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    ctx = CliContext(run_language(args))
    if hasattr(args, "paper"):
        args.lang = ctx.language  # reports follow the messages' language
    try:
        if args.command in (None, "gui"):
            # Only the launcher (``cliniclens``) opens the app: screening never imports gui.
            return report_gui_failure(RuntimeError(ctx.t("cli.gui_from_launcher")), ctx.language)
        if hasattr(args, "operator"):
            settings_defaults(args)
        if args.command == "models":
            return _models(args, ctx)
        return COMMANDS[args.command](args, ctx)
    except CliError as exc:
        err(str(exc))
        return exc.exit_code
    except PackError as exc:
        err(f"{exc} [{exc.code}]")
        return EXIT_USAGE
    except ReportError as exc:  # a layout problem is not a disk problem
        err(str(exc))
        return EXIT_REPORT
    except (OutputError, StoreError) as exc:
        err(str(exc))
        return (
            EXIT_OUTPUT
            if exc.code in ("disk_full", "read_only") or isinstance(exc, OutputError)
            else EXIT_USAGE
        )
    except InvalidInputError as exc:
        err(str(exc))
        return EXIT_USAGE
    except ScreeningError as exc:
        err(str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        err(ctx.t("cli.interrupted"))
        return EXIT_INTERRUPTED


__all__ = [
    "COMMANDS",
    "EPILOG",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_OUTPUT",
    "EXIT_REPORT",
    "EXIT_SOME_FAILED",
    "EXIT_USAGE",
    "BatchRequest",
    "CliContext",
    "CliError",
    "GuiRequest",
    "build_parser",
    "gui_request",
    "main",
    "report_gui_failure",
    "run_batch",
]
