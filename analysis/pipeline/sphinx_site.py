"""Sphinx extension: the site's own assets (Vega libraries, styles, one script), nothing from a CDN.

The Vega bundle comes from ``vl_convert.javascript_bundle`` (no network) and is written once
per vl-convert version into a cache folder, wrapped in a function so that its top-level names
cannot clash with Sphinx's own globals. It is loaded as a classic, deferred script, never a
module: Chromium refuses module scripts from ``file://`` (origin null), and the site must work
opened from disk. It assigns ``window.vegaEmbed``, which the site's ``report.js`` (deferred
after it, see ``analysis/assets``) calls to draw every chart over its static SVG.
"""

from __future__ import annotations

import functools
import html
import json
import re
import shutil
from importlib import metadata
from pathlib import Path
from typing import Any

import altair as alt
import vl_convert

from analysis.paths import ASSETS_DIR
from analysis.present.figure_blocks import Edition, Source, cite_text, figure_block, table_block

BUNDLE_NAME = "vega-bundle.js"
CSS_NAME = "report.css"
JS_NAME = "report.js"
FAVICON_NAME = "favicon.svg"
# A favicon of our own stops browsers asking for /favicon.ico, which the static site does not have.
FAVICON_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
    '<rect width="16" height="16" rx="3" fill="#0072B2"/>'
    '<path d="M3 12h2V7H3zm4 0h2V4H7zm4 0h2V9h-2z" fill="#fff"/></svg>'
)
# The bundle as a classic script: strict like the module it was, its names kept inside a function.
_BUNDLE_WRAPPER = ('(function () {\n"use strict";\n', "\n})();\n")


def vega_lite_version() -> str:
    """The Vega-Lite minor version altair writes specs for, e.g. '6.4'."""
    return ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])


def write_bundle(folder: Path) -> Path:
    """Write the JavaScript bundle into ``folder`` (reused if already there); return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / BUNDLE_NAME
    stamp = folder.parent / f".{BUNDLE_NAME}.version"
    version = f"vl-convert {metadata.version('vl-convert-python')}, vega-lite {vega_lite_version()}, classic script"
    if not (target.exists() and stamp.exists() and stamp.read_text() == version):
        # The stub marks the snippet as required; without one vl-convert writes its default, which we want.
        bundle = vl_convert.javascript_bundle(vl_version=vega_lite_version())  # type: ignore[call-arg]
        if re.search(r"^\s*(import|export)\s", bundle, re.M):
            raise RuntimeError("the Vega bundle has import/export statements; it cannot run as a classic script")
        target.write_text(_BUNDLE_WRAPPER[0] + bundle + _BUNDLE_WRAPPER[1], encoding="utf-8")
        stamp.write_text(version)
    return target


def _add_bundle(app: Any) -> None:
    folder = Path(app.outdir).parent / ".vega-static"
    write_bundle(folder)
    for name in (CSS_NAME, JS_NAME):
        shutil.copy2(ASSETS_DIR / name, folder / name)
    (folder / FAVICON_NAME).write_text(FAVICON_SVG, encoding="utf-8")
    app.config.html_static_path.append(str(folder))


def _drop_cdn_scripts(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """Remove sphinx-thebe's scripts, which name a CDN; the book has no live code cells."""
    scripts = context.get("script_files")
    if scripts is None:
        return
    context["favicon_url"] = context["pathto"]("_static/" + FAVICON_NAME, 1)
    context["script_files"] = [
        s
        for s in scripts
        if "thebe" not in str(s) and "THEBE_JS_URL" not in str(getattr(s, "attributes", {}).get("body", ""))
    ]


def page_url(app: Any, pagename: str, anchor: str = "") -> str:
    """The published address of a page (and anchor), from ``html_baseurl`` (``html: baseurl`` in _config.yml)."""
    base = str(app.config.html_baseurl or "").rstrip("/")
    return f"{base}/{pagename}.html" + (f"#{anchor}" if anchor else "")


