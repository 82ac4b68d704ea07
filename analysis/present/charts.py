"""Charts: one altair theme for the whole book, one function per chart kind.

Charts are rendered on the site by Vega-Embed from the site's own copy of the Vega
libraries (see :mod:`analysis.pipeline.sphinx_site`), never from a CDN. :func:`enable` registers a
renderer whose HTML holds, for each chart, a static SVG (what a reader without JavaScript,
a printer or a feed reader sees) and the Vega-Lite spec as inert JSON; the site's one
classic script (``report.js``) replaces the static SVG by the live chart. No script is
inline and none is a module, so the charts render from ``file://`` as well as over HTTP.
Charts fill the width of their container (``width="container"``), so a phone shows the
whole chart. Colours come from the Okabe-Ito palette, which stays distinguishable with
the common forms of colour blindness.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import re
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import pandas as pd

THEME_NAME = "genai_report"
# What altair's chart constructors return: a chart kind is one of these, and its type says no more.
ReportChart = alt.Chart | alt.LayerChart | alt.FacetChart

RENDERER_NAME = "genai_report_offline"
# Okabe & Ito (2008), "Color Universal Design": safe for deuteranopia, protanopia, tritanopia.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000")
ACCENT = PALETTE[0]
MUTED = "#8a8a8a"
INK = "#333333"  # axis and legend text: 12.6:1 on the charts' white background
# The static SVG is drawn this wide (CSS scales it down to its container, never up).
STATIC_WIDTH_PX = 640
# Arial's metrics (Helvetica, Arial, Liberation Sans, Nimbus Sans): the static SVG, measured by vl-convert, and
# the live chart, measured by the browser, lay text out alike, so no label of the static SVG is cut off.
FONT = "Helvetica, Arial, 'Liberation Sans', 'Nimbus Sans', sans-serif"


def theme_config() -> alt.theme.ThemeConfig:
    """The book's Vega-Lite config: font, sizes, palette, no chart titles (captions carry them)."""
    return {
        "config": {
            "font": FONT,
            # White in dark mode too: the chart is a card of its own, its text keeps its contrast.
            "background": "white",
            # The whole chart, axes and legend included, fits the width it is given.
            "autosize": {"type": "fit-x", "contains": "padding"},
            "view": {"stroke": None, "continuousWidth": 560, "continuousHeight": 300},
            "axis": {
                "labelFontSize": 12,
                "titleFontSize": 12,
                "titleFontWeight": "normal",
                "gridColor": "#e6e6e6",
                "labelColor": INK,
                "titleColor": INK,
            },
            # One entry a line: a legend never runs wider than a phone, and no label is cut short.
            "legend": {
                "labelFontSize": 12,
                "titleFontSize": 12,
                "orient": "bottom",
                "direction": "vertical",
                "labelLimit": 0,
                "labelColor": INK,
                "titleColor": INK,
            },  # fmt: skip
            "text": {"color": INK},
            "range": {"category": list(PALETTE)},
            "mark": {"color": ACCENT},
            "title": {"fontSize": 13, "anchor": "start"},
        }
    }


def _chart_html(spec: dict[str, Any]) -> str:
    """HTML for one chart: a container with a static SVG and the spec as JSON, and no script of its own.

    The site's ``report.js`` (a classic script, see :mod:`analysis.pipeline.sphinx_site`) draws the live chart
    into ``.vega-live`` and hides the static SVG; without JavaScript, or in print, the SVG is the chart.
    """
    payload = json.dumps(spec, sort_keys=True, separators=(",", ":"))
    chart_id = "vega-" + hashlib.sha256(payload.encode()).hexdigest()[:12]
    description = html.escape(str(spec.get("description", "Chart")), quote=True)
    # "</" must not appear inside a script element.
    safe_payload = payload.replace("</", "<\\/")
    return (
        f'<div class="vega-chart" id="{chart_id}" role="figure" aria-label="{description}">'
        f'<div class="vega-live"></div>'
        f'<div class="vega-static">{static_svg(spec, chart_id)}</div>'
        f'<script type="application/json" class="vega-spec">{safe_payload}</script>'
        f"</div>"
    )


_SVG_OPEN = re.compile(r'<svg\b([^>]*?)\swidth="([\d.]+)"\sheight="([\d.]+)"')
_SVG_ID = re.compile(r'\bid="([^"]+)"')


