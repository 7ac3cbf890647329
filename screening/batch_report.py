"""The batch summary PDF: one row per file of a batch job (``screening.reports`` API).

Counts come from :func:`screening.outcomes.count_outcomes` (the same words as the CLI,
the CSV and the GUI); probabilities from :func:`screening.numbers.format_probability`;
file names carry enough of their folder to tell same-named files apart; refusal reasons
are in the reader's language and shortened with an ellipsis, never cut mid-word.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table

from . import report_blocks as b
from . import reports as r
from .i18n import tr
from .numbers import format_probability
from .outcomes import ANSWERED, FAILED, count_outcomes, outcome_label, outcome_of
from .pack_warnings import warning_text
from .report_records import changes_of, void_lines
from .report_text import distinguishing_names, field, table_reason
from .site.figures import accuracy_rows
from .store import Patient, Store
from .verdict import verdict_of_record

SMALL = "<font size='6.8' color='#616e7c'>{}</font>"
THUMBS_UP_TO = 100  # rows; a longer batch lists files only (page count and file size)
THUMB_H = 15 * mm


def _who(store: Store, item, patients: dict[int, Patient], options) -> str:
    if item.patient_id is None:
        return ""
    if item.patient_id not in patients:
        patients[item.patient_id] = store.get_patient(item.patient_id)
    p = patients[item.patient_id]
    who = field(r.shown_patient_id(p, options), 60) or "—"
    if r._names_allowed(options) and p.name:
        who += "\n" + field(p.name, 80)
    return who


def _thumbs(store: Store, rec, width: float) -> Table | None:
    """The stored image and, for an answered one, its heatmap, side by side, small."""
    if rec is None or not (rec.has_thumbnail or rec.has_overlay):
        return None
    images = store.screening_images(rec.id)
    half = (width - 2 * mm) / 2
    pic = b._fit_image(images.thumbnail, half, THUMB_H)
    heat = b._fit_image(images.overlay, half, THUMB_H) if rec.answered else None
    cells = [c for c in (pic, heat) if c is not None]
    if not cells:
        return None
    table = Table([cells], colWidths=[half + 1 * mm] * len(cells), hAlign="LEFT")
    table.setStyle(b._style([("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 2)]))
    return table


def _answer_cells(rec, man, lang: str, manifests) -> tuple[str, str, str]:
    """(result markup, probability, referral) of an answered row, as one message."""
    verdict = verdict_of_record(man, rec)
    name = b.pack_class_name(rec.pack_id, verdict.headline_class, lang, manifests)
    result = f"<b>{escape(name)}</b>" if rec.refer else escape(name)
    if verdict.referred_by_other_class:
        top = b.pack_class_name(rec.pack_id, rec.top_class, lang, manifests)
        likely = tr(
            "report.most_likely_short", lang, name=top,
            probability=format_probability(rec.top_probability, lang),
        )
        result += "<br/>" + SMALL.format(escape(likely))
    refer = tr("report.refer_short", lang) if rec.refer else "—"
    return result, format_probability(verdict.headline_probability, lang), refer


def batch_summary(
    store: Store, job_id: int, path: Path | str, options, manifests=None
) -> r.ReportInfo:
    """One table row per file of a batch job; referrals in red, no-answer rows in amber.
    ``manifests`` (by pack id) name the classes; None: the installed packs'."""
    manifests = b.installed_manifests() if manifests is None else manifests
    lang = options.language
    r.register_fonts()
    st = r._styles()
    job = store.get_job(job_id)
    results = store.job_results(job_id)
    report_id = r.new_report_id()
    width = r._content_width(options)
    title = tr("report.batch_title", lang)
    man = manifests.get(job.pack_id)
    first = next((rec for _, rec in results if rec is not None), None)
    pack_name = (
        man.display_name.get(lang) if man else (first.pack_name if first else "")
    ) or job.pack_id
    # the version the screenings ran with, which names a site calibration (screening.site)
    version = first.pack_version if first else (man.pack_version if man else "")
    stored = first.pack_accuracy if first else None  # the figure the screenings were made with
    changes = changes_of(store)
    voided = {i for i, c in changes.items() if c.void is not None}
    counts = count_outcomes(results, voided)  # a voided screening is never counted answered

    header_keys = (
        "report.col_no", "report.col_patient", "report.col_file",
        "report.col_result", "report.col_confidence", "report.col_refer",
    )
    rows = [[r._p(tr(k, lang), st["cellb"]) for k in header_keys]]
    styles: list[tuple] = []
    patients: dict[int, Patient] = {}
    names = distinguishing_names([item.path for item, _ in results])
    cols = [8 * mm, 38 * mm, None, 44 * mm, 18 * mm, 17 * mm]  # "> 99,9 %", "Rujukan" fit
    cols[2] = width - sum(c for c in cols if c)
    with_thumbs = len(results) <= THUMBS_UP_TO
    for n, ((item, rec), name) in enumerate(zip(results, names, strict=True), start=1):
        who = _who(store, item, patients, options)
        status = rec.status if rec is not None else (item.status or item.state)
        void = changes[rec.id].void if rec is not None and rec.id in voided else None
        if void is not None:
            status = "voided"
        outcome = outcome_of(status if rec is not None or item.state != "pending" else "")
        referral = rec is not None and rec.answered and rec.refer and void is None
        if outcome == ANSWERED and rec is not None:
            result, prob, refer = _answer_cells(rec, man, lang, manifests)
            if referral:
                styles.append(("BACKGROUND", (0, n), (-1, n), r.REFER_BG))
        else:
            shown = "pending" if item.state == "pending" else status
            detail = (rec.message if rec is not None else item.error) or ""
            result = f"{escape(outcome_label(outcome, lang))}: {escape(b.status_label(shown, lang))}"
            if void is not None:  # the clinic's own words, whatever their language
                result += "<br/>" + SMALL.format(escape(void_lines(void, lang)[1]))
            elif detail or outcome in (FAILED,) or rec is not None:
                reason = table_reason(status, detail, lang, man.modality if man else "")
                result += "<br/>" + SMALL.format(escape(reason))
            prob, refer = "—", "—"
            styles.append(("BACKGROUND", (0, n), (-1, n), r.FLAG_BG))
        cell = st["cellrefer" if referral else "cell"]
        file_cell: list = [r._p(field(name, 240), cell)]
        thumbs = _thumbs(store, rec, cols[2] - 5) if with_thumbs and void is None else None
        if thumbs is not None:
            file_cell.append(thumbs)
        rows.append(
            [
                r._p(str(n), cell),
                Paragraph(escape(who).replace("\n", "<br/>"), cell),
                file_cell,
                Paragraph(result, cell),
                r._p(prob, cell),
                r._p(refer, cell),
            ]
        )
    table = Table(rows, colWidths=cols, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        b._style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, r.ACCENT),
                ("LINEBELOW", (0, 1), (-1, -1), 0.3, r.RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                *styles,
            ]
        )
    )
    summary = [
        (tr("report.batch_job", lang), f"{job.id} · {r._when(job.created_at)}"),
        (
            tr("report.model", lang),
            tr("report.model_value", lang, name=pack_name, pack_id=job.pack_id, version=version),
        ),
        # one place for what accuracy means (screening.site.figures): the same rows as a
        # patient report, with a site calibration's figures where the batch used one
        *accuracy_rows(job.pack_id, version, stored, man, lang),
        (tr("report.operator", lang), field(options.operator or job.operator) or "—"),
        (tr("report.date", lang), r._today()),
    ]
    count_rows = [
        (tr("report.batch_files", lang), str(counts.total)),
        (outcome_label("answered", lang), str(counts.answered)),
        (tr("report.batch_refer", lang), str(counts.referred)),
        (outcome_label("refused", lang), str(counts.refused)),
        (outcome_label("failed", lang), str(counts.failed)),
    ]
    if counts.not_done:
        count_rows.append((outcome_label("not_done", lang), str(counts.not_done)))
    header = Table(
        [
            [
                b._kv_table(summary, st, (30 * mm, width * 0.62 - 32 * mm)),
                b._kv_table(count_rows, st, (40 * mm, width * 0.38 - 40 * mm)),
            ]
        ],
        colWidths=[width * 0.62, width * 0.38],
        hAlign="LEFT",
    )
    header.setStyle(
        b._style([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    )
    warning = warning_text(man, lang) if man is not None else ""
    weak = [b._weak_pack_box(warning, st, lang, width), Spacer(1, 3 * mm)] if warning else []
    story = [
        r._p(title, st["title"]),
        Spacer(1, 2 * mm),
        r._p(counts.summary(lang), st["h2"]),
        header,
        Spacer(1, 4 * mm),
        *weak,
        b._disclaimer(st, lang, width),
        Spacer(1, 4 * mm),
        r._p(tr("report.legend", lang), st["small"]),
        Spacer(1, 1.5 * mm),
        table,
        b._signature(st, lang, width),
    ]
    target = Path(path)
    subject = f"{tr('report.batch_job', lang)} {job.id}"
    pages, warnings = r._build(story, target, options, report_id, title, subject)
    return r.ReportInfo(
        target,
        report_id,
        pages,
        tuple(rec.image_sha256 for _, rec in results if rec is not None),
        warnings,
    )


__all__ = ["batch_summary"]
