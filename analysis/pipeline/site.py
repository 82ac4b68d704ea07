"""The citable site: downloads, the key-figures page, the methods page and the data package.

Everything here is generated at build time from the data tables and the executed notebooks,
so no number on these pages is typed by hand.
"""

from __future__ import annotations

import csv
import html
import json
import re
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd

from analysis.data import WIDE_RANGE_RATIO, Dataset, central_value
from analysis.formats import fmt_share, fmt_usd
from analysis.parameters import CHAPTERS
from analysis.pipeline.artifacts import (
    ChapterOutputs,
    ChartFile,
    figure_captions,
    numbering,
    read_outputs,
    write_charts,
    write_table_csv,
)
from analysis.present.tables import code_cell, escape_markdown, myst_table

REPORT_TITLE = "The Economics of Generative AI"
DOWNLOADS = "downloads"
_FIGURE_NAME = re.compile(r"```\{glue:figure\} (\S+)\n:name: (\S+)")


def figure_names(notebook: Path) -> dict[str, str]:
    """Glue key -> figure anchor, from a notebook's ``{glue:figure}`` blocks."""
    nb = nbformat.read(str(notebook), as_version=4)
    names: dict[str, str] = {}
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            names.update(dict(_FIGURE_NAME.findall(cell.source)))
    return names


def write_chapter_downloads(notebook: Path, folder: Path, meta: dict[str, str] | None = None) -> ChapterOutputs:
    """Write a chapter's tables (CSV) and charts (SVG, PNG, Vega-Lite JSON, data CSV) named by anchor.

    With ``meta`` (see :func:`citation_metadata`) each SVG and PNG carries its figure number and caption,
    its source line, the edition, version, commit and build date, and its address.
    """
    from analysis.data import load_dataset

    outputs = read_outputs(notebook)
    folder.mkdir(parents=True, exist_ok=True)
    for table in outputs.tables.values():
        write_table_csv(table, folder / f"{table['name']}.csv")
    names = figure_names(notebook)
    chapter = CHAPTERS[outputs.chapter]
    nb = nbformat.read(str(notebook), as_version=4)
    labels = numbering(nb, outputs, list(CHAPTERS).index(outputs.chapter) + 1)
    sources = load_dataset()["sources"].set_index("source_id")["title"]
    captions = figure_captions(nb, labels, {k: f"“{v}”" for k, v in sources.items()})
    charts = []
    for key, spec in outputs.charts.items():
        if key not in names:
            continue
        anchor = names[key]
        title: list[str] = []
        notes: list[str] = []
        if meta is not None:
            title = textwrap.wrap(f"{labels.get(anchor, anchor)}. {captions.get(anchor, '')}".strip(), 95)
            cited = "; ".join(f"“{sources[s]}”" for s in chapter.sources if s in sources.index)
            notes = [
                *textwrap.wrap(f"Source: {meta['title']}, “{chapter.title}”, computed from {cited}.", 120),
                f"{meta['edition']}, version {meta['version']}, commit {meta['commit']}, built {meta['built']}.",
                f"{meta['url'].rstrip('/')}/{chapter.notebook.removesuffix('.ipynb')}.html#{anchor}",
            ]
        charts.append(ChartFile(spec, folder / anchor, title, notes))
    write_charts(charts)
    return outputs


KEY_FIGURE_FIELDS = ["id", "value", "low", "high", "interval", "unit", "text", "quantity", "edition", "chapter",
                     "page", "anchor", "sentence"]  # fmt: skip


def importance(outputs: Sequence[ChapterOutputs]) -> dict[str, int]:
    """Key figure id -> rank: the findings that lead the report first, then each chapter's other findings,
    in chapter order and the chapters' own order of importance; figures that are no finding come after."""
    ordered = [f["id"] for o in outputs for f in o.findings if f.get("lead")]
    ordered += [f["id"] for o in outputs for f in o.findings if not f.get("lead")]
    ordered += [f["id"] for o in outputs for f in o.key_figures]
    return {key: rank for rank, key in reversed(list(enumerate(ordered)))}


