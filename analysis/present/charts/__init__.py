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

# The package's API: import from here (``from analysis.present import charts``).
from analysis.present.charts.explorers import (
    LABEL_COLUMN_PX,
    chart_explorer_bars,
    chart_explorer_breakeven,
    chart_explorer_intervals,
    chart_explorer_lines,
    slider_filter,
    slider_params,
)
from analysis.present.charts.kinds import (
    CATEGORY_AXIS,
    LABEL_LIMIT,
    TITLE_CHARACTERS,
    WRAPPED_LABEL,
    axis_title,
    chart_fan,
    chart_lines,
    chart_ranges,
    chart_scatter,
    chart_tornado,
    require_columns,
)
from analysis.present.charts.table import (
    chart_table,
    field_title,
    format_d3,
    humanize,
    title_text,
)
from analysis.present.charts.theme import (
    ACCENT,
    CHART_MIME,
    FONT,
    INK,
    MUTED,
    PALETTE,
    RENDERER_NAME,
    STATIC_WIDTH_PX,
    THEME_NAME,
    ReportChart,
    ShownChart,
    chart_html,
    enable,
    renderer,
    static_svg,
    theme_config,
)

__all__ = [
    "ACCENT",
    "CATEGORY_AXIS",
    "CHART_MIME",
    "FONT",
    "INK",
    "LABEL_COLUMN_PX",
    "LABEL_LIMIT",
    "MUTED",
    "PALETTE",
    "RENDERER_NAME",
    "ReportChart",
    "STATIC_WIDTH_PX",
    "ShownChart",
    "THEME_NAME",
    "TITLE_CHARACTERS",
    "WRAPPED_LABEL",
    "axis_title",
    "chart_explorer_bars",
    "chart_explorer_breakeven",
    "chart_explorer_intervals",
    "chart_explorer_lines",
    "chart_fan",
    "chart_html",
    "chart_lines",
    "chart_ranges",
    "chart_scatter",
    "chart_table",
    "chart_tornado",
    "enable",
    "field_title",
    "format_d3",
    "humanize",
    "renderer",
    "require_columns",
    "slider_filter",
    "slider_params",
    "static_svg",
    "theme_config",
    "title_text",
]
