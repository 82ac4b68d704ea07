"""What an executed chapter notebook holds: its key figures, its tables and its charts.

Notebooks glue every table (with its cells under :data:`analysis.present.common.TABLE_MIME`) and
chart (HTML carrying its Vega-Lite spec) and emit their key figures as one JSON output. This
module reads them back, so re-runs and the site's downloads are written from exactly what
the notebook computed.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ChapterOutputs:
    """Key figures, parameters, tables and chart specs of one executed notebook."""

    chapter: str
    parameters: dict[str, Any]
    key_figures: list[dict[str, Any]]
    tables: dict[str, dict[str, Any]]
    charts: dict[str, dict[str, Any]]
    # The key findings the chapter opens with: key figure id, anchor, sentence, and whether it leads the report.
    findings: list[dict[str, Any]] = field(default_factory=list)


def read_outputs(path: Path | str) -> ChapterOutputs:
    """Read the glued tables and charts and the emitted key figures of an executed notebook."""
    # Imported here: the command line checks its input before it pays for the presentation layer.
    import nbformat

    from analysis.present.charts import CHART_MIME
    from analysis.present.common import KEY_FIGURES_MIME, TABLE_MIME

    notebook = nbformat.read(str(path), as_version=4)
    tables: dict[str, dict[str, Any]] = {}
    charts: dict[str, dict[str, Any]] = {}
    emitted: dict[str, Any] | None = None
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if KEY_FIGURES_MIME in data:
                emitted = data[KEY_FIGURES_MIME]
            scrapbook = output.get("metadata", {}).get("scrapbook", {})
            glue_key = scrapbook.get("name")
            if not glue_key:
                continue
            # glue stores its mime types under a prefix.
            prefix = scrapbook.get("mime_prefix", "")
            data = {k.removeprefix(prefix): v for k, v in data.items()}
            if TABLE_MIME in data:
                tables[glue_key] = data[TABLE_MIME]
            elif CHART_MIME in data:
                charts[glue_key] = data[CHART_MIME]
    if emitted is None:
        raise ValueError(f"{path}: the notebook emitted no key figures (its chapter's emit_key_figures was not called)")
    return ChapterOutputs(
        chapter=emitted["chapter"],
        parameters=emitted["parameters"],
        key_figures=emitted["figures"],
        tables=tables,
        charts=charts,
        findings=emitted.get("findings", []),
    )


_FIGURE_BLOCK = re.compile(r"```\{glue:figure\} (\S+)\n:name: (\S+)")
_TABLE_BLOCK = re.compile(r"```\{glue:md\} (\S+)\n:format: myst")
_FIGURE_CAPTION = re.compile(r"```\{glue:figure\} (\S+)\n:name: (\S+)\n\n(.*?)\n```", re.S)
_ROLE = re.compile(r"\{([\w:]+)\}`([^`]+)`")


def numbering(notebook: Any, outputs: ChapterOutputs, chapter_number: int) -> dict[str, str]:
    """Anchor -> 'Table 2.1' / 'Figure 2.1', numbered as the book numbers them (order of appearance).

    Examples
    --------
    >>> import nbformat
    >>> source = "```{glue:md} pr_a\\n:format: myst\\n```\\n\\n```{glue:figure} pr_b\\n:name: fig-b\\n\\nB\\n```"
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(source)])
    >>> outputs = ChapterOutputs("pricing", {}, [], {"pr_a": {"name": "tbl-a"}}, {})
    >>> numbering(nb, outputs, 2)
    {'tbl-a': 'Table 2.1', 'fig-b': 'Figure 2.1'}
    """
    labels: dict[str, str] = {}
    counts = {"Table": 0, "Figure": 0}
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        found = [(m.start(), "Figure", m.group(2)) for m in _FIGURE_BLOCK.finditer(cell.source)]
        found += [
            (m.start(), "Table", outputs.tables[m.group(1)]["name"])
            for m in _TABLE_BLOCK.finditer(cell.source)
            if m.group(1) in outputs.tables
        ]
        for _, kind, anchor in sorted(found):
            counts[kind] += 1
            labels[anchor] = f"{kind} {chapter_number}.{counts[kind]}"
    return labels


def glued_text(notebook: Any) -> dict[str, str]:
    """Glue key -> the Markdown (or plain text) glued under it in an executed notebook."""
    glued: dict[str, str] = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            scrapbook = output.get("metadata", {}).get("scrapbook", {})
            if scrapbook.get("name"):
                prefix = scrapbook.get("mime_prefix", "")
                data = {k.removeprefix(prefix): v for k, v in output.get("data", {}).items()}
                glued[scrapbook["name"]] = str(data.get("text/markdown") or data.get("text/plain") or "")
    return glued


def figure_captions(notebook: Any, labels: dict[str, str], sources: dict[str, str]) -> dict[str, str]:
    """Figure anchor -> its caption as plain text: glued values filled in, citations as titles, links as labels.

    Examples
    --------
    >>> import nbformat
    >>> md = "```{glue:figure} pr_fig\\n:name: fig-a\\n\\nMargins as reported {cite:p}`k`. ({glue:md}`pr_ed`)\\n```"
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(md)])
    >>> nb.cells.append(nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output("display_data",
    ...     data={"text/markdown": "default edition"}, metadata={"scrapbook": {"name": "pr_ed"}})]))
    >>> figure_captions(nb, {}, {"k": "“An article”"})
    {'fig-a': 'Margins as reported (“An article”). (default edition)'}
    """
    glued = glued_text(notebook)

    def plain(match: re.Match[str]) -> str:
        role, target = match.group(1), match.group(2)
        if role.startswith("glue"):
            return glued.get(target, target)
        if role.startswith("cite"):
            return "(" + "; ".join(sources.get(k.strip(), k.strip()) for k in target.split(",")) + ")"
        return labels.get(target, target)

    captions = {}
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for _, anchor, caption in _FIGURE_CAPTION.findall(cell.source):
                text = _ROLE.sub(plain, " ".join(caption.split()))
                captions[anchor] = text.replace("**", "").replace("*", "")
    return captions


def write_table_csv(table: dict[str, Any], path: Path) -> Path:
    """Write one glued table (as displayed) to CSV."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(table["columns"])
        writer.writerows(table["rows"])
    return path


