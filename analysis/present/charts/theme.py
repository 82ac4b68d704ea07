"""The book's one altair theme and palette, and the offline renderer: each chart's HTML holds a static SVG and
its Vega-Lite spec."""

from __future__ import annotations

import hashlib
import html
import json
import math
import re
from typing import Any, cast

import altair as alt

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


def chart_html(spec: dict[str, Any], payload: str | None = None) -> str:
    """HTML for one chart: a container with a static SVG and the spec as JSON, and no script of its own.

    The site's ``report.js`` (a classic script, see :mod:`analysis.pipeline.sphinx_site`) draws the live chart
    into ``.vega-live`` and hides the static SVG; without JavaScript, or in print, the SVG is the chart.
    ``payload`` is the spec's JSON from :func:`spec_json`, if the caller has it.
    """
    if payload is None:
        spec, payload = spec_json(spec)
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


def renderer(spec: dict[str, Any], **_: Any) -> dict[str, Any]:
    spec, payload = spec_json(spec)
    return {"text/html": chart_html(spec, payload), CHART_MIME: spec,
            "text/plain": str(spec.get("description", "<chart>"))}  # fmt: skip


def spec_json(spec: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """``spec`` as compact JSON a browser can parse, and the spec that JSON is of: every infinite or NaN number
    null, which Vega reads as a missing value (a spec without one is returned as it is).

    JSON has no infinity: a grid value no conversion reaches (an infinite break-even) was written ``Infinity``, the
    page's script could not parse the spec, and no live chart was drawn.

    Examples
    --------
    >>> spec, payload = spec_json({"data": {"values": [{"x": float("inf")}, {"x": 1.5}, {"x": float("nan")}]}})
    >>> spec
    {'data': {'values': [{'x': None}, {'x': 1.5}, {'x': None}]}}
    >>> payload
    '{"data":{"values":[{"x":null},{"x":1.5},{"x":null}]}}'
    """
    try:
        return spec, json.dumps(spec, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except ValueError:
        spec = dict(_finite_or_null(spec))
        return spec, json.dumps(spec, sort_keys=True, separators=(",", ":"), allow_nan=False)


def _finite_or_null(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite_or_null(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite_or_null(item) for item in value]
    return value


class ShownChart:
    """A chart shown (glued) by the active renderer without altair validating its spec a second time.

    altair validates a chart's whole spec, data included, each time it is shown: 0.2-0.3 s for an explorer's
    grid. Every chart kind's spec is validated against the Vega-Lite schema in the tests, and so is every
    chart of the built book; the bundle is otherwise the one altair's own ``_repr_mimebundle_`` returns.
    """

    def __init__(self, chart: alt.TopLevelMixin):
        self.chart = chart

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        chart, datasets = self.chart, getattr(self.chart, "datasets", None)
        if isinstance(datasets, dict):
            # An explorer's grid rows (plain records, see charts.explorers.layer_chart) go into the spec as they
            # are: to_dict would walk every row of them (0.17 s for the business-model explorer's grid).
            chart = cast(Any, chart).copy(deep=False)  # a new top level; the caller's chart keeps its rows
            chart.datasets = alt.Undefined
        spec = chart.to_dict(validate=False, context={"pre_transform": False})
        if isinstance(datasets, dict):
            spec["datasets"] = {**datasets, **spec.get("datasets", {})}
        render = alt.renderers.get()
        bundle = render(spec) if render is not None else None
        return bundle if isinstance(bundle, dict) else {}


def enable() -> None:
    """Register and enable the book's theme and offline renderer (call once per notebook)."""
    alt.theme.register(THEME_NAME, enable=True)(theme_config)
    alt.renderers.register(RENDERER_NAME, renderer)
    alt.renderers.enable(RENDERER_NAME)


# Long category labels wrap onto lines of about 22 characters (11 px) and take at most 40% of the chart's
