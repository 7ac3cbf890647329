"""The page of every PDF report: fonts, colours, styles, header and footer, and the build.

Split from ``screening.reports`` (patient report) so that it and ``screening.batch_report``
share one look and one place where reportlab lays a story out. Outside text in the page
header is shortened to its space; a layout failure becomes a ReportError in words; an
unreadable clinic logo is left out with a warning instead of costing the report.
"""

from __future__ import annotations

import io
import secrets
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as canvas_mod
from reportlab.platypus import Paragraph, SimpleDocTemplate

import inference
from inference.resources import resource_path

from .errors import ReportError
from .files import atomic_write_bytes
from .i18n import tr
from .report_text import fit_width

if TYPE_CHECKING:
    from .reports import ReportOptions

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
IMAGE_HEIGHT = 50 * mm  # two answered screenings fit on an A4 page (one on Letter)


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
