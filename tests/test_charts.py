"""Charts: valid Vega-Lite, the book's theme, offline-safe HTML."""

from __future__ import annotations

import altair as alt
import pandas as pd
import pytest

from analysis import charts

FRAME = pd.DataFrame({"model": ["A", "B"], "low": [0.3, 0.4], "mid": [0.45, 0.55], "high": [0.6, 0.7]})


def test_range_chart_validates_against_the_schema():
    chart = charts.chart_ranges(FRAME, "model", "low", "high", point="mid", x_title="Margin",
                                description="Margins", reference_value=0.5)  # fmt: skip
    spec = chart.to_dict(validate=True)
    assert spec["description"] == "Margins"
    assert len(spec["layer"]) == 3


def test_range_chart_names_missing_columns():
    with pytest.raises(KeyError, match=r"columns \['nope'\] not in the data"):
        charts.chart_ranges(FRAME, "model", "nope", "high", x_title="x", description="d")


def test_theme_uses_colour_blind_safe_palette():
    charts.enable()
    assert alt.theme.active == charts.THEME_NAME
    config = charts.theme_config()["config"]
    assert config["range"]["category"][:3] == ["#0072B2", "#E69F00", "#009E73"]


def test_renderer_html_loads_nothing_and_escapes():
    """The chart HTML calls the site's vegaEmbed, fetches no script, and cannot close its own script tag."""
    html = charts._chart_html({"description": 'a "quoted" <b>', "data": {"values": [{"x": "</script>"}]}})
    assert "src=" not in html and "http" not in html
    assert "</script>" not in html.split("<script", 1)[1][: -len("</script>")]
    assert 'aria-label="a &quot;quoted&quot; &lt;b&gt;"' in html
    assert "window.vegaEmbed" in html


def test_chart_ids_are_stable():
    spec = {"description": "x", "mark": "bar"}
    assert charts._chart_html(spec) == charts._chart_html(dict(spec))
