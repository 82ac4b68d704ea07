"""The questions readers bring, answered with the report's own key figures.

The first article closes with the questions its readers ask and a playbook for entrepreneurs
(``data/reader_questions.csv``). Each answer here is assembled from the key figures the chapters
emitted in this edition, so every number on the page is a chapter's number, and every sentence whose
truth depends on the numbers is chosen by them: the page stays true in every scenario edition.
Each answer links to the table or figure it rests on and says how sure it is, from the chapter's
uncertainty budget.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from analysis.data import Dataset
from analysis.formats import fmt_usd, with_article
from analysis.present.tables import escape_markdown

KeyFigures = Mapping[str, Mapping[str, Any]]
STRATEGY_IDS = ("credits", "tiered_subscription", "freemium", "enterprise_license", "usage_based_api")


class QuestionsError(ValueError):
    """A key figure an answer needs is missing from the chapters' outputs."""


@dataclass(frozen=True)
class Answer:
    """One question's answer: the numbers, how sure, and the key figures it quotes."""

    question_id: str
    body: str
    sureness: str
    figures: tuple[str, ...]


class Figures:
    """Key figures by id, remembering which ones an answer printed (``used``)."""

    def __init__(self, rows: KeyFigures):
        self.rows = rows
        self.used: list[str] = []

    def __getitem__(self, key: str) -> Mapping[str, Any]:
        if key not in self.rows:
            raise QuestionsError(f"key figure {key!r} is missing: the chapters of this edition did not emit it")
        return self.rows[key]

    def text(self, key: str) -> str:
        self.used.append(key)
        return escape_markdown(str(self[key]["text"]))

    def value(self, key: str) -> float:
        value = self[key]["value"]
        if value is None:
            raise QuestionsError(f"key figure {key!r} has no value")
        return float(value)

    def value_or(self, key: str, missing: float) -> float:
        """The key figure's value, or ``missing`` where it has none (a break-even never reached is infinite)."""
        value = self[key]["value"]
        return missing if value is None else float(value)

    def link(self, key: str) -> str:
        """A cross-reference to the table or figure the key figure sits in (a section link otherwise)."""
        row = self[key]
        anchor = str(row["anchor"])
        if anchor.startswith(("tbl-", "fig-")):
            return f"{{numref}}`{anchor}`"
        page = str(row["page"]).removeprefix("book/")
        return f'<a href="{page}.html#{anchor}">{escape_markdown(str(row["chapter"]))}</a>'


def _names_verb(names: str, singular: str, plural: str) -> str:
    return f"{names} {plural if ' and ' in names or ',' in names else singular}"


def answer_most_profitable(k: Figures) -> Answer:
    """Margins and LTV/CAC intervals, and which model, if any, stays above 1 across its whole interval."""
    floor_names, thin_names = k.text("bm_highest_floor_model"), k.text("bm_thinnest_margin_model")
    best, low, high = (
        k.text("bm_best_ltv_to_cac_model"),
        k.value("bm_best_ltv_to_cac_low"),
        k.value("bm_best_ltv_to_cac_high"),
    )
    above, n_above = k.text("bm_models_above_one"), int(k.value("bm_models_above_one"))
    body = (
        f"By gross margin, {_names_verb(floor_names, 'has', 'share')} the highest floor, "
        f"{k.text('bm_highest_margin_floor')} ({k.link('bm_highest_margin_floor')}), and "
        f"{_names_verb(thin_names, 'has', 'share')} the lowest, {k.text('bm_lowest_margin_floor')}. By what a "
        f"customer is worth against what it costs to win, {best} has the highest base-case LTV/CAC, "
        f"{k.text('bm_best_ltv_to_cac')} ({k.link('bm_best_ltv_to_cac')}), but its interval runs from "
        f"{k.text('bm_best_ltv_to_cac_low')} to {k.text('bm_best_ltv_to_cac_high')}. "
    )
    if n_above == 0:
        body += "No model keeps LTV/CAC above 1 across its whole interval, so no model is profitable on every reading."
    elif n_above == 1:
        body += (
            f"Only {above} keeps LTV/CAC above 1 across its whole interval: the one answer that holds on every reading."
        )
    else:
        body += f"{above} keep LTV/CAC above 1 across their whole intervals: the answers that hold on every reading."
    spread = high / low if low > 0 else float("inf")
    sureness = (
        "Low for the ranking: the best model's LTV/CAC interval spans more than a factor of ten, and the inputs' "
        "ranges move every unit-economics figure more than any modelling choice ({numref}`tbl-bm-uncertainty-budget`)."
        if spread > 10
        else "Moderate: the best model's LTV/CAC interval spans less than a factor of ten "
        "({numref}`tbl-bm-uncertainty-budget`)."
    )
    return Answer("most_profitable", body, sureness, tuple(k.used))


