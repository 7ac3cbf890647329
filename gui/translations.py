"""The interface language: Qt translators for ClinicLens's own strings and for Qt's.

Our strings are in ``assets/translations/cliniclens_<lang>.qm`` (compiled from the ``.ts``
files by ``tools/update_translations.sh``); English is the source language and needs no
file. Qt's own strings (standard buttons, file dialogs) come from ``qtbase_<lang>.qm`` in
Qt's translations folder when Qt ships one, else from ``assets/translations``. Files are
found with ``resource_path``, so this works from source and from a PyInstaller bundle.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from inference.resources import resource_path

SOURCE_LANGUAGE = "en"
PREFIX = "cliniclens_"
# Installed translators, kept referenced (Qt does not own them) so they can be replaced.
_installed: list[QTranslator] = []


def translations_dir() -> Path:
    return resource_path("assets", "translations")


def available() -> tuple[str, ...]:
    """Interface languages: English plus every language with a compiled ``.qm``."""
    found = {p.stem[len(PREFIX) :] for p in translations_dir().glob(f"{PREFIX}*.qm")}
    return (SOURCE_LANGUAGE, *sorted(found - {SOURCE_LANGUAGE}))


def _base(tag: str) -> str:
    """ "id_ID.UTF-8" / "id-ID" -> "id"; the old code "in" is Indonesian too."""
    base = tag.split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    return "id" if base == "in" else base


def system_language() -> str:
    """The system's interface language when ClinicLens has it, else English.

    Uses Qt's view of the system (LC_ALL / LC_MESSAGES / LANG on Linux, the user's UI
    languages on Windows and macOS), in the user's order of preference.
    """
    have = available()
    system = QLocale.system()
    tags = [*system.uiLanguages(), system.name()]
    if system.language() == QLocale.Language.Indonesian:
        tags.insert(0, "id")
    for tag in tags:
        lang = _base(tag)
        if lang in have:
            return lang
        if lang in ("c", ""):
            continue
    return SOURCE_LANGUAGE


def resolve(language: str | None) -> str:
    """A setting made concrete: ""/"system"/None -> the system's; unknown -> English."""
    choice = (language or "").strip()
    if choice in ("", "system"):
        return system_language()
    lang = _base(choice)
    return lang if lang in available() else SOURCE_LANGUAGE


def _qt_translation_dirs() -> list[Path]:
    dirs = [Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))]
    dirs.append(translations_dir())
    return dirs


def apply_language(app: QCoreApplication, language: str) -> str:
    """Install the translators for ``language`` ("" or "system" = the system's) on ``app``
    and return the language applied ("en" when there is nothing to install)."""
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()
    lang = resolve(language)
    if lang == SOURCE_LANGUAGE:
        return SOURCE_LANGUAGE
    ours = QTranslator(app)
    if not ours.load(str(translations_dir() / f"{PREFIX}{lang}.qm")):
        return SOURCE_LANGUAGE
    app.installTranslator(ours)
    _installed.append(ours)
    for folder in _qt_translation_dirs():
        qt = QTranslator(app)
        if (folder / f"qtbase_{lang}.qm").is_file() and qt.load(f"qtbase_{lang}", str(folder)):
            app.installTranslator(qt)
            _installed.append(qt)
            break
    return lang