def static_svg(spec: dict[str, Any], prefix: str = "chart") -> str:
    """The chart drawn as SVG (by vl-convert, no browser needed), scaling down with its container.

    A chart sized to its container is drawn :data:`STATIC_WIDTH_PX` wide. The SVG's own ids are
    prefixed, so several charts on one page cannot share a clip path.

    Examples
    --------
    >>> svg = static_svg({"mark": "bar", "width": "container", "data": {"values": [{"x": 1}]},
    ...                   "autosize": {"type": "fit-x", "contains": "padding"},
    ...                   "encoding": {"x": {"field": "x", "type": "quantitative"}}})
    >>> svg.startswith("<svg") and 'style="max-width:640px;width:100%;height:auto" viewBox="0 0 640 ' in svg
    True
    """
    import vl_convert

    drawn = dict(spec)
    if drawn.get("width", "container") == "container":
        drawn["width"] = STATIC_WIDTH_PX
    svg = vl_convert.vegalite_to_svg(drawn)
    svg = _SVG_ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}-{m.group(1)})", svg)
    description = html.escape(str(spec.get("description", "Chart")), quote=True)
    return _SVG_OPEN.sub(
        lambda m: (
            f'<svg{m.group(1)} role="img" aria-label="{description}" '
            f'style="max-width:{float(m.group(2)):g}px;width:100%;height:auto"'
        ),
        svg,
        count=1,
    )


# The chart's specification travels as data, under Vega-Lite's own MIME type, beside the HTML the book shows;
# re-runs and downloads read it there (myst-nb renders only the HTML).
CHART_MIME = "application/vnd.vegalite.v5+json"


def _renderer(spec: dict[str, Any], **_: Any) -> dict[str, Any]:
    return {"text/html": _chart_html(spec), CHART_MIME: spec, "text/plain": str(spec.get("description", "<chart>"))}


_SPEC_IN_HTML = re.compile(r'<script type="application/json" class="vega-spec">(.*?)</script>', re.S)


def spec_from_chart_html(chart_html: str) -> dict[str, Any] | None:
    """The Vega-Lite spec inside a chart's HTML (as written by this module), or None if it has none.

    Re-runs and downloads use it to write the chart as JSON, SVG and PNG.

    Examples
    --------
    >>> spec = {"mark": "bar", "description": "x </b>", "data": {"values": [{"x": 1}]}}
    >>> spec_from_chart_html(_chart_html(spec))["description"]
    'x </b>'
    """
    match = _SPEC_IN_HTML.search(chart_html)
    if not match:
        return None
    spec: dict[str, Any] = json.loads(match.group(1).replace("<\\/", "</"))
    return spec


def enable() -> None:
    """Register and enable the book's theme and offline renderer (call once per notebook)."""
    alt.theme.register(THEME_NAME, enable=True)(theme_config)
    alt.renderers.register(RENDERER_NAME, _renderer)
    alt.renderers.enable(RENDERER_NAME)


# Long category labels wrap onto lines of about 22 characters (11 px) and take at most 40% of the chart's
# width, so a phone keeps room for the bars.
LABEL_LIMIT = alt.ExprRef(expr="min(320, max(120, 0.4 * (containerSize()[0] || 640)))")
WRAPPED_LABEL = "split(trim(replace(datum.label, /(.{1,22})(\\s+|$)/g, '$1\\n')), '\\n')"
CATEGORY_AXIS = alt.Axis(labelExpr=WRAPPED_LABEL, labelLimit=LABEL_LIMIT, labelFontSize=11)
TITLE_CHARACTERS = 34


def axis_title(text: str | None) -> str | list[str] | None:
    """An axis title on lines of at most :data:`TITLE_CHARACTERS` characters, so it fits a phone's width.

    Examples
    --------
    >>> axis_title("Gross margin")
    'Gross margin'
    >>> axis_title("Cash at the end of 2032 without new capital (USD bn)")
    ['Cash at the end of 2032 without', 'new capital (USD bn)']
    """
    if text is None:
        return None
    lines = textwrap.wrap(text, TITLE_CHARACTERS)
    return lines[0] if len(lines) == 1 else lines


def _require_columns(frame: pd.DataFrame, chart: str, *columns: str | None) -> None:
    """Fail with the chart's name and the missing columns before building anything."""
    missing = [c for c in columns if c and c not in frame.columns]
    if missing:
        raise KeyError(f"{chart}: columns {missing} not in the data (have {list(frame.columns)})")


