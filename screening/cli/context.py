"""What every command receives instead of module globals: the run's language (a frozen
:class:`CliContext`), the exit codes, and small shared helpers (store, packs, clinic
settings, report options)."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inference.packs import PackCatalog, discover

from ..i18n import DEFAULT_LANGUAGE, resolve_language
from ..i18n import tr as _tr

if TYPE_CHECKING:
    from ..reports import ReportOptions
    from ..settings import ClinicSettings
    from ..store import Store

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_USAGE = 2
EXIT_OUTPUT = 3
EXIT_REPORT = 4
EXIT_INTERRUPTED = 130


class CliError(Exception):
    """A message for the user and the exit code to leave with."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.exit_code = code


@dataclass(frozen=True)
class CliContext:
    """One run of the command: the language of its messages (--lang, else the clinic
    settings, else the system's). argparse's own --help and usage texts stay English."""

    language: str = DEFAULT_LANGUAGE

    def t(self, key: str, **values: Any) -> str:
        """A CLI message in this run's language (screening/locale/<lang>.json)."""
        return _tr(key, self.language, **values)


def err(message: str) -> None:
    print(f"cliniclens: {message}", file=sys.stderr)


def run_language(args: argparse.Namespace) -> str:
    """--lang (after or before the command), else the clinic settings, else the system's."""
    chosen = getattr(args, "lang", None) or getattr(args, "global_lang", None)
    if chosen:
        return resolve_language(chosen)
    try:
        from ..settings import load_settings

        return load_settings().resolved_language
    except Exception:  # noqa: BLE001 - settings never stop a command
        return resolve_language("")


def catalog() -> PackCatalog:
    return discover()


@contextlib.contextmanager
def open_store(db: Path | None) -> Iterator[Store]:
    from ..store import Store

    store = Store(db)
    try:
        yield store
    finally:
        store.close()


def settings_defaults(args: argparse.Namespace) -> argparse.Namespace:
    """Fill report options the user did not give from the clinic settings file."""
    from ..settings import load_settings

    settings = load_settings()
    if args.operator is None:
        args.operator = settings.operator
    args.settings = settings
    return args


def report_options(
    settings: ClinicSettings,
    *,
    clinic: str | None = None,
    logo: Path | None = None,
    operator: str | None = None,
    paper: str | None = None,
    language: str | None = None,
    no_names: bool = False,
    names_in_filenames: bool = False,
) -> ReportOptions:
    """The clinic's report options with what the command line gave on top."""
    overrides: dict[str, Any] = {
        k: v
        for k, v in (
            ("clinic_name", clinic),
            ("clinic_logo", logo),
            ("operator", operator),
            ("paper", paper),
            ("language", language),
        )
        if v is not None
    }
    if no_names:
        overrides["include_patient_name"] = False
        overrides["names_in_filenames"] = False
    elif names_in_filenames:
        overrides["names_in_filenames"] = True
    return settings.report_options(**overrides)


def report_options_from_args(args: argparse.Namespace) -> ReportOptions:
    return report_options(
        args.settings,
        clinic=args.clinic,
        logo=args.logo,
        operator=args.operator,
        paper=args.paper,
        language=args.lang,
        no_names=args.no_names,
        names_in_filenames=args.names_in_filenames,
    )
