"""Bahasa Indonesia in the GUI: the translator is installed, windows show Indonesian text,
every message is translated, the .qm matches the .ts and the .ts matches gui/*.py."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QSettings, QTranslator

from gui import translations
from tests.gui.conftest import drop, write_image
from tests.gui.test_fit_1366 import SCREEN, clipped

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "assets" / "translations" / "cliniclens_id.ts"
QM = ROOT / "assets" / "translations" / "cliniclens_id.qm"
BIN = Path(sys.executable).parent


def messages(ts: Path) -> list[tuple[str, str, ET.Element]]:
    out = []
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name", "")
        for m in context.iter("message"):
            out.append((name, m.findtext("source", ""), m))
    return out


@pytest.fixture
def indonesian(qapp):
    assert translations.apply_language(qapp, "id") == "id"
    yield qapp
    assert translations.apply_language(qapp, "en") == "en"


def test_available_and_resolution(monkeypatch):
    assert translations.available() == ("en", "id")
    monkeypatch.setattr(translations, "system_language", lambda: "id")
    assert translations.resolve("") == "id" and translations.resolve("system") == "id"
    assert translations.resolve("id_ID") == "id" and translations.resolve("in") == "id"
    assert translations.resolve("fr") == "en" and translations.resolve("en") == "en"


def test_system_language_follows_qt_locale(monkeypatch):
    monkeypatch.setattr(QLocale, "system", staticmethod(lambda: QLocale("id_ID")))
    assert translations.system_language() == "id"
    monkeypatch.setattr(QLocale, "system", staticmethod(lambda: QLocale("de_DE")))
    assert translations.system_language() == "en"


def test_apply_language_installs_and_removes(qapp):
    translate = QCoreApplication.translate
    assert translate("MainWindow", "&File") == "&File"
    assert translations.apply_language(qapp, "id") == "id"
    assert translate("MainWindow", "&File") == "&Berkas"
    # applying again replaces, never stacks translators
    assert translations.apply_language(qapp, "id") == "id"
    assert len(translations._installed) >= 1
    assert translations.apply_language(qapp, "fr") == "en"
    assert translate("MainWindow", "&File") == "&File"
    assert translations._installed == []


def test_qt_standard_buttons_in_indonesian(qtbot, indonesian):
    """Qt ships no qtbase_id.qm: ours (assets/translations/qtbase_id.qm) is installed."""
    from PySide6.QtWidgets import QDialogButtonBox

    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    qtbot.addWidget(box)
    texts = {b.text().replace("&", "") for b in box.buttons()}
    assert texts == {"OK", "Batal"}, texts


def test_main_window_in_indonesian(qtbot, indonesian, tmp_path, packs_root, settings_file):
    from gui.main_window import MainWindow

    settings = QSettings(str(settings_file), QSettings.Format.IniFormat)
    settings.setValue("pack", "tiny-pack")
    w = MainWindow(
        settings=settings,
        store_path=tmp_path / "store.db",
        model_dirs=[packs_root],
        language="id",
    )
    qtbot.addWidget(w)
    w.resize(*SCREEN)
    w.show()
    qtbot.waitUntil(lambda: w.ready, timeout=20000)
    menus = [a.text() for a in w.menuBar().actions()]
    assert menus[:3] == ["&Berkas", "&Tampilan", "Ban&tuan"], menus
    file_items = [a.text() for a in w.menuBar().actions()[0].menu().actions() if a.text()]
    assert "Skrining massal…" in file_items and "Pengaturan…" in file_items
    assert "Pasien" in [w.tabs.tabText(i) for i in range(w.tabs.count())]
    assert w.drop_zone.label.text() == "Letakkan gambar atau folder di sini"
    assert w.windowTitle() == "ClinicLens — alat bantu skrining"
    # manifest LocalText: the screening types are listed by their Indonesian names
    names = [w.pack_chooser.combo.itemText(i) for i in range(w.pack_chooser.combo.count())]
    assert "Paket uji tiny-pack" in names, names
    # a result: Indonesian class names and labels, and nothing cut off at 1366x768
    assert drop(w.drop_zone, [write_image(tmp_path / "scan.png", seed=3)])
    qtbot.waitUntil(lambda: w.result_panel.summary is not None, timeout=20000)
    qtbot.wait(100)
    assert clipped(w) == []
    w.close()


def test_every_message_is_translated_with_its_placeholders():
    import re

    found = messages(TS)
    assert len(found) > 200
    unfinished = [f"{c}: {s}" for c, s, m in found if m.find("translation").get("type")]
    assert unfinished == []
    for context, source, m in found:
        t = m.find("translation")
        texts = [n.text or "" for n in t.iter("numerusform")] or [t.text or ""]
        for text in texts:
            assert text.strip(), (context, source)
            for pattern in (r"\{[^}]*\}", r"%[nvm]"):
                assert sorted(re.findall(pattern, text)) == sorted(re.findall(pattern, source)), (
                    context,
                    source,
                    text,
                )
            assert source.count("&") == text.count("&"), (source, text)


def test_qm_is_compiled_from_the_ts(tmp_path):
    """Every translation in the .ts is what the shipped .qm returns (and lrelease, when
    available, builds the same bytes)."""
    translator = QTranslator()
    assert translator.load(str(QM))
    for context, source, m in messages(TS):
        t = m.find("translation")
        if m.get("numerus") == "yes":
            expected = t.find("numerusform").text
            assert translator.translate(context, source, None, 2) == expected
        else:
            assert translator.translate(context, source) == t.text, (context, source)
    lrelease = shutil.which("pyside6-lrelease") or str(BIN / "pyside6-lrelease")
    if not Path(lrelease).exists():
        pytest.skip("pyside6-lrelease not installed")
    fresh = tmp_path / "fresh.qm"
    subprocess.run([lrelease, "-silent", str(TS), "-qm", str(fresh)], check=True)
    assert fresh.read_bytes() == QM.read_bytes(), "run tools/update_translations.sh"


def test_ts_has_every_string_in_the_gui(tmp_path):
    """A tr() string added to gui/*.py without rerunning tools/update_translations.sh."""
    lupdate = shutil.which("pyside6-lupdate") or str(BIN / "pyside6-lupdate")
    if not Path(lupdate).exists():
        pytest.skip("pyside6-lupdate not installed")
    copy = tmp_path / "cliniclens_id.ts"
    shutil.copy(TS, copy)
    sources = sorted((ROOT / "gui").glob("*.py"))
    subprocess.run(
        [lupdate, "-silent", "-no-obsolete", *map(str, sources), "-ts", str(copy)],
        check=True,
        cwd=ROOT,
    )
    new = {(c, s) for c, s, _ in messages(copy)} - {(c, s) for c, s, _ in messages(TS)}
    assert sorted(new) == [], "run tools/update_translations.sh and translate the new strings"
