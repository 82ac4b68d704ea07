"""Load the report's data tables and validate them against a declared schema.

Every table in ``data/`` is declared here once: its columns, their types, which are
required, which refer to another table. :func:`load_dataset` reads every table, checks
every row, and raises one :class:`DataValidationError` listing every problem (file,
line, row id, column, value and what is allowed) before anything is computed from it.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast

import pandas as pd

from analysis.paths import DATA_DIR

# Characters no cell may hold (NUL and the other C0 controls but tab and line breaks, and DEL).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

ColumnKind = Literal["id", "text", "number", "integer", "choice", "reference"]


class DataValidationError(ValueError):
    """Raised when a data table breaks its schema; the message lists every problem found."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = problems[:25]
        more = f"\n  ... and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        super().__init__(
            f"{len(problems)} problem(s) in the data tables; nothing was computed:\n  " + "\n  ".join(shown) + more
        )


@dataclass(frozen=True)
class Column:
    """One declared column of a data table.

    ``kind`` decides how the cell is parsed: ``number`` and ``integer`` must parse as such,
    ``choice`` must be one of ``choices``, ``reference`` must match a key of ``references``
    (``"table.column"``). An empty cell is allowed only when ``required`` is false.
    """

    name: str
    kind: ColumnKind = "text"
    required: bool = True
    choices: tuple[str, ...] = ()
    references: str | None = None
    description: str = ""


RowCheck = Callable[[dict[str, object]], Iterable[tuple[str, str]]]


@dataclass(frozen=True)
class TableSchema:
    """A data table: its file, its columns, and checks that span several cells of a row."""

    file: str
    columns: tuple[Column, ...]
    key: str | None = None
    row_checks: tuple[RowCheck, ...] = field(default_factory=tuple)
    description: str = ""

    @property
    def name(self) -> str:
        return self.file.removesuffix(".csv")


UNITS = (
    "share",
    "usd",
    "eur",
    "usd_per_year",
    "usd_per_month",
    "usd_per_generation",
    "usd_per_gw_year",
    "credits",
    "multiple",
    "months",
    "years",
    "year",
    "people",
    "gw",
    "count",
    "count_per_month",
    "log_sigma",
    "usd_bn",
    "usd_m",
    "rate_per_year",
)


def _check_fact(row: dict[str, object]) -> Iterable[tuple[str, str]]:
    """Checks across the cells of one fact: ranges ordered, shares within 0-1, provenance present."""
    # The schema has parsed these three columns as numbers (or None where empty).
    value, low, high = (cast("float | None", row[name]) for name in ("value", "low", "high"))
    present = [v for v in (value, low, high) if v is not None]
    if not present:
        yield "value", "a fact needs a value, a low or a high; all three are empty"
    if low is not None and high is not None and low > high:
        yield "low", f"low {low:g} is greater than high {high:g}"
    if value is not None and low is not None and value < low:
        yield "value", f"value {value:g} is below low {low:g}"
    if value is not None and high is not None and value > high:
        yield "value", f"value {value:g} is above high {high:g}"
    if row["unit"] == "share":
        for name, v in (("value", value), ("low", low), ("high", high)):
            if v is not None and not 0 <= v <= 1:
                yield name, f"{v:g} is a share and must lie between 0 and 1"
    for name, v in (("value", value), ("low", low), ("high", high)):
        if v is not None and v < 0:
            yield name, f"{v:g} is negative; every fact in the report is a non-negative quantity"
    if row["kind"] == "reported" and not row["quote"]:
        yield "quote", "a reported fact needs the verbatim quote it comes from"
    if row["kind"] == "assumption" and not row["rationale"]:
        yield "rationale", "an assumption needs a one-line rationale"