def chart_ranges(
    frame: pd.DataFrame,
    category: str,
    low: str,
    high: str,
    *,
    description: str,
    x_title: str,
    point: str | None = None,
    x_format: str = ".0%",
    log_scale: bool = False,
    symlog_scale: bool = False,
    reference_value: float | None = None,
    order: Sequence[str] | None = None,
    tooltip_fields: Sequence[tuple[str, str, str]] = (),
) -> ReportChart:
    """Horizontal low-high bars, one per category, with an optional base point and reference line.

    Parameters
    ----------
    frame
        Tidy data: one row per category with ``low``, ``high`` (and ``point``) columns.
    category, low, high, point
        Column names.
    description
        Text for screen readers (the chart's Vega-Lite ``description``).
    x_title, x_format
        Axis title and d3 number format.
    log_scale
        Use a log x-axis (for ratios spanning orders of magnitude).
    symlog_scale
        Use a symmetric log x-axis: logarithmic both ways, linear near zero (for ratios that
        span orders of magnitude and may be negative).
    reference_value
        Draw a dashed vertical rule here (e.g. LTV/CAC = 1).
    order
        Category order top to bottom (default: as in ``frame``).
    tooltip_fields
        Extra (column, title, format) triples for the tooltip.
    """
    _require_columns(frame, "chart_ranges", category, low, high, point)
    sort = list(order) if order is not None else list(frame[category])
    scale = alt.Scale(type="log") if log_scale else alt.Scale(zero=False)
    if symlog_scale:
        scale = alt.Scale(type="symlog")
    y = alt.Y(f"{category}:N", sort=sort, title=None, axis=CATEGORY_AXIS)
    tooltip = [
        alt.Tooltip(f"{category}:N", title=field_title(category)),
        alt.Tooltip(f"{low}:Q", format=x_format, title=f"{x_title}, low"),
        alt.Tooltip(f"{high}:Q", format=x_format, title=f"{x_title}, high"),
    ]
    if point:
        tooltip.insert(1, alt.Tooltip(f"{point}:Q", format=x_format, title=f"{x_title}, base case"))
    tooltip += [alt.Tooltip(f"{c}:Q", title=t, format=f) for c, t, f in tooltip_fields]
    base = alt.Chart(frame)
    bars = base.mark_bar(height=14, cornerRadius=3, opacity=0.85).encode(
        x=alt.X(f"{low}:Q", title=axis_title(x_title), axis=alt.Axis(format=x_format), scale=scale),
        x2=f"{high}:Q",
        y=y,
        tooltip=tooltip,
    )
    layers: list[alt.Chart] = [bars]
    if point:
        layers.append(
            base.mark_point(shape="diamond", size=90, filled=True, color=PALETTE[7]).encode(
                x=f"{point}:Q", y=y, tooltip=tooltip
            )
        )
    if reference_value is not None:
        layers.append(
            alt.Chart(pd.DataFrame({"reference": [reference_value]}))
            .mark_rule(strokeDash=[4, 4], color=PALETTE[3])
            .encode(x="reference:Q")
        )
    return alt.layer(*layers).properties(description=description, height=alt.Step(32), width="container")


def chart_scatter(
    frame: pd.DataFrame,
    x: str,
    y: str,
    label: str,
    *,
    description: str,
    x_title: str,
    y_title: str,
    x_format: str = ".0%",
    y_format: str = ".0%",
) -> ReportChart:
    """Labelled points, one per row: e.g. each strategy's margin against its revenue volatility."""
    _require_columns(frame, "chart_scatter", x, y, label)
    # Room on the right for the labels of the right-most points.
    x_max = float(frame[x].max())
    x_domain = [min(0.0, float(frame[x].min())), x_max * 1.35 if x_max > 0 else 1.0]
    base = alt.Chart(frame).encode(
        x=alt.X(f"{x}:Q", title=axis_title(x_title), axis=alt.Axis(format=x_format), scale=alt.Scale(domain=x_domain)),
        y=alt.Y(f"{y}:Q", title=axis_title(y_title), axis=alt.Axis(format=y_format)),
        tooltip=[
            alt.Tooltip(f"{label}:N", title=field_title(label)),
            alt.Tooltip(f"{x}:Q", title=x_title, format=x_format),
            alt.Tooltip(f"{y}:Q", title=y_title, format=y_format),
        ],
    )
    points = base.mark_point(size=110, filled=True).encode(color=alt.Color(f"{label}:N", legend=None))
    labels = base.mark_text(align="left", dx=8, dy=-6, fontSize=12).encode(text=f"{label}:N")
    return alt.layer(points, labels).properties(description=description, width="container")


