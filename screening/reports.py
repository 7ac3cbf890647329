"""PDF reports (reportlab platypus): a patient report and a batch summary.

The printed report is what a clinic keeps, so it carries everything needed to trust or
question a result: who, when, which model (and how accurate it measured), the image and
its heatmap, the sha256 of each image, a report ID, and the screening-aid disclaimer.
Every string comes from :func:`screening.i18n.tr`; every piece of user text is escaped
before it reaches a Paragraph, so a name like ``<b>`` is printed, never interpreted.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as canvas_mod
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

import inference
from inference.packs import discover
from inference.resources import model_dirs, resource_path

from .errors import ReportError
from .files import atomic_write_bytes
from .i18n import tr
from .numbers import format_percent, format_probability
from .outcomes import outcome_label, outcome_of
from .report_records import Changes, changes_of, move_lines, void_lines
from .report_text import block, distinguishing_names, field, fit_width, reason_parts, shorten
from .store import Patient, ScreeningRecord, Store
from .verdict import because_text, verdict_of_record

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"

INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#616e7c")
RULE = colors.HexColor("#cbd2d9")
ACCENT = colors.HexColor("#1d5f8a")
REFER_BG = colors.HexColor("#fde8e8")
REFER_INK = colors.HexColor("#a61b1b")
FLAG_BG = colors.HexColor("#fff4d6")
FLAG_INK = colors.HexColor("#8a5a00")
OK_INK = colors.HexColor("#1e6b3a")
PANEL_BG = colors.HexColor("#f3f5f7")
FRAME_PAD = 6  # points; platypus Frame default padding
MARGIN = 18 * mm
IMAGE_HEIGHT = 56 * mm  # two screenings fit on an A4 or Letter page


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
# Fonts and styles
# ---------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def register_fonts() -> None:
    """Embed DejaVu Sans (Latin + Indonesian + much more) from ``assets/fonts``."""
    from reportlab.lib.fonts import addMapping

    try:
        pdfmetrics.registerFont(
            TTFont(FONT, str(resource_path("assets", "fonts", "DejaVuSans.ttf")))
        )
        pdfmetrics.registerFont(
            TTFont(FONT_BOLD, str(resource_path("assets", "fonts", "DejaVuSans-Bold.ttf")))
        )
    except Exception as exc:  # noqa: BLE001 - reportlab raises TTFError or plain IOError
        raise ReportError(
            f"The report font is missing or damaged ({exc}). Reinstall ClinicLens."
        ) from exc
    for bold, italic, name in ((0, 0, FONT), (1, 0, FONT_BOLD), (0, 1, FONT), (1, 1, FONT_BOLD)):
        addMapping(FONT, bold, italic, name)


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=9.5, leading=12.5, textColor=INK)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.8, leading=10, textColor=MUTED),
        "mono": ParagraphStyle("mono", parent=base, fontSize=7.2, leading=9.2, textColor=MUTED),
        "title": ParagraphStyle(
            "title",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=17,
            leading=21,
            textColor=INK,
            spaceAfter=2,
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=11.5,
            leading=15,
            textColor=ACCENT,
            spaceBefore=4,
            spaceAfter=3,
        ),
        "label": ParagraphStyle("label", parent=base, fontSize=8.5, textColor=MUTED),
        "value": ParagraphStyle("value", parent=base, fontName=FONT_BOLD),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.2, leading=10.2),
        "cellb": ParagraphStyle(
            "cellb", parent=base, fontName=FONT_BOLD, fontSize=8.2, leading=10.2
        ),
        "cellrefer": ParagraphStyle(
            "cellrefer",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=8.2,
            leading=10.2,
            textColor=REFER_INK,
        ),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
        "caption": ParagraphStyle(
            "caption", parent=base, fontSize=7.8, leading=10, textColor=MUTED
        ),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    """Paragraph of plain user or catalogue text (escaped: never parsed as markup)."""
    return Paragraph(escape(text), style)


def new_report_id() -> str:
    return f"CL-{datetime.now(timezone.utc):%Y%m%d}-{secrets.token_hex(3).upper()}"


def _content_width(options: ReportOptions) -> float:
    return options.pagesize[0] - 2 * MARGIN - 2 * FRAME_PAD


def _today() -> str:
    return datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")


def _when(stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp


# ---------------------------------------------------------------------------------------
# Page furniture: header, footer with "Page x of y"
# ---------------------------------------------------------------------------------------
def _numbered_canvas(
    options: ReportOptions, report_id: str, title: str, subject: str, logo: ImageReader | None
) -> type:
    """Canvas drawing the header (clinic, title, ``subject``: who the report is about, on
    every page) and the footer; outside text is shortened to its space, never overflows."""
    lang = options.language

    class NumberedCanvas(canvas_mod.Canvas):
        """Defers drawing the furniture until the page count is known."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802 - reportlab API
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._furniture(total)
                super().showPage()
            super().save()

        def _furniture(self, total: int) -> None:
            width, height = self._pagesize
            # align with the frame's content, which reportlab pads by 6 pt on each side
            left, right = MARGIN + FRAME_PAD, width - MARGIN - FRAME_PAD
            top = height - 12 * mm
            x = left
            if logo is not None:
                iw, ih = logo.getSize()
                h = 12 * mm
                w = min(h * iw / ih, 40 * mm)
                self.drawImage(logo, left, top - h, w, h * (w / (h * iw / ih)), mask="auto")
                x = left + w + 4 * mm
            room = (right - x) * 0.55  # the right-hand column gets the rest
            self.setFillColor(INK)
            self.setFont(FONT_BOLD, 11)
            clinic = options.clinic_name or tr("app.name", lang)
            self.drawString(x, top - 5 * mm, fit_width(clinic, room, FONT_BOLD, 11))
            if options.clinic_address:
                self.setFont(FONT, 7.5)
                self.setFillColor(MUTED)
                address = fit_width(options.clinic_address, room, FONT, 7.5)
                self.drawString(x, top - 9.5 * mm, address)
            side = (right - x) - room - 4 * mm
            self.setFont(FONT, 8)
            self.setFillColor(MUTED)
            self.drawRightString(right, top - 3 * mm, title)
            if subject:
                self.setFillColor(INK)
                self.drawRightString(right, top - 7 * mm, fit_width(subject, side, FONT, 8))
                self.setFillColor(MUTED)
            line = f"{tr('report.id', lang)}: {report_id}"
            self.drawRightString(right, top - (11 if subject else 8.5) * mm, line)
            self.setStrokeColor(RULE)
            self.setLineWidth(0.6)
            self.line(left, top - 13 * mm, right, top - 13 * mm)
            bottom = 11 * mm
            self.line(left, bottom + 4.5 * mm, right, bottom + 4.5 * mm)
            self.setFont(FONT, 7.2)
            self.drawString(
                left,
                bottom,
                f"{tr('report.generated', lang, version=inference.__version__)} · "
                f"{tr('report.disclaimer_title', lang)}",
            )
            self.drawRightString(
                right,
                bottom,
                f"{report_id} · {tr('report.page', lang, page=self._pageNumber, pages=total)}",
            )

    return NumberedCanvas


