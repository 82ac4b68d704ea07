"""Charts: one altair theme for the whole book, one function per chart kind.

Charts are rendered on the site by Vega-Embed from the site's own copy of the Vega
libraries (see :mod:`analysis.sphinx_site`), never from a CDN: :func:`enable` registers
a renderer whose HTML only calls the global ``vegaEmbed`` once the page has loaded.
Colours come from the Okabe-Ito palette, which stays distinguishable with the common
forms of colour blindness.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Sequence
from typing import Any

import altair as alt
import pandas as pd

THEME_NAME = "genai_report"
RENDERER_NAME = "genai_report_offline"
# Okabe & Ito (2008), "Color Universal Design": safe for deuteranopia, protanopia, tritanopia.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000")
ACCENT = PALETTE[0]
MUTED = "#8a8a8a"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"


def theme_config() -> dict[str, Any]:
    """The book's Vega-Lite config: font, sizes, palette, no chart titles (captions carry them)."""
    return {
        "config": {
            "font": FONT,
            "view": {"stroke": None, "continuousWidth": 560, "continuousHeight": 300},
            "axis": {
                "labelFontSize": 12,
                "titleFontSize": 12,
                "titleFontWeight": "normal",
                "gridColor": "#e6e6e6",
            },
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom"},
            "range": {"category": list(PALETTE)},
            "mark": {"color": ACCENT},
            "title": {"fontSize": 13, "anchor": "start"},
        }
    }


def _chart_html(spec: dict[str, Any]) -> str:
    """HTML for one chart: a container and a module script that embeds it after page load."""
    payload = json.dumps(spec, sort_keys=True, separators=(",", ":"))
    chart_id = "vega-" + hashlib.sha256(payload.encode()).hexdigest()[:12]
    description = html.escape(str(spec.get("description", "Chart")), quote=True)
    # "</" must not appear inside a script element.
    safe_payload = payload.replace("</", "<\\/")
    return (
        f'<div class="vega-chart" id="{chart_id}" role="figure" aria-label="{description}"></div>\n'
        f'<script type="module">\n'
        f'const el = document.getElementById("{chart_id}");\n'
        f"window.vegaEmbed(el, {safe_payload}, "
        f'{{"actions": false, "renderer": "svg"}}).catch((err) => {{ el.textContent = "Chart failed: " + err; '
        f"console.error(err); }});\n"
        f"</script>"
    )


def _renderer(spec: dict[str, Any], **_: Any) -> dict[str, Any]:
    return {"text/html": _chart_html(spec), "text/plain": str(spec.get("description", "<chart>"))}


_SPEC_IN_HTML = re.compile(r"window\.vegaEmbed\(el, (\{.*\}), \{\"actions\"", re.S)


def spec_from_chart_html(chart_html: str) -> dict[str, Any] | None:
    """The Vega-Lite spec inside a chart's HTML (as written by this module), or None if it has none.

    Re-runs and downloads use it to write the chart as JSON, SVG and PNG.

    Examples
    --------
    >>> spec_from_chart_html(_chart_html({"mark": "bar", "description": "x </b>"}))["description"]
    'x </b>'
    """
    match = _SPEC_IN_HTML.search(chart_html)
    if not match:
        return None
    return json.loads(match.group(1).replace("<\\/", "</"))