def chart_lines(
    frame: pd.DataFrame,
    x: str,
    y: str,
    series: str,
    *,
    description: str,
    x_title: str,
    y_title: str,
    x_format: str = ",.0f",
    y_format: str = ".0%",
    x_log: bool = False,
    band: tuple[float, float] | None = None,
    band_label: str = "",
) -> ReportChart:
    """Lines of ``y`` against ``x``, one per ``series``, with an optional horizontal band (e.g. 2-5%)."""
    _require_columns(frame, "chart_lines", x, y, series)
    scale = alt.Scale(type="log") if x_log else alt.Scale(zero=False)
    lines = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X(f"{x}:Q", title=axis_title(x_title), axis=alt.Axis(format=x_format), scale=scale),
            y=alt.Y(f"{y}:Q", title=axis_title(y_title), axis=alt.Axis(format=y_format)),
            color=alt.Color(f"{series}:N", title=None),
            tooltip=[
                alt.Tooltip(f"{series}:N", title=field_title(series)),
                alt.Tooltip(f"{x}:Q", title=x_title, format=x_format),
                alt.Tooltip(f"{y}:Q", title=y_title, format=y_format),
            ],
        )
    )
    layers: list[alt.Chart] = []
    if band is not None:
        shade = pd.DataFrame({"low": [band[0]], "high": [band[1]], "label": [band_label]})
        layers.append(
            alt.Chart(shade)
            .mark_rect(opacity=0.15, color=PALETTE[2])
            .encode(y="low:Q", y2="high:Q", tooltip=[alt.Tooltip("label:N", title="band")])
        )
    layers.append(lines)
    return alt.layer(*layers).properties(description=description, width="container")


def chart_fan(
    frame: pd.DataFrame, x: str, bands: Sequence[tuple[str, str]], median: str, *, description: str, x_title: str,
    y_title: str, y_format: str = "$,.0f", reference_value: float | None = 0.0,
) -> ReportChart:  # fmt: skip
    """A fan chart: nested quantile bands (outermost first) around a median line."""
    _require_columns(frame, "chart_fan", x, median, *[c for band in bands for c in band])
    base = alt.Chart(frame)
    x_enc = alt.X(
        f"{x}:Q", title=axis_title(x_title), axis=alt.Axis(format="d", tickMinStep=1), scale=alt.Scale(zero=False)
    )
    layers: list[alt.Chart] = []
    for i, (low, high) in enumerate(bands):
        layers.append(
            base.mark_area(opacity=0.18 + 0.17 * i, color=ACCENT).encode(
                x=x_enc,
                y=alt.Y(f"{low}:Q", title=axis_title(y_title), axis=alt.Axis(format=y_format)),
                y2=f"{high}:Q",
                tooltip=[alt.Tooltip(f"{x}:Q", title=x_title),
                         alt.Tooltip(f"{low}:Q", format=y_format, title=field_title(low)),
                         alt.Tooltip(f"{high}:Q", format=y_format, title=field_title(high))],
            )
        )  # fmt: skip
    layers.append(
        base.mark_line(color=PALETTE[7], point=True).encode(
            x=x_enc,
            y=f"{median}:Q",
            tooltip=[alt.Tooltip(f"{x}:Q", title=x_title), alt.Tooltip(f"{median}:Q", format=y_format, title="median")],
        )
    )
    if reference_value is not None:
        layers.append(
            alt.Chart(pd.DataFrame({"reference": [reference_value]}))
            .mark_rule(strokeDash=[4, 4], color=PALETTE[3])
            .encode(y="reference:Q")
        )
    return alt.layer(*layers).properties(description=description, width="container")


