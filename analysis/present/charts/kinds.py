"""One function per chart kind: ranges, scatter, lines, fan, tornado."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import altair as alt
import pandas as pd

from analysis.present.charts.table import field_title
from analysis.present.charts.theme import ACCENT, PALETTE, ReportChart

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


def require_columns(frame: pd.DataFrame, chart: str, *columns: str | None) -> None:
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
    require_columns(frame, "chart_ranges", category, low, high, point)
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
    require_columns(frame, "chart_scatter", x, y, label)
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
    # Points in the right half are labelled below and to their left, so no label runs past a phone's edge or
    # onto the label of a point at the same height on the left (at 390 px the two run into each other).
    right_half = f"datum['{x}'] > {x_domain[1] / 2!r}"
    labels_right = base.transform_filter(f"!({right_half})").mark_text(align="left", dx=8, dy=-6, fontSize=12)
    labels_left = base.transform_filter(right_half).mark_text(align="right", dx=-8, dy=12, fontSize=12)
    labels = [layer.encode(text=f"{label}:N") for layer in (labels_right, labels_left)]
    return alt.layer(points, *labels).properties(description=description, width="container")


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
    require_columns(frame, "chart_lines", x, y, series)
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
    require_columns(frame, "chart_fan", x, median, *[c for band in bands for c in band])
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
    require_columns(frame, "chart_tornado", label, low, high)
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
