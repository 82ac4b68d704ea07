"""The explorers' chart kinds: sliders (Vega-Lite parameters) over a grid computed at build time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import pandas as pd

from analysis.present.charts.kinds import axis_title, require_columns
from analysis.present.charts.theme import MUTED, PALETTE, theme_config


# --- explorers: sliders over a grid computed at build time -----------------------------------------
def layer_chart(spec: dict[str, Any]) -> alt.LayerChart:
    """The altair chart of a layered Vega-Lite ``spec`` whose data is inline (``data.values`` or ``datasets``).

    ``from_dict`` turns every row of inline data into a schema object, which took 0.76 s for the survival
    explorer's grid and as long again to validate when the chart is shown; the rows are attached afterwards as
    they are, and ``to_dict`` gives the same spec.
    """
    frame = dict(spec)
    data = frame.pop("data", None)
    datasets = frame.pop("datasets", None)
    chart = alt.LayerChart.from_dict(frame, validate=False)
    if data is not None:
        chart.data = alt.InlineData(**data) if "values" in data else alt.Data.from_dict(data)
    if datasets is not None:
        chart.datasets = datasets
    return chart


def slider_filter(sliders: Sequence[tuple[str, str, Sequence[float], float]]) -> str:
    """A Vega expression true on the grid rows at the sliders' values (grid values are rounded to 9 places)."""
    return " && ".join(f"abs(datum['{field}'] - {name}) < 1e-6" for name, field, _, _ in sliders)


