"""The one place report (and CLI) strings come from, so a language is a JSON file.

``tr("report.patient_title", "id")`` looks in ``locale/id.json``, then English. Adding Bahasa
Indonesia means adding ``locale/id.json`` with the same keys; no report code changes.
"""

from __future__ import annotations

import json
import locale
import os
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


def _language_of(tag: str) -> str:
    """ "id_ID.UTF-8" -> "id"; the old ISO code "in" (Java, some Android) is Indonesian too."""
    base = tag.split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    return "id" if base in ("id", "in", "indonesian") else base


def system_language() -> str:
    """The system locale's language if ClinicLens has a catalogue for it ("id"), else "en".

    Looks at LC_ALL, LC_MESSAGES and LANG (in that order, as gettext does), then
    ``locale.getlocale()`` (Windows has no LANG; there it gives e.g. "Indonesian_Indonesia").
    """
    tags = [os.environ.get(name, "") for name in ("LC_ALL", "LC_MESSAGES", "LANG")]
    try:
        tags.append(locale.getlocale()[0] or "")
    except ValueError:
        pass
    have = languages()
    for tag in tags:
        if not tag or tag in ("C", "POSIX") or tag.startswith("C."):
            continue
        lang = _language_of(tag)
        return lang if lang in have else DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def resolve_language(setting: str | None) -> str:
    """A language setting made concrete: "" / "system" / None -> the system's language;
    a language without a catalogue -> English."""
    choice = (setting or "").strip()
    if choice in ("", "system"):
        return system_language()
    lang = choice.replace("-", "_")
    have = languages()
    for candidate in (lang, _language_of(lang)):
        if candidate in have:
            return candidate
    return DEFAULT_LANGUAGE


def reason_sentence(status: str, language: str, modality: str = "") -> str | None:
    """The catalogue's ``reason.<status>`` sentence in ``language`` (exactly that catalogue),
    the one written for the pack's modality first (``reason.<status>.<modality>``: a brain
    MRI refused as unusual may be a CT scan, a chest X-ray an inverted one), else None."""
    found = catalogue(language)
    keys = (f"reason.{status}.{modality}",) if modality else ()
    for key in (*keys, f"reason.{status}"):
        if key in found:
            return found[key]
    return None


def status_reason(status: str, message: str, language: str = DEFAULT_LANGUAGE,
                  modality: str = "") -> str:
    """Why an image got no answer, for a reader of ``language``.

    The inference layer's messages are English and specific ("too dark", which check
    failed). English readers get them as they are; in another language the catalogue's
    ``reason.<status>`` sentence comes first, the specific English detail in brackets.
    """
    lang = (language or DEFAULT_LANGUAGE).replace("-", "_")
    text = None
    for candidate in (lang, lang.split("_")[0]):
        if candidate != DEFAULT_LANGUAGE:
            text = reason_sentence(status, candidate, modality)
            if text is not None:
                break
    if text is None:
        return message or status
    return f"{text} ({message})" if message else text
