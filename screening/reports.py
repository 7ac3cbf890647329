"""PDF reports (reportlab platypus): a patient report and a batch summary.

The printed report is what a clinic keeps, so it carries everything needed to trust or
question a result: who, when, which model (and how accurate it measured), the image and
its heatmap, the sha256 of each image, a report ID, and the screening-aid disclaimer.
Every string comes from :func:`screening.i18n.tr`; every piece of user text is escaped
before it reaches a Paragraph, so a name like ``<b>`` is printed, never interpreted.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from inference.identity import pseudonym
from inference.packs import discover
from inference.resources import model_dirs

from .errors import ReportError
from .i18n import tr
from .labels import class_name
from .numbers import format_percent, format_probability
from .outcomes import outcome_label, outcome_of
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
from .report_records import Changes, changes_of, move_lines, void_lines
from .report_text import block, distinguishing_names, field, reason_parts, shorten
from .store import Patient, ScreeningRecord, Store
from .verdict import because_text, verdict_of_record


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
# Building blocks
# ---------------------------------------------------------------------------------------
def _pack_manifests() -> dict:
    """Installed manifests by pack id (for class and pack names); hashes not needed here."""
    return _manifests_in(tuple(str(d) for d in model_dirs()))


@lru_cache(maxsize=8)
def _manifests_in(dirs: tuple[str, ...]) -> dict:
    try:
        return {p.id: p.manifest for p in discover([Path(d) for d in dirs], verify=False).packs}
    except Exception:  # noqa: BLE001 - names are a nicety; ids print fine
        return {}


def _verdict(rec: ScreeningRecord):
    """The screening's one message (:mod:`screening.verdict`) with its pack's thresholds."""
    return verdict_of_record(_pack_manifests().get(rec.pack_id), rec)


def pack_class_name(pack_id: str, class_id: str, language: str = "en") -> str:
    """The class's display name from the installed pack (``screening.labels.class_name``)."""
    return class_name(_pack_manifests().get(pack_id), class_id, language)


def sex_label(sex: str, language: str = "en") -> str:
    """The patient form's codes (F, M, X) in words; anything else as the clinic typed it."""
    try:
        return tr(f"sex.{sex}", language) if sex in ("F", "M", "X") else sex
    except KeyError:
        return sex


def status_label(status: str, language: str = "en") -> str:
    try:
        return tr(f"status.{status}", language)
    except KeyError:
        return status


