"""Print a patient report: the report PDF is written to the app's own folder, the system
print dialog picks the printer and copies, and the PDF goes to the system's print spooler
(CUPS ``lp`` on Linux and macOS, the PDF viewer's print verb on Windows).

Why the PDF itself: the printed page is exactly the saved report (same layout, same report
number), and no PDF renderer has to be shipped (QtPdf is not in PySide6-Essentials).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QStatusBar, QWidget

from .tasks import PoolTask

if TYPE_CHECKING:
    from screening.store import Store

    from .patient_panel import PatientForm
    from .tasks import TaskRunner


class PrintHost(Protocol):
    """What printing uses of the main window (gui.main_window is not imported)."""

    runner: TaskRunner
    patient_form: PatientForm
    store: Store | None
    patient_db_id: int | None

    def window(self) -> QWidget: ...
    def statusBar(self) -> QStatusBar: ...  # noqa: N802 - Qt API
    def write_report(self, path: str | Path, then=None) -> PoolTask | None: ...  # noqa: ANN001
    def confirm_report(self) -> bool: ...


def print_command(pdf: Path, printer: str, copies: int, platform: str = sys.platform):
    """The command that sends ``pdf`` to ``printer`` (None on Windows: a shell verb)."""
    if platform.startswith("win"):
        return None
    cmd = ["lp"]
    if printer:
        cmd += ["-d", printer]
    if copies > 1:
        cmd += ["-n", str(copies)]
    return [*cmd, "--", str(pdf)]


class ReportPrinter(QObject):
    def __init__(self, window: PrintHost) -> None:
        super().__init__(window.window())
        self.w = window

    def print_report(self) -> PoolTask | None:
        """File → Print report: the current patient's report, through the print dialog."""
        from inference.resources import user_data_dir

        w = self.w
        if w.store is None or w.patient_db_id is None:
            w.statusBar().showMessage(
                self.tr("Open or save a screening for a patient first, then print the report."),
                8000,
            )
            return None
        if not w.confirm_report():
            return None
        target = user_data_dir() / "print" / f"report-{w.patient_db_id}.pdf"
        return w.write_report(target, then=self.send)

    def choose_printer(self) -> QPrinter | None:
        """The system print dialog (tests replace this)."""
        printer = QPrinter()
        dialog = QPrintDialog(printer, self.w.window())
        dialog.setWindowTitle(self.tr("Print report"))
        return printer if dialog.exec() == QDialog.DialogCode.Accepted else None

    def send(self, pdf: Path) -> PoolTask | None:
        printer = self.choose_printer()
        if printer is None:
            return None
        w = self.w
        out = printer.outputFileName()
        to_file = printer.outputFormat() == QPrinter.OutputFormat.PdfFormat and bool(out)
        cmd = None if to_file else print_command(pdf, printer.printerName(), printer.copyCount())

        def work(_: PoolTask) -> str:
            if to_file:
                shutil.copyfile(pdf, out)
                return out
            if cmd is None:
                os.startfile(str(pdf), "print")  # type: ignore[attr-defined]  # Windows only
                return printer.printerName()
            if shutil.which(cmd[0]) is None:
                raise RuntimeError(
                    self.tr("No print system was found. Open the report and print it from there.")
                )
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
            if done.returncode != 0:
                raise RuntimeError(done.stderr.strip() or done.stdout.strip())
            return printer.printerName()

        return w.runner.start(
            work,
            lambda where: w.patient_form.show_feedback(
                self.tr("Report sent to {printer}.").format(printer=where)
            ),
            lambda message: w.patient_form.show_feedback(
                self.tr("The report could not be printed: {reason}").format(reason=message),
                True,
                link=str(pdf),
            ),
            name="print",
        )
