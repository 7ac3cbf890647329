"""The main window's parts without a window: what startup loads, and the state the parts
share through the Session (gui.session), which the window only shows."""

from __future__ import annotations

import pytest

from gui.session import Session
from gui.startup import load_startup


def test_startup_loads_packs_settings_and_the_database_without_a_window(packs_root, tmp_path):
    st = load_startup([packs_root], tmp_path / "store.db")
    try:
        assert {"tiny-pack", "other-pack"} <= set(st.catalog.ids)
        assert "gradcam" in st.methods and "jet" in st.colormaps
        assert "en" in st.languages
        assert st.clinic is not None and st.language == st.clinic.language  # "": system
        assert st.store is not None and st.store_error == ""
        assert st.store.list_screenings() == []
    finally:
        if st.store is not None:
            st.store.close()


def test_startup_without_a_database_still_screens_and_says_why(packs_root, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the database's folder should be", "utf-8")
    st = load_startup([packs_root], blocked / "store.db")
    assert st.store is None
    assert st.store_error  # shown in the History tab
    assert "tiny-pack" in st.catalog.ids


def test_session_names_files_apart_and_finds_manifests(packs_root):
    from inference.packs import discover

    s = Session()
    s.add(["/clinic/a/scan.png", "/clinic/b/scan.png", "/clinic/b/other.png"])
    assert s.short_name("/clinic/b/other.png") == "other.png"
    assert s.short_name("/clinic/a/scan.png") != s.short_name("/clinic/b/scan.png")
    assert s.manifest("tiny-pack") is None  # no catalog yet
    s.set_catalog(discover([packs_root]))
    assert s.manifest("tiny-pack").id == "tiny-pack"
    assert s.manifest("not-installed") is None


def test_window_attributes_are_the_sessions(qtbot, window):
    """The window's parts read the Session, callers keep window.store etc.: one value."""
    qtbot.waitUntil(lambda: window.ready, timeout=20000)
    assert window.store is window.session.store is not None
    window.patient_db_id = 7
    assert window.session.patient_db_id == 7
    window.session.language = "id"
    assert window.language == "id"


def test_the_viewer_blends_the_heatmap_as_batches_do(packs_root, tmp_path):
    """Session.render re-blends a cached map; the picture equals Screener.overlay's."""
    import numpy as np

    from gui.presenter import heatmap_class
    from inference.packs import discover
    from tests.gui.conftest import write_image

    s = Session()
    s.set_catalog(discover([packs_root]), "tiny-pack")
    screener = s.screener()
    path = str(write_image(tmp_path / "scan.png", seed=1))
    result = s.screen(screener, path)
    assert result.answered
    settings = s.set_heatmap(opacity=0.6, colormap="jet")
    shown = s.render(screener, path, result, settings)
    again = s.render(screener, path, result, s.set_heatmap(opacity=0.6))  # from the cache
    _, overlay, _ = screener.overlay(
        screener.load(path),
        result,
        heatmap_class(result.prediction),
        method=settings.method,
        opacity=0.6,
        colormap="jet",
    )
    assert np.array_equal(shown.overlay, overlay) and np.array_equal(again.overlay, overlay)
    assert again.result.timings.heatmap_ms == shown.result.timings.heatmap_ms  # first cost


def test_the_parts_never_import_the_window_and_gui_has_no_import_cycle():
    """The window's parts are typed against Protocols and read the Session; an import of
    gui.main_window from one of them (even under TYPE_CHECKING) would make a cycle again."""
    grimp = pytest.importorskip("grimp")
    graph = grimp.build_graph("gui")
    assert graph.find_modules_that_directly_import("gui.main_window") == {"gui.app"}
    for module in graph.modules:
        imported = graph.find_modules_directly_imported_by(module)
        back = {m for m in imported if graph.chain_exists(m, module)}
        assert back == set(), f"{module} is in an import cycle with {sorted(back)}"


class _Shown:
    """Stands in for gui.viewer_flow and gui.patient_flow: records what was asked of them."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def show_current(self, fit: bool = False) -> None:
        self.calls.append("show_current")

    def clear(self) -> None:
        self.calls.append("clear")

    def forget_images(self) -> None:
        self.calls.append("forget_images")


def test_the_image_list_is_driven_without_a_window(qtbot, tmp_path):
    """gui.image_flow needs only what its Protocol names: no MainWindow is built here."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QProgressBar, QPushButton, QStatusBar

    from gui.dropzone import DropZone
    from gui.image_flow import ImageFlow
    from gui.result_panel import ResultPanel
    from gui.tasks import TaskRunner
    from tests.gui.conftest import write_image

    class Host:
        def __init__(self) -> None:
            self.session = Session()
            self.settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
            self.runner = TaskRunner()
            self.ready = False
            self.drop_zone, self.result_panel = DropZone(), ResultPanel()
            self.progress, self.cancel_button = QProgressBar(), QPushButton()
            self.patients, self.bar, self.errors = _Shown(), QStatusBar(), []

        def statusBar(self):  # noqa: N802 - Qt API
            return self.bar

        def last_folder(self, key: str = "last_folder") -> str:
            return str(tmp_path)

        def failed(self, message: str) -> None:
            self.errors.append(message)

    host, shown = Host(), _Shown()
    images = ImageFlow(host, shown, None)
    for i in range(2):
        write_image(tmp_path / "in" / f"{i}.png", seed=i)
    (tmp_path / "in" / "notes.txt").write_text("not an image", "utf-8")
    images.add_paths([str(tmp_path / "in")])
    assert images.pending_paths == [str(tmp_path / "in")] and host.session.queue == []
    host.ready = True  # the packs are found
    images.add_pending()
    qtbot.waitUntil(lambda: len(host.session.queue) == 2, timeout=10000)
    assert host.drop_zone.label.text() == "Added 2 image(s); skipped 1 file(s) that are not images"
    assert shown.calls == ["show_current"] and images.screening is None  # no pack chosen
    assert host.settings.value("last_folder") == str(tmp_path / "in")
    images.clear()
    assert host.session.queue == [] and shown.calls[-1] == "clear"
    assert host.patients.calls == ["forget_images"] and host.errors == []
    host.runner.shutdown(5000)
