"""The pieces a report page is built from: model names, the verdict lines, image and
heatmap, probability bars, provenance, one screening's block.

Split from :mod:`screening.reports` (which lays out the patient report) so both reports
share one set of pieces; :mod:`screening.batch_report` uses them too. Every piece of user
text is escaped before it reaches a Paragraph.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
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

from inference.packs import discover
from inference.resources import model_dirs

from .i18n import tr
from .labels import class_name
from .numbers import format_probability
from .outcomes import outcome_label, outcome_of
from .pack_warnings import warning_text
from .report_page import (
    ACCENT,
    FLAG_BG,
    FONT,
    IMAGE_HEIGHT,
    MUTED,
    PANEL_BG,
    REFER_INK,
    RULE,
    _p,
    _when,
)
from .report_records import Changes, move_lines, void_lines
from .report_text import field, reason_parts, shorten
from .site.figures import accuracy_rows
from .store import ScreeningRecord, Store
from .verdict import because_text, verdict_of_record


def installed_manifests() -> dict:
    """Installed manifests by pack id (for class and pack names); hashes not needed here.
    Only the reports' entry points call it when their caller gave no manifests: the pieces
    below receive the manifests they print from."""
    return _manifests_in(tuple(str(d) for d in model_dirs()))


@lru_cache(maxsize=8)
def _manifests_in(dirs: tuple[str, ...]) -> dict:
    try:
        return {p.id: p.manifest for p in discover([Path(d) for d in dirs], verify=False).packs}
    except Exception:  # noqa: BLE001 - names are a nicety; ids print fine
        return {}


def _verdict(rec: ScreeningRecord, manifests: Mapping[str, Any]):
    """The screening's one message (:mod:`screening.verdict`) with its pack's thresholds."""
    return verdict_of_record(manifests.get(rec.pack_id), rec)


def pack_class_name(
    pack_id: str, class_id: str, language: str = "en", manifests: Mapping[str, Any] | None = None
) -> str:
    """The class's display name from the pack's manifest (``screening.labels.class_name``);
    without ``manifests``, from the installed packs."""
    found = installed_manifests() if manifests is None else manifests
    return class_name(found.get(pack_id), class_id, language)


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


def _verdict_lines(
    rec: ScreeningRecord, st: dict, lang: str, manifests: Mapping[str, Any]
) -> list:
    """The result as one message. A referral caused by a class that is not the top one
    leads with the referral and names the top class second (issue 19 item 5)."""
    verdict = _verdict(rec, manifests)
    top = pack_class_name(rec.pack_id, rec.top_class, lang, manifests)
    if verdict.referred_by_other_class:
        classes = because_text(
            verdict, lambda c: pack_class_name(rec.pack_id, c, lang, manifests), lang
        )
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
    rec: ScreeningRecord,
    name: str,
    st: dict,
    lang: str,
    width: float,
    file_label: str,
    manifest: Any = None,
    accuracy: Sequence[tuple[str, str]] | None = None,
) -> list:
    """Model, its measured accuracy (a site calibration's own figures first, when one was
    used: screening.site.figures), file, operator and image hash of one screening.
    ``accuracy``: other rows in place of the accuracy rows (to measure the usual height)."""
    if accuracy is None:
        accuracy = accuracy_rows(rec.pack_id, rec.pack_version, rec.pack_accuracy, manifest, lang)
    details = [
        (
            tr("report.model", lang),
            tr(
                "report.model_value", lang, name=name, pack_id=rec.pack_id, version=rec.pack_version
            ),
        ),
        *accuracy,
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
                ("VALIGN", (0, 0), (-1, -1), "TOP"),  # a label beside the start of its value
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0.5),
            ]
        )
    )
    return [Spacer(1, 2 * mm), meta, Spacer(1, 3 * mm)]


def _height(flowables: Sequence[Flowable], width: float) -> float:
    """How tall ``flowables`` lay out in a column ``width`` wide."""
    return sum(f.wrap(width, 1000 * mm)[1] for f in flowables)


def _weak_pack_box(text: str, st: dict, lang: str, width: float) -> Table:
    """A pack below ClinicLens's bar for routine use (screening.pack_warnings): the warning
    the app shows with every such screening, printed with its result (issue 16)."""
    # One paragraph, title inline: two screenings must still share an A4 page.
    body = Paragraph(
        f"<b>{escape(tr('report.weak_pack', lang))}:</b> {escape(text)}", st["small"]
    )
    box = Table([[body]], colWidths=[width])
    box.setStyle(
        _style(
            [
                ("BACKGROUND", (0, 0), (-1, -1), FLAG_BG),
                ("BOX", (0, 0), (-1, -1), 0.6, colors.HexColor("#e5c07b")),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return box


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
    manifests: Mapping[str, Any] | None = None,
) -> list:
    """One screening: heading, verdict, image + heatmap, probabilities, provenance.
    ``file_label``: the file's name, with enough of its folder to tell it from others;
    ``changes``: its later void or moves (a voided one shows no result, image or heatmap)."""
    manifests = installed_manifests() if manifests is None else manifests
    man = manifests.get(rec.pack_id)
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
        parts += _verdict_lines(rec, st, lang, manifests)
    else:
        if voided:
            title, note = void_lines(changes.void, lang)
            box = [Paragraph(f"<b>{escape(title)}</b>", st["base"]), _p(note, st["small"])]
        else:
            man = manifests.get(rec.pack_id) if manifests else None
            why, detail = reason_parts(rec.status, rec.message, lang, man.modality if man else "")
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
    provenance = _provenance(rec, name, st, lang, width, file_label, man)
    # What this block has beyond the usual (a weak pack's warning, a site calibration's
    # figures) comes off the pictures' height: two screenings still share an A4 page.
    extra = _height(provenance, width) - _height(
        _provenance(rec, name, st, lang, width, file_label, man, [("", "")]), width
    )
    if not voided and (weak := warning_text(man, lang)):
        box = _weak_pack_box(weak, st, lang, width)
        parts.append(box)
        extra += _height([box], width)
    parts.append(Spacer(1, 3 * mm))
    if voided:  # its image may be another patient's: provenance only
        parts += provenance
        return [CondPageBreak(40 * mm), KeepTogether(parts)]

    images = store.screening_images(rec.id)
    col = (width - 6 * mm) / 2
    image_height = max(IMAGE_HEIGHT - extra, 0.6 * IMAGE_HEIGHT)
    pic = _fit_image(images.thumbnail, col, image_height) or _p(
        tr("report.image_missing", lang), st["caption"]
    )
    cells = [[pic, ""], [_p(tr("report.image", lang), st["caption"]), ""]]
    if rec.answered:  # a flagged image gets no heatmap: it would look like an answer
        heat = _fit_image(images.overlay, col, image_height) or _p(
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
        referring = {cid for cid, _ in _verdict(rec, manifests).because}
        for cid, p in sorted(
            zip(rec.class_ids, rec.probabilities, strict=True), key=lambda t: -t[1]
        ):
            bold = cid == rec.top_class or cid in referring
            refers = rec.refer and (cid in referring or (bold and not referring))
            colour = REFER_INK if refers else (ACCENT if bold else MUTED)
            rows.append(
                [
                    _p(
                        pack_class_name(rec.pack_id, cid, lang, manifests),
                        st["cellb" if bold else "cell"],
                    ),
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

    parts += provenance
    return [CondPageBreak(95 * mm), KeepTogether(parts)]
