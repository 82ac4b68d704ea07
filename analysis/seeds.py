"""Read the source articles' own tables, and the one declared correction they need.

Both tables of the first article have a header row with an extra leading ``Feature`` cell,
so each header sits one column right of its data. :func:`realign_shifted_table` is the one
place that correction is made; the tests use it to check that ``data/business_models.csv``
and ``data/pricing_strategies.csv`` pair every cell with the right header.
"""

from __future__ import annotations

from pathlib import Path

from analysis.paths import SEEDS_DIR


def split_markdown_row(line: str) -> list[str]:
    """Cells of one markdown table row, stripped, with the empty cells at either end removed.

    Examples
    --------
    >>> split_markdown_row("| API Provider | Per-generation fees | 30-60% | |")
    ['API Provider', 'Per-generation fees', '30-60%']
    """
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    while cells and cells[-1] == "":
        cells.pop()
    return cells


def markdown_tables(text: str) -> list[list[list[str]]]:
    """Every markdown table in a text, as rows of cells (separator rows dropped)."""
    tables: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in text.splitlines():
        if line.lstrip().startswith("|"):
            cells = split_markdown_row(line)
            if cells and not all(set(c) <= set("-: ") for c in cells):
                current.append(cells)
        elif current:
            tables.append(current)
            current = []
    if current:
        tables.append(current)
    return tables


def realign_shifted_table(rows: list[list[str]], spurious_header: str = "Feature") -> list[dict[str, str]]:
    """Pair data cells with headers when the header row carries one spurious leading cell.

    Parameters
    ----------
    rows
        Header row then data rows, as returned by :func:`markdown_tables`.
    spurious_header
        The extra first header cell to drop.

    Returns
    -------
    list of dict
        One dict per data row, header -> cell.

    Raises
    ------
    ValueError
        If the header does not start with ``spurious_header`` or a row's width does not
        match the realigned header (the correction would then be wrong).

    Examples
    --------
    >>> realign_shifted_table([["Feature", "Model", "Margin"], ["API", "30-60%"]])
    [{'Model': 'API', 'Margin': '30-60%'}]
    """
    header, *data = rows
    if not header or header[0] != spurious_header:
        raise ValueError(f"expected the header to start with {spurious_header!r}, got {header[:1]}")
    names = header[1:]
    out = []
    for number, cells in enumerate(data, start=1):
        if len(cells) != len(names):
            raise ValueError(f"data row {number} has {len(cells)} cells but the realigned header has {len(names)}")
        out.append(dict(zip(names, cells, strict=True)))
    return out


def read_seed(seed_file: str, seeds_dir: Path = SEEDS_DIR) -> str:
    """The text of one source article, as received."""
    return (Path(seeds_dir) / seed_file).read_text(encoding="utf-8")
