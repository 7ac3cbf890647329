"""Markdown tables from ``training.pack_eval`` reports (plain dicts, so JSON round-trips).

Used by the evaluation CLI and by ``tools/models_table.py``, which renders
``models/evaluation.json`` into ``models/README.md`` with val and shift side by side.
"""

from __future__ import annotations

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
        cells = [f"`{r['pack']}`"]
        for s in splits:
            e = _split(r, s)
            if e is None:
                cells += [DASH] * 4
                continue
            cells += [str(e["n"]), pct(e["accuracy"]), pct(e["answered"]), pct(e["accuracy_of_answers"])]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render_classes(reports: Sequence[dict], splits: Sequence[str]) -> str:
    """Per class: recall (refusals as misses) and refused share, per split."""
    head = ["pack", "class"]
    for s in splits:
        head += [f"{s}: recall", f"{s}: refused"]
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
                cells += [pct(pc["recall"]), pct(pc["refused"])] if pc else [DASH, DASH]
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