def _banner(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """Name the edition (default or scenario) at the top of every page, and, on paper, the page's address."""
    text = app.config.genai_report_banner
    if text and "body" in context:
        url = html.escape(page_url(app, pagename))
        context["body"] = (
            f'<p class="edition-banner">{html.escape(text)}'
            f'<span class="print-only">Printed from <a href="{url}">{url}</a></span></p>\n' + context["body"]
        )


_REPORT_TABLE = re.compile(r'<table class="report-table[^"]*"[^>]*>.*?</table>', re.S)


def mark_table_columns(body: str) -> str:
    """Give each report table its number of columns, so the stylesheet gives each a readable width on a phone.

    Examples
    --------
    >>> mark_table_columns('<table class="report-table"><thead><tr><th>a</th><th>b</th></tr></thead></table>')[:54]
    '<table style="--report-columns: 2" class="report-table'
    """

    def mark(match: re.Match[str]) -> str:
        table = match.group(0)
        columns = max(1, len(re.findall(r"<th[\s>]", table.split("</thead>", 1)[0])))
        return table.replace("<table ", f'<table style="--report-columns: {columns}" ', 1)

    return _REPORT_TABLE.sub(mark, body)


def _column_counts(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    if "body" in context:
        context["body"] = mark_table_columns(context["body"])


_TABLE_BOX = re.compile(
    r'(<div class="pst-scrollable-table-container">\s*<table\b[^>]*\bid="(tbl-[^"]+)".*?</table>\s*</div>)', re.S
)
_FIGURE = re.compile(r'(<figure\b[^>]*\bid="(fig-[^"]+)".*?</figure>)', re.S)
_NUMBER = re.compile(r'<span class="caption-number">([^<]+)</span>')
FIGURE_FILES = (
    (".svg", "SVG", "the chart with its title, source, edition and address, for documents"),
    (".png", "PNG", "the same, as an image"),
    ("-data.csv", "Data (CSV)", "the numbers the chart is drawn from"),
    (".vl.json", "Vega-Lite JSON", "the chart's specification, with its data"),
)
TABLE_FILES = ((".csv", "CSV", "the table as shown"),)


def _chapter_for(pagename: str) -> Any:
    from analysis.parameters import CHAPTERS

    for chapter in CHAPTERS.values():
        if chapter.notebook.removesuffix(".ipynb") == pagename:
            return chapter
    return None


@functools.cache
def _sources(ids: tuple[str, ...]) -> tuple[Source, ...]:
    from analysis.data import load_dataset

    table = load_dataset()["sources"]

    def text(value: Any) -> str:
        return value.strip() if isinstance(value, str) else ""

    return tuple(
        Source(
            str(table.at[i, "title"]),
            text(table.at[i, "publisher"]),
            str(table.at[i, "date"]),
            text(table.at[i, "url"]),
        )
        for i in ids
        if i in table.index
    )


def _data_table(spec_file: Path) -> str:
    """A chart's data as a table, titled and formatted as the chart shows it: the chart's text equivalent.

    The spec is the one the chapter's execution wrote for download (``<anchor>.vl.json``, from the chart's
    Vega-Lite data in the executed notebook), not read back out of the page.
    """
    from analysis.present.charts import chart_table

    spec = json.loads(spec_file.read_text(encoding="utf-8")) if spec_file.is_file() else None
    headers, rows = chart_table(spec) if spec else ([], [])
    if not rows:
        return ""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return (
        f'<div class="table-scroll"><table class="report-table chart-data"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _report_blocks(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """Every numbered figure and table of a chapter as one block: Chart / Table / Sources / Download / Cite."""
    chapter = _chapter_for(pagename)
    if chapter is None or "body" not in context:
        return
    folder = Path(app.srcdir) / "site_extra" / "downloads" / Path(chapter.notebook).stem
    link = context["pathto"]
    sources = _sources(tuple(chapter.sources))
    edition = Edition.from_banner(str(app.config.genai_report_banner))

    def cite(anchor: str, element: str) -> str:
        number = _NUMBER.search(element)
        label = number.group(1).strip() if number else anchor
        return cite_text(chapter.title, label, edition, page_url(app, pagename, anchor))

    def files(anchor: str, kinds: tuple[tuple[str, str, str], ...]) -> list[tuple[str, str, str]]:
        return [
            (link(f"downloads/{folder.name}/{anchor}{suffix}", 1), label, what)
            for suffix, label, what in kinds
            if (folder / (anchor + suffix)).exists()
        ]

    def table(match: re.Match[str]) -> str:
        box, anchor = match.group(1), match.group(2)
        return table_block(box, anchor, sources, files(anchor, TABLE_FILES), cite(anchor, box))

    def figure(match: re.Match[str]) -> str:
        element, anchor = match.group(1), match.group(2)
        data_table = _data_table(folder / f"{anchor}.vl.json")
        return figure_block(element, anchor, data_table, sources, files(anchor, FIGURE_FILES),
                            cite(anchor, element))  # fmt: skip

    body = _TABLE_BOX.sub(table, context["body"])
    context["body"] = _FIGURE.sub(figure, body)


def setup(app: Any) -> dict[str, Any]:
    app.add_config_value("genai_report_banner", "", "html")
    app.connect("html-page-context", _banner)
    app.connect("html-page-context", _report_blocks)
    app.connect("html-page-context", _column_counts)
    app.connect("builder-inited", _add_bundle)
    app.connect("html-page-context", _drop_cdn_scripts)
    app.add_js_file(BUNDLE_NAME, loading_method="defer")
    app.add_js_file(JS_NAME, loading_method="defer")
    app.add_css_file(CSS_NAME)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
