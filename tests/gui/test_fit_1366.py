"""At 1366x768 everything fits: no window or dialog needs more, no button or label is
narrower than its text needs, and the right-hand panel never scrolls sideways."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QWidget

from tests.gui.conftest import drop, write_image

SCREEN = (1366, 768)


def clipped(root: QWidget) -> list[str]:
    """Visible buttons, labels and combos narrower than their text needs."""
    bad = []
    for w in root.findChildren(QWidget):
        if not w.isVisibleTo(root) or w.width() <= 0:
            continue
        if isinstance(w, QLabel) and (w.wordWrap() or not w.text() or w.pixmap() is not None):
            continue
        if isinstance(w, QAbstractButton | QLabel | QComboBox):
            need = w.minimumSizeHint().width()
            if w.width() + 1 < need:
                text = w.currentText() if isinstance(w, QComboBox) else w.text()
                bad.append(f"{type(w).__name__} {text!r}: {w.width()} < {need}")
    return bad


def test_main_window_fits_with_a_result(qtbot, window, tmp_path):
    hint = window.minimumSizeHint()
    assert hint.width() <= SCREEN[0] and hint.height() <= SCREEN[1]
    image = write_image(tmp_path / "scan.png", seed=3)
    assert drop(window.drop_zone, [image])
    qtbot.waitUntil(lambda: window.result_panel.summary is not None, timeout=20000)
    qtbot.wait(100)
    assert (window.width(), window.height()) == SCREEN
    assert clipped(window) == []
    scroll = window.splitter.widget(1)
    assert not scroll.horizontalScrollBar().isVisible()
    assert scroll.widget().minimumSizeHint().width() <= scroll.viewport().width()


def test_the_check_sees_a_clipped_button(qtbot, window):
    window.clear_button.setText("A much longer label than the button was given room for")
    window.clear_button.setFixedWidth(40)
    assert any("much longer" in line for line in clipped(window))


def test_batch_and_settings_dialogs_fit(qtbot, window, tmp_path):
    batch = window.open_batch()
    batch.add_sources([str(tmp_path)])
    qtbot.wait(50)
    window.open_settings()
    settings = window.settings_dialog
    settings_hint = settings.sizeHint()
    for dialog in (batch, settings):
        hint = dialog.minimumSizeHint()
        assert hint.width() <= SCREEN[0] - 40 and hint.height() <= SCREEN[1] - 60
        assert clipped(dialog) == []
    assert settings_hint.height() <= SCREEN[1] - 60
    settings.reject()