def answer_losing_money(k: Figures, survival: Mapping[str, Any]) -> Answer:
    """The lab projection: the first-year loss, training's weight, which costs outgrow revenue and when profit comes."""
    start = int(survival["start_year"])
    outgrowing = int(k.value("sv_costs_outgrowing_revenue"))
    body = (
        f"In the base case the frontier leader's operating cash flow in {start} is {k.text('sv_ocf_first_year')} "
        f"({k.link('sv_ocf_first_year')}): training alone is {k.text('sv_training_share_start')} of its costs, a cost "
        "paid before the revenue it earns, alongside talent and inference. "
    )
    if outgrowing:
        lines = "cost grows" if outgrowing == 1 else "costs grow"
        body += f"In {start + 1} its {k.text('sv_costs_outgrowing_revenue')} {lines} faster than revenue. "
    else:
        body += f"From {start + 1} revenue grows faster than every cost line, but from a lower base. "
    first = k["sv_first_profitable_base"]
    body += (
        f"Its first profitable year is {k.text('sv_first_profitable_base')}"
        if first["value"] is not None
        else f"It has no profitable year by the horizon ({k.text('sv_first_profitable_base')})"
    )
    body += (
        f"; with every input uncertain, the probability of sustained break-even by {survival['headline_year']} is "
        f"{k.text('sv_p_breakeven')} ({k.link('sv_p_breakeven')})."
    )
    sureness = (
        f"The probability is good to about {k.text('sv_p_breakeven_uncertainty')}: modelling choices move it that "
        "much, far more than sampling ({numref}`tbl-uncertainty-budget`)."
    )
    return Answer("losing_money", body, sureness, tuple(k.used))


def answer_credit_platforms(k: Figures, dataset: Dataset) -> Answer:
    """The credit example's margin, the simulated credit margin, and what falling prices do to it."""
    price = float(dataset.fact("credit_example_price_usd")["value"])
    cost = float(dataset.fact("credit_example_cost_usd")["value"])
    now, later = k.value("pr_margin_now_credits"), k.value("pr_margin_later_credits")
    example = (
        f"a generation sold for {escape_markdown(fmt_usd(price))} costs the platform {escape_markdown(fmt_usd(cost))}"
    )
    body = (
        f"They buy generations at wholesale API prices and resell them as credits: in the article's example "
        f"{example}, {with_article(k.text('bm_credit_margin'))} gross margin ({k.link('bm_credit_margin')}); on the "
        "report's "
        f"simulated users credit pricing earns {k.text('pr_credit_margin')} ({k.link('pr_credit_margin')}). For the "
        "platform the API price is its cost, so the margin lasts only as long as the providers' prices fall as fast "
        "as its own: "
    )
    verb = "holds at" if abs(later - now) < 0.005 else "falls to" if later < now else "rises to"
    body += f"at the central rates it {verb} {k.text('pr_margin_later_credits')} ({k.link('pr_margin_later_credits')})"
    body += (
        f", and if its own prices kept the article's past pace while its costs fell at the central rate, it would be "
        f"{k.text('pr_credits_margin_later_article_pace')}."
    )
    sureness = (
        "High for the arithmetic of the example; the simulated margin varies little from seed to seed, but the cost of "
        "a generation, an assumption, moves it most ({numref}`tbl-pricing-uncertainty`)."
    )
    return Answer("credit_platforms", body, sureness, tuple(k.used))


