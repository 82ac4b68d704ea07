"""The Questions page: answers built from each edition's key figures, every number on the page one of them."""

from __future__ import annotations

import re

import pytest

from analysis.parameters import CHAPTERS
from analysis.pipeline.artifacts import read_outputs
from analysis.pipeline.build import questions_markdown
from analysis.pipeline.site import key_figure_rows
from analysis.present import questions
from analysis.present.common import ARCHETYPE_NAMES
from analysis.present.pricing import strategy_names
from analysis.reruns.scenarios import list_scenarios

NUMBER = re.compile(r"-?\$?\d(?:[\d,]*\d)?(?:\.\d+)?(?:%|B|M|K|bn| pp)?")


def edition_rows(editions, dataset, edition):
    outputs = [read_outputs(editions[(edition, chapter)]) for chapter in CHAPTERS]
    return key_figure_rows(outputs, dataset), outputs


def answer_bodies(page: str) -> str:
    """The page without headings, labels, quotes of the article and citations: only the report's own sentences."""
    text = re.sub(r"^\(.*\)=$|^#.*$|^The article: .*$", "", page, flags=re.MULTILINE)
    text = re.sub(r"“[^”]*”", "", text)  # quotations of the sources carry their own numbers
    text = re.sub(r"\{(?:numref|cite:p)\}`[^`]*`", "", text)
    return text


@pytest.mark.parametrize("edition", list_scenarios())
def test_every_number_on_the_page_is_a_key_figure(editions, dataset, edition):
    """Each number in the answers is the text of a key figure this edition's chapters emitted, a year, the
    projected years of the pricing chapter, or one of the credit example's two prices (shown with their facts)."""
    rows, outputs = edition_rows(editions, dataset, edition)
    page = questions_markdown(dataset, rows, outputs)
    allowed = set()
    for row in rows:
        allowed |= set(NUMBER.findall(str(row["text"])))
    parameters = {o.chapter: o.parameters for o in outputs}
    allowed |= {str(parameters["pricing"]["deflation_years"]), "1"}
    allowed |= {"$1", "$0.40"} | {str(y) for y in range(2020, 2061)}
    found = NUMBER.findall(answer_bodies(page).replace("\\$", "$"))
    assert len(found) > 30
    assert {n for n in found if n not in allowed} == set(), edition


@pytest.mark.parametrize("edition", list_scenarios())
def test_answers_are_chosen_by_their_numbers(editions, dataset, edition):
    """Margins that rise are listed as rising, and labs are ranked by their probability, in every edition."""
    rows, outputs = edition_rows(editions, dataset, edition)
    parameters = {o.chapter: o.parameters for o in outputs}
    built = {
        a.question_id: a for a in questions.answers(dataset, rows, parameters, strategy_names(dataset), ARCHETYPE_NAMES)
    }
    figures = {r["id"]: r for r in rows}
    names = strategy_names(dataset)
    prices = built["prices_falling"].body
    for strategy in questions.STRATEGY_IDS:
        now, later = figures[f"pr_margin_now_{strategy}"]["value"], figures[f"pr_margin_later_{strategy}"]["value"]
        group = (
            "margin holds for"
            if abs(later - now) < 0.005
            else "margin rises for"
            if later > now
            else "margin falls for"
        )
        segment = prices.split(group, 1)[1].split(";")[0]
        assert names[strategy] in segment, (edition, strategy, group)
    failure = built["provider_failure"].body
    order = sorted(("frontier_leader", "enterprise_challenger", "subscale_lab"),
                   key=lambda a: figures[f"sv_p_cash_{a}_base"]["value"], reverse=True)  # fmt: skip
    positions = [failure.index(ARCHETYPE_NAMES[a]) for a in order]
    assert positions == sorted(positions)
    for answer in built.values():  # every key figure an answer quotes is on the page as the chapter printed it
        shown = (answer.body + answer.sureness).replace("\\$", "$")
        for key in set(answer.figures):
            assert str(figures[key]["text"]) in shown, (edition, answer.question_id, key)