def chart_tornado(
    frame: pd.DataFrame, label: str, low: str, high: str, base_value: float, *, description: str, x_title: str,
    x_format: str = "$,.0f",
) -> ReportChart:  # fmt: skip
    """Tornado: for each input, a bar from the outcome at its low to the outcome at its high, widest first."""
    _require_columns(frame, "chart_tornado", label, low, high)
    long = pd.concat(
        [
            frame[[label]].assign(end="input at its low", outcome=frame[low]),
            frame[[label]].assign(end="input at its high", outcome=frame[high]),
        ]
    )
    order = list(frame[label])
    values = [*long["outcome"], base_value]
    pad = 0.05 * (max(values) - min(values) or 1.0)
    domain = [min(values) - pad, max(values) + pad]
    bars = (
        alt.Chart(long)
        .mark_bar(height=12, opacity=0.85)
        .encode(
            y=alt.Y(f"{label}:N", sort=order, title=None, axis=CATEGORY_AXIS),
            x=alt.X(
                "outcome:Q", title=axis_title(x_title), axis=alt.Axis(format=x_format), scale=alt.Scale(domain=domain)
            ),
            x2=alt.X2("base:Q"),
            color=alt.Color("end:N", title=None, scale=alt.Scale(range=[PALETTE[3], PALETTE[0]])),
            tooltip=[
                alt.Tooltip(f"{label}:N", title="Input"),
                alt.Tooltip("end:N", title="Input at"),
                alt.Tooltip("outcome:Q", format=x_format, title=x_title),
            ],
        )
        .transform_calculate(base=str(float(base_value)))
    )
    rule = alt.Chart(pd.DataFrame({"base": [base_value]})).mark_rule(color=PALETTE[7]).encode(x="base:Q")
    return alt.layer(bars, rule).properties(description=description, height=alt.Step(38), width="container")


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


def _title_text(title: Any) -> str | None:
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
        titles.setdefault(field, _title_text(d.get("title")))
        if titles[field] is None:
            titles[field] = _title_text(d.get("title"))
        if formats.get(field) is None:
            formats[field] = d.get("format") or axis.get("format")
    fields = [f for f in titles if rows and f in rows[0]]
    headers = [titles[f] or humanize(f) for f in fields]
    return headers, [[format_d3(row.get(f), formats.get(f)) for f in fields] for row in rows]


# --- explorers: sliders over a grid computed at build time -----------------------------------------


def _slider_filter(sliders: Sequence[tuple[str, str, Sequence[float], float]]) -> str:
    """A Vega expression true on the grid rows at the sliders' values (grid values are rounded to 9 places)."""
    return " && ".join(f"abs(datum['{field}'] - {name}) < 1e-6" for name, field, _, _ in sliders)


def _slider_params(
    sliders: Sequence[tuple[str, str, Sequence[float], float]], labels: dict[str, str]
) -> list[dict[str, Any]]:
    """One Vega-Lite parameter per slider, bound to a range input over its grid, starting at its start."""
    params = []
    for name, _field, grid, start in sliders:
        grid = list(grid)
        step = round(grid[1] - grid[0], 9) if len(grid) > 1 else 1
        params.append(
            {"name": name, "value": start,
             "bind": {"input": "range", "min": grid[0], "max": grid[-1], "step": step, "name": labels[name] + " "}}
        )  # fmt: skip
    return params


