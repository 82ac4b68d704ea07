"""A chart's data as a table for readers, titled and formatted as the chart shows it."""

from __future__ import annotations

import math
import re
from typing import Any

# --- a chart's data as a table for readers -------------------------------------------------------

_D3_FORMAT = re.compile(r"^(?P<currency>\$)?(?P<comma>,)?(?:\.(?P<precision>\d+))?(?P<trim>~)?(?P<type>[%fd]?)$")


def format_d3(value: Any, d3_format: str | None = None) -> str:
    """A value as the chart shows it: its axis or tooltip format (d3), else three significant figures.

    Examples
    --------
    >>> format_d3(0.4512, ".0%"), format_d3(-12.34, "$,.0f"), format_d3(2031.0, "d"), format_d3(0.5, ".2~f")
    ('45%', '-$12', '2031', '0.5')
    >>> format_d3(79634.2), format_d3(-0.0), format_d3(-0.004, ".0%"), format_d3(None), format_d3("Freemium")
    ('79,600', '0', '0%', '–', 'Freemium')
    """
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    match = _D3_FORMAT.match(d3_format or "")
    if d3_format and match:
        precision = int(match["precision"]) if match["precision"] else (0 if match["type"] in "%d" else 6)
        kind, comma = match["type"] or "f", "," if match["comma"] else ""
        number = abs(value) * (100 if kind == "%" else 1)
        text = f"{round(number):{comma}d}" if kind == "d" else f"{number:{comma}.{precision}f}"
        if match["trim"] and "." in text:
            text = text.rstrip("0").rstrip(".")
        text = ("$" if match["currency"] else "") + text + ("%" if kind == "%" else "")
    else:
        number = abs(value)
        rounded = float(f"{number:.3g}")
        text = f"{rounded:,.{max(0, 2 - math.floor(math.log10(rounded)))}f}" if rounded else "0"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    negative = value < 0 and any(c in "123456789" for c in text)  # never "-0"
    return ("-" if negative else "") + text


def title_text(title: Any) -> str | None:
    if title is None:
        return None
    return " ".join(title) if isinstance(title, list) else str(title)


def field_title(field: str) -> str:
    """A data field as a reader names it: 'q05' -> '5th percentile', 'business_model' -> 'Business model'.

    Examples
    --------
    >>> field_title("q05"), field_title("q50"), field_title("business_model")
    ('5th percentile', 'median', 'Business model')
    """
    quantile = re.fullmatch(r"q(\d\d)", field)
    if quantile:
        return "median" if quantile.group(1) == "50" else f"{int(quantile.group(1))}th percentile"
    return humanize(field)


def humanize(field: str) -> str:
    """A field name as a column heading: 'business_model' -> 'Business model'.

    Examples
    --------
    >>> humanize("business_model"), humanize("p_cash_lasts")
    ('Business model', 'P cash lasts')
    """
    words = field.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def chart_table(spec: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """The data a chart shows, as headings and formatted rows: the fields it encodes, titled and
    formatted as its tooltips and axes title and format them (tooltips first, they name each field).

    Examples
    --------
    >>> spec = {"datasets": {"d": [{"model": "A", "low": 0.3, "id": "a"}]}, "layer": [{"encoding": {
    ...     "y": {"field": "model", "title": None}, "x": {"field": "low", "title": "Margin", "axis": {"format": ".0%"}},
    ...     "tooltip": [{"field": "model", "title": "Business model"}]}}]}
    >>> chart_table(spec)
    (['Business model', 'Margin'], [['A', '30%']])
    """
    datasets = spec.get("datasets") or {}
    if not datasets:
        return [], []
    rows = max(datasets.values(), key=len)
    titles: dict[str, str | None] = {}
    formats: dict[str, str | None] = {}

    def definitions(node: Any, tooltips: bool) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        if isinstance(node, dict):
            for channel, definition in (node.get("encoding") or {}).items():
                if (channel == "tooltip") == tooltips:
                    items = definition if isinstance(definition, list) else [definition]
                    found += [d for d in items if isinstance(d, dict) and "field" in d]
            for child in node.get("layer", []):
                found += definitions(child, tooltips)
        return found

    for d in definitions(spec, True) + definitions(spec, False):
        field = d["field"]
        axis: dict[str, Any] = d["axis"] if isinstance(d.get("axis"), dict) else {}
        titles.setdefault(field, title_text(d.get("title")))
        if titles[field] is None:
            titles[field] = title_text(d.get("title"))
        if formats.get(field) is None:
            formats[field] = d.get("format") or axis.get("format")
    fields = [f for f in titles if rows and f in rows[0]]
    headers = [titles[f] or humanize(f) for f in fields]
    return headers, [[format_d3(row.get(f), formats.get(f)) for f in fields] for row in rows]
