"""Charts: valid Vega-Lite, the book's theme, HTML that renders offline, from file:// and on a phone."""

from __future__ import annotations

import json
import re

import altair as alt
import pandas as pd
import pytest

from analysis.present import charts

FRAME = pd.DataFrame({"model": ["A", "</script>"], "low": [0.3, 0.4], "mid": [0.45, 0.55], "high": [0.6, 0.7]})
LINES = pd.DataFrame({"x": [1, 2, 1, 2], "y": [0.1, 0.2, 0.3, 0.4], "s": ["a", "a", "cash lasts", "cash lasts"]})


def _range_chart(description: str = "Margins") -> alt.LayerChart:
    return charts.chart_ranges(FRAME, "model", "low", "high", point="mid", x_title="Margin",
                               description=description, reference_value=0.5)  # fmt: skip


def test_range_chart_validates_against_the_schema():
    spec = _range_chart().to_dict(validate=True)
    assert spec["description"] == "Margins"
    assert len(spec["layer"]) == 3


def test_range_chart_names_missing_columns():
    with pytest.raises(KeyError, match=r"columns \['nope'\] not in the data"):
        charts.chart_ranges(FRAME, "model", "nope", "high", x_title="x", description="d")


def _colours(spec: object) -> set[str]:
    """Every colour a chart's spec names: mark, axis, legend and text colours and the colours of its scales."""
    found: set[str] = set()
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key.lower().endswith(("color", "fill", "stroke")) and isinstance(value, str):
                found.add(value)
            elif key in ("range", "category") and isinstance(value, list):
                found |= {v for v in value if isinstance(v, str) and v.startswith("#")}
            found |= _colours(value)
    elif isinstance(spec, list):
        for value in spec:
            found |= _colours(value)
    return found


# Every chart kind of analysis.present.charts, built from the small frames above.
every_chart_kind = pytest.mark.parametrize(
    "chart",
    [
        lambda: _range_chart(),
        lambda: charts.chart_scatter(FRAME, "low", "high", "model", description="d", x_title="x", y_title="y"),
        lambda: charts.chart_lines(LINES, "x", "y", "s", description="d", x_title="x", y_title="y"),
        lambda: charts.chart_fan(FRAME.assign(year=[2025, 2026]), "year", [("low", "high")], "mid", description="d",
                                 x_title="Year", y_title="y"),
        lambda: charts.chart_tornado(FRAME, "model", "low", "high", 0.5, description="d", x_title="x"),
    ],
    ids=["ranges", "scatter", "lines", "fan", "tornado"],
)  # fmt: skip


@every_chart_kind
def test_every_colour_of_every_chart_comes_from_the_theme(chart):
    """Colours only from the theme: the Okabe-Ito palette (distinguishable with colour-vision deficiencies), the
    muted grey, the ink of the text and the grid's grey; a colour typed into a chart function fails here."""
    charts.enable()
    colours = _colours(chart().to_dict(validate=True))
    allowed = {*charts.PALETTE, charts.MUTED, charts.INK, charts.theme_config()["config"]["axis"]["gridColor"]}
    assert colours and colours <= allowed, colours - allowed
    assert set(charts.PALETTE) <= colours  # the theme's category range, which every series colour is taken from


@every_chart_kind
def test_every_chart_kind_fills_the_width_of_its_container(chart):
    """Issue 11: width "container" with the whole chart (axes, legend) fitted to it, so a phone shows all of it."""
    charts.enable()
    spec = chart().to_dict(validate=True)
    assert spec["width"] == "container"
    assert spec["config"]["autosize"] == {"type": "fit-x", "contains": "padding"}


