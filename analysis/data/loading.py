"""Reading every table, checking every cell and row, and one error listing every problem before any work."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.data.schema import CONTROL_CHARACTERS, SCHEMAS, Column, DataValidationError, TableSchema
from analysis.paths import DATA_DIR


@dataclass(frozen=True)
class Dataset:
    """All validated data tables, by table name (``facts``, ``sources``, ...)."""

    tables: dict[str, pd.DataFrame]
    data_dir: Path

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def fact(self, fact_id: str) -> pd.Series:
        """The row of ``facts`` with this id; a KeyError names the id if there is none."""
        facts = self.tables["facts"]
        if fact_id not in facts.index:
            raise KeyError(f"no fact with id {fact_id!r} in {self.data_dir / 'facts.csv'}")
        return facts.loc[fact_id]


def _parse_cell(raw: str, column: Column) -> tuple[object, str | None]:
    """Parse one cell; return (value, problem or None)."""
    text = raw.strip()
    if text == "":
        return None, (None if not column.required else "is empty, but the column is required")
    if column.kind == "number":
        try:
            number = float(text)
        except ValueError:
            return None, f"{text!r} is not a number"
        if not math.isfinite(number):
            return None, f"{text!r} is not a finite number"
        return number, None
    if column.kind == "integer":
        try:
            return int(text), None
        except ValueError:
            return None, f"{text!r} is not a whole number"
    if column.kind == "choice" and text not in column.choices:
        return None, f"{text!r} is not one of the allowed values: {', '.join(column.choices)}"
    return text, None


def _read_table(schema: TableSchema, data_dir: Path) -> tuple[list[dict[str, object]], list[str]]:
    """Read one CSV and check each cell and each row; return the parsed rows and the problems."""
    path = data_dir / schema.file
    label = f"data/{schema.file}"
    if not path.exists():
        return [], [f"{label}: file is missing (expected at {path})"]
    problems: list[str] = []
    rows: list[dict[str, object]] = []
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return [], [f"{label}, line {line}: byte 0x{data[error.start]:02x} is not UTF-8; save the file as UTF-8"]
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    declared = [c.name for c in schema.columns]
    missing = [c for c in declared if c not in header]
    extra = [c for c in header if c not in declared]
    if missing:
        problems.append(f"{label}, line 1 (header): missing column(s) {', '.join(map(repr, missing))}")
    if extra:
        problems.append(
            f"{label}, line 1 (header): undeclared column(s) {', '.join(map(repr, extra))}; "
            f"allowed: {', '.join(declared)}"
        )
    if missing:
        return [], problems
    seen: dict[str, int] = {}
    for cells in reader:
        line = reader.line_num
        raw = dict(zip(header, cells, strict=False))
        row_id = raw.get(schema.key or declared[0], "") or "?"
        where = f"{label}, line {line} (row {row_id[:60]!r})"
        if len(cells) != len(header):
            problems.append(
                f"{where}: {len(cells)} cells, but the header has {len(header)} columns "
                "(a comma inside a cell must be within double quotes)"
            )
            continue
        row: dict[str, object] = {"_line": line}
        for column in schema.columns:
            cell = raw.get(column.name) or ""
            control = CONTROL_CHARACTERS.search(cell)
            if control:
                problems.append(
                    f"{where}, column {column.name!r}: contains the control character U+{ord(control.group()):04X}; "
                    "remove it"
                )
                continue
            value, problem = _parse_cell(cell, column)
            if problem:
                problems.append(f"{where}, column {column.name!r}: {problem}")
            row[column.name] = value
        if schema.key:
            key = raw.get(schema.key, "")
            if key in seen:
                problems.append(f"{where}, column {schema.key!r}: duplicate id {key!r} (first on line {seen[key]})")
            else:
                seen[key] = line
        if not any(p.startswith(where) for p in problems):
            for check in schema.row_checks:
                for column_name, message in check(row):
                    problems.append(f"{where}, column {column_name!r}: {message}")
        rows.append(row)
    return rows, problems


def load_dataset(data_dir: Path | str = DATA_DIR) -> Dataset:
    """Read and validate every declared table in ``data_dir``.

    Parameters
    ----------
    data_dir
        Folder holding the CSV tables (default: the repository's ``data/``).

    Returns
    -------
    Dataset
        Tables as DataFrames indexed by their key column, with a ``_line`` column giving
        each row's line in its file.

    Raises
    ------
    DataValidationError
        Listing every problem (file, line, row id, column, value, what is allowed).

    Examples
    --------
    >>> ds = load_dataset()
    >>> float(ds.fact("credit_example_gross_margin")["value"])
    0.6
    """
    data_dir = Path(data_dir)
    parsed: dict[str, list[dict[str, object]]] = {}
    problems: list[str] = []
    for name, schema in SCHEMAS.items():
        rows, table_problems = _read_table(schema, data_dir)
        parsed[name] = rows
        problems.extend(table_problems)
    # References across tables are checked once every table has been read.
    for name, schema in SCHEMAS.items():
        for column in schema.columns:
            if column.kind != "reference" or column.references is None:
                continue
            target_table, target_column = column.references.split(".")
            valid = {r[target_column] for r in parsed[target_table]}
            for row in parsed[name]:
                value = row[column.name]
                if value is not None and value not in valid:
                    row_id = row.get(schema.key or schema.columns[0].name)
                    problems.append(
                        f"data/{schema.file}, line {row['_line']} (row {row_id!r}), column {column.name!r}: "
                        f"{value!r} is not a known {target_column} of data/{target_table}.csv"
                    )
    if problems:
        raise DataValidationError(problems)
    tables: dict[str, pd.DataFrame] = {}
    for name, schema in SCHEMAS.items():
        columns = ["_line", *[c.name for c in schema.columns]]
        frame = pd.DataFrame(parsed[name], columns=columns)
        for column in schema.columns:
            if column.kind == "number":
                frame[column.name] = frame[column.name].astype("float64")
            elif column.kind == "integer":
                frame[column.name] = frame[column.name].astype("Int64")
        if schema.key:
            frame = frame.set_index(schema.key, drop=False)
            frame.index.name = None
        tables[name] = frame
    return Dataset(tables=tables, data_dir=data_dir)