def slider_params(
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


# The explorers' category labels take at most this width; the text under the chart starts at their left edge.
LABEL_COLUMN_PX = 120


def command_layer(command: str, x: int, y: str) -> dict[str, Any]:
    """The re-run command under an explorer (``command`` is a Vega expression over the sliders), one argument a
    line, at ``x`` and the Vega expression ``y``."""
    return {"data": {"values": [{}]},
            "mark": {"type": "text", "align": "left", "baseline": "top", "fontSize": 11, "font": "monospace",
                     "lineBreak": "\n", "x": x, "y": {"expr": y}, "text": {"expr": command}}}  # fmt: skip


def notes_and_command(
    notes: pd.DataFrame, note: str, sliders: Sequence[tuple[str, str, Sequence[float], float]], command: str
) -> list[dict[str, Any]]:
    """Under a category explorer: the grid point's ``note`` (lines joined by " · "), then the re-run command."""
    n_lines = int(notes[note].str.count(" · ").max()) + 1 if len(notes) else 1
    return [
        {"data": {"name": "notes"}, "transform": [{"filter": slider_filter(sliders)}],
         "mark": {"type": "text", "align": "left", "baseline": "top", "fontSize": 11, "lineBreak": " · ",
                  "x": -LABEL_COLUMN_PX, "y": {"expr": "height + 40"}},
         "encoding": {"text": {"field": note, "type": "nominal"}}},
        command_layer(command, -LABEL_COLUMN_PX, f"height + {48 + 16 * n_lines}"),
    ]  # fmt: skip


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
    require_columns(frame, "chart_explorer_lines", x, *series, *[field for _, field, _, _ in sliders])
    start_rows = frame
    for _, field, _, start in sliders:
        start_rows = start_rows[(start_rows[field] - start).abs() < 1e-6]
    starts = start_rows[[x, *series]].rename(columns={s: f"{s} (start)" for s in series})
    frame = frame.merge(starts, on=x, how="left")
    params = slider_params(sliders, labels)
    at_start = slider_filter([(str(start), field, grid, start) for _, field, grid, start in sliders])
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
            {"transform": [{"filter": slider_filter(sliders)}, fold], "mark": {"type": "line", "point": True},
             "encoding": {"x": encode_x, "y": encode_y, "color": color,
                          "tooltip": [{"field": "line", "type": "nominal", "title": "line"},
                                      {"field": x, "type": "quantitative", "format": x_format},
                                      {"field": "probability", "type": "quantitative", "format": y_format}]}},
            {"transform": [{"filter": f"{slider_filter(sliders)} && abs(datum['{x}'] - {readout_at}) < 1e-6"},
                           {"calculate": readout, "as": "readout"}],
             "mark": {"type": "text", "align": "left", "baseline": "top", "fontSize": 12, "lineBreak": "   ",
                      "x": 0, "y": {"expr": "height + 40"}},
             "encoding": {"text": {"field": "readout", "type": "nominal"}}},
            command_layer(command, 0, "height + " + str(44 + 16 * (len(series) + 1))),
        ],
        **theme_config(),
    }  # fmt: skip
    return layer_chart(spec)


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
    require_columns(frame, "chart_explorer_intervals", category, value, low, high,
                     *[field for _, field, _, _ in sliders])  # fmt: skip
    require_columns(notes, "chart_explorer_intervals", note, *[field for _, field, _, _ in sliders])
    params = slider_params(sliders, labels)
    at_start = slider_filter([(str(start), field, grid, start) for _, field, grid, start in sliders])
    order = list(dict.fromkeys(frame[category]))
    y = {"field": category, "type": "nominal", "title": None, "sort": order, "axis": {"labelLimit": LABEL_COLUMN_PX}}
    # One domain over the whole grid, so the axis holds still while a slider moves; ticks at powers of ten
    # (and zero), which a symmetric-log axis spaces evenly, so their labels never run together.
    domain = [float(min(frame[low].min(), frame[value].min())), float(max(frame[high].max(), frame[value].max()))]
    ticks = [0.0] + [
        sign * 10.0**k for k in range(0, 7) for sign in (-1, 1) if domain[0] <= sign * 10.0**k <= domain[1]
    ]
    scale = {"type": "symlog", "constant": 1, "domain": domain}
    x = {"field": value, "type": "quantitative", "title": axis_title(x_title), "scale": scale,
         "axis": {"values": sorted(ticks), "format": ",.0f"}}  # fmt: skip
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": description,
        "datasets": {"grid": frame.to_dict(orient="records"), "notes": notes.to_dict(orient="records")},
        "params": params,
        "width": "container",
        "height": 28 * len(order),
        "layer": [
            {"data": {"name": "grid"}, "transform": [{"filter": slider_filter(sliders)}],
             "mark": {"type": "rule", "strokeWidth": 2},
             "encoding": {"y": y, "x": {**x, "field": low}, "x2": {"field": high}}},
            {"data": {"name": "grid"}, "transform": [{"filter": at_start}],
             "mark": {"type": "tick", "color": MUTED, "thickness": 2}, "encoding": {"y": y, "x": x}},
            {"data": {"name": "grid"}, "transform": [{"filter": slider_filter(sliders)}],
             "mark": {"type": "point", "filled": True, "size": 70},
             "encoding": {"y": y, "x": x,
                          "tooltip": [{"field": category, "type": "nominal"},
                                      {"field": value, "type": "quantitative", "format": ".2~r"},
                                      {"field": low, "type": "quantitative", "format": ".2~r"},
                                      {"field": high, "type": "quantitative", "format": ".2~r"}]}},
            *notes_and_command(notes, note, sliders, command),
        ],
        **theme_config(),
    }  # fmt: skip
    return layer_chart(spec)


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
    require_columns(frame, "chart_explorer_breakeven", x, y, line_slider[1], point_slider[1])
    params = slider_params(sliders, labels)
    on_line = slider_filter([line_slider])
    at_point = slider_filter([line_slider, point_slider])
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
            command_layer(command, 0, "height + 80"),
        ],
        **theme_config(),
    }  # fmt: skip
    return layer_chart(spec)


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
    require_columns(frame, "chart_explorer_bars", category, value, *fields)
    require_columns(notes, "chart_explorer_bars", note, *fields)
    params = slider_params(sliders, labels)
    at_start = slider_filter([(str(start), field, grid, start) for _, field, grid, start in sliders])
    order = list(dict.fromkeys(frame[category]))
    domain = [min(0.0, float(frame[value].min())), max(0.0, float(frame[value].max()))]  # "nice" rounds it out
    y = {"field": category, "type": "nominal", "title": None, "sort": order, "axis": {"labelLimit": LABEL_COLUMN_PX}}
    x = {"field": value, "type": "quantitative", "title": axis_title(x_title), "axis": {"format": x_format},
         "scale": {"domain": domain, "nice": True}}  # fmt: skip
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": description,
        "datasets": {"grid": frame.to_dict(orient="records"), "notes": notes.to_dict(orient="records")},
        "params": params,
        "width": "container",
        "height": 28 * len(order),
        "layer": [
            {"data": {"name": "grid"}, "transform": [{"filter": slider_filter(sliders)}],
             "mark": {"type": "bar", "color": PALETTE[0]},
             "encoding": {"y": y, "x": x,
                          "tooltip": [{"field": category, "type": "nominal"},
                                      {"field": value, "type": "quantitative", "title": axis_title(x_title),
                                       "format": x_format},
                                      *[{"field": field, "type": "quantitative", "title": labels[name]}
                                        for name, field, _, _ in sliders]]}},
            {"data": {"name": "grid"}, "transform": [{"filter": at_start}],
             "mark": {"type": "tick", "color": MUTED, "thickness": 2}, "encoding": {"y": y, "x": x}},
            *notes_and_command(notes, note, sliders, command),
        ],
        **theme_config(),
    }  # fmt: skip
    return layer_chart(spec)