def chart_explorer_lines(
    frame: pd.DataFrame,
    x: str,
    series: Sequence[str],
    sliders: Sequence[tuple[str, str, Sequence[float], float]],
    labels: dict[str, str],
    *,
    description: str,
    x_title: str,
    y_title: str,
    readout_at: float,
    command: str,
    x_format: str = "d",
    y_format: str = ".0%",
    readout_formats: Mapping[str, str] | None = None,
) -> alt.TopLevelMixin:
    """Lines over a grid that sliders select: the reader's case solid, the chapter's own case dashed.

    ``frame`` is wide: one row per grid point and ``x``, one column per line in ``series`` (its name is
    the line's label). ``sliders`` are ``(param_name, column, grid_values, start)``; each becomes a
    Vega-Lite parameter bound to a range input over the grid (``labels`` gives its label). Under the
    chart, each line's value at ``x == readout_at`` is written out beside the chapter's own (the start
    position), each in its format from ``readout_formats`` (by line; default ``y_format``), and ``command``
    (a Vega expression over the sliders) shows the command that reproduces the reader's point. One view, so
    it fits its container on a phone. Every number shown comes from ``frame``: no model runs in the browser.
    """
    _require_columns(frame, "chart_explorer_lines", x, *series, *[field for _, field, _, _ in sliders])
    start_rows = frame
    for _, field, _, start in sliders:
        start_rows = start_rows[(start_rows[field] - start).abs() < 1e-6]
    starts = start_rows[[x, *series]].rename(columns={s: f"{s} (start)" for s in series})
    frame = frame.merge(starts, on=x, how="left")
    params = _slider_params(sliders, labels)
    at_start = _slider_filter([(str(start), field, grid, start) for _, field, grid, start in sliders])
    fold = {"fold": list(series), "as": ["line", "probability"]}
    encode_x = {"field": x, "type": "quantitative", "title": axis_title(x_title), "axis": {"format": x_format}}
    encode_y = {"field": "probability", "type": "quantitative", "title": axis_title(y_title),
                "axis": {"format": y_format}, "scale": {"domain": [0, 1]}}  # fmt: skip
    color = {"field": "line", "type": "nominal", "title": None, "scale": {"domain": list(series)},
             "legend": {"orient": "top"}}  # fmt: skip

    formats = {s: (readout_formats or {}).get(s, y_format) for s in series}

    def value(column: str, series_name: str) -> str:
        return f"format(datum['{column}'], '{formats[series_name]}')"

    readout = f"'In {readout_at:g}:' + '   ' + " + " + '   ' + ".join(
        f"'{s}: ' + {value(s, s)} + ' (chapter ' + {value(s + ' (start)', s)} + ')'" for s in series
    )
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": description,
        "data": {"values": frame.to_dict(orient="records")},
        "params": params,
        "width": "container",
        "height": 260,
        "layer": [
            {"transform": [{"filter": at_start}, fold],
             "mark": {"type": "line", "strokeDash": [4, 4], "opacity": 0.6},
             "encoding": {"x": encode_x, "y": encode_y, "color": color}},
            {"transform": [{"filter": _slider_filter(sliders)}, fold], "mark": {"type": "line", "point": True},
             "encoding": {"x": encode_x, "y": encode_y, "color": color,
                          "tooltip": [{"field": "line", "type": "nominal", "title": "line"},
                                      {"field": x, "type": "quantitative", "format": x_format},
                                      {"field": "probability", "type": "quantitative", "format": y_format}]}},
            {"transform": [{"filter": f"{_slider_filter(sliders)} && abs(datum['{x}'] - {readout_at}) < 1e-6"},
                           {"calculate": readout, "as": "readout"}],
             "mark": {"type": "text", "align": "left", "baseline": "top", "fontSize": 12, "lineBreak": "   ",
                      "x": 0, "y": {"expr": "height + 40"}},
             "encoding": {"text": {"field": "readout", "type": "nominal"}}},
            {"data": {"values": [{}]},
             "mark": {"type": "text", "align": "left", "baseline": "top", "fontSize": 11, "font": "monospace",
                      "lineBreak": "\n", "x": 0, "y": {"expr": "height + " + str(44 + 16 * (len(series) + 1))},
                      "text": {"expr": command}}},
        ],
        **theme_config(),
    }  # fmt: skip
    return alt.LayerChart.from_dict(spec, validate=False)


# The explorers' category labels take at most this width; the text under the chart starts at their left edge.
LABEL_COLUMN_PX = 120


