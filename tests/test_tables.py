"""Table and number formatting."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.tables import escape_markdown, fmt_usd, myst_table


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
