"""Offscreen Qt, QSettings/store/user data in tmp_path for every test, tiny packs."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402
from PySide6.QtCore import QMimeData, QPointF, QSettings, Qt, QUrl  # noqa: E402
from PySide6.QtGui import QDragEnterEvent, QDropEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.packgen import make_pack  # noqa: E402


@pytest.fixture(scope="session")
def packs_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("packs")
    make_pack(root, "tiny-pack", seed=0)
    make_pack(root, "other-pack", classes=("clear", "refer"), seed=3)
    return root


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Nothing a test does reaches the real user's settings, database or packs."""
    home = tmp_path / "home"
    monkeypatch.setenv("CLINICLENS_HOME", str(home))
    monkeypatch.setenv("CLINICLENS_MODELS", "")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    return home


@pytest.fixture
def settings_file(tmp_path) -> Path:
    return tmp_path / "settings.ini"


@pytest.fixture
def make_window(qtbot, tmp_path, packs_root, settings_file):
    from gui.main_window import MainWindow

    windows = []

    def factory(model_dirs=None):
        settings = QSettings(str(settings_file), QSettings.Format.IniFormat)
        if not settings.contains("pack"):
            settings.setValue("pack", "tiny-pack")  # not the alphabetically first pack
        if not settings.contains("first_run/asked"):
            settings.setValue("first_run/asked", True)  # tests of the first start unset it
        w = MainWindow(
            settings=settings,
            store_path=tmp_path / "store" / "cliniclens.db",
            model_dirs=model_dirs if model_dirs is not None else [packs_root],
            language="en",
        )
        qtbot.addWidget(w)
        w.resize(1366, 768)
        w.show()
        qtbot.waitUntil(lambda: w.ready, timeout=20000)
        windows.append(w)
        return w

    yield factory
    for w in windows:
        w.close()


@pytest.fixture
def window(make_window):
    return make_window()


def write_image(path: Path, seed: int = 0, size: int = 64) -> Path:
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (6, 6, 3), dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(small).resize((size, size), Image.BILINEAR).save(path)
    return path


def drop(widget, paths) -> bool:
    """Drag ``paths`` from a 'file manager' onto ``widget``: drag-enter, then drop."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    centre = widget.rect().center()
    enter = QDragEnterEvent(  # Qt's drag-enter takes an integer point, the drop a real one
        centre,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    event = QDropEvent(
        QPointF(centre),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, event)
    return event.isAccepted()