@pytest.mark.parametrize("kind", ["ranges", "scatter", "lines", "fan", "tornado"])
def test_tooltips_and_the_data_table_speak_words_not_field_names(kind):
    """Issue 11, item 12: every tooltip has a title (no 'business_model'), and the chart's data table has
    worded headings and numbers formatted as the chart formats them."""
    frame = FRAME.rename(columns={"model": "business_model"}).assign(year=[2025, 2026], q05=[0.1, 0.2])
    chart = {
        "ranges": lambda: charts.chart_ranges(frame, "business_model", "low", "high", point="mid", x_title="Margin",
                                              description="d"),
        "scatter": lambda: charts.chart_scatter(frame, "low", "high", "business_model", description="d",
                                                x_title="Low", y_title="High"),
        "lines": lambda: charts.chart_lines(frame, "year", "low", "business_model", description="d", x_title="Year",
                                            y_title="Low"),
        "fan": lambda: charts.chart_fan(frame, "year", [("q05", "high")], "mid", description="d", x_title="Year",
                                        y_title="Cash"),
        "tornado": lambda: charts.chart_tornado(frame, "business_model", "low", "high", 0.5, description="d",
                                                x_title="Cash"),
    }[kind]().to_dict()  # fmt: skip
    tooltips = [t for layer in chart["layer"] for t in layer.get("encoding", {}).get("tooltip", [])]
    assert tooltips and all(t.get("title") and "_" not in t["title"] for t in tooltips), tooltips
    headers, rows = charts.chart_table(chart)
    assert headers and all("_" not in h for h in headers) and rows, headers


def test_legends_stack_one_entry_a_line_and_are_never_cut_short():
    """Issue 11: 'cash lasts without new c...' was truncated at 160 px; the legend is vertical with no label limit."""
    legend = charts.theme_config()["config"]["legend"]
    assert (legend["orient"], legend["direction"], legend["labelLimit"]) == ("bottom", "vertical", 0)


def test_long_axis_titles_and_category_labels_wrap():
    """A title longer than 34 characters is split into lines; category labels wrap at about 22 characters."""
    assert charts.axis_title("Cash at the end of 2032 without new capital (USD bn)") == [
        "Cash at the end of 2032 without",
        "new capital (USD bn)",
    ]
    assert charts.axis_title("Year") == "Year"
    axis = _range_chart().to_dict()["layer"][0]["encoding"]["y"]["axis"]
    assert "{1,22}" in axis["labelExpr"] and "containerSize()" in axis["labelLimit"]["expr"]


def test_chart_html_holds_a_static_svg_and_inert_json_but_no_script_to_run():
    """Issue 11: no module and no inline code (refused from file://), a static SVG for readers without
    JavaScript, and the spec as JSON that cannot close its own element."""
    charts.enable()
    spec = _range_chart('a "quoted" <b>').to_dict()
    chart_html = charts.chart_html(spec)
    assert re.findall(r"<script\b[^>]*>", chart_html) == ['<script type="application/json" class="vega-spec">']
    assert chart_html.count("</script>") == 1
    assert "src=" not in chart_html and 'type="module"' not in chart_html and "vegaEmbed" not in chart_html
    assert 'aria-label="a &quot;quoted&quot; &lt;b&gt;"' in chart_html
    static = re.search(r'<div class="vega-static">(<svg.*?</svg>)</div>', chart_html, re.S)
    assert static and 'style="max-width:640px;width:100%;height:auto"' in static.group(1)
    # The live chart's spec is inert JSON in the page, which report.js reads ("</" escaped so it cannot end the script).
    inert = re.search(r'<script type="application/json" class="vega-spec">(.*?)</script>', chart_html, re.S)
    assert inert and json.loads(inert.group(1).replace("<\\/", "</")) == spec


def test_static_svgs_of_two_charts_share_no_id():
    """Ids inside a static SVG are prefixed with the chart's id, so two charts on a page never clash."""
    clipped = {"mark": {"type": "bar", "clip": True}, "width": 100, "data": {"values": [{"x": 1}]},
               "encoding": {"x": {"field": "x", "type": "quantitative"}}}  # fmt: skip
    svg = charts.static_svg(clipped, "vega-abc")
    ids = re.findall(r'\bid="([^"]+)"', svg)
    assert ids and all(i.startswith("vega-abc-") for i in ids)
    assert all(ref.startswith("vega-abc-") for ref in re.findall(r"url\(#([^)]+)\)", svg))