def answer_prices_falling(k: Figures, names: Mapping[str, str], pricing: Mapping[str, Any]) -> Answer:
    """The central decline against the past pace, and each strategy's margin after the projected years."""
    years = int(pricing["deflation_years"])
    moves: dict[str, list[str]] = {"gains": [], "holds": [], "loses": []}
    for strategy in STRATEGY_IDS:
        now, later = k.value(f"pr_margin_now_{strategy}"), k.value(f"pr_margin_later_{strategy}")
        kind = "holds" if abs(later - now) < 0.005 else "gains" if later > now else "loses"
        moves[kind].append(
            f"{names[strategy]} ({k.text(f'pr_margin_now_{strategy}')} to {k.text(f'pr_margin_later_{strategy}')})"
        )
    body = (
        f"The sources expect it, more slowly: the report's central rate is {k.text('pr_central_price_decline')} a "
        f"year, below the {k.text('pr_decline_example')} a year of the article's own example "
        f"({k.link('pr_decline_example')}). "
        f"After {years} more years at the central rates ({k.link('pr_margin_later_credits')}): "
    )
    parts = []
    for kind, words in (("gains", "margin rises for"), ("holds", "margin holds for"), ("loses", "margin falls for")):
        if moves[kind]:
            parts.append(f"{words} {', '.join(moves[kind])}")
    body += "; ".join(parts) + ". Flat prices keep what falling costs save; usage prices pass it on."
    sureness = (
        "The direction is sure for flat-priced plans (their price is fixed, their cost falls); for usage prices it "
        "depends on whether prices or costs fall faster, which the deflation cases show "
        "({numref}`tbl-deflation-cases`)."
    )
    return Answer("prices_falling", body, sureness, tuple(k.used))


def answer_provider_failure(
    k: Figures, dataset: Dataset, archetype_names: Mapping[str, str], survival: Mapping[str, Any]
) -> Answer:
    """Each archetype's chance that its cash lasts, base and pessimistic, and what the sources say about switching."""
    year = survival["headline_year"]
    independents = ("frontier_leader", "enterprise_challenger", "subscale_lab")
    ranked = sorted(independents, key=lambda a: k.value(f"sv_p_cash_{a}_base"), reverse=True)

    def one(archetype: str) -> str:
        name = archetype_names[archetype]
        base, pessimistic = k.text(f"sv_p_cash_{archetype}_base"), k.text(f"sv_p_cash_{archetype}_pessimistic")
        return f"{with_article(name)} {base} ({pessimistic} in the pessimistic scenario)"

    listed = "; ".join(one(a) for a in ranked)
    body = (
        f"It depends on who the provider is. The chance that a lab's cash lasts through {year} without new capital is, "
        f"in the base scenario, {listed} ({k.link(f'sv_p_cash_{ranked[0]}_base')}). A lab inside a big-tech parent "
        "has no cash of its own to run out of: its parent's willingness to fund it is the question. "
    )
    statements = dataset["statements"]
    quotes = statements[statements["question_id"] == "provider_failure"]
    cited = {row.Index: f"“{escape_markdown(row.quote)}” {{cite:p}}`{row.source_id}`" for row in quotes.itertuples()}
    body += (
        f"On switching, the sources agree that models are substitutes: {cited['switch_convergence']}; "
        f"{cited['switch_aggregator']} The vendor article advises: {cited['switch_mitigation']}"
    )
    margin = k.value("sv_p_breakeven_uncertainty")
    values = [k.value(f"sv_p_cash_{a}_base") for a in ranked]
    gaps_wider = all(a - b > margin for a, b in zip(values, values[1:], strict=False))
    sureness = (
        f"Each probability is good to about {k.text('sv_p_breakeven_uncertainty')} under the modelling choices "
        "({numref}`tbl-uncertainty-budget`); "
        + ("the gaps between the labs are wider than that, so the ranking holds."
           if gaps_wider else "some gaps between the labs are narrower than that, so those labs do not rank.")
    )  # fmt: skip
    return Answer("provider_failure", body, sureness, tuple(k.used))


