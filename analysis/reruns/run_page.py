"""The HTML page of a re-run: the executed chapter rendered with the book's own machinery.

myst-nb's docutils renderer reads the executed notebook as the book does, so glued numbers,
tables (MyST list-tables) and charts are resolved by the same code; the roles that only Sphinx
knows (``{numref}``, ``{cite:p}``, ``{doc}``, ``{download}``) are given docutils equivalents
here: numbered links to the page's own tables and figures, source titles linked to the list of
sources at the end, and plain links to the run's files. The page opens with what the run
changed (parameters, and every key figure old -> new) and works from ``file://``: its scripts
are the site's classic ones, copied beside it.
"""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from docutils.parsers.rst import Directive

from analysis.parameters import CHAPTERS
from analysis.pipeline.artifacts import ChapterOutputs, numbering
from analysis.pipeline.sphinx_site import mark_table_columns

_CAPTION = re.compile(
    r'(<(table|figure)\b[^>]*\bid="((?:tbl|fig)-[^"]+)"[^>]*>.*?)(<caption>|<figcaption>\s*<p>)', re.S
)

PAGE_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #1b2733;
       max-width: 52rem; margin: 0 auto; padding: 0.5rem 1rem 3rem; line-height: 1.55; }
h1 { font-size: 1.9rem; line-height: 1.2; } h2 { font-size: 1.4rem; margin-top: 2rem; } h3 { font-size: 1.15rem; }
a { color: #0a5a8f; }
figure { margin: 1.5rem 0; }
table { border-collapse: collapse; }
table.report-table th { text-align: left; border-bottom: 2px solid #0072B2; }
table.report-table td, table.report-table th { border-top: 1px solid #d8dde3; }
table.report-table caption { caption-side: top; padding: 0.3rem 0; }
.run-summary table td, .run-summary table th { border-top: 1px solid #d8dde3; padding: 0.25rem 0.5rem; text-align: left;
                                               vertical-align: top; font-size: 0.9rem; }
.system-message { display: none; }
.key-findings { border-left: 4px solid #0072B2; background: #eef5fb; padding: 0.2rem 1rem; margin: 1rem 0; }
.key-findings .admonition-title { font-weight: 700; margin-bottom: 0.2rem; }
details.dropdown { margin: 1rem 0; } details.dropdown > summary { cursor: pointer; font-weight: 600; }
"""


def _register_roles(labels: Mapping[str, str], sources: Mapping[str, str], cited: list[str]) -> None:
    """Docutils versions of the Sphinx-only roles and directives the chapters use (registered for this render)."""
    from docutils import nodes
    from docutils.parsers.rst import directives, roles

    def numref(name: str, rawtext: str, text: str, *_: Any, **__: Any) -> tuple[list[Any], list[Any]]:
        anchor = text.strip()
        return [nodes.reference(rawtext, labels.get(anchor, anchor), refuri=f"#{anchor}")], []

    def cite(name: str, rawtext: str, text: str, *_: Any, **__: Any) -> tuple[list[Any], list[Any]]:
        """'[1]' as the book's bibliography style prints it, linked to the page's list of sources."""
        result: list[Any] = []
        for key in (k.strip() for k in text.split(",")):
            if key not in cited:
                cited.append(key)
            title = sources.get(key, key)
            result.append(
                nodes.reference(rawtext, f"[{cited.index(key) + 1}]", refuri=f"#source-{key}", reftitle=title)
            )
        return result, []

    def doc(name: str, rawtext: str, text: str, *_: Any, **__: Any) -> tuple[list[Any], list[Any]]:
        page = text.strip().rsplit("/", 1)[-1]
        title = CHAPTERS[page].title if page in CHAPTERS else page.replace("_", " ")
        return [nodes.emphasis(rawtext, title)], []

    def download(name: str, rawtext: str, text: str, *_: Any, **__: Any) -> tuple[list[Any], list[Any]]:
        target = text.strip()
        return [nodes.reference(rawtext, target, refuri=target)], []

    for name, function in (("numref", numref), ("cite:p", cite), ("cite:t", cite), ("doc", doc),
                           ("download", download)):  # fmt: skip
        roles.register_local_role(name, function)
    directives.register_directive("dropdown", Dropdown)


class Dropdown(Directive):
    """sphinx-design's ``dropdown`` for docutils: a collapsed ``<details>`` with its title as the summary."""

    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True

    def run(self) -> list[Any]:
        from docutils import nodes

        title = html.escape(self.arguments[0] if self.arguments else "Details")
        body = nodes.container(classes=["dropdown-body"])
        self.state.nested_parse(self.content, self.content_offset, body)
        return [
            nodes.raw("", f'<details class="dropdown"><summary>{title}</summary>', format="html"),
            body,
            nodes.raw("", "</details>", format="html"),
        ]


def render_notebook_body(
    notebook_path: Path, labels: Mapping[str, str], sources: Mapping[str, str]
) -> tuple[str, list[str]]:
    """The executed notebook as HTML (myst-nb's docutils renderer, glue resolved); the source ids it cites."""
    from docutils.core import publish_parts
    from myst_nb.docutils_ import Parser

    cited: list[str] = []
    _register_roles(labels, sources, cited)
    parts = publish_parts(
        source=notebook_path.read_text(encoding="utf-8"),
        source_path=str(notebook_path),
        parser=Parser(),
        writer_name="html5",
        settings_overrides={
            "nb_execution_mode": "off",
            # Nothing written beside the page (myst-nb would put a processed notebook and CSS in ./build).
            "nb_output_folder": "",
            "myst_enable_extensions": ["colon_fence", "dollarmath", "deflist"],
            "doctitle_xform": False,
            "initial_header_level": 1,
            "report_level": 2,
            "halt_level": 2,  # a warning (an unknown role, a missing glue key) stops the page
            "warning_stream": False,
            "embed_stylesheet": False,
        },
    )
    body = parts["body"]
    return body, cited


def _number_captions(body: str, labels: Mapping[str, str]) -> str:
    """Put 'Table 2.1' / 'Figure 2.1' in front of each caption, as the book does."""

    def add(match: re.Match[str]) -> str:
        label = labels.get(match.group(3))
        if not label:
            return match.group(0)
        return f'{match.group(1)}{match.group(4)}<span class="caption-number">{label}</span> '

    return _CAPTION.sub(add, body)


def _scrolling_tables(body: str) -> str:
    """Wide tables scroll inside their own box (as on the book's pages)."""
    return re.sub(r"(<table\b.*?</table>)", r'<div class="table-scroll">\1</div>', body, flags=re.S)


def _summary(
    run_name: str,
    chapter_title: str,
    changed: Mapping[str, Any],
    comparison: Sequence[Mapping[str, Any]],
    quantities: Mapping[str, str],
    scenario_text: str,
) -> str:
    esc = html.escape
    changed_rows = "".join(f"<tr><td>{esc(k)}</td><td>{esc(_value(v))}</td></tr>" for k, v in changed.items())
    changed_html = (
        f"<table><thead><tr><th>Parameter</th><th>Value in this run</th></tr></thead><tbody>{changed_rows}</tbody>"
        "</table>"
        if changed
        else "<p>None: every parameter at its default.</p>"
    )
    if comparison:
        rows = "".join(
            f"<tr><td>{esc(quantities.get(r['id'], r['id']))}</td><td>{esc(str(r['old_text']))}</td>"
            f"<td>{esc(str(r['new_text']))}</td></tr>"
            for r in comparison
        )
        comparison_html = (
            '<table id="run-comparison"><thead><tr><th>Key figure</th><th>Default edition</th><th>This run</th></tr>'
            f"</thead><tbody>{rows}</tbody></table>"
        )
    else:
        comparison_html = '<p id="run-comparison">No key figure differs from the default edition.</p>'
    return (
        f'<section class="run-summary"><p class="edition-banner">Re-run <strong>{esc(run_name)}</strong> of '
        f"“{esc(chapter_title)}”{esc(scenario_text)}. Everything below was computed with the parameters of this run."
        f"</p><h2>What this run changed</h2><h3>Parameters</h3>{changed_html}"
        f"<h3>Key figures, default edition → this run</h3>{comparison_html}</section>"
    )


def _value(value: Any) -> str:
    """A parameter value as it would be typed: 1.5, [10, 20, 40], 'text'."""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return repr(value) if isinstance(value, str) else str(value)


def render_run_page(
    notebook: Path,
    outputs: ChapterOutputs,
    target: Path,
    run_name: str,
    chapter_name: str,
    changed: Mapping[str, Any],
    scenario: Any,
    comparison: Sequence[Mapping[str, Any]] = (),
    bundle_cache: Path | None = None,
) -> Path:
    """Write the run's page: what changed (parameters, key figures old -> new), then the chapter as run.

    Everything a user supplied (run name, scenario description, parameter values) is escaped. The
    site's scripts and stylesheet are copied beside the page; the Vega bundle is generated once into
    ``bundle_cache`` (default: the re-runs' build folder) and reused (it takes seconds to make).
    """
    import nbformat

    from analysis.data import load_dataset

    dataset = load_dataset()
    nb = nbformat.read(str(notebook), as_version=4)
    chapter = CHAPTERS[chapter_name]
    labels = numbering(nb, outputs, list(CHAPTERS).index(chapter_name) + 1)
    sources_table = dataset["sources"]
    titles = {sid: f"“{title}”" for sid, title in zip(sources_table["source_id"], sources_table["title"], strict=True)}
    body, cited = render_notebook_body(notebook, labels, titles)
    body = _scrolling_tables(mark_table_columns(_number_captions(body, labels)))
    registry = dataset["key_figures"]
    quantities = {str(i): str(q) for i, q in zip(registry.index, registry["quantity"], strict=True)}
    scenario_text = "" if scenario is None else f", scenario {scenario.name}: {scenario.description}"
    sources_html = "".join(
        f'<li id="source-{html.escape(key)}">{html.escape(_source_line(sources_table, key))}</li>' for key in cited
    )
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(run_name)} · {html.escape(chapter.title)}</title>"
        '<link rel="stylesheet" href="report.css"><style>' + PAGE_CSS + "</style>"
        '<script defer src="vega-bundle.js"></script><script defer src="report.js"></script>'
        "</head><body>"
        + _summary(run_name, chapter.title, changed, comparison, quantities, scenario_text)
        + body
        + (f'<section id="sources"><h2>Sources</h2><ol>{sources_html}</ol></section>' if cited else "")
        + "</body></html>"
    )
    target.write_text(page, encoding="utf-8")
    if bundle_cache is None:
        from analysis.paths import BUILD_DIR

        bundle_cache = BUILD_DIR / ".vega-static"
    copy_site_assets(target.parent, bundle_cache)
    return target


def _source_line(sources: Any, key: str) -> str:
    row = sources.set_index("source_id").loc[key]
    parts = [str(row["title"])]
    for column in ("author", "publisher", "date", "url"):
        value = row[column]
        if isinstance(value, str) and value.strip():
            parts.append(value.strip())
    return ". ".join(parts) + "."


def copy_site_assets(folder: Path, bundle_cache: Path) -> None:
    """The site's Vega bundle, script and stylesheet, beside a standalone page in ``folder``."""
    from analysis.paths import ASSETS_DIR
    from analysis.pipeline.sphinx_site import BUNDLE_NAME, CSS_NAME, JS_NAME, write_bundle

    shutil.copy2(write_bundle(bundle_cache), folder / BUNDLE_NAME)
    for name in (CSS_NAME, JS_NAME):
        shutil.copy2(ASSETS_DIR / name, folder / name)