SCHEMAS: dict[str, TableSchema] = {
    s.name: s
    for s in (
        TableSchema(
            "sources.csv",
            (
                Column("source_id", "id"),
                Column("title"),
                Column("title_is_descriptive", "choice", choices=("true", "false")),
                Column("author", required=False),
                Column("publisher", required=False),
                Column("date"),
                Column("url", required=False),
                Column("seed_file"),
                Column("note", required=False),
            ),
            key="source_id",
            description="The four source articles.",
        ),
        TableSchema(
            "facts.csv",
            (
                Column("id", "id"),
                Column("entity"),
                Column("metric"),
                Column("value", "number", required=False),
                Column("low", "number", required=False),
                Column("high", "number", required=False),
                Column("unit", "choice", choices=UNITS),
                Column("year", "integer", required=False),
                Column("source_id", "reference", references="sources.source_id"),
                Column("kind", "choice", choices=("reported", "assumption")),
                Column("quote", required=False),
                Column("rationale", required=False),
                Column("note", required=False),
            ),
            key="id",
            row_checks=(_check_fact,),
            description="Every number of the report: reported (with its quote) or assumed (with a rationale).",
        ),
        TableSchema(
            "business_models.csv",
            (
                Column("id", "id"),
                Column("order", "integer"),
                Column("name"),
                Column("how_it_works"),
                Column("revenue_source"),
                Column("gross_margin_fact_id", "reference", references="facts.id"),
                Column("defensibility"),
                Column("examples"),
                Column("main_risk"),
                Column("main_risk_quote"),
                Column("source_id", "reference", references="sources.source_id"),
            ),
            key="id",
            description="The seven business models, from the first article's table with its header realigned.",
        ),
        TableSchema(
            "pricing_strategies.csv",
            (
                Column("id", "id"),
                Column("order", "integer"),
                Column("name"),
                Column("best_for"),
                Column("pros"),
                Column("cons"),
                Column("source_id", "reference", references="sources.source_id"),
            ),
            key="id",
            description="The five pricing strategies, from the first article's table with its header realigned.",
        ),
        TableSchema(
            "corrections.csv",
            (
                Column("id", "id"),
                Column("source_id", "reference", references="sources.source_id"),
                Column("location"),
                Column("problem"),
                Column("fix"),
                Column("affects"),
            ),
            key="id",
            description="Every place where the report departs from a source's text, and why.",
        ),
        TableSchema(
            "ltv_cac_claims.csv",
            (
                Column("id", "id"),
                Column("quote"),
                Column("favoured_model_id", "reference", references="business_models.id"),
                Column("other_model_id", "reference", references="business_models.id"),
                Column("source_id", "reference", references="sources.source_id"),
                Column("mapping_rationale"),
            ),
            key="id",
            description="The first article's four LTV/CAC claims, each mapped to two business models.",
        ),
        TableSchema(
            "company_outcomes.csv",
            (
                Column("id", "id"),
                Column("name"),
                Column("group", "choice", choices=("profitable", "cash_burner")),
                Column("quote"),
                Column("source_id", "reference", references="sources.source_id"),
            ),
            key="id",
            description="The profitable few and the cash burners, as reported.",
        ),
        TableSchema(
            "unit_economics_inputs.csv",
            (
                Column("business_model_id", "reference", references="business_models.id"),
                Column(
                    "input",
                    "choice",
                    choices=(
                        "gross_margin",
                        "arpu_month_usd",
                        "monthly_churn",
                        "cac_usd",
                        "cost_per_signup_usd",
                        "freemium_conversion",
                        "gmv_month_usd",
                        "take_rate",
                        "annual_contract_usd",
                        "annual_retention",
                        "cac_to_acv",
                        "sales_cycle_months",
                    ),
                ),
                Column("fact_id", "reference", references="facts.id"),
            ),
            description="Which fact supplies each unit-economics input of each business model.",
        ),
        TableSchema(
            "lab_inputs.csv",
            (
                Column("preset"),
                Column("input"),
                Column("fact_id", "reference", references="facts.id"),
            ),
            description="Which fact supplies each input of each lab archetype and scenario of the survival chapter.",
        ),
        TableSchema(
            "reader_questions.csv",
            (
                Column("id", "id"),
                Column("order", "integer"),
                Column("kind", "choice", choices=("faq", "section")),
                Column("question", description="verbatim: the FAQ question, or the section heading"),
                Column("quote", description="verbatim: the first sentence of the article's own answer"),
                Column("source_id", "reference", references="sources.source_id"),
            ),
            key="id",
            description="The questions readers bring (the first article's FAQ and its playbook), answered on the "
            "Questions page with the report's numbers.",
        ),
        TableSchema(
            "statements.csv",
            (
                Column("id", "id"),
                Column("question_id", "reference", references="reader_questions.id"),
                Column("source_id", "reference", references="sources.source_id"),
                Column("quote", description="verbatim from the source"),
            ),
            key="id",
            description="Statements without a figure that an answer on the Questions page quotes: switching "
            "providers, the entrepreneurs' playbook, costs beyond compute.",
        ),
        TableSchema(
            "key_figures.csv",
            (
                Column("id", "id"),
                Column("chapter", "choice", choices=("business_models", "pricing", "survival")),
                Column("quantity"),
                Column("unit", "choice", choices=UNITS),
                Column("anchor"),
            ),
            key="id",
            description="The report's citable key figures: a stable id per quantity, never reused for another.",
        ),
    )
}


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
            control = _CONTROL.search(cell)
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