def _logo_reader(path: Path | None) -> tuple[ImageReader | None, str]:
    """The clinic logo, or (None, why) when it cannot be used: the report is then made
    without it (a broken logo file must not cost the clinic its report)."""
    if path is None:
        return None, ""
    try:
        reader = ImageReader(str(path))
        width, height = reader.getSize()
        if width < 1 or height < 1:
            raise ValueError("empty image")
        return reader, ""
    except Exception:  # noqa: BLE001 - PIL/reportlab raise many types
        return None, (
            f"The clinic logo {path} could not be read, so the report was made without it. "
            "Choose a PNG or JPEG file in the clinic settings (--logo)."
        )


def _build(
    story: list, path: Path, options: ReportOptions, report_id: str, title: str, subject: str = ""
) -> tuple[int, tuple[str, ...]]:
    """Render to memory, then write atomically; returns the page count and warnings."""
    register_fonts()
    logo, logo_problem = _logo_reader(options.clinic_logo)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=options.pagesize,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=29 * mm,
        bottomMargin=21 * mm,
        title=title,
        author=options.clinic_name or "ClinicLens",
        subject=report_id,
        creator=f"ClinicLens {inference.__version__}",
        initialFontName=FONT,  # else every page references a non-embedded Helvetica
    )
    canvas_cls = _numbered_canvas(options, report_id, title, subject, logo)
    try:
        doc.build(story, canvasmaker=canvas_cls)
    except ReportError:
        raise
    except Exception as exc:  # noqa: BLE001 - layout errors from reportlab
        raise ReportError(
            "The PDF report could not be laid out, so none was written "
            f"({type(exc).__name__}). The screening results are saved; please report this "
            "problem with the text that was being printed."
        ) from exc
    atomic_write_bytes(path, buf.getvalue(), what="report")
    return doc.page, tuple(w for w in (logo_problem,) if w)


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


def class_name(pack_id: str, class_id: str, language: str = "en") -> str:
    man = _pack_manifests().get(pack_id)
    if man is None or class_id not in man.class_ids:
        return class_id
    return man.classes[man.class_index(class_id)].name.get(language)


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
    top = class_name(rec.pack_id, rec.top_class, lang)
    if verdict.referred_by_other_class:
        classes = because_text(verdict, lambda c: class_name(rec.pack_id, c, lang), lang)
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
                    _p(class_name(rec.pack_id, cid, lang), st["cellb" if bold else "cell"]),
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


def pseudonym(patient_id: str, name: str, secret: str) -> str:
    """``ANON-<10 hex>``: the same patient and secret always give the same code (the same
    scheme as ``inference.dicom.DicomPatient.pseudonymised``); without the secret the code
    cannot be traced back."""
    key = f"{patient_id}\x1f{name}".encode()
    return "ANON-" + hmac.new(secret.encode(), key, hashlib.sha256).hexdigest()[:10].upper()


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
