"""Markdown tables from ``training.pack_eval`` reports (plain dicts, so JSON round-trips).

Used by the evaluation CLI and by ``tools/models_table.py``, which renders
``models/evaluation.json`` into ``models/README.md`` with val and shift side by side.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

DASH = "-"


def pct(e: dict | None) -> str:
    """'95.4 % (93.5-96.8)' from an Estimate dict."""
    if not e or not e.get("n"):
        return DASH
    return f"{100 * e['value']:.1f} % ({100 * e['low']:.1f}-{100 * e['high']:.1f})"


def num(e: dict | None) -> str:
    if not e or not e.get("n"):
        return DASH
    return f"{e['value']:.2f} ({e['low']:.2f}-{e['high']:.2f})"


def _split(report: dict, split: str) -> dict | None:
    return report.get("splits", {}).get(split)


def render_answers(reports: Sequence[dict], splits: Sequence[str]) -> str:
    """One row per pack: accuracy (refusals as misses), answered share, accuracy of answers."""
    head = ["pack"]
    for s in splits:
        head += [f"{s}: n", f"{s}: accuracy (refusal = miss)", f"{s}: answered", f"{s}: accuracy of answers"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in reports:
        variant = r.get("variant")
        cells = [f"`{r['pack']}`" + (f" ({variant})" if variant and variant != "fp32" else "")]
        for s in splits:
            e = _split(r, s)
            if e is None:
                cells += [DASH] * 4
                continue
            cells += [str(e["n"]), pct(e["accuracy"]), pct(e["answered"]), pct(e["accuracy_of_answers"])]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render_classes(reports: Sequence[dict], splits: Sequence[str]) -> str:
    """Per class: recall (refusals as misses), refused share and referred share, per split."""
    head = ["pack", "class"]
    for s in splits:
        head += [f"{s}: recall", f"{s}: refused", f"{s}: referred"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in reports:
        classes: list[str] = []
        for s in splits:
            e = _split(r, s)
            for c in (e or {}).get("per_class", {}):
                if c not in classes:
                    classes.append(c)
        for c in classes:
            cells = [f"`{r['pack']}`", c]
            for s in splits:
                pc = ((_split(r, s) or {}).get("per_class") or {}).get(c)
                cells += ([pct(pc["recall"]), pct(pc["refused"]), pct(pc.get("referred"))] if pc
                          else [DASH, DASH, DASH])
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render_localisation(reports: Sequence[dict], splits: Sequence[str], centre: str = "centre") -> str:
    """Pointing game and energy lift per method and class, next to the centre baseline."""
    head = ["pack", "split", "heatmap", "class", "n", "pointing game", "energy lift"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in reports:
        for s in splits:
            loc = (_split(r, s) or {}).get("localisation")
            if not loc:
                continue
            methods = [m for m in loc if m != centre] + ([centre] if centre in loc else [])
            for m in methods:
                for cls, fig in loc[m].items():
                    name = f"{m} (baseline)" if m == centre else m
                    lines.append(
                        f"| `{r['pack']}` | {s} | {name} | {cls} | {fig['pointing']['n']} "
                        f"| {pct(fig['pointing'])} | {num(fig['lift'])} |"
                    )
    return "\n".join(lines)


def render_methods(reports: Sequence[dict], splits: Sequence[str], centre: str = "centre") -> str:
    """Compact CAM-method comparison: pointing game / energy lift over all boxed images."""
    rows = []
    methods: list[str] = []
    for r in reports:
        for s in splits:
            loc = (_split(r, s) or {}).get("localisation")
            if loc:
                methods += [m for m in loc if m not in methods]
                rows.append((r["pack"], s, loc))
    if not rows:
        return ""
    methods = [m for m in methods if m != centre] + [centre]
    head = ["pack", "split", "n"] + [f"{m} (baseline)" if m == centre else m for m in methods]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for pack, s, loc in rows:
        n = loc[methods[0]]["all"]["pointing"]["n"] if methods[0] in loc else 0
        cells = [f"`{pack}`", s, str(n)]
        for m in methods:
            fig = loc.get(m, {}).get("all")
            cells.append(f"{pct(fig['pointing'])}; {num(fig['lift'])}" if fig else DASH)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render_section(reports: Sequence[dict], splits: Sequence[str] = ("val", "shift"),
                   viewer_method: str = "gradcam") -> str:
    """The models/README.md section: answers, classes, and localisation, val and shift."""
    shown = [
        {**r, "splits": {
            s: {**e, "localisation": {k: v for k, v in e.get("localisation", {}).items()
                                      if k in (viewer_method, "centre")}}
            for s, e in r["splits"].items()
        }}
        for r in reports
    ]
    parts = [
        "## Validation and second site (`shift/`), through the app's screening path",
        "",
        "Measured by `tools/evaluate_packs.py` (`training/pack_eval.py`): every image is screened "
        "by `inference.screener.Screener` with the pack's guards, so a refused image (out of "
        "distribution, wrong modality, poor quality, unreadable) counts as a miss in the first "
        "accuracy; the answered share and the accuracy of the answers stand beside it. `shift/` "
        "holds half of each source's official test images (other patients: a second site); "
        "nothing was fitted on it. Palm and face have no `shift/`. 95 % Wilson intervals in "
        "brackets. Raw figures: `models/evaluation.json`.",
        "",
        render_answers(reports, splits),
        "",
        "Per class: recall counting refusals as misses, the share refused, and the share the app "
        "marked REFER (a refused image is not referred): for a finding, the images a clinic would "
        "send on; for a normal class, false referrals.",
        "",
        render_classes(reports, splits),
    ]
    if any((_split(r, s) or {}).get("localisation") for r in reports for s in splits):
        parts += [
            "",
            "### Do the heatmaps point at the tumour?",
            "",
            "Against the tumour boxes of `brain_mri/tumour_boxes.csv` (no boxes for `notumor`): "
            "pointing game = the heatmap's peak lies inside the box grown by 3 % of the image "
            "side (Wilson interval); energy lift = share of heatmap mass inside the box divided "
            "by the box's share of the image (1 = no better than uniform; bootstrap interval). "
            "Maps for the true class at image resolution, as the viewer paints them. Baseline: "
            "a centred isotropic Gaussian (sigma = 1/4 of the shorter side) that ignores the "
            f"image. Heatmap the viewer shows by default (`{viewer_method}`):",
            "",
            render_localisation(shown, splits),
            "",
            "Every CAM method computable from the exported `features`/`head_grad` "
            "(pointing game; energy lift), all boxed images:",
            "",
            render_methods(reports, splits),
        ]
    wrapped = [p if p.startswith(("|", "#")) else textwrap.fill(p, 95) for p in parts]
    return "\n".join(wrapped) + "\n"