WIDE_RANGE_RATIO = 10.0
MIDPOINT_RULES = ("geometric_if_wide", "arithmetic")
MidpointRule = Literal["geometric_if_wide", "arithmetic"]


def range_midpoint(low: float, high: float, rule: MidpointRule = "geometric_if_wide") -> float:
    """The middle of a low-high range: the report's one midpoint rule.

    A range whose high is at least :data:`WIDE_RANGE_RATIO` (10) times its low spans an order
    of magnitude or more; its arithmetic midpoint sits next to the high end ($100K-10M would be
    $5.05M), so it takes the geometric midpoint ($1M). Narrower ranges, and ranges reaching
    zero, take the arithmetic midpoint. ``rule="arithmetic"`` always takes the arithmetic one
    (to measure what the rule changes).

    Examples
    --------
    >>> range_midpoint(100_000, 10_000_000)
    1000000.0
    >>> range_midpoint(100_000, 10_000_000, rule="arithmetic")
    5050000.0
    >>> range_midpoint(0.02, 0.05)
    0.035
    """
    if rule not in MIDPOINT_RULES:
        raise ValueError(f"midpoint rule = {rule!r} is not allowed: must be one of {', '.join(MIDPOINT_RULES)}")
    low, high = float(low), float(high)
    if not (math.isfinite(low) and math.isfinite(high)) or low > high:
        raise ValueError(f"range {low!r}-{high!r} is not allowed: low and high must be finite with low <= high")
    if rule == "geometric_if_wide" and low > 0 and high >= WIDE_RANGE_RATIO * low:
        return round(math.sqrt(low * high), 12)
    return round((low + high) / 2, 12)


def central_value(row: pd.Series, rule: MidpointRule = "geometric_if_wide") -> float:
    """The central value of a fact: its ``value`` if given, else the midpoint of low and high.

    The midpoint follows :func:`range_midpoint` (geometric for ranges spanning 10x or more).
    A one-sided range ("$200M+") has no midpoint; its bound is returned.

    Examples
    --------
    >>> central_value(pd.Series({"value": None, "low": 0.02, "high": 0.05}))
    0.035
    >>> central_value(pd.Series({"value": 0.92, "low": 0.9, "high": 0.95}))
    0.92
    >>> central_value(pd.Series({"value": None, "low": 1e5, "high": 1e7}))
    1000000.0
    """
    value, low, high = row["value"], row["low"], row["high"]
    if pd.notna(value):
        return float(value)
    if pd.notna(low) and pd.notna(high):
        return range_midpoint(float(low), float(high), rule)
    return float(low) if pd.notna(low) else float(high)


def fact_range(row: pd.Series, rule: MidpointRule = "geometric_if_wide") -> tuple[float, float, float]:
    """(low, base, high) of a fact; a missing bound takes the central value.

    Examples
    --------
    >>> fact_range(pd.Series({"value": 40.0, "low": None, "high": None}))
    (40.0, 40.0, 40.0)
    """
    base = central_value(row, rule)
    low = float(row["low"]) if pd.notna(row["low"]) else base
    high = float(row["high"]) if pd.notna(row["high"]) else base
    return low, base, high