def chart_explorer_intervals(
    frame: pd.DataFrame,
    notes: pd.DataFrame,
    category: str,
    value: str,
    low: str,
    high: str,
    sliders: Sequence[tuple[str, str, Sequence[float], float]],
    labels: dict[str, str],
    *,
    description: str,
    x_title: str,
    note: str,
    command: str,
) -> alt.TopLevelMixin:
    """Each category's value and interval at the sliders' grid point, the chapter's own value as a grey tick.

    ``frame`` has one row per (grid point, category); ``notes`` one row per grid point with a ``note``
    column of lines separated by ``" · "`` (e.g. the claims' verdicts), written under the chart with
    ``command``. The x axis is symmetric-log, so negative values show. No model runs in the browser.
    """
    _require_columns(frame, "chart_explorer_intervals", category, value, low, high,
                     *[field for _, field, _, _ in sliders])  # fmt: skip
    _require_columns(notes, "chart_explorer_intervals", note, *[field for _, field, _, _ in sliders])
    params = _slider_params(sliders, labels)
    at_start = _slider_filter([(str(start), field, grid, start) for _, field, grid, start in sliders])
    order = list(dict.fromkeys(frame[category]))
    y = {"field": category, "type": "nominal", "title": None, "sort": order, "axis": {"labelLimit": LABEL_COLUMN_PX}}
    scale = {"type": "symlog", "constant": 1}
    x = {"field": value, "type": "quantitative", "title": axis_title(x_title), "scale": scale}
    n_lines = int(notes[note].str.count(" · ").max()) + 1 if len(notes) else 1
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": description,
        "datasets": {"grid": frame.to_dict(orient="records"), "notes": notes.to_dict(orient="records")},
        "params": params,
        "width": "container",
        "height": 28 * len(order),
        "layer": [
            {"data": {"name": "grid"}, "transform": [{"filter": _slider_filter(sliders)}],
             "mark": {"type": "rule", "strokeWidth": 2},
             "encoding": {"y": y, "x": {**x, "field": low}, "x2": {"field": high}}},
            {"data": {"name": "grid"}, "transform": [{"filter": at_start}],
             "mark": {"type": "tick", "color": MUTED, "thickness": 2}, "encoding": {"y": y, "x": x}},
            {"data": {"name": "grid"}, "transform": [{"filter": _slider_filter(sliders)}],
             "mark": {"type": "point", "filled": True, "size": 70},
             "encoding": {"y": y, "x": x,
                          "tooltip": [{"field": category, "type": "nominal"},
                                      {"field": value, "type": "quantitative", "format": ".2~r"},
                                      {"field": low, "type": "quantitative", "format": ".2~r"},
                                      {"field": high, "type": "quantitative", "format": ".2~r"}]}},
            {"data": {"name": "notes"}, "transform": [{"filter": _slider_filter(sliders)}],
             "mark": {"type": "text", "align": "left", "baseline": "top", "fontSize": 11, "lineBreak": " · ",
                      "x": -LABEL_COLUMN_PX, "y": {"expr": "height + 40"}},
             "encoding": {"text": {"field": note, "type": "nominal"}}},
            {"data": {"values": [{}]},
             "mark": {"type": "text", "align": "left", "baseline": "top", "fontSize": 11, "font": "monospace",
                      "lineBreak": "\n", "x": -LABEL_COLUMN_PX, "y": {"expr": f"height + {48 + 16 * n_lines}"},
                      "text": {"expr": command}}},
        ],
        **theme_config(),
    }  # fmt: skip
    return alt.LayerChart.from_dict(spec, validate=False)


def chart_explorer_breakeven(
    frame: pd.DataFrame,
    x: str,
    y: str,
    line_slider: tuple[str, str, Sequence[float], float],
    point_slider: tuple[str, str, Sequence[float], float],
    mark_slider: tuple[str, str, Sequence[float], float],
    labels: dict[str, str],
    band: tuple[float, float],
    *,
    description: str,
    x_title: str,
    y_title: str,
    readout: str,
    command: str,
) -> alt.TopLevelMixin:
    """A curve of ``y`` against ``x`` for the ``line_slider``'s value, the point at the ``point_slider``'s
    ``x``, a rule at the ``mark_slider``'s value (the reader's own level to compare with), and the typical
    ``band``. ``readout`` is a Vega expression over the point's row (``datum``) and the sliders; ``command``
    one over the sliders. No model runs in the browser: every value is a row of ``frame``.
    """
    sliders = (line_slider, point_slider, mark_slider)
    _require_columns(frame, "chart_explorer_breakeven", x, y, line_slider[1], point_slider[1])
    params = _slider_params(sliders, labels)
    on_line = _slider_filter([line_slider])
    at_point = _slider_filter([line_slider, point_slider])
    encode_x = {"field": x, "type": "quantitative", "title": axis_title(x_title), "axis": {"format": "$.2f"}}
    encode_y = {"field": y, "type": "quantitative", "title": axis_title(y_title), "axis": {"format": ".0%"}}
    records = frame.to_dict(orient="records")
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": description,
        "datasets": {"grid": records},
        "params": params,
        "width": "container",
        "height": 260,
        "layer": [
            {"data": {"values": [{"low": band[0], "high": band[1]}]},
             "mark": {"type": "rect", "opacity": 0.15, "color": PALETTE[2]},
             "encoding": {"y": {"field": "low", "type": "quantitative"}, "y2": {"field": "high"}}},
            {"data": {"name": "grid"}, "transform": [{"filter": on_line}], "mark": {"type": "line"},
             "encoding": {"x": encode_x, "y": encode_y}},
            {"data": {"name": "grid"}, "transform": [{"filter": at_point}],
             "mark": {"type": "point", "filled": True, "size": 90, "color": PALETTE[3]},
             "encoding": {"x": encode_x, "y": encode_y,
                          "tooltip": [{"field": x, "type": "quantitative", "format": "$.3f"},
                                      {"field": y, "type": "quantitative", "format": ".2%"}]}},
            {"data": {"values": [{}]},
             "mark": {"type": "rule", "color": PALETTE[1], "strokeDash": [4, 3]},
             "encoding": {"y": {"datum": {"expr": mark_slider[0]}, "type": "quantitative"}}},
            {"data": {"name": "grid"}, "transform": [{"filter": at_point}, {"calculate": readout, "as": "readout"}],
             "mark": {"type": "text", "align": "left", "baseline": "top", "fontSize": 12, "lineBreak": "   ",
                      "x": 0, "y": {"expr": "height + 40"}},
             "encoding": {"text": {"field": "readout", "type": "nominal"}}},
            {"data": {"values": [{}]},
             "mark": {"type": "text", "align": "left", "baseline": "top", "fontSize": 11, "font": "monospace",
                      "lineBreak": "\n", "x": 0, "y": {"expr": "height + 80"}, "text": {"expr": command}}},
        ],
        **theme_config(),
    }  # fmt: skip
    return alt.LayerChart.from_dict(spec, validate=False)


