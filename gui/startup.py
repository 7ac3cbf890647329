"""What the main window needs before it can screen, loaded in a worker right after it is
shown: the installed packs, the heatmap choices, the clinic settings and languages, and
the patient database. Plain Python (no Qt), so it is tested without a window.

Why in a worker: discovering packs imports numpy and onnxruntime, which would delay the
first paint of the window by seconds on a clinic laptop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from inference.packs import PackCatalog
    from screening.settings import ClinicSettings
    from screening.store import Store


@dataclass(frozen=True)
class Startup:
    catalog: PackCatalog
    methods: tuple[str, ...]  # heatmap methods (inference.cam)
    colormaps: tuple[str, ...]  # heatmap colour maps (inference.overlay)
    language: str  # the clinic settings' language ("" or "en" when there are none)
    languages: tuple[str, ...]  # languages the reports and the CLI have (screening.i18n)
    clinic: ClinicSettings | None = None  # None: the settings file could not be read
    store: Store | None = None  # None: the database could not be opened (store_error says why)
    store_error: str = ""


def load_startup(model_dirs: Sequence[Path] | None, store_path: Path | str | None) -> Startup:
    """*worker* Everything the window loads at start; settings and the database never stop
    screening (their errors become defaults, or a reason shown in the History tab)."""
    from inference.cam import METHODS
    from inference.overlay import COLORMAPS
    from inference.packs import discover

    catalog = discover(list(model_dirs) if model_dirs is not None else None)
    clinic, language = None, "en"
    try:
        from screening.settings import load_settings

        clinic = load_settings()
        language = clinic.language
    except Exception:  # noqa: BLE001 - settings never stop screening
        pass
    try:
        from screening.i18n import languages

        found: tuple[str, ...] = tuple(languages())
    except Exception:  # noqa: BLE001
        found = ("en",)
    store, store_error = None, ""
    try:
        from screening.store import Store

        store = Store(store_path)
    except Exception as exc:  # noqa: BLE001 - screening works without the store
        store_error = getattr(exc, "message", None) or str(exc)
    import inference.screener  # noqa: F401 - warm onnxruntime before the first drop

    return Startup(
        catalog, tuple(METHODS), tuple(COLORMAPS), language, found, clinic, store, store_error
    )
