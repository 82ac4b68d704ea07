"""What an executed chapter notebook holds: its key figures, its tables and its charts.

Notebooks glue every table (with its cells under :data:`analysis.report.TABLE_MIME`) and
chart (HTML carrying its Vega-Lite spec) and emit their key figures as one JSON output. This
module reads them back, so re-runs and the site's downloads are written from exactly what
the notebook computed.
"""

from __future__ import annotations

import csv
import json
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

    from analysis.charts import spec_from_chart_html
    from analysis.report import KEY_FIGURES_MIME, TABLE_MIME

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
            elif "text/html" in data:
                spec = spec_from_chart_html(data["text/html"])
                if spec is not None:
                    charts[glue_key] = spec
    if emitted is None:
        raise ValueError(f"{path}: the notebook emitted no key figures (report.emit_key_figures was not called)")
    return ChapterOutputs(
        chapter=emitted["chapter"],
        parameters=emitted["parameters"],
        key_figures=emitted["figures"],
        tables=tables,
        charts=charts,
        findings=emitted.get("findings", []),
    )


def write_table_csv(table: dict[str, Any], path: Path) -> Path:
    """Write one glued table (as displayed) to CSV."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(table["columns"])
        writer.writerows(table["rows"])
    return path


def write_chart_files(spec: dict[str, Any], stem: Path) -> list[Path]:
    """Write a chart as Vega-Lite JSON, SVG and PNG, and its data as CSV where it has inline data."""
    import vl_convert

    paths = []
    json_path = stem.with_suffix(".vl.json")
    json_path.write_text(json.dumps(spec, indent=1, sort_keys=True), encoding="utf-8")
    paths.append(json_path)
    svg_path = stem.with_suffix(".svg")
    svg_path.write_text(vl_convert.vegalite_to_svg(spec), encoding="utf-8")
    paths.append(svg_path)
    png_path = stem.with_suffix(".png")
    png_path.write_bytes(vl_convert.vegalite_to_png(spec, scale=2))
    paths.append(png_path)
    rows = _chart_rows(spec)
    if rows:
        data_path = stem.with_name(stem.name + "-data.csv")
        with data_path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        paths.append(data_path)
    return paths


def _chart_rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of a chart's main dataset (altair puts inline data under top-level 'datasets')."""
    datasets = spec.get("datasets", {})
    if not datasets:
        return []
    largest = max(datasets.values(), key=len)
    return list(largest)
