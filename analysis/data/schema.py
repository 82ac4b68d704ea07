"""Every table of data/ declared once: its columns, their types, which are required, which refer to another."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal, cast

# Characters no cell may hold (NUL and the other C0 controls but tab and line breaks, and DEL).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

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
