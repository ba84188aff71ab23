"""The client's words (Presentation page and PDF) never read a loss or an uncertain ranking as
good news: a plan whose extra spend brings in less than it costs says so, "past break-even"
is said as what it means, and a best (lowest) channel whose 90 % interval overlaps the next
one's is called the highest (lowest) estimate."""

from __future__ import annotations

import copy
import io
from datetime import date

import pypdf
import pytest
from fitted import fitted_run

from kiri_core import planner
from kiri_core.report import build_report, content

LOSS = "; the extra spend brings in less than it costs)"


def plan_at(budget_times_today: float) -> dict:
    """A max-response plan over 4 weeks of the fitted run, at a multiple of today's spend."""
    result = fitted_run().result
    today = sum(planner.current_spend(result, result["model_id"], 4).values())
    return planner.make_plan(result, result["model_id"], goal="max_response", weeks=4,
                             budget=budget_times_today * today, target=None, bounds={},
                             currency="SEK")


def findings_of(*scenarios: tuple[str, dict]) -> list[str]:
    result = fitted_run().result
    return content.findings(result, result["model_id"], "SEK",
                            [{"name": name, "plan": plan} for name, plan in scenarios])


def test_a_loss_making_plan_says_so_in_its_summary_and_in_the_findings() -> None:
    """The UX audit: the planner said "The extra 4 072 006 kr adds 366 652 kr with today's
    split, less than it costs", but the Presentation page and the PDF said only "revenue from
    media +143 %" of a plan at five times today's spend."""
    result = fitted_run().result
    stretch = plan_at(5.0)
    note = content.extra_budget_note(stretch, "SEK")
    assert note and note.endswith("less than it costs.")
    assert content.plan_summary(stretch, "SEK", result).endswith(
        f"of total revenue. {note}")
    assert findings_of(("Stretch", stretch))[-1].endswith(note)  # the first plan's finding
    others = findings_of(("Today", plan_at(1.0)), ("Stretch", stretch))[-1]
    assert others.startswith("Also saved: \u201cStretch\u201d (") and others.endswith(
        f"of total revenue{LOSS}.")


def test_a_plan_whose_extra_spend_pays_or_that_keeps_today_s_budget_reads_as_before() -> None:
    stretch = plan_at(5.0)
    t = stretch["totals"]
    extra = t["optimized_spend"] - t["current_spend"]
    paying = {**stretch, "totals": {**t, "current_mix_response": t["current_response"]
                                    + 2 * extra}}
    for plan in (paying, plan_at(1.0)):
        assert "less than it costs" not in content.plan_summary(plan, "SEK",
                                                                fitted_run().result)
        assert LOSS not in findings_of(("Today", plan_at(1.0)), ("Other", plan))[-1]