def _style(commands: list) -> TableStyle:
    """TableStyle whose cells default to the embedded font (reportlab's is Helvetica)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), *commands])


def _kv_table(rows: Sequence[tuple[str, str]], st: dict, widths: tuple[float, float]) -> Table:
    data = [[_p(k, st["label"]), _p(v, st["value"])] for k, v in rows]
    table = Table(data, colWidths=widths, hAlign="LEFT")
    table.setStyle(
        _style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _disclaimer(st: dict, lang: str, width: float) -> Table:
    body = [
        Paragraph(f"<b>{escape(tr('report.disclaimer_title', lang))}</b>", st["base"]),
        _p(tr("report.disclaimer", lang), st["small"]),
    ]
    box = Table([[body]], colWidths=[width])
    box.setStyle(
        _style(
            [
                ("BACKGROUND", (0, 0), (-1, -1), PANEL_BG),
                ("BOX", (0, 0), (-1, -1), 0.6, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return box


def _signature(st: dict, lang: str, width: float) -> Table:
    line = "_" * 38
    data = [
        [_p(tr("report.signature", lang), st["label"]), "", ""],
        [_p(line, st["base"]), "", _p("_" * 18, st["base"])],
        [
            _p(tr("report.signature_line", lang), st["small"]),
            "",
            _p(tr("report.signature_date", lang), st["small"]),
        ],
    ]
    table = Table(data, colWidths=[width * 0.55, width * 0.1, width * 0.35], hAlign="LEFT")
    table.setStyle(
        _style(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 1), (-1, 1), 12),
            ]
        )
    )
    return KeepTogether([Spacer(1, 4 * mm), table])


def _fit_image(data: bytes | None, max_w: float, max_h: float) -> Image | None:
    """The stored JPEG scaled into the box, or None (shown as "not stored") if damaged."""
    if not data:
        return None
    try:
        iw, ih = ImageReader(io.BytesIO(data)).getSize()
    except Exception:  # noqa: BLE001 - PIL raises many types for damaged bytes
        return None
    if iw < 1 or ih < 1:
        return None
    scale = min(max_w / iw, max_h / ih)
    return Image(io.BytesIO(data), width=iw * scale, height=ih * scale)


class _Bar(Flowable):
    """A probability bar drawn straight on the canvas (no font state, unlike Drawing)."""

    def __init__(self, p: float, width: float, colour: colors.Color) -> None:
        super().__init__()
        self.p, self.width, self.height, self.colour = p, width, 9, colour

    def draw(self) -> None:
        c = self.canv
        c.setStrokeColor(RULE)
        c.setLineWidth(0.4)
        c.setFillColor(PANEL_BG)
        c.rect(0, 1.5, self.width, 6, stroke=1, fill=1)
        c.setFillColor(self.colour)
        c.rect(0, 1.5, max(0.5, self.width * max(0.0, min(1.0, self.p))), 6, stroke=0, fill=1)


def _prob_bar(p: float, width: float, colour: colors.Color) -> Flowable:
    return _Bar(p, width, colour)


def _verdict_lines(rec: ScreeningRecord, st: dict, lang: str) -> list:
    """The result as one message. A referral caused by a class that is not the top one
    leads with the referral and names the top class second (issue 19 item 5)."""
    verdict = _verdict(rec)
    top = pack_class_name(rec.pack_id, rec.top_class, lang)
    if verdict.referred_by_other_class:
        classes = because_text(verdict, lambda c: pack_class_name(rec.pack_id, c, lang), lang)
        headline = tr("report.refer_headline", lang, classes=classes)
        likely = tr(
            "report.most_likely", lang, name=top,
            probability=format_probability(rec.top_probability, lang),
        )
        return [
            Paragraph(f"<font color='#a61b1b'><b>{escape(headline)}</b></font>", st["base"]),
            _p(likely, st["base"]),
        ]
    refer = tr("report.refer", lang) if rec.refer else tr("report.no_refer", lang)
    colour = "#a61b1b" if rec.refer else "#1e6b3a"
    return [
        Paragraph(
            f"{escape(tr('report.result', lang))}: <b>{escape(top)}</b>"
            f" ({escape(format_probability(rec.top_probability, lang))}) &nbsp;&nbsp;"
            f"<font color='{colour}'><b>{escape(refer)}</b></font>",
            st["base"],
        )
    ]


def _provenance(
    rec: ScreeningRecord, name: str, st: dict, lang: str, width: float, file_label: str
) -> list:
    """Model, its measured accuracy, file, operator and image hash of one screening."""
    accuracy = (
        tr("report.accuracy_value", lang, accuracy=format_percent(rec.pack_accuracy, lang))
        if rec.pack_accuracy is not None
        else tr("report.accuracy_unknown", lang)
    )
    details = [
        (
            tr("report.model", lang),
            tr(
                "report.model_value", lang, name=name, pack_id=rec.pack_id, version=rec.pack_version
            ),
        ),
        (tr("report.accuracy", lang), accuracy),
        (tr("report.file", lang), field(file_label or Path(rec.image_path).name)),
        (tr("report.operator", lang), field(rec.operator) or "—"),
    ]
    rows = [[_p(k, st["small"]), _p(v, st["small"])] for k, v in details]
    rows.append(
        [_p(tr("report.sha256", lang), st["small"]), _p(rec.image_sha256 or "—", st["mono"])]
    )
    meta = Table(rows, colWidths=[32 * mm, width - 32 * mm], hAlign="LEFT")
    meta.setStyle(
        _style(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0.5),
            ]
        )
    )
    return [Spacer(1, 2 * mm), meta, Spacer(1, 3 * mm)]


def _screening_block(
    rec: ScreeningRecord,
    index: int,
    total: int,
    store: Store,
    st: dict,
    lang: str,
    width: float,
    file_label: str = "",
    changes: Changes | None = None,
) -> list:
    """One screening: heading, verdict, image + heatmap, probabilities, provenance.
    ``file_label``: the file's name, with enough of its folder to tell it from others;
    ``changes``: its later void or moves (a voided one shows no result, image or heatmap)."""
    man = _pack_manifests().get(rec.pack_id)
    name = man.display_name.get(lang) if man else (rec.pack_name or rec.pack_id)
    heading = Paragraph(
        f"{escape(tr('report.screening_heading', lang, index=index, total=total))}"
        f" <font color='#616e7c' size='9'>· {escape(_when(rec.created_at))}</font>",
        st["h2"],
    )
    parts: list = [heading]
    changes = changes or Changes()
    voided = changes.void is not None
    parts += [_p(line, st["small"]) for line in move_lines(changes, lang)]
    if rec.answered and not voided:
        parts += _verdict_lines(rec, st, lang)
    else:
        if voided:
            title, note = void_lines(changes.void, lang)
            box = [Paragraph(f"<b>{escape(title)}</b>", st["base"]), _p(note, st["small"])]
        else:
            why, detail = reason_parts(rec.status, rec.message, lang)
            title = f"{outcome_label(outcome_of(rec.status), lang)}: {status_label(rec.status, lang)}"
            box = [
                Paragraph(f"<b>{escape(title)}</b>", st["base"]),
                _p(tr("report.flagged_note", lang, reason=shorten(why, 600)), st["small"]),
            ]
            if detail:  # the inference layer's words are English: labelled, not mixed in
                note = tr("report.detail_english", lang, detail=shorten(detail, 400))
                box.append(_p(note, st["small"]))
        warn = Table([[box]], colWidths=[width])
        warn.setStyle(
            _style(
                [
                    ("BACKGROUND", (0, 0), (-1, -1), FLAG_BG),
                    ("BOX", (0, 0), (-1, -1), 0.6, colors.HexColor("#e5c07b")),
                    ("LEFTPADDING", (0, 0), (-1, -1), 7),
                    ("TOPPADDING", (0, 0), (-1, -1), 5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ]
            )
        )
        parts.append(warn)
    parts.append(Spacer(1, 3 * mm))
    if voided:  # its image may be another patient's: provenance only
        parts += _provenance(rec, name, st, lang, width, file_label)
        return [CondPageBreak(40 * mm), KeepTogether(parts)]

    images = store.screening_images(rec.id)
    col = (width - 6 * mm) / 2
    pic = _fit_image(images.thumbnail, col, IMAGE_HEIGHT) or _p(
        tr("report.image_missing", lang), st["caption"]
    )
    cells = [[pic, ""], [_p(tr("report.image", lang), st["caption"]), ""]]
    if rec.answered:  # a flagged image gets no heatmap: it would look like an answer
        heat = _fit_image(images.overlay, col, IMAGE_HEIGHT) or _p(
            tr("report.heatmap_missing", lang), st["caption"]
        )
        cells = [
            [pic, heat],
            [
                _p(tr("report.image", lang), st["caption"]),
                _p(tr("report.heatmap", lang), st["caption"]),
            ],
        ]
    pics = Table(cells, colWidths=[col + 3 * mm, col + 3 * mm], hAlign="LEFT")
    pics.setStyle(
        _style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 1), (-1, 1), 1),
            ]
        )
    )
    parts.append(pics)

    if rec.answered:
        bar_w = width * 0.38
        rows = [
            [
                _p(tr("report.class", lang), st["label"]),
                _p(tr("report.probability", lang), st["label"]),
                "",
            ]
        ]
        referring = {cid for cid, _ in _verdict(rec).because}
        for cid, p in sorted(
            zip(rec.class_ids, rec.probabilities, strict=True), key=lambda t: -t[1]
        ):
            bold = cid == rec.top_class or cid in referring
            refers = rec.refer and (cid in referring or (bold and not referring))
            colour = REFER_INK if refers else (ACCENT if bold else MUTED)
            rows.append(
                [
                    _p(pack_class_name(rec.pack_id, cid, lang), st["cellb" if bold else "cell"]),
                    _p(format_probability(p, lang), st["cellb" if bold else "cell"]),
                    _prob_bar(p, bar_w, colour),
                ]
            )
        probs = Table(rows, colWidths=[width * 0.4, width * 0.16, bar_w + 4], hAlign="LEFT")
        probs.setStyle(
            _style(
                [
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.5, RULE),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 1.2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
                ]
            )
        )
        parts += [Spacer(1, 2 * mm), probs]

    parts += _provenance(rec, name, st, lang, width, file_label)
    return [CondPageBreak(95 * mm), KeepTogether(parts)]


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
) -> ReportInfo:
    """All (or the chosen) screenings of one patient, oldest first."""
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
            rec, i, len(records), store, st, lang, width, label, changes.get(rec.id)
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
    store: Store, job_id: int, path: Path | str, options: ReportOptions = ReportOptions()
) -> ReportInfo:
    """One table row per file of a batch job (built in :mod:`screening.batch_report`)."""
    from .batch_report import batch_summary as build

    return build(store, job_id, path, options)


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
