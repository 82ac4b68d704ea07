"""Data tables: the declared schema, bad input rejected with file/line/column, provenance checked."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from analysis.data import DataValidationError, load_dataset
from analysis.paths import SEEDS_DIR
from analysis.seeds import markdown_tables, read_seed, realign_shifted_table

needs_seeds = pytest.mark.skipif(not SEEDS_DIR.exists(), reason=f"source articles not found at {SEEDS_DIR}")


def _rewrite(path: Path, row_id: str, column: str, value: str, key: str = "id") -> int:
    """Set one cell of a CSV; return the line number of the row (header is line 1)."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    fields = list(rows[0])
    line = next(i for i, r in enumerate(rows, start=2) if r[key] == row_id)
    rows[line - 2][column] = value
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return line


def test_repository_data_is_valid(dataset):
    """Every table loads; 7 business models, 5 pricing strategies, 4 sources, 4 claims."""
    assert len(dataset["business_models"]) == 7
    assert len(dataset["pricing_strategies"]) == 5
    assert len(dataset["sources"]) == 4
    assert len(dataset["ltv_cac_claims"]) == 4
    assert set(dataset["facts"]["kind"]) == {"reported", "assumption"}


@pytest.mark.parametrize(
    ("row_id", "column", "value", "expected"),
    [
        ("api_provider_gross_margin", "low", "abc", "column 'low': 'abc' is not a number"),
        ("api_provider_gross_margin", "low", "0.9", "column 'low': low 0.9 is greater than high 0.6"),
        (
            "freemium_conversion_rate",
            "high",
            "1.5",
            "column 'high': 1.5 is a share and must lie between 0 and 1",
        ),
        (
            "midjourney_headcount",
            "source_id",
            "nowhere",
            "column 'source_id': 'nowhere' is not a known source_id",
        ),
        ("midjourney_headcount", "kind", "guess", "column 'kind': 'guess' is not one of the allowed values"),
        ("midjourney_headcount", "quote", "", "column 'quote': a reported fact needs the verbatim quote"),
        (
            "annual_discount_rate",
            "rationale",
            "",
            "column 'rationale': an assumption needs a one-line rationale",
        ),
        ("midjourney_headcount", "value", "-40", "column 'value': -40 is negative"),
    ],
)
def test_bad_cell_names_file_line_row_and_column(data_copy, row_id, column, value, expected):
    """A broken cell is reported as 'data/facts.csv, line N (row 'id'), column ...' and nothing loads."""
    line = _rewrite(data_copy / "facts.csv", row_id, column, value)
    with pytest.raises(DataValidationError) as info:
        load_dataset(data_copy)
    message = str(info.value)
    assert f"data/facts.csv, line {line} (row {row_id!r})" in message
    assert expected in message
    assert "nothing was computed" in message


def test_missing_column_is_named(data_copy):
    """Dropping the 'unit' column fails on the header line, naming the column."""
    path = data_copy / "facts.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with path.open("w", newline="", encoding="utf-8") as fh:
        fields = [f for f in rows[0] if f != "unit"]
        writer = csv.DictWriter(fh, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(DataValidationError, match=r"data/facts.csv, line 1 \(header\): missing column\(s\) 'unit'"):
        load_dataset(data_copy)


def test_duplicate_id_names_both_lines(data_copy):
    """A second row with an existing id is rejected, naming the line of the first."""
    path = data_copy / "facts.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.append(lines[1])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        load_dataset(data_copy)
    assert f"line {len(lines)} (row 'api_provider_gross_margin'), column 'id': duplicate id" in str(info.value)
    assert "(first on line 2)" in str(info.value)


def test_a_byte_that_is_not_utf8_names_file_and_line(data_copy):
    """Issue 13: a latin-1 'é' in facts.csv is a validation error with its line, not a UnicodeDecodeError."""
    path = data_copy / "facts.csv"
    lines = path.read_bytes().split(b"\n")
    lines[3] = lines[3].replace(b",", "caf\xe9,".encode("latin-1"), 1)
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(
        DataValidationError, match=r"data/facts.csv, line 4: byte 0xe9 is not UTF-8; save the file as UTF-8"
    ):
        load_dataset(data_copy)


def test_a_row_with_a_cell_too_many_is_refused_not_cut_short(data_copy):
    """A stray comma outside quotes makes one cell too many: refused with the count, not read with a quote cut."""
    path = data_copy / "company_outcomes.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = (
        'midjourney,Midjourney,profitable,"Estimated $200M+ annual revenue", with a lean team,genai_business_models_2026'
    )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        load_dataset(data_copy)
    assert "data/company_outcomes.csv, line 2 (row " in str(info.value)
    assert "6 cells, but the header has 5 columns (a comma inside a cell must be within double quotes)" in str(
        info.value
    )