def test_the_pdf_says_a_loss_making_plan_brings_in_less_than_it_costs() -> None:
    """In the summary's key findings and on the plan's own page (its summary)."""
    fit = fitted_run()
    scenarios = [{"name": name, "plan": plan, "notes": []}
                 for name, plan in (("Today", plan_at(1.0)), ("Stretch", plan_at(5.0)))]
    pdf = build_report(fit.result, "Acme AB", "SEK", scenarios, report_date=date(2026, 1, 5))
    pages = [" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]
    summary = [p for p in pages if "Key findings" in p]
    assert summary and f"of total revenue{LOSS}" in summary[0]
    note = content.extra_budget_note(scenarios[1]["plan"], "SEK")
    plan_page = [p for p in pages if "BUDGET PLAN 2 OF 2" in p.upper()]
    assert plan_page and note in plan_page[0]


def channels_result(dep_var_type: str,
                    intervals: dict[str, tuple[float, float] | None]) -> dict:
    """A result with Search (ROAS 2,50), TV (1,50) and Email (0,50), each with its 90 %
    interval of ``intervals`` (by channel column; None: no interval), and no channel whose
    next krona pays for itself (the next one returns 0,3 of the channel's average)."""
    figures = {"spend_search": (300_000, 750_000), "spend_tv": (500_000, 750_000),
               "spend_email": (200_000, 100_000)}
    if dep_var_type == "conversion":  # conversions per krona: Search 100 kr, TV 167, Email 500
        figures = {k: (s, c / 250) for k, (s, c) in figures.items()}
    spend = sum(s for s, _ in figures.values())
    effect = sum(c for _, c in figures.values())
    channels = {column: {"spend": s, "contribution": c, "roas": c / s, "mroas": 0.3 * c / s,
                         "spend_share": s / spend, "effect_share": c / effect,
                         "roas_ci": intervals.get(column)}
                for column, (s, c) in figures.items()}
    return {"model_id": "m", "dep_var_type": dep_var_type, "actual": [effect, effect],
            "spend_columns": list(channels), "models": [{"model_id": "m", "channels": channels}]}


BEST = ("Search gave the best return: 2,50 kr per krona spent, with 30 % of the budget and 47 % "
        "of the media effect.")
HEDGED_BEST = ("Search gave the highest estimated return: 2,50 kr per krona spent, with 30 % of "
               "the budget and 47 % of the media effect. The 90 % intervals of Search and TV "
               "overlap, so the data cannot say for sure which of the two returns more.")
LOWEST = "Email gave the lowest return: 0,50 kr per krona spent, with 20 % of the budget."
HEDGED_LOWEST = ("Email gave the lowest estimated return: 0,50 kr per krona spent, with 20 % of "
                 "the budget. The 90 % intervals of Email and TV overlap, so the data cannot say "
                 "for sure which of the two returns more.")


@pytest.mark.parametrize(("intervals", "best", "lowest"), [
    ({"spend_search": (1.2, 4.0), "spend_tv": (0.9, 2.0), "spend_email": (0.3, 0.8)},
     HEDGED_BEST, LOWEST),
    ({"spend_search": (2.1, 3.0), "spend_tv": (1.0, 2.0), "spend_email": (0.2, 1.1)},
     BEST, HEDGED_LOWEST),
    ({"spend_search": (1.0, 4.0), "spend_tv": (0.4, 2.0), "spend_email": (0.1, 0.9)},
     HEDGED_BEST, HEDGED_LOWEST),
    ({"spend_search": (2.1, 3.0), "spend_tv": (1.0, 2.0), "spend_email": (0.2, 0.9)},
     BEST, LOWEST),  # apart: said as fact
    ({"spend_search": (1.2, 4.0), "spend_tv": None, "spend_email": (0.3, 0.8)},
     BEST, LOWEST),  # the runner-up has no interval to compare with
    ({}, BEST, LOWEST),  # a model without intervals
], ids=["best overlaps", "lowest overlaps", "both overlap", "apart", "runner-up without",
        "no intervals"])
def test_the_best_and_lowest_channel_are_hedged_when_their_intervals_overlap(
        intervals: dict, best: str, lowest: str) -> None:
    """The UX audit: "Email gave the best return: 0,94" rested on 0,17 - 4,96, and "TikTok
    gave the lowest return" on an interval covering Meta's and Google's estimates."""
    found = content.findings(channels_result("revenue", intervals), "m", "SEK")
    assert found[1:3] == [best, lowest]


def test_a_conversion_model_hedges_its_cheapest_and_dearest_channel_alike() -> None:
    intervals = {"spend_search": (0.004, 0.016), "spend_tv": (0.0036, 0.008),
                 "spend_email": (0.0012, 0.0032)}
    found = content.findings(channels_result("conversion", intervals), "m", "SEK")
    assert found[1:3] == [
        "Search had the lowest estimated cost per conversion: 100,00 kr, with 30 % of the "
        "budget and 47 % of the media effect. The 90 % intervals of Search and TV overlap, so "
        "the data cannot say for sure which of the two costs less per conversion.",
        "Email had the highest cost per conversion: 500,00 kr, with 20 % of the budget."]


@pytest.mark.parametrize(("dep_var_type", "margin"), [
    ("revenue", "At today's spend no channel's next krona pays for itself: it returns at most "
                "0,75 kr, in Search, counting what it brings in the weeks after. Moving budget "
                "between channels can raise the return of the same budget, but cannot make "
                "extra spend pay."),
    ("conversion", "At today's spend the next conversion costs least in Search: about 333,33 kr, "
                   "counting what the spend brings in the weeks after. Whether extra spend pays "
                   "depends on what a conversion is worth to you."),
])
def test_spend_past_break_even_is_not_said_as_good_news(dep_var_type: str, margin: str) -> None:
    """The UX audit: "every channel is past break-even" reads to a client as "now
    profitable", yet it meant each extra krona returns less than it costs; a conversion
    model's "extra budget buys conversions most cheaply in X" read as advice to spend more."""
    found = content.findings(channels_result(dep_var_type, {}), "m", "SEK")[3]
    assert found == margin
    assert "break-even" not in found and "buys conversions most cheaply" not in found


def test_the_next_krona_finding_says_it_counts_the_weeks_after_unlike_the_plan() -> None:
    """Audit 8: the finding said Email's next krona returns at most 0,92 kr (the channel
    table's marginal ROAS, which counts the weeks after the spend) while the plan table on
    the same page gave Email's return on extra spend as 0,38 (the spend's own week). The
    finding gives the table's figure and says what it counts."""
    result = fitted_run().result
    email = result["channels"]["spend_email"]  # the highest marginal ROAS, below 1
    margin = content.findings(result, result["model_id"], "SEK")[3]
    assert (f"it returns at most {content.return_in_money(email['mroas'], 'SEK')}, in Email, "
            "counting what it brings in the weeks after.") in margin
    assert "counts only the week of the spend" in content.marginal_basis_note(False)


def test_a_eur_client_reads_the_intervals_in_its_own_percent_style() -> None:
    """The usability audit: "with 11% of the budget … The 90 % intervals of Email and Google
    overlap" mixed two percent styles in one sentence for a EUR client."""
    intervals = {"spend_search": (1.2, 4.0), "spend_tv": (0.9, 2.0), "spend_email": (0.3, 0.8)}
    best = content.findings(channels_result("revenue", intervals), "m", "EUR")[1]
    assert "with 30% of the budget" in best
    assert "The 90% intervals of Search and TV overlap" in best and "90 %" not in best


def ranked_plan(raised: float, immediate: float) -> tuple[dict, dict]:
    """A conversion plan that raises Email (its CPA over the period: 1 / ``raised``, its
    ``immediate`` share of effect in the week of the spend) and cuts Search (CPA 100 kr,
    half its effect at once), and its result."""
    channels = {"spend_search": {"roas": 0.01, "immediate_share": 0.5},
                "spend_email": {"roas": raised, "immediate_share": immediate}}
    plan = {"model_id": "m", "weeks": 4, "channels": {
        "spend_search": {"current_spend": 100_000, "optimized_spend": 60_000,
                         "optimized_cpa": 150.0},
        "spend_email": {"current_spend": 20_000, "optimized_spend": 60_000,
                        "optimized_cpa": 150.0}}}
    return plan, {"models": [{"model_id": "m", "channels": channels}]}


@pytest.mark.parametrize(("raised", "immediate", "why"), [
    (0.002, 0.8, "more of Email's effect comes in that week"),
    (0.002, 0.3, "in that week Search's next euro adds less than Email's at today's spend"),
    (0.02, 0.8, None),  # Email's CPA over the period is lower than Search's: nothing to explain
], ids=["sooner", "saturated", "in order"])
def test_a_plan_moving_money_to_a_channel_of_worse_period_figure_says_why(
        raised: float, immediate: float, why: str | None) -> None:
    """The usability audit: the plan gave TikTok ("lowest estimated return 0.20") +54 % and cut
    Meta (0.33) by 26 % without a word, as a plan counts only the spend's own week."""
    plan, result = ranked_plan(raised, immediate)
    note = content.plan_rank_note(plan, "EUR", result)
    if why is None:
        assert note is None
        return
    assert note == ("The plan moves money to Email from Search although Search's cost per "
                    "conversion over the period is lower (€100.00 against €500.00): a plan "
                    f"counts only the week of the spend, and {why}.")


def test_the_plan_summary_names_the_channels_the_plan_ranks_against_the_period() -> None:
    """The fitted run's plan raises TikTok, whose ROAS over the period is the lowest, and
    cuts Meta and Google: its summary (Presentation and PDF) says why, the planner's
    sentences too; with TikTok's ROAS above theirs neither says a word of it."""
    fit = fitted_run()
    channels = fit.result["channels"]
    note = content.plan_rank_note(fit.plan, "EUR", fit.result)
    assert note is not None and note.startswith(
        "The plan moves money to TikTok from Google although Google's return over the period "
        f"is higher (€{channels['spend_google']['roas']:.2f} against "
        f"€{channels['spend_tiktok']['roas']:.2f} per euro): a plan counts only the week of the "
        "spend")
    assert content.plan_summary(fit.plan, "EUR", fit.result).endswith(f" {note}")
    assert content.plan_sentences(fit.plan, "EUR", fit.result).endswith(f" {note}")
    ordered = copy.deepcopy(fit.result)
    for model in [ordered, *ordered["models"]]:
        model["channels"]["spend_tiktok"]["roas"] = 0.5  # above every channel the plan cuts
    assert content.plan_rank_note(fit.plan, "EUR", ordered) is None
    assert content.plan_summary(fit.plan, "EUR", ordered).endswith(
        content.effect_sentences(fit.plan, "EUR", ordered))
