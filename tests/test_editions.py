"""Every scenario edition: each chapter executed under each preset, its sentences checked against its numbers.

A sentence whose truth depends on the numbers is chosen by them; this test reads the sentences back from the
executed notebooks and checks them against the tables they describe, so no edition says what its numbers deny.
(The business-model and pricing sentence functions are also checked per preset in their own test modules.)
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from analysis.parameters import CHAPTERS
from analysis.pipeline.artifacts import read_outputs
from analysis.reruns.scenarios import list_scenarios


def glued_text(path: Path) -> dict[str, str]:
    """Every ``{glue:md}`` text of an executed notebook, by key."""
    texts = {}
    for cell in nbformat.read(str(path), as_version=4).cells:
        for output in cell.get("outputs", []):
            scrapbook = output.get("metadata", {}).get("scrapbook", {})
            key = scrapbook.get("name")
            markdown = output.get("data", {}).get(scrapbook.get("mime_prefix", "") + "text/markdown")
            if key and markdown is not None:
                texts[key] = markdown
    return texts


def row(table: dict, line: str) -> list[float]:
    """A projection-table row as numbers (percent signs dropped, '–' as None)."""
    cells = next(r for r in table["rows"] if r[0] == line)[1:]
    return [None if c == "–" else float(c.replace("%", "").replace(",", "").replace("−", "-")) for c in cells]


@pytest.fixture(scope="module")
def survival_editions(editions) -> dict[str, Path]:
    return {name: path for (name, chapter), path in editions.items() if chapter == "survival"}


@pytest.mark.parametrize("edition", list_scenarios())
@pytest.mark.parametrize("chapter", list(CHAPTERS))
def test_no_edition_prints_raw_roles_or_undefined_numbers(editions, edition, chapter):
    """No glued text or key figure reads 'nan' or 'inf', and no key figure (quoted in memos as plain text)
    carries a MyST role, in any chapter of any edition; glued MyST may hold roles, which the book resolves."""
    path = editions[(edition, chapter)]
    figures = [f["text"] for f in read_outputs(path).key_figures] + [
        f["sentence"] for f in read_outputs(path).key_figures
    ]
    for text in list(glued_text(path).values()) + figures:
        assert not re.search(r"\bnan\b|\binf\b", text, flags=re.IGNORECASE), (edition, chapter, text)
    for text in figures:
        assert "{" not in text, (edition, chapter, text)


@pytest.mark.parametrize("edition", list_scenarios())
def test_survival_sentences_agree_with_their_numbers(survival_editions, edition):
    path = survival_editions[edition]
    text, outputs = glued_text(path), read_outputs(path)
    projection = outputs.tables["sv_table_projection"]
    margin = row(projection, "API gross margin")
    sentence = text["sv_api_margin_text"]
    if margin[-1] == margin[0]:
        assert sentence.startswith("stays"), (edition, sentence, margin)
    elif margin[-1] > margin[0]:
        assert sentence.startswith("rises"), (edition, sentence, margin)
    else:
        assert sentence.startswith("falls"), (edition, sentence, margin)

    ratio = [r for r in row(projection, "Revenue growth / cost growth") if r is not None]
    reading = text["sv_ratio_text"]
    if ratio[0] >= 1 and ratio[-1] >= 1:
        assert "above 1" in reading, (edition, reading, ratio)
    elif ratio[0] < 1 and ratio[-1] < 1:
        assert "below 1 at both ends" in reading, (edition, reading, ratio)
    else:
        assert "along the way" in reading, (edition, reading, ratio)

    ocf = row(projection, "Operating cash flow")
    years = [int(y) for y in projection["columns"][1:]]
    breakeven = text["sv_breakeven_text"]
    if breakeven.startswith("in "):
        year = int(breakeven.removeprefix("in "))
        start = years.index(year)
        assert all(v >= 0 for v in ocf[start:]), (edition, breakeven, ocf)
        assert start == 0 or ocf[start - 1] <= 0, (edition, breakeven, ocf)
    else:
        assert ocf[-1] < 0.05, (edition, breakeven, ocf)

    verdicts = [r[5] for r in outputs.tables["sv_table_calibration"]["rows"]]
    within = int(re.match(r"(\d+) of the (\d+)", text["sv_calibration_text"]).group(1))
    assert within == verdicts.count("within")

    figures = {f["id"]: f for f in outputs.key_figures}
    uncertainty = figures["sv_p_breakeven_uncertainty"]["value"]
    printed = figures["sv_p_breakeven"]["text"]
    decimals = len(printed.rstrip("%").partition(".")[2])
    assert decimals == (0 if uncertainty >= 0.01 else 1), (edition, printed, uncertainty)
    assert float(printed.rstrip("%")) == pytest.approx(figures["sv_p_breakeven"]["value"] * 100, abs=0.5)
