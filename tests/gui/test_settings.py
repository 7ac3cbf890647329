"""The Settings dialog writes the clinic settings file the CLI reads; a new language reopens
the window in it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from gui import translations
from gui.presenter import resolve_language
from gui.settings_dialog import SettingsDialog
from screening.settings import ClinicSettings, load_settings, save_settings, settings_path

GUI = Path(__file__).resolve().parents[2] / "gui"


def ok_button(dialog):
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


def test_settings_dialog_saves_what_the_cli_reads(qtbot, window, tmp_path):
    logo = tmp_path / "logo.png"
    Image.new("RGB", (60, 30), (20, 90, 160)).save(logo)
    window.languages = ["en", "id"]  # the Indonesian catalogue may not be installed yet
    window.open_settings()
    d = window.settings_dialog
    assert d.isVisible()
    assert [d.language.itemData(i) for i in range(d.language.count())][0] == ""
    assert "id" in [d.language.itemData(i) for i in range(d.language.count())]
    d.clinic_name.setText("Puskesmas Sukamaju")
    d.logo.setText(str(logo))
    d.operator.setText("Nurse Ayu")
    d.paper.setCurrentIndex(d.paper.findData("letter"))
    d.names_in_filenames.setChecked(True)
    d.identifiers.setCurrentIndex(d.identifiers.findData("pseudonymise"))
    assert not d.language_note.isVisible()
    d.language.setCurrentIndex(d.language.findData("id"))
    assert d.language_note.isVisible()
    assert "reopens in the new language" in d.language_note.text()
    ok_button(d).click()
    saved = load_settings(settings_path())
    assert saved.clinic_name == "Puskesmas Sukamaju"
    assert saved.clinic_logo == str(logo)
    assert (saved.operator, saved.paper, saved.language) == ("Nurse Ayu", "letter", "id")
    assert saved.names_in_filenames and saved.report_identifiers == "pseudonymise"
    assert len(saved.pseudonym_secret) >= 16
    assert window.operator == "Nurse Ayu"
    # the language changes without a restart: the window reopens in it (issue 19 item 11)
    try:
        qtbot.waitUntil(lambda: window.replaced_by is not None, timeout=5000)
        new = window.replaced_by
        qtbot.addWidget(new)
        qtbot.waitUntil(lambda: new.ready, timeout=20000)
        assert new.language == "id" and not window.isVisible()
        assert new.menuBar().actions()[0].text() == "&Berkas"
        assert new.operator == "Nurse Ayu"
        new.close()
    finally:
        translations.apply_language(QApplication.instance(), "en")
    # reopening shows the saved values; the secret is kept, not regenerated
    window.open_settings()
    again = window.settings_dialog
    assert again.clinic_name.text() == "Puskesmas Sukamaju"
    assert again.language.currentData() == "id"
    assert again.values().pseudonym_secret == saved.pseudonym_secret
    again.reject()


def test_system_default_language_is_stored_as_empty(qtbot):
    d = SettingsDialog(ClinicSettings(language="id"), ["en", "id"])
    qtbot.addWidget(d)
    d.language.setCurrentIndex(0)
    assert d.language.currentText() == "System default"
    assert d.values().language == ""
    assert d.language_note.isVisibleTo(d)


def test_bad_logo_blocks_ok(qtbot, tmp_path):
    d = SettingsDialog(ClinicSettings(), ["en"])
    qtbot.addWidget(d)
    (tmp_path / "logo.txt").write_text("no", "utf-8")
    for bad in (tmp_path / "missing.png", tmp_path / "logo.txt"):
        d.logo.setText(str(bad))
        assert not ok_button(d).isEnabled()
        assert d.error.text()
    d.logo.setText("")
    assert ok_button(d).isEnabled()


def test_unknown_fields_survive_the_dialog(qtbot):
    start = ClinicSettings(clinic_address="Jl. Merdeka 1", names_in_exports=True)
    d = SettingsDialog(start, ["en"])
    qtbot.addWidget(d)
    out = d.values()
    assert out.clinic_address == "Jl. Merdeka 1" and out.names_in_exports


def test_window_uses_the_saved_operator(qtbot, make_window):
    save_settings(ClinicSettings(operator="Dr. Rina"), settings_path())
    window = make_window()
    assert window.operator == "Dr. Rina" and window.batch.operator == "Dr. Rina"


@pytest.mark.parametrize(
    ("setting", "system", "expected"),
    [
        ("", "id_ID", "id"),
        ("", "fr_FR", "en"),
        ("", "en_GB", "en"),
        ("en", "id_ID", "en"),
        ("id", "en_US", "id"),
        ("pt-BR", "en_US", "pt-BR"),
    ],
)
def test_resolve_language(setting, system, expected):
    assert resolve_language(setting, system, ["en", "id"]) == expected


# Calls whose first string argument is shown to the user.
UI_CALLS = {
    "QLabel",
    "QPushButton",
    "QCheckBox",
    "QGroupBox",
    "QAction",
    "QRadioButton",
    "setText",
    "setWindowTitle",
    "setToolTip",
    "setPlaceholderText",
    "setSpecialValueText",
    "showMessage",
    "addTab",
    "addMenu",
    "setFormat",
}


def untranslated(source: str) -> list[str]:
    """String literals with letters handed straight to a widget (not through tr())."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        # lupdate only sees literals: tr(VARIABLE) or translate(ctx, VARIABLE) is lost
        text_arg = {"tr": 0, "translate": 1}.get(name)
        if text_arg is not None and len(node.args) > text_arg:
            arg = node.args[text_arg]
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                found.append(f"line {node.lineno}: {name}() of a non-literal")
        if name not in UI_CALLS:
            continue
        for arg in node.args:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                if any(ch.isalpha() for ch in arg.value):
                    found.append(f"line {node.lineno}: {arg.value!r}")
            if isinstance(arg, ast.JoinedStr):
                text = "".join(
                    v.value
                    for v in arg.values
                    if isinstance(v, ast.Constant) and isinstance(v.value, str)
                )
                if any(ch.isalpha() for ch in text):
                    found.append(f"line {node.lineno}: f-string {text!r}")
    return found


def test_the_untranslated_check_catches_a_bare_string():
    source = (
        "QPushButton('Start')\nw.setText(self.tr('ok'))\nQLabel(f'{n} %')\nQLabel(f'{n} files')\n"
    )
    assert untranslated(source) == ["line 1: 'Start'", "line 4: f-string ' files'"]


@pytest.mark.parametrize("module", sorted(p.name for p in GUI.glob("*.py")))
def test_user_visible_strings_go_through_tr(module):
    assert untranslated((GUI / module).read_text("utf-8")) == []
