"""Finding bundled files the same way from source, from a wheel and from a frozen exe."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from platformdirs import user_data_path

APP_NAME = "ClinicLens"


def app_root() -> Path:
    """Folder that holds ``models/`` and ``assets/``: the repo, or PyInstaller's bundle dir."""
    frozen_dir = getattr(sys, "_MEIPASS", None)
    if frozen_dir:
        return Path(frozen_dir)
    return Path(__file__).resolve().parent.parent


def resource_path(*parts: str) -> Path:
    """Path of a bundled resource, e.g. ``resource_path("assets", "fonts")``."""
    return app_root().joinpath(*parts)


def user_data_dir() -> Path:
    """Per-user writable folder (store, user model packs); ``CLINICLENS_HOME`` overrides it."""
    override = os.environ.get("CLINICLENS_HOME")
    return Path(override) if override else user_data_path(APP_NAME, appauthor=False)


def model_dirs() -> tuple[Path, ...]:
    """Where packs are looked for: bundled ``models/``, the user's folder, and
    ``CLINICLENS_MODELS`` (os.pathsep-separated) for extra locations."""
    dirs = [resource_path("models"), user_data_dir() / "models"]
    extra = os.environ.get("CLINICLENS_MODELS", "")
    dirs.extend(Path(p) for p in extra.split(os.pathsep) if p)
    return tuple(dirs)
