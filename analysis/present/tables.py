"""Number formatting and table rendering shared by every chapter.

Prose (through glue) and tables use the same formatters, so a figure reads the same
wherever it appears.
"""

from __future__ import annotations

import math
import re

import pandas as pd


class MystCell(str):
    """A table cell with markup on the page (a citation, code) and plain text everywhere else (CSV, data).

    Examples
    --------
    >>> cell = MystCell("The article", "The article {cite:p}`key`")
    >>> str(cell), cell.myst
    ('The article', 'The article {cite:p}`key`')
    """

    myst: str

    def __new__(cls, text: str, myst: str) -> MystCell:
        cell = super().__new__(cls, text)
        cell.myst = myst
        return cell


def code_cell(text: str) -> MystCell:
    """A cell shown as code: a name a reader types (a parameter, a choice)."""
    return MystCell(text, f"`{text}`" if "`" not in text else escape_markdown(text))


def cite_cell(title: str, key: str, prefix: str = "") -> MystCell:
    """A cell naming a source by its title, linked to the bibliography: '“Title” [1]'."""
    text = f"{prefix}“{title}”"
    return MystCell(text, f"{escape_markdown(text)} {{cite:p}}`{key}`")


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|$])")


def escape_markdown(text: object) -> str:
    """Text with Markdown's special characters backslash-escaped, on one line.

    Examples
    --------
    >>> print(escape_markdown("30-60% | *new*"))
    30-60% \\| \\*new\\*
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def myst_table(frame: pd.DataFrame, name: str, caption: str) -> str:
    """A MyST ``list-table`` directive: numbered as a table, captioned, referable as ``name``.

    Cells are escaped so their text shows literally; the caption is MyST (it may cite).

    Examples
    --------
    >>> print(myst_table(pd.DataFrame({"Model": ["API"], "Margin": ["30%"]}), "tbl-x", "Margins."))
    ````{list-table} Margins.
    :name: tbl-x
    :header-rows: 1
    :class: report-table
    <BLANKLINE>
    * - Model
      - Margin
    * - API
      - 30%
    ````
    """
    if not name.startswith("tbl-"):
        raise ValueError(f"table names start with 'tbl-', got {name!r}")
    lines = [f"````{{list-table}} {caption}", f":name: {name}", ":header-rows: 1", ":class: report-table", ""]
    for row in [list(frame.columns), *frame.astype(object).itertuples(index=False)]:
        cells = [
            c.myst
            if isinstance(c, MystCell)
            else "–"
            if (isinstance(c, float) and math.isnan(c))
            else escape_markdown(c)
            for c in row
        ]
        lines.append(f"* - {cells[0] or ' '}")
        lines.extend(f"  - {c or ' '}" for c in cells[1:])
    lines.append("````")
    return "\n".join(lines)