def key_figure_rows(outputs: Sequence[ChapterOutputs], dataset: Dataset) -> list[dict[str, Any]]:
    """Every key figure of the book, most important first, with its registry entry, interval (where it has
    one), edition, chapter and anchor."""
    registry = dataset["key_figures"]
    rank = importance(outputs)
    rows = []
    for chapter_outputs in outputs:
        chapter = CHAPTERS[chapter_outputs.chapter]
        page = chapter.notebook.removesuffix(".ipynb")
        for figure in chapter_outputs.key_figures:
            entry = registry.loc[figure["id"]]
            rows.append(
                {
                    "id": figure["id"],
                    "value": figure["value"],
                    "low": figure.get("low"),
                    "high": figure.get("high"),
                    "interval": figure.get("interval", ""),
                    "unit": figure["unit"],
                    "text": figure["text"],
                    "quantity": entry["quantity"],
                    "edition": chapter_outputs.parameters.get("edition", "default"),
                    "chapter": chapter.title,
                    "page": page,
                    "anchor": entry["anchor"],
                    "sentence": figure["sentence"],
                }
            )
    return sorted(rows, key=lambda row: rank[row["id"]])


def write_key_figures(rows: Sequence[dict[str, Any]], folder: Path) -> None:
    """``key_figures.csv`` and ``key_figures.json`` for download."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "key_figures.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=KEY_FIGURE_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    (folder / "key_figures.json").write_text(json.dumps(list(rows), indent=1), encoding="utf-8")


def key_figures_page(rows: Sequence[dict[str, Any]]) -> str:
    """The key-figures page (MyST): every headline number with its id, link and a memo sentence."""
    lines = [
        "# Key figures",
        "",
        "Every headline number of the report, most important first, with a stable id that stays the same from",
        "build to build, its interval where it has one, the edition it was computed under, where it comes from,",
        "and a sentence ready for a memo. The same file, with the values, is in the data package. Download them as",
        f'<a href="../{DOWNLOADS}/key_figures.csv">key_figures.csv</a> or',
        f'<a href="../{DOWNLOADS}/key_figures.json">key_figures.json</a>.',
        "",
    ]
    for row in rows:
        lines += [
            f"({row['id']})=",
            f"**`{row['id']}`**: {escape_markdown(row['text'])} ({escape_markdown(row['quantity'])}; "
            f"{escape_markdown(row['edition'])} edition; "
            f'<a href="{row["page"].removeprefix("book/")}.html#{row["anchor"]}">{html.escape(row["chapter"])}</a>).',
            *([f"Interval: {escape_markdown(interval_text(row))}."] if row.get("interval") else []),
            f"> {escape_markdown(row['sentence'])}",
            "",
        ]
    return "\n".join(lines)


def interval_text(row: dict[str, Any]) -> str:
    """A key figure's interval in its unit, and what it is: '19%–31%, ± 6 pp over 20 seeds'.

    Examples
    --------
    >>> interval_text({"low": 0.3, "high": 0.56, "unit": "share", "interval": "modelling choices"})
    '30%–56%, modelling choices'
    >>> interval_text({"low": 0.17, "high": 160.0, "unit": "multiple", "interval": "the input ranges"})
    '0.17–160, the input ranges'
    >>> interval_text({"low": 5.06, "high": None, "unit": "years", "interval": "5th to 95th percentile"})
    '5.1 or more, 5th to 95th percentile'

    A share gets the decimals that tell its two ends apart (they printed '0.097%–0.097%' at three):

    >>> interval_text({"low": 0.000970282, "high": 0.000973944, "unit": "share", "interval": "over 20 seeds"})
    '0.0970%–0.0974%, over 20 seeds'
    """
    from analysis.formats import fmt_significant

    digits = next((d for d in range(6) if fmt_share(row["low"] or 0, d) != fmt_share(row["high"] or 0, d)), 6)

    def fmt(x: float) -> str:
        if row["unit"] == "share":
            return fmt_share(x, digits)
        if str(row["unit"]).startswith("usd"):
            return fmt_usd(x * (1e9 if row["unit"] == "usd_bn" else 1), digits=1)
        return fmt_significant(x, 2)

    low: float | None = row.get("low")
    high: float | None = row.get("high")
    # An end that is not a number (a runway beyond the horizon) leaves the interval open on that side.
    if low is None:
        return str(row["interval"]) if high is None else f"up to {fmt(high)}, {row['interval']}"
    if high is None:
        return f"{fmt(low)} or more, {row['interval']}"
    return f"{fmt(low)}–{fmt(high)}, {row['interval']}"


def modelling_choices(dataset: Dataset) -> pd.DataFrame:
    """Every chapter's modelling choices with their computed effects, for the Methods page."""
    from analysis.models import business_models, pricing, survival
    from analysis.parameters import get_chapter

    frames = [
        module.modelling_choices(dataset, get_chapter(name).defaults).assign(Chapter=get_chapter(name).title)
        for name, module in (("business_models", business_models), ("pricing", pricing), ("survival", survival))
    ]
    frame = pd.concat(frames, ignore_index=True)
    return frame[["Chapter", *[c for c in frame.columns if c != "Chapter"]]]