def chart_explorer_bars(
    frame: pd.DataFrame,
    notes: pd.DataFrame,
    category: str,
    value: str,
    sliders: Sequence[tuple[str, str, Sequence[float], float]],
    labels: dict[str, str],
    *,
    description: str,
    x_title: str,
    x_format: str,
    note: str,
    command: str,
) -> alt.TopLevelMixin:
    """Each category's ``value`` as a bar at the sliders' grid point, the chapter's own (the start) as a grey tick.

    ``frame`` has one row per (grid point, category); ``notes`` one row per grid point with a ``note`` column
    of lines separated by ``" · "`` (e.g. each value written out as its key figure is), shown under the chart
    with ``command`` (a Vega expression over the sliders). The tooltip, and so the chart's data table, names
    each row's slider values. The x axis runs over every value of the grid, so it
    holds still while a slider moves. No model runs in the browser: every value is a row of ``frame``.
    """
    fields = [field for _, field, _, _ in sliders]
    _require_columns(frame, "chart_explorer_bars", category, value, *fields)
    _require_columns(notes, "chart_explorer_bars", note, *fields)
    params = _slider_params(sliders, labels)
    at_start = _slider_filter([(str(start), field, grid, start) for _, field, grid, start in sliders])
    order = list(dict.fromkeys(frame[category]))
    domain = [min(0.0, float(frame[value].min())), max(0.0, float(frame[value].max()))]  # "nice" rounds it out
    y = {"field": category, "type": "nominal", "title": None, "sort": order, "axis": {"labelLimit": LABEL_COLUMN_PX}}
    x = {"field": value, "type": "quantitative", "title": axis_title(x_title), "axis": {"format": x_format},
         "scale": {"domain": domain, "nice": True}}  # fmt: skip
    n_lines = int(notes[note].str.count(" · ").max()) + 1 if len(notes) else 1
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": description,
        "datasets": {"grid": frame.to_dict(orient="records"), "notes": notes.to_dict(orient="records")},
        "params": params,
        "width": "container",
        "height": 28 * len(order),
        "layer": [
            {"data": {"name": "grid"}, "transform": [{"filter": _slider_filter(sliders)}],
             "mark": {"type": "bar", "color": PALETTE[0]},
             "encoding": {"y": y, "x": x,
                          "tooltip": [{"field": category, "type": "nominal"},
                                      {"field": value, "type": "quantitative", "title": axis_title(x_title),
                                       "format": x_format},
                                      *[{"field": field, "type": "quantitative", "title": labels[name]}
                                        for name, field, _, _ in sliders]]}},
            {"data": {"name": "grid"}, "transform": [{"filter": at_start}],
             "mark": {"type": "tick", "color": MUTED, "thickness": 2}, "encoding": {"y": y, "x": x}},
            {"data": {"name": "notes"}, "transform": [{"filter": _slider_filter(sliders)}],
             "mark": {"type": "text", "align": "left", "baseline": "top", "fontSize": 11, "lineBreak": " · ",
                      "x": -LABEL_COLUMN_PX, "y": {"expr": "height + 40"}},
             "encoding": {"text": {"field": note, "type": "nominal"}}},
            {"data": {"values": [{}]},
             "mark": {"type": "text", "align": "left", "baseline": "top", "fontSize": 11, "font": "monospace",
                      "lineBreak": "\n", "x": -LABEL_COLUMN_PX, "y": {"expr": f"height + {48 + 16 * n_lines}"},
                      "text": {"expr": command}}},
        ],
        **theme_config(),
    }  # fmt: skip
    return alt.LayerChart.from_dict(spec, validate=False)
