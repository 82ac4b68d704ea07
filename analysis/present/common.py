"""Presentation shared by the chapters: glued text, numbered tables, formats of supported precision, sources and
parameters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from IPython.display import Markdown

from analysis.data import Dataset
from analysis.formats import fmt_number, fmt_range, fmt_share, fmt_usd
from analysis.parameters import get_chapter
from analysis.present.tables import MystCell, cite_cell, code_cell, escape_markdown, myst_table

TABLE_MIME = "application/vnd.genai-report.table+json"
KEY_FIGURES_MIME = "application/vnd.genai-report.key-figures+json"


class TableBlock:
    """A numbered, captioned table: MyST for the book (``{glue:md}`` with ``:format: myst``), plus
    the table's own cells and caption under :data:`TABLE_MIME`, from which re-runs write CSV files."""

    def __init__(self, frame: pd.DataFrame, name: str, caption: str):
        self.frame, self.name, self.caption = frame, name, caption

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {
            "text/markdown": myst_table(self.frame, self.name, self.caption),
            "text/plain": f"<table {self.name}>",
            TABLE_MIME: {
                "name": self.name,
                "caption": self.caption,
                "columns": [str(c) for c in self.frame.columns],
                "rows": [[str(v) for v in row] for row in self.frame.astype(object).itertuples(index=False)],
            },
        }


def edition_label(edition: str) -> str:
    """How an edition is named in captions: 'default edition' or 'edition: price_war'."""
    return "default edition" if edition == "default" else f"edition: {edition}"


def spread_interval(value: float, sd: float, n_seeds: int) -> tuple[float, float, str] | None:
    """A simulated figure's interval: one standard deviation either side, over the other seeds; None where the
    figure is the same on every seed (an interval of one point says nothing).

    Examples
    --------
    >>> spread_interval(0.25, 0.008, 20)
    (0.242, 0.258, '± 0.8 pp over 20 seeds (one standard deviation)')
    >>> spread_interval(0.6, 0.0, 20) is None
    True
    """
    if np.isnan(sd) or sd <= EXACT_SD:
        return None
    return (round(value - sd, 12), round(value + sd, 12), f"{fmt_spread(sd, n_seeds)} (one standard deviation)")


def findings_markdown(findings: Sequence[Mapping[str, Any]]) -> str:
    """Findings as a MyST list: each sentence, then a numbered link to its figure or table.

    Examples
    --------
    >>> print(findings_markdown([{"sentence": "Margins are 60% at $1.", "anchor": "tbl-x"}]))
    - Margins are 60% at \\$1. ({numref}`tbl-x`)
    """
    for finding in findings:
        if not str(finding["anchor"]).startswith(("fig-", "tbl-")):
            raise ValueError(f"a finding links to a figure or a table, not {finding['anchor']!r}")
    return "\n".join(f"- {escape_markdown(f['sentence'])} ({{numref}}`{f['anchor']}`)" for f in findings)


def md_text(text: str) -> Markdown:
    """Plain text for ``{glue:md}``."""
    return Markdown(str(text))


def md_quote(text: str) -> Markdown:
    """A quotation for ``{glue:md}``, with Markdown's special characters (``$``, ``*``) escaped."""
    return Markdown(escape_markdown(text))


def md_share(value: float, digits: int = 0) -> Markdown:
    return Markdown(fmt_share(float(value), digits))


def md_share_range(low: float, high: float) -> Markdown:
    return Markdown(fmt_range(float(low), float(high), fmt_share))


def md_usd(value: float, plus: bool = False) -> Markdown:
    """USD with one decimal at most ('$54.8B'), and '+' when the source gives only a lower bound ('$200M+')."""
    return Markdown(fmt_usd(float(value), digits=1) + ("+" if plus else ""))


def md_usd_range(low: float, high: float, plus: bool = False) -> Markdown:
    return Markdown(fmt_range(float(low), float(high), fmt_usd) + ("+" if plus else ""))


def md_count(value: float) -> Markdown:
    return Markdown(fmt_number(float(value), 0))


def md_count_of(part: int, whole: int) -> Markdown:
    return Markdown(f"{part} of the {whole}")


def md_ratio(value: float) -> Markdown:
    return Markdown(fmt_number(float(value), 1))


def md_multiple_range(low: float, high: float) -> Markdown:
    return Markdown(f"{fmt_number(float(low), 0)}–{fmt_number(float(high), 0)} times")


KIND_LABELS = {"reported": "reported", "assumption": "assumption", "parameter": "your parameter"}


def fmt_interval(base: float, low: float, high: float, fmt: Any) -> str:
    """'$142 ($37–$609)': the base case, then its interval in parentheses."""
    return f"{fmt(base)} ({fmt(low)}–{fmt(high)})"