def enable() -> None:
    """Register and enable the book's theme and offline renderer (call once per notebook)."""
    alt.theme.register(THEME_NAME, enable=True)(theme_config)
    alt.renderers.register(RENDERER_NAME, _renderer)
    alt.renderers.enable(RENDERER_NAME)


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
) -> alt.Chart:
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
    y = alt.Y(f"{category}:N", sort=sort, title=None)
    tooltip = [
        alt.Tooltip(f"{category}:N"),
        alt.Tooltip(f"{low}:Q", format=x_format, title="low"),
        alt.Tooltip(f"{high}:Q", format=x_format, title="high"),
    ]
    if point:
        tooltip.insert(1, alt.Tooltip(f"{point}:Q", format=x_format, title="base"))
    tooltip += [alt.Tooltip(f"{c}:Q", title=t, format=f) for c, t, f in tooltip_fields]
    base = alt.Chart(frame)
    bars = base.mark_bar(height=14, cornerRadius=3, opacity=0.85).encode(
        x=alt.X(f"{low}:Q", title=x_title, axis=alt.Axis(format=x_format), scale=scale),
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
    return alt.layer(*layers).properties(description=description, height=alt.Step(26))


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
) -> alt.LayerChart:
    """Labelled points, one per row: e.g. each strategy's margin against its revenue volatility."""
    _require_columns(frame, "chart_scatter", x, y, label)
    # Room on the right for the labels of the right-most points.
    x_max = float(frame[x].max())
    x_domain = [min(0.0, float(frame[x].min())), x_max * 1.35 if x_max > 0 else 1.0]
    base = alt.Chart(frame).encode(
        x=alt.X(f"{x}:Q", title=x_title, axis=alt.Axis(format=x_format), scale=alt.Scale(domain=x_domain)),
        y=alt.Y(f"{y}:Q", title=y_title, axis=alt.Axis(format=y_format)),
        tooltip=[
            alt.Tooltip(f"{label}:N"),
            alt.Tooltip(f"{x}:Q", title=x_title, format=x_format),
            alt.Tooltip(f"{y}:Q", title=y_title, format=y_format),
        ],
    )
    points = base.mark_point(size=110, filled=True).encode(color=alt.Color(f"{label}:N", legend=None))
    labels = base.mark_text(align="left", dx=8, dy=-6, fontSize=12).encode(text=f"{label}:N")
    return alt.layer(points, labels).properties(description=description)


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
) -> alt.LayerChart:
    """Lines of ``y`` against ``x``, one per ``series``, with an optional horizontal band (e.g. 2-5%)."""
    _require_columns(frame, "chart_lines", x, y, series)
    scale = alt.Scale(type="log") if x_log else alt.Scale(zero=False)
    lines = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X(f"{x}:Q", title=x_title, axis=alt.Axis(format=x_format), scale=scale),
            y=alt.Y(f"{y}:Q", title=y_title, axis=alt.Axis(format=y_format)),
            color=alt.Color(f"{series}:N", title=None),
            tooltip=[
                alt.Tooltip(f"{series}:N"),
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
    return alt.layer(*layers).properties(description=description)


def chart_fan(
    frame: pd.DataFrame, x: str, bands: Sequence[tuple[str, str]], median: str, *, description: str, x_title: str,
    y_title: str, y_format: str = "$,.0f", reference_value: float | None = 0.0,
) -> alt.LayerChart:  # fmt: skip
    """A fan chart: nested quantile bands (outermost first) around a median line."""
    _require_columns(frame, "chart_fan", x, median, *[c for band in bands for c in band])
    base = alt.Chart(frame)
    x_enc = alt.X(f"{x}:Q", title=x_title, axis=alt.Axis(format="d", tickMinStep=1), scale=alt.Scale(zero=False))
    layers: list[alt.Chart] = []
    for i, (low, high) in enumerate(bands):
        layers.append(
            base.mark_area(opacity=0.18 + 0.17 * i, color=ACCENT).encode(
                x=x_enc,
                y=alt.Y(f"{low}:Q", title=y_title, axis=alt.Axis(format=y_format)),
                y2=f"{high}:Q",
                tooltip=[alt.Tooltip(f"{x}:Q"), alt.Tooltip(f"{low}:Q", format=y_format),
                         alt.Tooltip(f"{high}:Q", format=y_format)],
            )
        )  # fmt: skip
    layers.append(
        base.mark_line(color=PALETTE[7], point=True).encode(
            x=x_enc, y=f"{median}:Q", tooltip=[alt.Tooltip(f"{x}:Q"), alt.Tooltip(f"{median}:Q", format=y_format)]
        )
    )
    if reference_value is not None:
        layers.append(
            alt.Chart(pd.DataFrame({"reference": [reference_value]}))
            .mark_rule(strokeDash=[4, 4], color=PALETTE[3])
            .encode(y="reference:Q")
        )
    return alt.layer(*layers).properties(description=description)


def chart_tornado(
    frame: pd.DataFrame, label: str, low: str, high: str, base_value: float, *, description: str, x_title: str,
    x_format: str = "$,.0f",
) -> alt.LayerChart:  # fmt: skip
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
            y=alt.Y(f"{label}:N", sort=order, title=None, axis=alt.Axis(labelLimit=320)),
            x=alt.X("outcome:Q", title=x_title, axis=alt.Axis(format=x_format), scale=alt.Scale(domain=domain)),
            x2=alt.X2("base:Q"),
            color=alt.Color("end:N", title=None, scale=alt.Scale(range=[PALETTE[3], PALETTE[0]])),
            tooltip=[alt.Tooltip(f"{label}:N"), alt.Tooltip("end:N"), alt.Tooltip("outcome:Q", format=x_format)],
        )
        .transform_calculate(base=str(float(base_value)))
    )
    rule = alt.Chart(pd.DataFrame({"base": [base_value]})).mark_rule(color=PALETTE[7]).encode(x="base:Q")
    return alt.layer(bars, rule).properties(description=description, height=alt.Step(22), width=420)