def methods_page(dataset: Dataset, disagreements: Any, choices: pd.DataFrame | None = None) -> str:
    """The methods page (MyST): the modelling choices and their effects, every assumption with its rationale,
    every correction and disagreement."""
    from analysis.present.charts import format_d3
    from analysis.present.common import entity_name, metric_label, source_cell

    facts = dataset["facts"]
    assumptions = facts[facts["kind"] == "assumption"]
    frame_rows = []
    for fact in assumptions.itertuples(index=False):
        row = fact._asdict()
        # A year is printed as a year (2030), not as a quantity (2,030).
        number: Callable[[Any], str] = (lambda x: f"{x:.0f}") if fact.unit == "year" else format_d3
        rng = (
            ""
            if row["low"] != row["low"] or row["high"] != row["high"]
            else (f"{number(row['low'])}–{number(row['high'])}")
        )
        frame_rows.append([code_cell(fact.id), entity_name(dataset, fact.entity), metric_label(fact.metric),
                           number(central_value(pd.Series(row))), rng,
                           fact.unit.replace("_", " ").replace("usd", "USD"), fact.rationale])  # fmt: skip
    assumption_table = myst_table(
        pd.DataFrame(frame_rows, columns=["Id", "Entity", "Quantity", "Base", "Range", "Unit", "Rationale"]),
        "tbl-methods-assumptions",
        "Every assumption of the report, with its rationale (data/facts.csv, kind = assumption).",
    )
    corrections = dataset["corrections"]
    correction_table = myst_table(
        pd.DataFrame({"Id": [code_cell(i) for i in corrections["id"]],
                      "Source": [source_cell(dataset, i) for i in corrections["source_id"]],
                      "Where": corrections["location"],
                      "Problem": corrections["problem"], "What the report does": corrections["fix"]}),
        "tbl-methods-corrections",
        "Every place the report departs from a source's text (data/corrections.csv).",
    )  # fmt: skip
    disagreement_table = myst_table(
        pd.DataFrame({"Company": [entity_name(dataset, e) for e in disagreements["entity"]],
                      "Quantity": disagreements["metric"].map(metric_label),
                      "Figure": [f"{b} {v:,.0f}" if b.startswith("at") else f"{v:,.0f}"
                                 for v, b in zip(disagreements["central_value"], disagreements["bound"], strict=True)],
                      "What they amount to": disagreements["relation"],
                      "Source": [source_cell(dataset, i) for i in disagreements["source_id"]],
                      "Quote": disagreements["quote"]}),
        "tbl-methods-disagreements",
        "Where the sources give different figures for the same quantity; both kept, minimums read as bounds.",
    )  # fmt: skip
    n_reported = int((facts["kind"] == "reported").sum())
    choices_section = []
    if choices is not None and not choices.empty:
        choices_section = [
            "## Modelling choices and what they change",
            "",
            "Each choice below is one the headline numbers depend on. The effect is computed by the same functions",
            "the chapters use, at each chapter's default parameters.",
            "",
            myst_table(
                choices, "tbl-methods-choices", "Modelling choices, the alternative, and the effect on the headline."
            ),
            "",
        ]
    return "\n".join(
        [
            "# Methods and assumptions",
            "",
            f"The report's data hold {len(facts)} facts: {n_reported} reported, each with the verbatim quote it comes",
            f"from, and {len(assumptions)} assumptions of ours, each with a one-line rationale, listed below.",
            "Ranges are read as 90% intervals wherever they are sampled (the convention of Squiggle), with the",
            "base value as the median of the draws.",
            f"A range whose high is at least {WIDE_RANGE_RATIO:g} times its low has its base case at the geometric",
            "midpoint, the square root of low times high; narrower ranges have it at the arithmetic midpoint.",
            "",
            *choices_section,
            "## Assumptions",
            "",
            assumption_table,
            "",
            "## Corrections to the sources",
            "",
            correction_table,
            "",
            "## Where the sources disagree",
            "",
            disagreement_table,
            "",
        ]
    )


def intro_findings(outputs: Sequence[ChapterOutputs]) -> str:
    """The introduction's Key findings (MyST): the findings each chapter marks as leading the report,
    in chapter order, each linking to its figure or table in the chapter."""
    from analysis.present.common import findings_markdown

    lead = [f for chapter_outputs in outputs for f in chapter_outputs.findings if f.get("lead")]
    if not 3 <= len(lead) <= 5:
        raise ValueError(f"the introduction needs 3-5 lead findings, the chapters mark {len(lead)}")
    return findings_markdown(lead) + "\n"
