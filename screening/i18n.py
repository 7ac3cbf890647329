"""The one place report (and CLI) strings come from, so a language is a JSON file.

``tr("report.patient_title", "id")`` looks in ``locale/id.json``, then English. Adding Bahasa
Indonesia means adding ``locale/id.json`` with the same keys; no report code changes.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

DEFAULT_LANGUAGE = "en"


# Next to this file (not importlib.resources): works from source, an editable install made
# before this package existed, a wheel, and a PyInstaller bundle alike.
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


@cache
def catalogue(language: str) -> dict[str, str]:
    """Strings of one language ({} when there is no catalogue for it)."""
    if not language.replace("_", "").isalnum():
        return {}
    try:
        text = (LOCALE_DIR / f"{language}.json").read_text("utf-8")
    except OSError:
        return {}
    return json.loads(text)


def languages() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in LOCALE_DIR.glob("*.json")))


def tr(key: str, language: str = DEFAULT_LANGUAGE, **values: Any) -> str:
    """The string for ``key`` in ``language`` (falling back to English), formatted."""
    lang = (language or DEFAULT_LANGUAGE).replace("-", "_")
    for candidate in (lang, lang.split("_")[0], DEFAULT_LANGUAGE):
        text = catalogue(candidate).get(key)
        if text is not None:
            return text.format(**values) if values else text
    raise KeyError(f"no string {key!r} in the {DEFAULT_LANGUAGE} catalogue")
