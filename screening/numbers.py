"""How numbers are shown to people: one function per kind, used by reports, CLI and GUI.

Why one place: a probability printed as "100.0 %" on paper and "1.0" on screen reads as
certainty the model does not have, and Indonesian readers expect a decimal comma
("98,9 %"). The unit is joined with a no-break space so "100.0 %" never wraps in a
narrow table column.

    format_probability(0.989, "id")   # "98,9 %"
    format_probability(1.0)           # "> 99.9 %"  (never "100.0 %")
    format_probability(0.0)           # "< 0.1 %"   (never "0.0 %")
    format_percent(1.0)               # "100.0 %"   (measured rates, e.g. accuracy)
"""

from __future__ import annotations

NBSP = "\u00a0"
DASH = "—"

# Languages written with a decimal comma (catalogue codes, see screening/locale).
_DECIMAL_COMMA = frozenset({"id"})


def decimal_comma(language: str) -> bool:
    """Whether ``language`` ("id", "id_ID", "en") writes 98,9 rather than 98.9."""
    return (language or "en").replace("-", "_").split("_")[0].lower() in _DECIMAL_COMMA


def format_decimal(value: float, language: str = "en", digits: int = 1) -> str:
    """``value`` with ``digits`` decimals in the reader's decimal mark."""
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if decimal_comma(language) else text


def format_percent(rate: float | None, language: str = "en", digits: int = 1) -> str:
    """A measured rate in 0..1 (accuracy, pass rate) as a percentage: 1.0 -> "100.0 %"."""
    if rate is None:
        return DASH
    return f"{format_decimal(100.0 * float(rate), language, digits)}{NBSP}%"


def format_probability(p: float | None, language: str = "en") -> str:
    """A model probability in 0..1 as a percentage with one decimal.

    Values that would round to 100.0 % or 0.0 % say "> 99.9 %" / "< 0.1 %": a
    calibrated model is never certain, and the page must not suggest it is."""
    if p is None:
        return DASH
    value = 100.0 * float(p)
    if value >= 99.95:
        return f">{NBSP}{format_decimal(99.9, language)}{NBSP}%"
    if value < 0.05:
        return f"<{NBSP}{format_decimal(0.1, language)}{NBSP}%"
    return f"{format_decimal(value, language)}{NBSP}%"


__all__ = ["decimal_comma", "format_decimal", "format_percent", "format_probability"]