def source_title(dataset: Dataset, source_id: str) -> str:
    """A source's title in quotes, the part before any colon: '“The Seven Business Models of Generative AI”'."""
    return "“" + str(dataset["sources"].set_index("source_id").at[source_id, "title"]).split(":")[0] + "”"


def source_cell(dataset: Dataset, source_id: str, prefix: str = "") -> MystCell:
    """A source named by its title (the part before any colon), linked to the bibliography."""
    title = str(dataset["sources"].set_index("source_id").at[source_id, "title"]).split(":")[0]
    return cite_cell(title, source_id, prefix)


ARCHETYPE_NAMES = {
    "frontier_leader": "frontier leader",
    "enterprise_challenger": "enterprise-focused challenger",
    "subscale_lab": "sub-scale independent lab",
    "bigtech_lab": "lab inside a big-tech parent",
}

ENTITY_NAMES = {"openai": "OpenAI", "anthropic": "Anthropic", "alphabet": "Alphabet", "midjourney": "Midjourney",
                "mistral": "Mistral", "openai_anthropic": "OpenAI and Anthropic"}  # fmt: skip
UNIT_WORDS = {"usd": "USD", "bn": "bn", "gw": "GW"}


def entity_name(dataset: Dataset, entity: str) -> str:
    """A company, business model or lab archetype as readers name it: 'openai' -> 'OpenAI'."""
    models = dataset["business_models"]
    if entity in set(models["id"]):
        return str(models.set_index("id").at[entity, "name"])
    if entity in ARCHETYPE_NAMES:
        return ARCHETYPE_NAMES[entity]
    return ENTITY_NAMES.get(entity, entity.replace("_", " ").capitalize())


def metric_label(metric: str) -> str:
    """A metric id in words, its unit in parentheses: 'annual_revenue_usd' -> 'annual revenue (USD)'.

    Examples
    --------
    >>> metric_label("annual_revenue_usd"), metric_label("gross_margin"), metric_label("cash_start_usd_bn")
    ('annual revenue (USD)', 'gross margin', 'cash start (USD bn)')
    """
    words = metric.split("_")
    unit: list[str] = []
    while words and words[-1] in UNIT_WORDS:
        unit.insert(0, UNIT_WORDS[words.pop()])
    return " ".join(words) + (f" ({' '.join(unit)})" if unit else "")


def parameters_table(chapter: str, params: Mapping[str, Any], dataset: Dataset) -> pd.DataFrame:
    """The parameters a chapter ran with, beside their defaults and the defaults' provenance, in words:
    what each is, the name to re-run it with, values in their units, where the default comes from."""
    spec = get_chapter(chapter)
    facts = dataset["facts"]

    def origin(p: Any) -> str | MystCell:
        if not p.fact_ids:
            return "modelling choice of the report"
        fact = facts.loc[p.fact_ids[0]]
        if fact["kind"] == "assumption":
            return source_cell(dataset, str(fact["source_id"]), "assumption of ours, on ")
        return source_cell(dataset, str(fact["source_id"]), "reported in ")

    frame = pd.DataFrame(
        {
            "Parameter": [p.description[:1].upper() + p.description[1:] for p in spec.parameters],
            "Name": [code_cell(p.name) for p in spec.parameters],
            "Value": [_typed(fmt_parameter(params[p.name], p), p) for p in spec.parameters],
            "Default": [_typed(fmt_parameter(p.default, p), p) for p in spec.parameters],
            "Allowed": [parameter_allowed(p) for p in spec.parameters],
            "Default from": [origin(p) for p in spec.parameters],
        }
    )
    return frame


def _typed(text: str, p: Any) -> str | MystCell:
    """A named choice (an archetype, a scenario) is shown as code: it is typed as it reads."""
    return code_cell(text) if p.type is str and p.choices else text


def fmt_parameter(value: Any, p: Any) -> str:
    """A parameter value in its unit: $300K, $100M, 3.5%, 20,000, [$20, $60, $200]; names and years as typed.

    Examples
    --------
    >>> from analysis.parameters import Parameter
    >>> fmt_parameter(300_000.0, Parameter("c", float, 1.0, "pay", unit="USD per year"))
    '$300K'
    >>> fmt_parameter(0.035, Parameter("r", float, 0.1, "rate", unit="share"))
    '3.5%'
    >>> fmt_parameter([20.0, 60.0], Parameter("t", list, [1.0], "tiers", unit="USD per month"))
    '$20, $60'
    >>> fmt_parameter(2026, Parameter("seed", int, 1, "seed")), fmt_parameter(20_000, Parameter("n", int, 1, "n"))
    ('2026', '20,000')
    """
    if isinstance(value, list):
        return ", ".join(fmt_parameter(v, p) for v in value)
    if isinstance(value, str | bool):
        return str(value)
    unit = str(getattr(p, "unit", "") or "")
    if unit.startswith("USD"):
        return fmt_usd(float(value))
    if unit.startswith("share"):
        digits = next((d for d in (0, 1, 2) if abs(round(value * 100, d) - value * 100) < 1e-9), 3)
        return fmt_share(float(value), digits)
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value)) if abs(value) < 10_000 else fmt_number(float(value), 0)
    return fmt_number(float(value), 3)