def synthetic(overrides=None):
    """A complete set of key figures with round values, for answers that must change with the numbers."""
    rows = {
        "bm_highest_floor_model": ("Enterprise License", 0.7), "bm_thinnest_margin_model": ("API Provider", 0.3),
        "bm_highest_margin_floor": ("70%", 0.7), "bm_lowest_margin_floor": ("30%", 0.3),
        "bm_best_ltv_to_cac_model": ("Marketplace", 7.0), "bm_best_ltv_to_cac": ("7", 7.0),
        "bm_best_ltv_to_cac_low": ("0.4", 0.4), "bm_best_ltv_to_cac_high": ("100", 100.0),
        "bm_models_above_one": ("Enterprise License", 1.0), "bm_credit_margin": ("60%", 0.6),
        "sv_ocf_first_year": ("-$2B", -2.0), "sv_training_share_start": ("40%", 0.4),
        "sv_costs_outgrowing_revenue": ("none", 0.0), "sv_first_profitable_base": ("2030", 2030.0),
        "sv_p_breakeven": ("40%", 0.4), "sv_p_breakeven_uncertainty": ("10 pp", 0.1),
        "pr_credit_margin": ("60%", 0.6), "pr_credits_margin_later_article_pace": ("20%", 0.2),
        "pr_central_price_decline": ("35%", 0.35), "pr_decline_example": ("53.6%", 0.536),
        "pr_breakeven_default": ("25%", 0.25), "pr_breakeven_cheap": ("0.1%", 0.001),
        "bm_claim_vertical_beats_horizontal": ("agrees", 1.0), "bm_claim_subscription_beats_api": ("disagrees", 0.0),
        "bm_claim_enterprise_beats_consumer": ("agrees", 1.0),
    }  # fmt: skip
    for strategy in questions.STRATEGY_IDS:
        rows[f"pr_margin_now_{strategy}"] = ("60%", 0.6)
        rows[f"pr_margin_later_{strategy}"] = ("60%", 0.6)
    for archetype, p in (("frontier_leader", 0.5), ("enterprise_challenger", 0.3), ("subscale_lab", 0.02)):
        for scenario in ("base", "pessimistic"):
            rows[f"sv_p_cash_{archetype}_{scenario}"] = (f"{p:.0%}", p)
    rows.update(overrides or {})
    return [{"id": k, "text": t, "value": v, "anchor": "tbl-x", "page": "book/x", "chapter": "X"}
            for k, (t, v) in rows.items()]  # fmt: skip


PARAMETERS = {"survival": {"start_year": 2025, "headline_year": 2030}, "pricing": {"deflation_years": 3}}


def answer(dataset, question_id, overrides=None):
    built = questions.answers(dataset, synthetic(overrides), PARAMETERS, strategy_names(dataset), ARCHETYPE_NAMES)
    return next(a for a in built if a.question_id == question_id)


def test_the_most_profitable_answer_follows_how_many_models_stay_above_one(dataset):
    assert "Only Enterprise License keeps" in answer(dataset, "most_profitable").body
    none = answer(dataset, "most_profitable", {"bm_models_above_one": ("none", 0.0)})
    assert "No model keeps LTV/CAC above 1" in none.body
    two = answer(dataset, "most_profitable", {"bm_models_above_one": ("A and B", 2.0)})
    assert "A and B keep LTV/CAC above 1 across their whole intervals" in two.body
    # 100 / 0.4 = 250: the interval spans more than a factor of ten, so the ranking is not sure.
    assert "more than a factor of ten" in answer(dataset, "most_profitable").sureness
    assert "Moderate" in answer(dataset, "most_profitable", {"bm_best_ltv_to_cac_high": ("3", 3.0)}).sureness


def test_the_credit_answer_says_whether_the_margin_holds(dataset):
    assert "it holds at 60%" in answer(dataset, "credit_platforms").body
    falling = answer(dataset, "credit_platforms", {"pr_margin_later_credits": ("40%", 0.4)})
    assert "it falls to 40%" in falling.body
    assert "\\$1" in falling.body and "\\$0.40" in falling.body  # escaped, so not read as mathematics


def test_the_provider_answer_ranks_the_labs_and_says_when_gaps_are_too_small(dataset):
    body = answer(dataset, "provider_failure").body
    assert body.index("frontier leader") < body.index("enterprise-focused challenger") < body.index("sub-scale")
    assert "an enterprise-focused challenger" in body
    assert "the ranking holds" in answer(dataset, "provider_failure").sureness  # gaps 20 and 28 pp > 10 pp
    close = answer(dataset, "provider_failure", {"sv_p_cash_enterprise_challenger_base": ("45%", 0.45)})
    assert "do not rank" in close.sureness


def test_the_playbook_verdicts_follow_the_claims(dataset):
    body = answer(dataset, "entrepreneur_playbook").body
    assert "partly supported" in body and "supported by the base case" in body
    flipped = answer(dataset, "entrepreneur_playbook", {"bm_claim_vertical_beats_horizontal": ("disagrees", 0.0)})
    assert "not supported by the base case" in flipped.body


def test_a_freemium_break_even_never_reached_is_still_answered(dataset):
    """A preset with costs above the paid plan's price records the break-even without a value ('never'): the
    playbook answer said nothing of it and the edition's build failed on a missing value."""
    never = answer(dataset, "entrepreneur_playbook", {"pr_breakeven_default": ("never", None)})
    assert "moves the freemium break-even conversion from never to 0.1%" in never.body
    both = answer(dataset, "entrepreneur_playbook", {"pr_breakeven_default": ("never", None),
                                                     "pr_breakeven_cheap": ("never", None)})  # fmt: skip
    assert "not visible in the freemium break-even" in both.body


def test_a_missing_key_figure_is_named(dataset):
    rows = [r for r in synthetic() if r["id"] != "sv_p_breakeven"]
    with pytest.raises(questions.QuestionsError, match="key figure 'sv_p_breakeven' is missing"):
        questions.answers(dataset, rows, PARAMETERS, strategy_names(dataset), ARCHETYPE_NAMES)
