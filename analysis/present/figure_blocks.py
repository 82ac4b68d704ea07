"""One block per figure and table, as readers of Our World in Data know it: Chart / Table / Sources /
Download / Cite tabs.

The tabs are sphinx-design's (radio inputs and CSS, no JavaScript), so they work from ``file://``,
without JavaScript and in print, where only the chart or table shows. The functions here build the
HTML from what the page already holds; :mod:`analysis.pipeline.sphinx_site` applies them to every chapter.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

REPORT_TITLE = "The Economics of Generative AI"
_STAMP = re.compile(r"version (?P<version>\S+) · built (?P<built>\S+) · commit (?P<commit>\S+)")


@dataclass(frozen=True)
class Edition:
    """What a citation names besides the page: the edition, the report's version, the build date and commit."""

    name: str
    version: str
    built: str
    commit: str

    @classmethod
    def from_banner(cls, banner: str) -> Edition:
        """Read the edition from the banner the build puts on every page.

        Examples
        --------
        >>> Edition.from_banner("Default edition: every chapter. · version 0.1.0 · built 2026-11-26 · commit abc123")
        Edition(name='Default edition', version='0.1.0', built='2026-11-26', commit='abc123')
        """
        stamp = _STAMP.search(banner)
        if not stamp:
            raise ValueError(f"the banner names no version, build date and commit: {banner!r}")
        name = banner.split(" · ")[0].split(":")[0].strip().rstrip(".")
        return cls(name, stamp["version"], stamp["built"], stamp["commit"])


@dataclass(frozen=True)
class Source:
    """A source article as a reader sees it: title, who published it, when, and where (if known)."""

    title: str
    publisher: str
    date: str
    url: str


def cite_text(chapter_title: str, label: str, edition: Edition, url: str) -> str:
    """The citation of one figure or table: report, chapter, number, edition, version, commit, date, address.

    Examples
    --------
    >>> cite_text("Can the labs survive?", "Figure 3.1", Edition("Default edition", "0.1.0", "2026-11-26", "abc"),
    ...           "https://example.org/book/survival.html#fig-x")
    'The Economics of Generative AI, “Can the labs survive?”, Figure 3.1. Default edition, version 0.1.0 \
(commit abc), built 2026-11-26. https://example.org/book/survival.html#fig-x'
    """
    return (
        f"{REPORT_TITLE}, “{chapter_title}”, {label}. {edition.name}, version {edition.version} "
        f"(commit {edition.commit}), built {edition.built}. {url}"
    )


def _sources_html(sources: Sequence[Source]) -> str:
    items = []
    for s in sources:
        title = html.escape(f"“{s.title}”")
        title = f'<a href="{html.escape(s.url)}">{title}</a>' if s.url else title
        details = ", ".join(html.escape(x) for x in (s.publisher, s.date) if x)
        items.append(f"<li>{title}{' (' + details + ')' if details else ''}</li>")
    return (
        "<p>Computed by the report from these source articles (every number's own source, with its quote or "
        f"rationale, is in the data and on the Methods page):</p><ul>{''.join(items)}</ul>"
    )


def _downloads_html(files: Sequence[tuple[str, str, str]]) -> str:
    """``(href, label, what it is)`` to a list of download links."""
    if not files:
        return "<p>No downloads for this item.</p>"
    items = "".join(
        f'<li><a href="{html.escape(href)}" download>{html.escape(label)}</a>: {html.escape(what)}</li>'
        for href, label, what in files
    )
    return f'<ul class="report-downloads">{items}</ul>'


def _cite_html(anchor: str, text: str) -> str:
    target = f"cite-{anchor}"
    return (
        f'<p class="cite-this" id="{html.escape(target)}">{html.escape(text)}</p>'
        f'<button type="button" class="copy-cite" data-target="{html.escape(target)}">Copy</button>'
    )


def tab_set(anchor: str, tabs: Sequence[tuple[str, str]]) -> str:
    """sphinx-design's tab set (radio inputs and labels, CSS only), the first tab selected.

    Examples
    --------
    >>> print(tab_set("fig-a", [("Chart", "<p>c</p>")]))  # doctest: +NORMALIZE_WHITESPACE
    <div class="sd-tab-set docutils report-tabs"><input checked="checked" id="tab-fig-a-chart" name="tabs-fig-a"
    type="radio"><label class="sd-tab-label" for="tab-fig-a-chart">Chart</label><div class="sd-tab-content
    docutils"><p>c</p></div></div>
    """
    parts = []
    for i, (label, content) in enumerate(tabs):
        tab_id = html.escape(f"tab-{anchor}-{label.lower()}")
        checked = ' checked="checked"' if i == 0 else ""
        parts.append(
            f'<input{checked} id="{tab_id}" name="{html.escape("tabs-" + anchor)}" type="radio">'
            f'<label class="sd-tab-label" for="{tab_id}">{html.escape(label)}</label>'
            f'<div class="sd-tab-content docutils">{content}</div>'
        )
    return f'<div class="sd-tab-set docutils report-tabs">{"".join(parts)}</div>'


_FIGCAPTION = re.compile(r"<figcaption>.*?</figcaption>", re.S)


def figure_block(
    figure: str,
    anchor: str,
    data_table: str,
    sources: Sequence[Source],
    files: Sequence[tuple[str, str, str]],
    cite: str,
) -> str:
    """A figure with its caption first, then Chart / Table / Sources / Download / Cite tabs."""
    caption = _FIGCAPTION.search(figure)
    if caption is None:
        raise ValueError(f"figure {anchor} has no caption")
    opening, rest = figure.split(">", 1)
    chart = _FIGCAPTION.sub("", rest).removesuffix("</figure>").strip()
    tabs = [("Chart", chart)]
    if data_table:
        tabs.append(("Table", data_table))
    tabs += [
        ("Sources", _sources_html(sources)),
        ("Download", _downloads_html(files)),
        ("Cite", _cite_html(anchor, cite)),
    ]
    return f"{opening}>{caption.group(0)}{tab_set(anchor, tabs)}</figure>"


_CAPTION = re.compile(r"<caption>(.*?)</caption>", re.S)


def table_block(
    table_box: str,
    anchor: str,
    sources: Sequence[Source],
    files: Sequence[tuple[str, str, str]],
    cite: str,
) -> str:
    """A table (in its scroll box) with its caption first, then Table / Sources / Download / Cite tabs.

    The caption moves above the tabs, as a figure's does, and the anchor moves to the block, so a
    link to the table lands on its caption whichever tab is open.
    """
    caption = _CAPTION.search(table_box)
    if caption is None:
        raise ValueError(f"table {anchor} has no caption")
    table = _CAPTION.sub("", table_box, count=1).replace(f' id="{anchor}"', f' aria-labelledby="caption-{anchor}"', 1)
    tabs = [("Table", table), ("Sources", _sources_html(sources)), ("Download", _downloads_html(files)),
            ("Cite", _cite_html(anchor, cite))]  # fmt: skip
    return (
        f'<div class="report-block" id="{html.escape(anchor)}" role="group" aria-labelledby="caption-{anchor}">'
        f'<p class="report-caption" id="caption-{html.escape(anchor)}">{caption.group(1).strip()}</p>'
        f"{tab_set(anchor, tabs)}</div>"
    )
