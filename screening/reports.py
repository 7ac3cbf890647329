"""PDF reports (reportlab platypus): a patient report and a batch summary.

The printed report is what a clinic keeps, so it carries everything needed to trust or
question a result: who, when, which model (and how accurate it measured), the image and
its heatmap, the sha256 of each image, a report ID, and the screening-aid disclaimer.
Every string comes from :func:`screening.i18n.tr`; every piece of user text is escaped
before it reaches a Paragraph, so a name like ``<b>`` is printed, never interpreted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.platypus import (
    Paragraph,
    Spacer,
    Table,
)

from inference.identity import pseudonym

from .errors import ReportError
from .i18n import tr
from .labels import class_name
from .report_blocks import (
    _disclaimer,
    _kv_table,
    _screening_block,
    _signature,
    _style,
    installed_manifests,
    pack_class_name,  # noqa: F401 - re-exported (tests, callers)
    sex_label,
    status_label,
)
from .report_page import (  # noqa: F401 - re-exported: batch_report and callers use them
    ACCENT,
    FLAG_BG,
    FLAG_INK,
    FONT,
    FONT_BOLD,
    FRAME_PAD,
    IMAGE_HEIGHT,
    INK,
    MARGIN,
    MUTED,
    OK_INK,
    PANEL_BG,
    REFER_BG,
    REFER_INK,
    RULE,
    _build,
    _content_width,
    _logo_reader,
    _numbered_canvas,
    _p,
    _styles,
    _today,
    _when,
    new_report_id,
    register_fonts,
)
from .report_records import changes_of
from .report_text import block, distinguishing_names, field
from .store import Patient, Store


@dataclass(frozen=True)
class ReportOptions:
    """What goes on a report. Patient fields are opt-in/out so a report never carries
    more personal data than the user chose."""

    clinic_name: str = ""
    clinic_logo: Path | None = None
    clinic_address: str = ""
    operator: str = ""
    paper: str = "a4"  # "a4" | "letter"
    language: str = "en"
    include_patient_name: bool = True
    include_birth_date: bool = True
    include_sex: bool = True
    include_contact: bool = False
    include_notes: bool = True  # printed only where the patient's identity is shown
    names_in_filenames: bool = False
    # Identifiers (e.g. from DICOM headers): include_patient_id=False leaves the ID out;
    # a pseudonym_secret replaces it with a stable pseudonym (see ``shown_patient_id``).
    include_patient_id: bool = True
    pseudonym_secret: str = ""

    @property
    def pagesize(self) -> tuple[float, float]:
        return LETTER if self.paper.lower() == "letter" else A4


@dataclass(frozen=True)
class ReportInfo:
    """What was written: where, its ID, how many pages, which images it covers."""

    path: Path
    report_id: str
    pages: int
    image_sha256: tuple[str, ...] = dataclass_field(default_factory=tuple)
    warnings: tuple[str, ...] = ()  # e.g. the logo was left out; tell the user


# ---------------------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------------------
def _slug(text: str) -> str:
    return re.sub(r"[^\w-]+", "_", text, flags=re.UNICODE).strip("_")[:50] or "patient"


def shown_patient_id(patient: Patient, options: ReportOptions) -> str:
    """The patient ID as the report may show it: itself, a pseudonym, or "" (left out)."""
    if options.pseudonym_secret:
        return pseudonym(patient.patient_id, patient.name, options.pseudonym_secret)
    return patient.patient_id if options.include_patient_id else ""


def _names_allowed(options: ReportOptions) -> bool:
    return options.include_patient_name and not options.pseudonym_secret


def report_filename(patient: Patient, options: ReportOptions = ReportOptions()) -> str:
    """``report-<patient id>-<date>.pdf``; the name is added only when the user chose it."""
    parts = ["report", _slug(shown_patient_id(patient, options) or "patient")]
    if options.names_in_filenames and _names_allowed(options) and patient.name:
        parts.append(_slug(patient.name))
    parts.append(datetime.now().strftime("%Y%m%d-%H%M%S"))
    return "-".join(parts) + ".pdf"


def patient_report(
    store: Store,
    patient_id: int,
    path: Path | str,
    options: ReportOptions = ReportOptions(),
    screening_ids: Sequence[int] | None = None,
    manifests: Mapping[str, Any] | None = None,
) -> ReportInfo:
    """All (or the chosen) screenings of one patient, oldest first. ``manifests`` (by pack
    id) give class names and referral thresholds; None: the installed packs'."""
    manifests = installed_manifests() if manifests is None else manifests
    lang = options.language
    register_fonts()
    st = _styles()
    patient = store.get_patient(patient_id)
    records = list(reversed(store.list_screenings(patient_id=patient_id, limit=-1)))
    if screening_ids:
        wanted = set(screening_ids)
        records = [r for r in records if r.id in wanted]
        if len(records) != len(wanted):
            raise ReportError(
                f"Some of the chosen screenings ({sorted(wanted)}) do not belong to patient "
                f"{patient.patient_id}."
            )
    report_id = new_report_id()
    width = _content_width(options)
    title = tr("report.patient_title", lang)

    shown_id = field(shown_patient_id(patient, options))
    details = [(tr("report.patient_id", lang), shown_id or "—")]
    name = field(patient.name) if _names_allowed(options) else ""
    if name:
        details.append((tr("report.patient_name", lang), name))
    if options.include_birth_date and not options.pseudonym_secret and patient.birth_date:
        details.append((tr("report.birth_date", lang), field(patient.birth_date)))
    if options.include_sex and patient.sex:
        details.append((tr("report.sex", lang), field(sex_label(patient.sex, lang))))
    if options.include_contact and patient.contact:
        details.append((tr("report.contact", lang), field(patient.contact)))
    # notes can identify the patient: only on reports that show who the patient is
    identified = options.include_patient_id and not options.pseudonym_secret
    notes = block(patient.notes) if options.include_notes and identified else ""
    side = [
        (tr("report.date", lang), _today()),
        (tr("report.operator", lang), field(options.operator) or "—"),
        (tr("report.id", lang), report_id),
        (tr("report.screenings_count", lang), str(len(records))),
    ]
    half = width / 2
    header = Table(
        [
            [
                _kv_table(details, st, (26 * mm, half - 30 * mm)),
                _kv_table(side, st, (36 * mm, half - 36 * mm)),
            ]
        ],
        colWidths=[half, half],
        hAlign="LEFT",
    )
    header.setStyle(
        _style([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    )
    story: list = [_p(title, st["title"]), Spacer(1, 2 * mm), header]
    if notes:
        story += [
            Spacer(1, 2 * mm),
            Paragraph(
                f"<font color='#616e7c'>{escape(tr('report.notes', lang))}:</font> "
                + escape(notes).replace("\n", "<br/>"),
                st["base"],
            ),
        ]
    story += [Spacer(1, 4 * mm), _disclaimer(st, lang, width), Spacer(1, 4 * mm)]
    if not records:
        story.append(_p(tr("report.no_screenings", lang), st["base"]))
    labels = distinguishing_names([r.image_path for r in records])
    changes = changes_of(store)
    for i, (rec, label) in enumerate(zip(records, labels, strict=True), start=1):
        story += _screening_block(
            rec, i, len(records), store, st, lang, width, label, changes.get(rec.id), manifests
        )
    story.append(_signature(st, lang, width))
    target = Path(path)
    # every page names the patient (page 2 of a printout must not be anyone's)
    who = " · ".join(x for x in (shown_id, name) if x)
    subject = f"{tr('report.patient_details', lang)}: {who}" if who else ""
    pages, warnings = _build(story, target, options, report_id, title, subject)
    return ReportInfo(
        target, report_id, pages, tuple(r.image_sha256 for r in records), warnings
    )


def batch_summary(
    store: Store,
    job_id: int,
    path: Path | str,
    options: ReportOptions = ReportOptions(),
    manifests: Mapping[str, Any] | None = None,
) -> ReportInfo:
    """One table row per file of a batch job (built in :mod:`screening.batch_report`)."""
    from .batch_report import batch_summary as build

    return build(store, job_id, path, options, manifests)


__all__ = [
    "ReportInfo",
    "ReportOptions",
    "batch_summary",
    "class_name",
    "patient_report",
    "register_fonts",
    "report_filename",
    "status_label",
]