def parameter_allowed(p: Any) -> str | MystCell:
    """What a parameter may be, in its unit: '≥ $0 and ≤ $100M', 'whole number ≥ 1', one of named choices."""
    if p.type is str:
        return code_cell(", ".join(p.choices)) if p.choices else "a plain name (letters, digits, - or _)"
    bounds = []
    if p.minimum is not None:
        bounds.append(f"{'>' if p.exclusive_minimum else '≥'} {fmt_parameter(p.minimum, p)}")
    if p.maximum is not None:
        bounds.append(f"{'<' if p.exclusive_maximum else '≤'} {fmt_parameter(p.maximum, p)}")
    kind = "whole number" if p.type is int else "each" if p.type is list else "number"
    return f"{kind} {' and '.join(bounds)}".strip()


# --- pricing chapter -------------------------------------------------------------------------

EXACT_SD = 1e-12
"""A spread below this is floating-point noise: the figure is the same on every seed."""


def supported_share_decimals(sd: float, max_decimals: int = 2, exact_decimals: int = 1) -> int:
    """Decimals of a percentage that a spread of ``sd`` (a share) supports.

    The last digit shown is the one where the spread's first significant digit falls, so a
    figure that moves by 2.7 points from seed to seed is shown in whole points; a figure that
    does not move (``sd`` 0 or NaN) gets ``exact_decimals``.

    Examples
    --------
    >>> [supported_share_decimals(sd) for sd in (0.027, 0.0075, 0.0009, 0.00003, 0.0)]
    [0, 0, 1, 2, 1]
    """
    if not (sd >= 0) and not np.isnan(sd):
        raise ValueError(f"sd = {sd!r} is not allowed: must be a number >= 0 (a standard deviation)")
    if np.isnan(sd) or sd <= EXACT_SD:
        return exact_decimals
    return int(min(max(np.floor(-np.log10(sd * 100)), 0), max_decimals))


def fmt_share_supported(value: float, sd: float) -> str:
    """A share with only the decimals its spread over seeds supports: (0.130, sd 0.027) -> '13%'.

    Examples
    --------
    >>> fmt_share_supported(0.1302, 0.027), fmt_share_supported(0.000941, 0.00003), fmt_share_supported(0.6, 0.0)
    ('13%', '0.09%', '60%')
    """
    text = fmt_share(value, supported_share_decimals(sd))
    exact = np.isnan(sd) or sd <= EXACT_SD
    return text.replace(".0%", "%") if exact else text


def fmt_spread(sd: float, n_seeds: int) -> str:
    """'± 2.7 pp over 20 seeds' (one significant digit at least), or 'the same on every seed'.

    Examples
    --------
    >>> fmt_spread(0.027, 20), fmt_spread(0.0075, 20), fmt_spread(0.0, 20)
    ('± 3 pp over 20 seeds', '± 0.8 pp over 20 seeds', 'the same on every seed')
    """
    if np.isnan(sd) or sd <= EXACT_SD:
        return "the same on every seed"
    digits = max(0, -int(np.floor(np.log10(sd * 100))))
    return f"± {sd * 100:.{digits}f} pp over {n_seeds} seeds"


def fmt_seed_range(low: float, high: float, n_seeds: int, fmt: Any) -> str:
    """'12 on all 20 seeds' or '10–14 over 20 seeds'.

    Examples
    --------
    >>> fmt_seed_range(12, 12, 20, str), fmt_seed_range(10, 14, 20, str)
    ('12 on all 20 seeds', '10–14 over 20 seeds')
    """
    if fmt(low) == fmt(high):
        return f"{fmt(low)} on all {n_seeds} seeds"
    return f"{fmt_range(low, high, fmt)} over {n_seeds} seeds"


def share_supported(value: float, uncertainty: float) -> str:
    """A probability printed with the decimals its uncertainty supports (see :func:`survival.decimals_supported`).

    Examples
    --------
    >>> share_supported(0.4554, 0.14), share_supported(0.4554, 0.004)
    ('46%', '45.5%')
    """
    from analysis.models.survival import decimals_supported

    return fmt_share(value, decimals_supported(uncertainty))