def answer_playbook(k: Figures, dataset: Dataset) -> Answer:
    """Each step of the article's playbook against the report's numbers."""
    statements = dataset["statements"]
    steps = statements[statements["question_id"] == "entrepreneur_playbook"]
    quote = {row.Index: f"“{escape_markdown(row.quote)}”" for row in steps.itertuples()}
    thin = str(k["bm_thinnest_margin_model"]["text"])
    model_quality = (
        "supported: selling model access alone, the API provider, has the lowest margin floor "
        f"({k.text('bm_lowest_margin_floor')}, {k.link('bm_lowest_margin_floor')})"
        if "API Provider" in thin
        else f"not what the margins show: the lowest margin floor belongs to {escape_markdown(thin)}"
    )
    vertical = int(k.value("bm_claim_vertical_beats_horizontal"))
    vertical_text = (
        "supported by the base case's LTV/CAC ({numref}`tbl-ltv-cac-claims`)"
        if vertical
        else "not supported by the base case's LTV/CAC ({numref}`tbl-ltv-cac-claims`)"
    )
    subscription = int(k.value("bm_claim_subscription_beats_api"))
    enterprise = int(k.value("bm_claim_enterprise_beats_consumer"))
    verdict = (
        "supported"
        if subscription and enterprise
        else "partly supported"
        if subscription or enterprise
        else ("not supported")
    )
    recurring = (
        f"{verdict}: the base case {k.text('bm_claim_subscription_beats_api')} that subscriptions beat pure API models "
        "and "
        f"{k.text('bm_claim_enterprise_beats_consumer')} that enterprise contracts beat consumer products on LTV/CAC; "
        f"flat plans' revenue is steadier by construction, and after the projected price declines the tiered margin is "
        f"{k.text('pr_margin_later_tiered_subscription')} against credits' {k.text('pr_margin_later_credits')}"
    )
    # A break-even no conversion reaches (a paid plan below its user's compute) is recorded without a value.
    default, cheap = k.value_or("pr_breakeven_default", math.inf), k.value_or("pr_breakeven_cheap", math.inf)
    costs = (
        f"supported: the cost of a generation moves the freemium break-even conversion from "
        f"{k.text('pr_breakeven_default')} to {k.text('pr_breakeven_cheap')} ({k.link('pr_breakeven_default')}), more "
        "than any other choice in the pricing chapter"
        if default > cheap
        else "not visible in the freemium break-even, which the cost of a generation does not move"
    )
    body = "\n".join(
        [
            f"- {quote['playbook_model_quality']} The numbers: {model_quality}.",
            f"- {quote['playbook_vertical']} The numbers: {vertical_text}.",
            f"- {quote['playbook_recurring']} The numbers: {recurring}.",
            f"- {quote['playbook_costs']} The numbers: {costs}.",
        ]
    )
    sureness = (
        "Each verdict is the base case's; the claims table gives the input that would reverse each LTV/CAC verdict "
        "({numref}`tbl-ltv-cac-flips`)."
    )
    return Answer("entrepreneur_playbook", body, sureness, tuple(k.used))


def answers(
    dataset: Dataset,
    rows: Sequence[Mapping[str, Any]],
    parameters: Mapping[str, Mapping[str, Any]],
    strategy_names: Mapping[str, str],
    archetype_names: Mapping[str, str],
) -> list[Answer]:
    """Every question's answer from this edition's key figures (``rows``) and chapter ``parameters``."""
    k = Figures({str(row["id"]): row for row in rows})
    built = []
    builders: tuple[Callable[[], Answer], ...] = (
        lambda: answer_most_profitable(k),
        lambda: answer_losing_money(k, parameters["survival"]),
        lambda: answer_credit_platforms(k, dataset),
        lambda: answer_prices_falling(k, strategy_names, parameters["pricing"]),
        lambda: answer_provider_failure(k, dataset, archetype_names, parameters["survival"]),
        lambda: answer_playbook(k, dataset),
    )
    for builder in builders:
        k.used = []
        built.append(builder())
    return built


def questions_page(dataset: Dataset, built: Sequence[Answer]) -> str:
    """The Questions page (MyST): each question, the article's own answer, the report's numbers, how sure."""
    questions = dataset["reader_questions"].sort_values("order")
    by_id = {a.question_id: a for a in built}
    lines = [
        "# Questions readers ask",
        "",
        "The first article {cite:p}`genai_business_models_2026` closes with the questions its readers ask and a",
        "playbook for entrepreneurs. Here each is answered with this report's numbers: every figure below is one the",
        "chapters computed in this edition, linked to the table or figure it comes from, with how sure it is.",
        "",
    ]
    for question in questions.itertuples():
        answer = by_id[question.Index]
        heading = question.question if question.kind == "faq" else "What should entrepreneurs building AI products do?"
        lines += [
            f"({question.Index})=",
            f"## {escape_markdown(heading)}",
            "",
            f"The article: “{escape_markdown(question.quote)}” {{cite:p}}`{question.source_id}`",
            "",
            answer.body,
            "",
            f"**How sure.** {answer.sureness}",
            "",
        ]
    return "\n".join(lines)