def test_a_chart_id_is_a_digest_of_its_spec_whatever_the_key_order():
    """The same spec with its keys in another order has the same id (so a rebuild changes no page); a spec that
    differs in one value has another id (so two charts on a page never share one)."""
    spec = {"description": "x", "mark": "bar", "data": {"values": [{"x": 1}]}}
    reordered = {"data": {"values": [{"x": 1}]}, "mark": "bar", "description": "x"}
    ids = [re.search(r'id="(vega-[0-9a-f]{12})"', charts.chart_html(s)).group(1)
           for s in (spec, reordered, {**spec, "description": "y"}, {**spec, "data": {"values": [{"x": 2}]}})]  # fmt: skip
    assert ids[0] == ids[1] and len(set(ids)) == 3


def test_explorer_bars_validate_hold_their_axis_still_and_name_the_sliders_in_the_data_table():
    """Issue 12: the deflation explorer's chart kind validates against the schema, fits its container, keeps one x
    domain over the whole grid (-40% to 70%, so a bar does not rescale as a slider moves), and its data table
    gives every row its slider value under the slider's label; a missing column is named."""
    frame = pd.DataFrame({"s": ["A", "B", "A", "B"], "m": [0.5, 0.6, -0.4, 0.7], "r": [0.2, 0.2, 0.25, 0.25]})
    notes = pd.DataFrame({"r": [0.2, 0.25], "note": ["A: 50% · B: 60%", "A: -40% · B: 70%"]})
    sliders = [("r", "r", (0.2, 0.25), 0.2)]
    charts.enable()
    spec = charts.chart_explorer_bars(frame, notes, "s", "m", sliders, {"r": "Rate"}, description="d",
                                      x_title="Margin", x_format=".0%", note="note", command="'x'").to_dict(validate=True)  # fmt: skip
    assert spec["width"] == "container" and spec["params"][0]["value"] == 0.2
    assert spec["layer"][0]["encoding"]["x"]["scale"]["domain"] == [-0.4, 0.7]
    assert charts.chart_table(spec) == (["S", "Margin", "Rate"], [["A", "50%", "0.2"], ["B", "60%", "0.2"],
                                                                   ["A", "-40%", "0.25"], ["B", "70%", "0.25"]])  # fmt: skip
    with pytest.raises(KeyError, match=r"chart_explorer_bars: columns \['note'\] not in the data"):
        charts.chart_explorer_bars(frame, notes.drop(columns="note"), "s", "m", sliders, {"r": "Rate"},
                                   description="d", x_title="M", x_format=".0%", note="note", command="'x'")  # fmt: skip


def test_chart_files_rasterise_the_svg_into_the_png_vl_convert_would_draw(tmp_path):
    """The PNG is the exported SVG rasterised: the same bytes as vl-convert drawing the titled spec itself."""
    import vl_convert

    from analysis.pipeline.artifacts import ChartFile, titled_spec, write_charts

    first = _range_chart().to_dict()
    second = _range_chart("Other margins").to_dict()
    paths = write_charts([ChartFile(first, tmp_path / "fig-a", ["Figure 1.1. Margins"], ["Source: test"]),
                          ChartFile(second, tmp_path / "fig-b")])  # fmt: skip
    assert [p.name for p in paths] == ["fig-a.vl.json", "fig-a.svg", "fig-a.png", "fig-a-data.csv",
                                       "fig-b.vl.json", "fig-b.svg", "fig-b.png", "fig-b-data.csv"]  # fmt: skip
    titled = titled_spec(first, ["Figure 1.1. Margins"], ["Source: test"])
    assert (tmp_path / "fig-a.png").read_bytes() == vl_convert.vegalite_to_png(titled, scale=2)
    assert "Figure 1.1. Margins" in (tmp_path / "fig-a.svg").read_text()
    assert json.loads((tmp_path / "fig-b.vl.json").read_text()) == second


