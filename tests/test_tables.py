"""Table and number formatting."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.formats import fmt_usd
from analysis.present.tables import escape_markdown, myst_table


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (15e6, "$15M"),
        (50e6, "$50M"),
        (1.4e12, "$1.4T"),
        (6.5e9, "$6.5B"),
        (0.004, "$0.004"),
        (1.0, "$1"),
        (-2e6, "-$2M"),
    ],
)
def test_fmt_usd(value, text):
    assert fmt_usd(value) == text


def test_myst_table_escapes_cells_and_requires_tbl_name():
    table = myst_table(pd.DataFrame({"Quote": ["| API | *x* {role}`y`"]}), "tbl-q", "Caption")
    assert r"\| API \| \*x\* \{role\}\`y\`" in table
    with pytest.raises(ValueError, match="table names start with 'tbl-'"):
        myst_table(pd.DataFrame({"a": [1]}), "quotes", "c")


def test_escape_markdown_joins_lines():
    assert escape_markdown("two\nlines") == "two lines"


def test_a_cited_or_code_cell_is_markup_on_the_page_and_plain_text_in_the_data():
    """Issue 11, item 12: a source shows as its title with a citation link, a parameter name as code; the CSV
    (TABLE_MIME rows) carries the plain text."""
    from analysis.present.common import TableBlock
    from analysis.present.tables import cite_cell, code_cell

    frame = pd.DataFrame({"Source": [cite_cell("The Seven Business Models", "genai_2026")],
                          "Name": [code_cell("free_cap")], "Note": ["a_b *c*"]})  # fmt: skip
    bundle = TableBlock(frame, "tbl-x", "Caption.")._repr_mimebundle_()
    assert "* - “The Seven Business Models” {cite:p}`genai_2026`" in bundle["text/markdown"]
    assert "  - `free_cap`" in bundle["text/markdown"] and "a\\_b \\*c\\*" in bundle["text/markdown"]
    rows = bundle["application/vnd.genai-report.table+json"]["rows"]
    assert rows == [["“The Seven Business Models”", "free_cap", "a_b *c*"]]
    assert [type(c) for c in rows[0]] == [str, str, str]


def test_numbers_for_people():
    """$142 ($37–$609) not $142.20 [$37.34–$608.53]; never '-0'; '<0.1%' not '0.0%' for a positive probability."""
    from analysis.formats import fmt_number, fmt_share_bounded, fmt_usd_approx
    from analysis.present.common import fmt_interval

    assert fmt_interval(142.2, 37.34, 608.53, fmt_usd_approx) == "$142 ($37–$609)"
    assert fmt_number(-0.04, 1) == "0" and fmt_number(-0.4, 0) == "0" and fmt_number(-1.25, 1) == "-1.2"
    assert fmt_share_bounded(0.0004) == "<0.1%" and fmt_share_bounded(0.0006) == "0.1%"
