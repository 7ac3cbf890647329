"""Patient details attached to the current screening (the history list: history_panel)."""

from __future__ import annotations

import html
from datetime import date

from PySide6.QtCore import QDate, QLocale, Qt, QUrl, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from screening.dates import ParsedDate, parse_birth_date

from .patient_controller import PatientDraft


def set_text_with_link(label: QLabel, text: str, link: str, link_text: str) -> None:
    """``text`` as plain text, plus an "Open" link to a local file when ``link`` is given."""
    if not link:
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setText(text)
        label.setToolTip("")
        return
    url = QUrl.fromLocalFile(link).toString()
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setOpenExternalLinks(True)
    markup = f'{html.escape(text)} <a href="{html.escape(url)}">{html.escape(link_text)}</a>'
    label.setText(markup)
    label.setToolTip(link)


class PatientForm(QWidget):
    """ID, name, sex, date of birth or age, notes. ``values()`` gives plain fields."""

    save_requested = Signal()
    report_requested = Signal()
    lookup_requested = Signal(str)  # patient ID typed: fill the form if the patient exists

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.patient_id = QLineEdit()
        self.patient_id.setPlaceholderText(self.tr("Clinic record number, e.g. P-001"))
        self.name = QLineEdit()
        self.sex = QComboBox()
        for value, label in (("", "—"), ("F", self.tr("Female")), ("M", self.tr("Male"))):
            self.sex.addItem(label, value)
        self.sex.addItem(self.tr("Other"), "X")
        self.birth_date = QLineEdit()
        self.birth_date.setPlaceholderText(self.tr("DD/MM/YYYY or YYYY-MM-DD"))
        self.birth_date.setToolTip(
            self.tr("Day first: 12/05/1980 is 12 May 1980. The date understood is shown below.")
        )
        self.birth_hint = QLabel()
        self.birth_hint.setTextFormat(Qt.TextFormat.PlainText)
        self.birth_hint.setStyleSheet("QLabel { color: #616e7c; }")
        self.birth_date.textChanged.connect(lambda _: self._show_birth_hint())
        self.age = QSpinBox()
        self.age.setRange(-1, 130)
        self.age.setSpecialValueText(self.tr("unknown"))
        self.age.setValue(-1)
        self.age.setToolTip(self.tr("Age in years, when the date of birth is not known"))
        self.notes = QPlainTextEdit()
        self.notes.setFixedHeight(54)
        self.save_button = QPushButton(self.tr("Save screening to patient record"))
        self.save_button.setEnabled(False)
        self.report_button = QPushButton(self.tr("Save report (PDF)…"))
        self.report_button.setEnabled(False)
        self.feedback = QLabel()
        self.feedback.setWordWrap(True)
        self.feedback.setTextFormat(Qt.TextFormat.PlainText)
        # Details read from a DICOM header are a suggestion until the user confirms them.
        self.dicom_notice = QLabel()
        self.dicom_notice.setWordWrap(True)
        self.dicom_notice.setTextFormat(Qt.TextFormat.PlainText)
        self.dicom_notice.setStyleSheet(
            "QLabel { background: #fff4d6; border: 1px solid #e0b44c; border-radius: 4px;"
            " padding: 4px; color: #5c4300; }"
        )
        self.confirm_button = QPushButton(self.tr("Details are correct"))
        self.confirm_button.setToolTip(
            self.tr("Confirm the patient details read from the DICOM file")
        )
        self.confirm_button.clicked.connect(lambda: self.confirm_dicom())
        self.dicom_box = QWidget()
        box = QHBoxLayout(self.dicom_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.dicom_notice, 1)
        box.addWidget(self.confirm_button)
        self.dicom_box.hide()
        self.dicom_code = ""  # patient ID last filled in from a DICOM file
        self.dicom_unconfirmed = False
        self.save_button.clicked.connect(self.save_requested)
        self.report_button.clicked.connect(self.report_requested)
        self.patient_id.editingFinished.connect(
            lambda: self.lookup_requested.emit(self.patient_id.text().strip())
        )
        born = QHBoxLayout()
        born.addWidget(self.birth_date, 1)
        born.addWidget(QLabel(self.tr("or age")))
        born.addWidget(self.age)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("Patient ID"), self.patient_id)
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Sex"), self.sex)
        form.addRow(self.tr("Date of birth"), born)
        form.addRow("", self.birth_hint)
        form.addRow(self.tr("Notes"), self.notes)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.dicom_box)
        layout.addLayout(form)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.report_button)
        layout.addLayout(buttons)
        layout.addWidget(self.feedback)
        layout.addStretch(1)

    def values(self) -> dict[str, str]:
        """Form fields for ``screening.store.PatientInfo``. An age without a date of birth
        is kept in the notes: the store has no age column and a made-up date would lie."""
        notes = self.notes.toPlainText().strip()
        birth = self.parsed_birth_date().iso
        if not birth and self.age.value() >= 0:
            line = self.tr("Age {age} on {date}").format(
                age=self.age.value(), date=date.today().isoformat()
            )
            if line not in notes:
                notes = f"{line}\n{notes}".strip()
        return {
            "patient_id": self.patient_id.text().strip(),
            "name": self.name.text().strip(),
            "sex": self.sex.currentData() or "",
            "birth_date": birth,
            "notes": notes,
        }

    def fill(self, patient_id: str, name: str, sex: str, birth_date: str, notes: str) -> None:
        self.patient_id.setText(patient_id)
        self.name.setText(name)
        i = self.sex.findData(sex)
        self.sex.setCurrentIndex(i if i >= 0 else 0)
        self.birth_date.setText(birth_date)
        self.age.setValue(-1)
        self.notes.setPlainText(notes)

    def parsed_birth_date(self) -> ParsedDate:
        return parse_birth_date(self.birth_date.text())

    def birth_date_problem(self) -> str:
        """Why the date of birth cannot be saved, in words ("" when it can)."""
        problem = self.parsed_birth_date().problem
        return {
            "": "",
            "future": self.tr("The date of birth is in the future."),
            "too_old": self.tr("The date of birth is more than 130 years ago."),
        }.get(
            problem,
            self.tr(
                "The date of birth is not a date. Write it as day/month/year "
                "(12/05/1980) or year-month-day (1980-05-12)."
            ),
        )

    def _show_birth_hint(self) -> None:
        parsed = self.parsed_birth_date()
        if parsed.value is None:
            self.birth_hint.setText(self.birth_date_problem() if parsed.problem else "")
            return
        when = QDate(parsed.value.year, parsed.value.month, parsed.value.day)
        self.birth_hint.setText(self.locale().toString(when, QLocale.FormatType.LongFormat))

    def draft(self) -> PatientDraft:
        """The form as typed, to keep with the image it belongs to."""
        return PatientDraft(
            patient_id=self.patient_id.text(),
            name=self.name.text(),
            sex=self.sex.currentData() or "",
            birth_date=self.birth_date.text(),
            age=self.age.value(),
            notes=self.notes.toPlainText(),
            dicom_code=self.dicom_code,
            dicom_unconfirmed=self.dicom_unconfirmed,
        )

    def load(self, draft: PatientDraft) -> None:
        """Show an image's own draft (an empty one for a new image)."""
        self.fill(draft.patient_id, draft.name, draft.sex, draft.birth_date, draft.notes)
        self.age.setValue(draft.age)
        self.dicom_code = draft.dicom_code
        if draft.dicom_unconfirmed:
            self.dicom_unconfirmed = True
            self.dicom_box.show()
        else:
            self.confirm_dicom(quiet=True)
        self.feedback.clear()

    def fields_empty(self) -> bool:
        return not (self.patient_id.text().strip() or self.name.text().strip())

    def prefill_from_dicom(
        self,
        patient_id: str,
        name: str,
        sex: str,
        birth_date: str,
        study_line: str = "",
    ) -> bool:
        """Fill the form from a DICOM header, marked for the user to confirm.

        Only an empty form, or one that holds another DICOM file's details, is filled: what
        the user typed is never overwritten. Returns whether the form was filled."""
        if not (patient_id or name):
            return False
        shown = self.patient_id.text().strip()
        if not self.fields_empty() and (shown != self.dicom_code or shown == patient_id):
            return False  # typed by the user, or this patient is already filled in
        sex_code = {"M": "M", "F": "F", "O": "X"}.get(sex, "")
        self.fill(patient_id, name, sex_code, birth_date, study_line)
        self.dicom_code = patient_id
        self.dicom_unconfirmed = True
        self.dicom_notice.setText(
            self.tr("Filled in from the DICOM file. Please check these details and confirm.")
        )
        self.dicom_box.show()
        for w in (self.patient_id, self.name, self.birth_date):
            w.setStyleSheet("QLineEdit { background: #fff4d6; }")
        return True

    def confirm_dicom(self, quiet: bool = False) -> None:
        self.dicom_unconfirmed = False
        self.dicom_box.hide()
        for w in (self.patient_id, self.name, self.birth_date):
            w.setStyleSheet("")
        if not quiet:
            self.show_feedback(self.tr("Patient details confirmed."))

    def show_feedback(self, text: str, error: bool = False, link: str = "") -> None:
        """A line under the buttons; ``link``: a file to offer to open (print from there).
        Text is shown as plain text (names typed by users are never markup)."""
        self.feedback.setStyleSheet(f"QLabel {{ color: {'#a61b1b' if error else '#1e6b3a'}; }}")
        set_text_with_link(self.feedback, text, link, self.tr("Open"))
