"""Issue 19 items 10 and 11: first start asks for the clinic and operator (skippable), Help
says where the data is, Print goes through the print dialog, no traceback for user errors."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtPrintSupport import QPrinter

from gui.printing import print_command
from gui.tasks import TaskRunner
from screening.errors import InvalidInputError
from tests.gui.conftest import drop, write_image
from tests.gui.test_main_window import wait_frame, wait_result


def test_first_start_asks_clinic_and_operator_once(qtbot, make_window, settings_file, isolated):
    QSettings(str(settings_file), QSettings.Format.IniFormat).setValue("first_run/asked", False)
    window = make_window()
    qtbot.waitUntil(lambda: window.first_run_dialog is not None, timeout=5000)
    dialog = window.first_run_dialog
    dialog.clinic_name.setText("Puskesmas Sukamaju")
    dialog.operator.setText("Ana")
    dialog.accept()
    from screening.settings import load_settings

    saved = load_settings()
    assert (saved.clinic_name, saved.operator) == ("Puskesmas Sukamaju", "Ana")
    assert window.operator == "Ana"
    window.close()
    again = make_window()
    qtbot.wait(50)
    assert again.first_run_dialog is None  # asked once per computer


def test_first_start_can_be_skipped(qtbot, make_window, settings_file):
    QSettings(str(settings_file), QSettings.Format.IniFormat).setValue("first_run/asked", False)
    window = make_window()
    qtbot.waitUntil(lambda: window.first_run_dialog is not None, timeout=5000)
    window.first_run_dialog.reject()
    assert window.operator == ""
    assert str(
        QSettings(str(settings_file), QSettings.Format.IniFormat).value("first_run/asked")
    ) in (
        "true",
        "True",
    )


def test_help_says_where_the_data_is_and_how_to_back_it_up(qtbot, window, isolated):
    dialog = window.show_data_help()
    text = dialog.text.text()
    assert str(isolated) in text
    assert "Back up" in text and "Close ClinicLens" in text


def test_print_sends_the_report_pdf_to_the_chosen_printer(qtbot, window, tmp_path):
    image = write_image(tmp_path / "p.png", seed=5)
    drop(window.drop_zone, [image])
    wait_result(qtbot, window, image)
    wait_frame(qtbot, window)
    window.patient_form.patient_id.setText("P-030")
    window.save_screening()
    qtbot.waitUntil(lambda: window.patient_db_id is not None, timeout=10000)
    target = tmp_path / "printed.pdf"

    def to_file():  # the print dialog with "Print to file" chosen
        printer = QPrinter()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(target))
        return printer

    window.printer.choose_printer = to_file
    assert window.printer.print_report() is not None
    qtbot.waitUntil(target.exists, timeout=30000)
    assert target.read_bytes().startswith(b"%PDF")
    qtbot.waitUntil(lambda: "sent to" in window.patient_form.feedback.text(), timeout=5000)


def test_print_command_for_cups():
    pdf = Path("/data/r.pdf")
    assert print_command(pdf, "Front desk", 2, "linux") == [
        "lp", "-d", "Front desk", "-n", "2", "--", "/data/r.pdf"
    ]  # fmt: skip
    assert print_command(pdf, "", 1, "darwin") == ["lp", "--", "/data/r.pdf"]
    assert print_command(pdf, "x", 1, "win32") is None


def test_an_expected_error_in_a_worker_prints_no_traceback(qtbot, capfd):
    runner = TaskRunner()
    failures = []

    def work(_):
        raise InvalidInputError("Birth date '31/02' is not a date.")

    runner.start(work, on_failed=failures.append)
    qtbot.waitUntil(lambda: bool(failures), timeout=5000)
    assert failures == ["Birth date '31/02' is not a date."]
    assert "Traceback" not in capfd.readouterr().err


def test_language_switch_keeps_the_image_list(qtbot, window, tmp_path):
    from PySide6.QtWidgets import QApplication

    from gui import translations
    from gui.relaunch import switch_language

    image = write_image(tmp_path / "p.png", seed=5)
    drop(window.drop_zone, [image])
    wait_result(qtbot, window, image)
    try:
        new = switch_language(window, "id")
        qtbot.addWidget(new)
        qtbot.waitUntil(lambda: new.ready and new.session.queue == [str(image)], timeout=20000)
        assert new.tabs.tabText(0) == "Pasien"
        wait_result(qtbot, new, image)
    finally:
        translations.apply_language(QApplication.instance(), "en")
    new.close()