def test_a_control_character_in_a_cell_is_refused(data_copy):
    """Issue 13: a NUL byte would reach the site's HTML; it is refused, naming the row and the column."""
    line = _rewrite(data_copy / "facts.csv", "midjourney_headcount", "note", "about\x00forty")
    with pytest.raises(DataValidationError) as info:
        load_dataset(data_copy)
    assert (
        f"data/facts.csv, line {line} (row 'midjourney_headcount'), column 'note': contains the control character U+0000"
        in str(info.value)
    )


def test_unknown_fact_reference_in_another_table(data_copy):
    """A business model pointing at a fact that does not exist is rejected with the table and line."""
    line = _rewrite(data_copy / "business_models.csv", "marketplace", "gross_margin_fact_id", "no_such_fact")
    with pytest.raises(DataValidationError, match=rf"data/business_models.csv, line {line} \(row 'marketplace'\)"):
        load_dataset(data_copy)


def test_all_problems_are_listed_at_once(data_copy):
    """Two broken files give two problems in one error."""
    _rewrite(data_copy / "facts.csv", "api_provider_gross_margin", "low", "x")
    _rewrite(data_copy / "sources.csv", "openai_api_arr_2026", "date", "", key="source_id")
    with pytest.raises(DataValidationError) as info:
        load_dataset(data_copy)
    assert len(info.value.problems) == 2


@needs_seeds
def test_every_reported_quote_is_verbatim_in_its_source(dataset):
    """Each reported fact's quote occurs word for word in the article its source_id names."""
    sources = dataset["sources"]
    facts = dataset["facts"]
    for fact in facts[facts["kind"] == "reported"].itertuples(index=False):
        text = read_seed(sources.at[fact.source_id, "seed_file"])
        assert fact.quote in text, f"{fact.id}: quote not found in {fact.source_id}"
    for table, column in (("business_models", "main_risk_quote"), ("ltv_cac_claims", "quote"),
                          ("company_outcomes", "quote"), ("reader_questions", "question"),
                          ("reader_questions", "quote"), ("statements", "quote")):  # fmt: skip
        for row in dataset[table].itertuples(index=False):
            assert getattr(row, column) in read_seed(sources.at[row.source_id, "seed_file"]), (table, row)


@needs_seeds
def test_business_model_table_is_realigned_against_the_article(dataset):
    """The article's first table, with its spurious 'Feature' header dropped, equals business_models.csv."""
    tables = markdown_tables(read_seed("000_6fa72ebff24fa762.txt"))
    assert tables[0][0][:2] == ["Feature", "Business Model"]  # the shift is really there
    realigned = realign_shifted_table(tables[0])
    models = dataset["business_models"].sort_values("order")
    assert [r["Business Model"] for r in realigned] == list(models["name"])
    assert [r["Revenue Source"] for r in realigned] == list(models["revenue_source"])
    assert [r["Defensibility"] for r in realigned] == list(models["defensibility"])
    assert [r["Example"] for r in realigned] == list(models["examples"])
    margins = [r["Typical Gross Margin"] for r in realigned]
    assert margins[0] == "30-60%"
    # Every gross margin in the table is stored as a fact with the same range.
    table_facts = dataset["facts"][dataset["facts"]["quote"].str.startswith("|", na=False)]
    for name, margin in zip(models["name"], margins, strict=True):
        low, high = (int(x) / 100 for x in re.findall(r"\d+", margin))
        model_id = models.set_index("name").at[name, "id"]
        fact = dataset.fact(models.set_index("id").at[model_id, "gross_margin_fact_id"])
        if model_id == "marketplace":  # declared correction: the table's figure is the take rate
            fact = table_facts.set_index("entity").loc["marketplace"]
        assert (fact["low"], fact["high"]) == pytest.approx((low, high))


@needs_seeds
def test_pricing_table_is_realigned_against_the_article(dataset):
    """The article's pricing table, realigned, equals pricing_strategies.csv cell for cell."""
    realigned = realign_shifted_table(markdown_tables(read_seed("000_6fa72ebff24fa762.txt"))[1])
    strategies = dataset["pricing_strategies"].sort_values("order")
    assert [(r["Pricing Model"], r["Best For"], r["Pros"], r["Cons"]) for r in realigned] == list(
        zip(strategies["name"], strategies["best_for"], strategies["pros"], strategies["cons"], strict=True)
    )


def test_realign_rejects_a_table_without_the_shift():
    """A header that does not start with the spurious cell is not 'corrected'."""
    with pytest.raises(ValueError, match="expected the header to start with 'Feature'"):
        realign_shifted_table([["Model", "Margin"], ["API", "30%"]])


def test_disagreeing_sources_are_both_kept(dataset):
    """OpenAI's revenue: $5B+ (vendor article) and $4B annualized (essay) are two facts, not one."""
    from analysis.models.business_models import source_disagreements

    openai = source_disagreements(dataset).query("entity == 'openai' and metric == 'annual_revenue_usd'")
    assert sorted(openai["central_value"]) == [4e9, 5e9]
    assert openai["source_id"].nunique() == 2


def test_every_correction_affects_a_real_table(dataset):
    """Each declared correction names a data file that exists."""
    for affects in dataset["corrections"]["affects"]:
        assert (dataset.data_dir / affects).exists()
