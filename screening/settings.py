"""Clinic settings shared by the GUI and the CLI (clinic name, logo, operator, paper...).

One small JSON file in the user data folder, so a report looks the same whether it was
printed from the app or from ``cliniclens report``. Unknown keys are ignored and a damaged
file falls back to defaults: settings must never stop a clinic from screening.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from inference.resources import user_data_dir

from .files import atomic_write_text

SETTINGS_NAME = "settings.json"


@dataclass(frozen=True)
class ClinicSettings:
    clinic_name: str = ""
    clinic_address: str = ""
    clinic_logo: str = ""  # path to a PNG/JPEG, "" for none
    operator: str = ""
    paper: str = "a4"  # "a4" | "letter"
    language: str = ""  # "" = the system locale's language (screening.i18n.system_language)
    names_on_reports: bool = True
    names_in_filenames: bool = False
    names_in_exports: bool = False
    # Patient identifiers on reports: "show", "omit" (no ID, name or birth date) or
    # "pseudonymise" (a stable ANON-code from pseudonym_secret instead of them).
    report_identifiers: str = "show"
    pseudonym_secret: str = ""

    @property
    def resolved_language(self) -> str:
        """The language to use: the chosen one, or for "" the system's (id or en)."""
        from .i18n import resolve_language

        return resolve_language(self.language)

    def report_options(self, **overrides: Any):
        """ReportOptions for these settings (``overrides`` win)."""
        from .reports import ReportOptions

        options = ReportOptions(
            clinic_name=self.clinic_name,
            clinic_address=self.clinic_address,
            clinic_logo=Path(self.clinic_logo) if self.clinic_logo else None,
            operator=self.operator,
            paper=self.paper,
            language=self.resolved_language,
            include_patient_name=self.names_on_reports and self.report_identifiers == "show",
            include_birth_date=self.report_identifiers == "show",
            include_patient_id=self.report_identifiers != "omit",
            pseudonym_secret=(
                (self.pseudonym_secret or "cliniclens")
                if self.report_identifiers == "pseudonymise"
                else ""
            ),
            names_in_filenames=self.names_in_filenames,
        )
        return replace(options, **overrides)


def settings_path() -> Path:
    return user_data_dir() / SETTINGS_NAME


def load_settings(path: Path | None = None) -> ClinicSettings:
    target = path or settings_path()
    try:
        raw = json.loads(target.read_text("utf-8"))
    except (OSError, ValueError):
        return ClinicSettings()
    if not isinstance(raw, dict):
        return ClinicSettings()
    defaults = ClinicSettings()
    known = {}
    for f in fields(ClinicSettings):
        value = raw.get(f.name, getattr(defaults, f.name))
        if isinstance(value, type(getattr(defaults, f.name))):
            known[f.name] = value
    return ClinicSettings(**known)


def save_settings(settings: ClinicSettings, path: Path | None = None) -> Path:
    text = json.dumps(asdict(settings), indent=2, ensure_ascii=False) + "\n"
    return atomic_write_text(path or settings_path(), text, what="settings file")