def titled_spec(spec: dict[str, Any], title: Sequence[str], notes: Sequence[str]) -> dict[str, Any]:
    """The chart as exported for a document: drawn at the static width, its title (figure number and caption)
    above it and its notes (source, edition, address) beneath the title, so the picture is citable alone."""
    from analysis.present.charts import INK, STATIC_WIDTH_PX

    exported = dict(spec)
    if exported.get("width", "container") == "container":
        exported["width"] = STATIC_WIDTH_PX
    if title or notes:
        exported["title"] = {"text": list(title), "subtitle": list(notes), "anchor": "start", "frame": "group",
                             "fontSize": 13, "subtitleFontSize": 10.5, "color": INK, "subtitleColor": INK,
                             "subtitlePadding": 6, "offset": 14}  # fmt: skip
    return exported


@dataclass(frozen=True)
class ChartFile:
    """One chart to write: its spec, the path without suffix, and the title and notes its pictures carry."""

    spec: dict[str, Any]
    stem: Path
    title: Sequence[str] = ()
    notes: Sequence[str] = ()


def write_chart_files(
    spec: dict[str, Any], stem: Path, title: Sequence[str] = (), notes: Sequence[str] = ()
) -> list[Path]:
    """Write a chart as Vega-Lite JSON, SVG and PNG, and its data as CSV where it has inline data.

    ``title`` and ``notes`` (lines of text) go on the SVG and PNG: a chart pasted into a memo names its
    figure, caption, source, edition and address. The Vega-Lite JSON stays the chart's own spec.
    """
    return write_charts([ChartFile(spec, stem, title, notes)])


def write_charts(charts: Sequence[ChartFile]) -> list[Path]:
    """:func:`write_chart_files` for several charts, the PNG of one rasterised while the next is drawn.

    vl-convert draws one chart at a time; the PNG is its SVG rasterised (``svg_to_png``, the same bytes as
    ``vegalite_to_png`` without laying the chart out again), which runs beside the drawing of the next SVG.
    """
    from concurrent.futures import ThreadPoolExecutor

    import vl_convert

    paths: list[Path] = []
    with ThreadPoolExecutor(max_workers=2) as rasterise:
        pending = []
        for chart in charts:
            stem = chart.stem
            json_path = stem.with_suffix(".vl.json")
            json_path.write_text(json.dumps(chart.spec, indent=1, sort_keys=True), encoding="utf-8")
            svg = vl_convert.vegalite_to_svg(titled_spec(chart.spec, chart.title, chart.notes))
            svg_path = stem.with_suffix(".svg")
            svg_path.write_text(svg, encoding="utf-8")
            png_path = stem.with_suffix(".png")
            pending.append(rasterise.submit(_write_png, svg, png_path))
            paths += [json_path, svg_path, png_path]
            rows = _chart_rows(chart.spec)
            if rows:
                data_path = stem.with_name(stem.name + "-data.csv")
                with data_path.open("w", newline="", encoding="utf-8") as fh:
                    writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
                    writer.writeheader()
                    writer.writerows(rows)
                paths.append(data_path)
        for done in pending:
            done.result()  # an error while rasterising is raised here, not lost in the pool
    return paths


def _write_png(svg: str, path: Path) -> None:
    import vl_convert

    path.write_bytes(vl_convert.svg_to_png(svg, scale=2))


def _chart_rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of a chart's main dataset (altair puts inline data under top-level 'datasets')."""
    datasets = spec.get("datasets", {})
    if not datasets:
        return []
    largest = max(datasets.values(), key=len)
    return list(largest)