def test_a_png_that_cannot_be_written_fails_the_export_rather_than_vanish_in_the_pool(tmp_path):
    from analysis.pipeline.artifacts import ChartFile, write_charts

    (tmp_path / "fig-a.png").mkdir()  # the rasterising thread cannot write its file
    with pytest.raises(IsADirectoryError, match="fig-a.png"):
        write_charts([ChartFile(_range_chart().to_dict(), tmp_path / "fig-a")])


def test_an_explorer_chart_with_its_rows_attached_afterwards_is_the_chart_from_dict_would_build():
    from analysis.present.charts.explorers import layer_chart

    rows = [{"x": i, "y": i / 10, "s": "a" if i % 2 else "b"} for i in range(50)]
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "data": {"values": rows},
        "datasets": {"notes": [{"note": "one"}]},
        "params": [{"name": "p", "value": 1, "bind": {"input": "range", "min": 0, "max": 2, "step": 1}}],
        "layer": [
            {"mark": "line", "encoding": {"x": {"field": "x", "type": "quantitative"},
                                          "y": {"field": "y", "type": "quantitative"}}},
            {"data": {"name": "notes"}, "mark": "text", "encoding": {"text": {"field": "note", "type": "nominal"}}},
        ],
    }  # fmt: skip
    built = layer_chart(spec).to_dict()
    assert built == alt.LayerChart.from_dict(spec, validate=False).to_dict()
    assert [r for d in built["datasets"].values() for r in d if "y" in r] == rows
    assert spec["data"] == {"values": rows}  # the caller's spec is left as it was


def test_a_shown_chart_is_the_bundle_altair_would_show_without_validating_again():
    from analysis.present.charts import ShownChart

    charts.enable()
    chart = _range_chart()
    assert ShownChart(chart)._repr_mimebundle_() == chart._repr_mimebundle_()
    assert "vega-static" in ShownChart(chart)._repr_mimebundle_()["text/html"]


def test_an_explorer_is_shown_with_its_grid_rows_as_altair_would_show_them():
    """ShownChart puts an explorer's grid rows into the spec without to_dict walking them: the same bundle."""
    from analysis.present.charts import ShownChart
    from analysis.present.charts.explorers import layer_chart

    charts.enable()
    rows = [{"x": float(i), "y": i / 10} for i in range(40)]
    spec = {"datasets": {"grid": rows},
            "layer": [{"data": {"name": "grid"}, "mark": "line",
                       "encoding": {"x": {"field": "x", "type": "quantitative"},
                                    "y": {"field": "y", "type": "quantitative"}}},
                      {"data": {"values": [{}]}, "mark": {"type": "text", "text": "note"}}]}  # fmt: skip
    chart = layer_chart(spec)
    shown = ShownChart(chart)._repr_mimebundle_()
    assert shown == chart._repr_mimebundle_()
    assert shown[charts.CHART_MIME]["datasets"]["grid"] == rows
    assert chart.datasets == {"grid": rows}  # the chart keeps its rows


def test_a_chart_with_an_infinite_value_carries_json_a_browser_can_parse():
    """A break-even no conversion reaches is infinite: the spec in the page read 'Infinity', which JSON.parse
    refuses, so the page's script drew no live chart (seen in Chromium on a run's page). It is null now."""
    from analysis.present.charts.theme import renderer

    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")

    # The explorers attach their grid as records (altair sanitises a DataFrame, not records).
    rows = [{"x": 1.0, "y": 0.1}, {"x": 2.0, "y": float("inf")}, {"x": 3.0, "y": float("nan")}]
    spec = {"data": {"values": rows}, "mark": "line",
            "encoding": {"x": {"field": "x", "type": "quantitative"}, "y": {"field": "y", "type": "quantitative"}}}  # fmt: skip
    bundle = renderer(spec)
    payload = re.search(r'<script type="application/json" class="vega-spec">(.*?)</script>', bundle["text/html"])
    parsed = json.loads(payload.group(1), parse_constant=refuse)
    assert [row["y"] for row in parsed["data"]["values"]] == [0.1, None, None]
    assert json.loads(json.dumps(bundle[charts.CHART_MIME]), parse_constant=refuse) == parsed
    assert rows[1]["y"] == float("inf")  # the caller's records are left as they were
