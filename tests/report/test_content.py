"""kiri_core.report.content: the plan table has two returns in plain words (the return on
the planned spend and on extra spend; costs per conversion for conversion models), and one
note says what they are and why they are not the channels' ROAS of the period;
saved plans are compared and summed up in the findings; run comparisons sign their
differences and match channels by the name shown; a model without plans says where they
are."""

from __future__ import annotations

import copy
from datetime import date, timedelta

import pytest
from fitted import fitted_run

from kiri_core import formatting as fmt
from kiri_core import planner
from kiri_core.engine.allocator import allocate, recount
from kiri_core.generator import generate
from kiri_core.report import content
from kiri_core.results import recommendation_reason


def truth_plan(dep_var_type: str) -> dict:
    """A plan on the generator's true curves, as a revenue or a conversion model."""
    _, truth = generate(104, seed=5)
    result = {"model_id": "truth", "dep_var_type": dep_var_type,
              "spend_columns": list(truth["channels"]), "channels": truth["channels"]}
    budget = 4 * sum(ch["mean_spend"] for ch in truth["channels"].values())
    return allocate(result, total_budget=budget, weeks=4)


@pytest.mark.parametrize(
    ("dep_var_type", "headers"),
    [
        ("revenue", ["Revenue added", "Return on the planned spend", "Return on extra spend"]),
        ("conversion", ["Conversions added", "Cost per added conversion",
                        "Cost of the next conversion"]),
    ],
)
def test_plan_columns_follow_the_model_type(dep_var_type: str, headers: list[str]) -> None:
    """Two UX audits: a client's plan showed four ROAS-type names across the channel and plan
    tables ("Incremental ROAS", "Marginal ROAS in plan"), explained only in notes. The plan
    has two returns in plain words, none named as the channel table's figures of the period,
    and its note names both, each once."""
    plan = truth_plan(dep_var_type)
    columns = content.plan_columns(plan)
    assert columns[-3:] == headers
    assert columns[:4] == ["Channel", "Current spend", "Planned", "Change"]  # not "Recommended"
    # what the plan adds is named as the planner's tile names it ("Revenue added by media")
    assert planner.plan_metrics(plan, "SEK")[1].label.startswith(f"{headers[0]} by media")
    assert not {"ROAS", "CPA", "Marginal", "Incremental"} & {w for c in columns for w in c.split()}
    assert set(columns[-2:]).isdisjoint(content.channel_columns({"dep_var_type": dep_var_type}))
    note = content.plan_note(plan).lower()
    assert [note.count(header.lower()) for header in headers[-2:]] == [1, 1]


def test_conversion_plan_rows_show_counts_and_cost_per_conversion() -> None:
    plan = truth_plan("conversion")
    rows = content.plan_rows(plan, "SEK")
    for row, (column, ch) in zip(rows, plan["channels"].items(), strict=False):
        assert row[0] == fmt.channel_name(column)
        assert row[4] == fmt.number(ch["optimized_response"], "SEK")
        assert row[5] == fmt.money(ch["optimized_cpa"], "SEK", 2)
        assert row[6] == fmt.money(1 / ch["optimized_mroas"], "SEK", 2)
    total = plan["totals"]
    assert rows[-1][5] == fmt.money(total["optimized_spend"] / total["optimized_response"],
                                    "SEK", 2)


def test_revenue_plan_rows_show_money_and_roas() -> None:
    plan = truth_plan("revenue")
    rows = content.plan_rows(plan, "SEK")
    first = next(iter(plan["channels"].values()))
    assert rows[0][4] == fmt.money(first["optimized_response"], "SEK")
    assert rows[0][5] == fmt.roas(first["optimized_roas"], "SEK")
    assert len(rows) == len(plan["channels"]) + 1


@pytest.mark.parametrize("dep_var_type", ["revenue", "conversion"])
def test_a_channel_planned_at_nothing_shows_no_return_however_the_plan_holds_it(
        dep_var_type: str) -> None:
    """The audit: TikTok at 0 kr showed "–" in one plan and "0,00" in another (a fraction of a
    krona, a ratio of two near-zeros). At a planned spend shown as 0 both returns (costs)
    are "–", the marginal too (the curve's slope at its foot); a channel that spends keeps
    its figures."""
    _, truth = generate(104, seed=5)
    result = {"model_id": "truth", "dep_var_type": dep_var_type,
              "spend_columns": list(truth["channels"]),
              "models": [{"model_id": "truth", "channels": truth["channels"]}]}
    plan = truth_plan(dep_var_type)
    for spend in (0.0, 0.3):
        zeroed = copy.deepcopy(plan)
        zeroed["channels"]["spend_tiktok"]["optimized_spend"] = spend
        meta, _, tiktok, *_ = content.plan_rows(recount(result, zeroed), "SEK")
        assert tiktok[:3] == ["TikTok", fmt.money(plan["channels"]["spend_tiktok"]
                                                  ["current_spend"], "SEK"), "0 kr"]
        assert tiktok[5:] == ["–", "–"]
        assert "–" not in meta[5:]


def test_plan_rows_at_a_tiny_budget_show_what_the_spend_adds() -> None:
    """Each row's effect and ROAS are what its spend adds; the total row sums them."""
    _, truth = generate(104, seed=5)
    result = {"model_id": "truth", "dep_var_type": "revenue",
              "spend_columns": list(truth["channels"]), "channels": truth["channels"]}
    plan = allocate(result, total_budget=1_000.0, weeks=4)
    rows = content.plan_rows(plan, "SEK")
    for row, ch in zip(rows, plan["channels"].values(), strict=False):
        assert row[4] == fmt.money(ch["optimized_response"], "SEK")
        assert row[5] == fmt.roas(ch["optimized_roas"], "SEK")
        assert ch["optimized_roas"] == pytest.approx(ch["optimized_mroas"], rel=1e-2)
    added = sum(ch["optimized_response"] for ch in plan["channels"].values())
    assert rows[-1][4] == fmt.money(added, "SEK")
    assert rows[-1][5] == fmt.roas(added / 1_000.0, "SEK")


def test_a_comparison_signs_its_differences_and_dashes_a_missing_channel() -> None:
    base = {"spend_columns": ["spend_tv"], "channels": {"spend_tv": {"roas": 1.5}}}
    more = {"spend_columns": ["spend_tv", "spend_radio"],
            "channels": {"spend_tv": {"roas": 2.0}, "spend_radio": {"roas": 0.5}}}
    assert content.channel_comparison_rows(base, more, "roas", "SEK") == [
        ["TV", "1,50", "2,00", "+0,50"], ["Radio", "–", "0,50", "–"]]
    assert content.channel_comparison_rows(more, base, "roas", "SEK")[0][3] == "-0,50"


def test_a_channel_named_by_different_columns_in_two_runs_is_one_row() -> None:
    """Run #1 calls it ``spend_email``, run #2 ``Email``: one row "Email", as in the chart."""
    first = {"spend_columns": ["spend_tv", "spend_email"],
             "channels": {"spend_tv": {"roas": 1.5}, "spend_email": {"roas": 0.5}}}
    second = {"spend_columns": ["Email", "TV"],
              "channels": {"Email": {"roas": 0.75}, "TV": {"roas": 1.0}}}
    assert content.channel_comparison_rows(first, second, "roas", "SEK") == [
        ["TV", "1,50", "1,00", "-0,50"], ["Email", "0,50", "0,75", "+0,25"]]


LEFT_OUT = ("what earlier spend still brings in and what the spend itself brings in after the "
            "week it is spent")
LATER = "most for a channel whose effect comes mostly in the weeks after the spend."


@pytest.mark.parametrize(("dep_var_type", "note", "plans", "what_if"), [
    ("revenue",
     "Return on the planned spend is the revenue a channel's planned spend adds in the plan's "
     "4 weeks, divided by that spend; return on extra spend is the same for a little more. "
     f"Both leave out {LEFT_OUT}, so they usually read below a channel's ROAS, {LATER}",
     "Return on the planned spend is the revenue each plan's spend adds in its weeks, divided "
     f"by that spend; it leaves out {LEFT_OUT}, so it usually reads below a channel's ROAS, "
     f"{LATER}",
     "Return on the planned spend is the revenue this weekly spend adds each week, divided by "
     f"that spend; it leaves out {LEFT_OUT}, so it usually reads below a channel's ROAS, "
     f"{LATER}"),
    ("conversion",
     "Cost per added conversion is a channel's planned spend divided by the conversions it "
     "adds in the plan's 4 weeks; cost of the next conversion is what one more would cost. "
     f"Both leave out {LEFT_OUT}, so they usually read above a channel's CPA, {LATER}",
     "Cost per added conversion is each plan's spend divided by the conversions it adds in its "
     f"weeks; it leaves out {LEFT_OUT}, so it usually reads above a channel's CPA, {LATER}",
     "Cost per added conversion is this weekly spend divided by the conversions it adds each "
     f"week; it leaves out {LEFT_OUT}, so it usually reads above a channel's CPA, {LATER}"),
])
def test_a_plan_says_in_plain_words_what_its_returns_are_and_why_below_the_channels_roas(
        dep_var_type: str, note: str, plans: str, what_if: str) -> None:
    """The UX review: "ROAS 0,35" in a plan beside Google's "ROAS 0,72" with nothing to tell
    them apart; the audits: the note took two long sentences on incremental and marginal
    ROAS. One note says what both figures are and why they are lower (a cost higher); the
    plans compared and the what-if, one figure each, say it of theirs. A later audit: the
    note said they leave out only what earlier spend still brings in, but a plan counts each
    week's spend in that week only, so the spend's own carry-over is left out too, which is
    why a channel whose effect mostly comes later looks weak in a plan."""
    scenarios = two_saved_plans(dep_var_type)
    assert content.plan_note(scenarios[0]["plan"]).startswith(note)  # then "at Max" and Min
    assert content.plans_note(scenarios) == plans
    assert content.what_if_note(dep_var_type == "conversion") == what_if


def test_a_one_week_plan_reads_1_week() -> None:
    result = fitted_run().result
    plan = allocate(result, total_budget=sum(ch["mean_spend"] for ch in
                                             result["channels"].values()), weeks=1)
    assert "in the plan's 1 week," in content.plan_note(plan)
    assert " over 1 week, allocated " in content.plan_summary(plan, "SEK")
    found = content.findings(result, result["model_id"], "SEK",
                             [{"name": name, "plan": plan} for name in ("One", "Two")])
    assert " over 1 week. " in found[-2] and " over 1 week: " in found[-1]


@pytest.mark.parametrize(("counts", "analyst", "note"), [
    ({"1_23_4": 2}, True,
     "2 budget plans were made on model 1_23_4; none on this model. Open the Budget planner "
     "to make one, or choose that model on the Results page to present its plans."),
    ({"1_23_4": 1, "2_5_1": 3}, False,
     "1 budget plan was made on model 1_23_4 and 3 on model 2_5_1; none on this model. An "
     "analyst can make one in the Budget planner, or choose one of those models on the "
     "Results page."),
])
def test_a_model_without_plans_says_where_the_runs_plans_are(counts: dict, analyst: bool,
                                                            note: str) -> None:
    assert content.plans_elsewhere_note(counts, analyst) == note


def two_saved_plans(dep_var_type: str = "revenue") -> list[dict]:
    """Two plans on the generator's true curves: "Q1 flat budget" (today's spend), "Q1 +20%"."""
    _, truth = generate(104, seed=5)
    result = {"model_id": "truth", "dep_var_type": dep_var_type,
              "spend_columns": list(truth["channels"]), "channels": truth["channels"]}
    today = 4 * sum(ch["mean_spend"] for ch in truth["channels"].values())
    return [{"name": name, "plan": allocate(result, total_budget=budget, weeks=4)}
            for name, budget in (("Q1 flat budget", today), ("Q1 +20%", 1.2 * today))]


@pytest.mark.parametrize(("dep_var_type", "headers"), [
    ("revenue", ["Revenue added by media", "Added vs today", "Net vs today",
                 "Return on the planned spend"]),
    ("conversion", ["Conversions added by media", "Added vs today", "Cost per added conversion"]),
])
def test_saved_plans_are_compared_row_by_row(dep_var_type: str, headers: list[str]) -> None:
    scenarios = two_saved_plans(dep_var_type)
    assert content.scenario_columns(scenarios) == [
        "Plan", "Weeks", "Budget", "Budget vs today", *headers]
    rows = content.scenario_rows(scenarios, "SEK")
    assert [row[:2] for row in rows] == [["Q1 flat budget", "4"], ["Q1 +20%", "4"]]
    assert [row[3] for row in rows] == ["+0 %", "+20 %"]
    for row, scenario in zip(rows, scenarios, strict=True):
        plan, t = scenario["plan"], scenario["plan"]["totals"]
        assert row[2] == fmt.money(t["optimized_spend"], "SEK")
        assert row[4] == content.plan_effect(plan, t["optimized_response"], "SEK")
        assert row[5] == fmt.signed_percent(t["uplift"], "SEK")
        assert row[-1] == content.plan_efficiency(plan, t["optimized_roas"], "SEK")
        if dep_var_type == "revenue":  # what the plan adds beyond today, less its extra spend
            net = (t["optimized_response"] - t["current_response"]
                   - t["optimized_spend"] + t["current_spend"])
            assert row[6] == content.signed(fmt.money(net, "SEK"))
    assert (dep_var_type == "revenue") == bool(content.net_note(scenarios))


def test_a_plan_whose_extra_spend_costs_more_than_it_adds_nets_below_zero() -> None:
    """A plan at 5x today's budget showed "+138 %" in the comparison and nothing of its
    cost; its net against today now reads below zero (the fitted run's channels all return
    less than they cost at the margin)."""
    fit = fitted_run()
    today = sum(ch["current_spend"] for ch in fit.plan["channels"].values())
    stretch = allocate(fit.result, total_budget=5 * today, weeks=fit.plan["weeks"])
    same, more = (content.net_change(plan, "SEK") for plan in (fit.plan, stretch))
    assert more.startswith("-") and not same.startswith("-")


def test_findings_name_the_first_plan_and_sum_up_the_others() -> None:
    fit = fitted_run()
    result = fit.result
    scenarios = [{"name": s["name"], "plan": {**s["plan"], "model_id": result["model_id"]}}
                 for s in two_saved_plans()]
    alone = content.findings(result, result["model_id"], "SEK", scenarios[:1])
    both = content.findings(result, result["model_id"], "SEK", scenarios)
    assert both[:-1] == alone
    assert alone[-1].startswith("The plan \u201cQ1 flat budget\u201d spends ")
    more = scenarios[1]["plan"]["totals"]
    whole = sum(result["actual"]) / len(result["actual"]) * 4  # revenue over the 4 weeks
    share = (more["optimized_response"] - more["current_response"]) / whole
    assert both[-1] == (
        f"Also saved: \u201cQ1 +20%\u201d ({fmt.money(more['optimized_spend'], 'SEK')} over 4 "
        f"weeks: revenue from media {fmt.signed_percent(more['uplift'], 'SEK')}, about "
        f"{fmt.signed_percent(share, 'SEK')} of total revenue; the extra spend brings in less "
        "than it costs).")
    assert "expected revenue" not in both[-1]
    assert len(content.findings(result, result["model_id"], "SEK")) == len(alone) - 1


@pytest.mark.parametrize(("dep_var_type", "target", "goal", "outcome"), [
    ("revenue", {"target_roas": 2.5}, "reach a return on the planned spend of 2,50",
     "of revenue"),
    ("conversion", {"target_cpa": 12.5}, "reach a cost per added conversion of 12,50 kr",
     "conversions"),
    ("revenue", {"scenario": "max_response"}, "maximise the expected return", "of revenue"),
    ("conversion", {"scenario": "max_response"}, "maximise the expected conversions",
     "conversions"),
])
def test_a_plans_summary_says_its_goal_in_the_models_measure(dep_var_type: str, target: dict,
                                                              goal: str, outcome: str) -> None:
    plan = {**two_saved_plans(dep_var_type)[1]["plan"], "scenario": "target_efficiency",
            **target}
    t = plan["totals"]
    assert content.plan_summary(plan, "SEK") == (
        f"{fmt.money(t['optimized_spend'], 'SEK')} over 4 weeks, allocated to {goal}. Media is "
        f"expected to add {content.plan_effect(plan, t['optimized_response'], 'SEK')} "
        f"{outcome}, against {content.plan_effect(plan, t['current_response'], 'SEK')} with "
        f"today's spend. {content.effect_sentences(plan, 'SEK')}")


@pytest.mark.parametrize(
    ("engine", "config", "searched", "choice"),
    [
        ("kiri", {"iterations": 2000, "trials": 5, "selection": "holdout"}, "10 000",
         "weeks held back from fitting"),
        ("kiri", {"iterations": 300, "trials": 1, "selection": "robyn"}, "300",
         "(Robyn's rule)"),
        ("kiri", {"iterations": 200, "trials": 2, "selection": "nrmse"}, "400",
         "the lowest prediction error"),
        ("robyn-r", {"iterations": 2000, "trials": 5}, "10 000", "(Robyn's rule)"),
    ],
)
def test_the_method_names_the_run_s_search_and_choice(engine, config, searched, choice):
    result = {"engine": engine, "config": config, "dep_var_type": "revenue"}
    method = content.method_text({**result, "models": [{}] * 64}, "SEK")[0]
    assert f"{searched} settings were searched" in method
    assert "the 64 best trade-offs among them are the candidate models" in method
    assert choice in method and "Thousands" not in method


@pytest.mark.parametrize(("rsq", "expected"), [
    (0.92, None),
    (0.6, None),
    (0.31, "This model explains only 31 % of the weekly variation in revenue"),
    (-0.2, "This model explains only 0 % of the weekly variation in revenue"),
])
def test_a_weak_fit_is_named_plainly(rsq: float, expected: str | None) -> None:
    result = {"dep_var_type": "revenue",
              "models": [{"model_id": "m", "metrics": {"rsq": rsq}}]}
    warning = content.fit_warning(result, "m", "SEK")
    assert (warning is None) if expected is None else warning.startswith(expected)


@pytest.mark.parametrize(("dep_var_type", "scale", "says"), [
    ("revenue", 1.0, None),
    ("revenue", 1 / 450, "less than the media spend"),  # orders modelled as revenue
    ("conversion", 1.0, "more than the media spend"),  # revenue modelled as conversions
    ("conversion", 1 / 450, None),
])
def test_an_outcome_of_the_other_kind_is_among_the_cautions(
    dep_var_type: str, scale: float, says: str | None
) -> None:
    """Beside a weak fit, the reader is told when the outcome's size contradicts what the
    model took it for, measured on the model's own window and spend."""
    result = {**fitted_run().result, "dep_var_type": dep_var_type}
    result["actual"] = [y * scale for y in result["actual"]]
    model_id = result["model_id"]
    others = [w for w in (content.fit_warning(result, model_id, "SEK"),
                          content.steady_spend_warning(result, model_id, "SEK")) if w]
    cautions = content.cautions(result, model_id, "SEK")
    assert cautions[:len(others)] == others
    mismatch = cautions[len(others):]
    if says is None:
        assert mismatch == []
    else:
        (warning,) = mismatch
        assert warning.startswith("\u201crevenue\u201d adds up to ") and says in warning


@pytest.mark.parametrize(("conversion", "expected"), [
    (False, [["Media spend", "400,0 k kr"], ["Media contribution", "1,0 M kr"],
             ["Media ROAS", fmt.roas(2.5, "SEK")], ["Model fit (R²)", "0,912"]]),
    (True, [["Media spend", "400,0 k kr"], ["Conversions from media", "1,0 M"],
            ["Media CPA", fmt.money(0.4, "SEK", 2)], ["Model fit (R²)", "0,912"]]),
])
def test_the_home_headlines_follow_the_model_type(conversion: bool,
                                                  expected: list[list[str]]) -> None:
    headline = {"spend": 400_000.0, "contribution": 1_000_000.0, "rsq": 0.912,
                "conversion": conversion}
    assert content.overview_headlines(headline, "SEK") == expected


@pytest.mark.parametrize(("iterations", "trials", "noted"),
                         [(300, 1, True), (1000, 1, True), (2000, 1, False), (2000, 5, False)])
def test_only_a_small_search_is_called_a_first_look(iterations: int, trials: int,
                                                    noted: bool) -> None:
    note = content.quick_search_note({"config": {"iterations": iterations, "trials": trials}})
    assert (note is not None) == noted
    assert note is None or f"({iterations * trials} settings searched)" in note


@pytest.mark.parametrize(("dep_var_type", "label"),
                         [("revenue", "Media ROAS"), ("conversion", "Media CPA")])
def test_the_presentation_and_home_give_one_media_efficiency(dep_var_type: str,
                                                             label: str) -> None:
    """The client's headline figure is the same on the presentation, the PDF and Home: ROAS,
    or for a conversion model the cost per conversion (not conversions per unit spent)."""
    result = {**fitted_run().result, "dep_var_type": dep_var_type}
    model_id = result["model_id"]
    spend, contribution = content.paid_totals(result, model_id)
    shown = content.headlines(result, model_id, "SEK")[-1]
    home = content.overview_headlines({"spend": spend, "contribution": contribution,
                                       "rsq": 0.9, "conversion": dep_var_type == "conversion"},
                                      "SEK")[2]
    ratio = spend / contribution if dep_var_type == "conversion" else contribution / spend
    assert [shown.label, shown.value] == home
    assert shown.label == label and fmt.number(ratio, "SEK", 2) in shown.value


@pytest.mark.parametrize(("dep_var_type", "currency", "note"), [
    ("revenue", "SEK", "revenue driven by media per krona spent"),
    ("revenue", "EUR", "revenue driven by media per euro spent"),
    ("conversion", "EUR", "spend per conversion driven by media"),
])
def test_the_efficiency_tile_says_what_it_divides(dep_var_type: str, currency: str,
                                                  note: str) -> None:
    """The audit: the CPA (and ROAS) tile's caption read "model explains 50 % of the weekly
    variation", the model's fit and not the figure; each tile's caption is about its own
    number, as the others' are."""
    result = {**fitted_run().result, "dep_var_type": dep_var_type}
    heads = content.headlines(result, result["model_id"], currency)
    assert heads[-1].note == note
    assert not any("variation" in head.note for head in heads)


def test_findings_on_spending_past_break_even_do_not_contradict_a_bigger_budget() -> None:
    """The UX audit: finding 4 said growth should come "from reallocation, not more budget"
    and finding 5 right after "+5,9 % from spending more with today's split". When every
    channel's next unit returns less than it costs, finding 4 says more budget still adds
    revenue but at a loss, and the plan's finding says what its extra budget brings back."""
    result = fitted_run().result
    model_id = result["model_id"]
    channels = result["channels"].values()
    assert all(ch["mroas"] < 1 for ch in channels)  # every channel past break-even
    today = 4 * sum(ch["mean_spend"] for ch in channels)
    plan = allocate(result, total_budget=1.09 * today, weeks=4)
    t = plan["totals"]
    extra = t["optimized_spend"] - t["current_spend"]
    added = t["current_mix_response"] - t["current_response"]
    assert 0 < added < extra
    *_, margin, planned = content.findings(result, model_id, "SEK",
                                           [{"name": "Q1 +9%", "plan": plan}])
    best = max(result["channels"], key=lambda column: result["channels"][column]["mroas"])
    assert margin == (
        "At today's spend no channel's next krona pays for itself: it returns at most "
        f"{fmt.money(result['channels'][best]['mroas'], 'SEK', 2)}, in "
        f"{fmt.channel_name(best)}, counting what it brings in the weeks after. Moving budget "
        "between channels can raise the return of the same budget, but cannot make extra "
        "spend pay.")
    assert "not more budget" not in margin and "reallocate instead" not in margin
    assert "from spending more with today's split" in planned
    assert planned.endswith(f". The extra {fmt.money(extra, 'SEK')} adds "
                            f"{fmt.money(added, 'SEK')} with today's split, less than it "
                            "costs.")

    paying = {**plan, "totals": {**t, "current_mix_response": t["current_response"] + 2 * extra}}
    assert content.extra_budget_note(paying, "SEK") is None  # the extra budget pays back
    same = allocate(result, total_budget=today, weeks=4)
    assert content.extra_budget_note(same, "SEK") is None  # no extra budget
    conversion = two_saved_plans("conversion")[1]["plan"]  # conversions are not money
    assert content.extra_budget_note(conversion, "SEK") is None


def three_channels(dep_var_type: str, figures: dict[str, tuple[float, float, float]]) -> dict:
    """A result whose one model has the paid channels ``figures`` (column: spend,
    contribution, marginal ROAS) and media half of the outcome."""
    spend = sum(f[0] for f in figures.values())
    effect = sum(f[1] for f in figures.values())
    channels = {column: {"spend": s, "contribution": c, "roas": c / s, "mroas": m,
                         "spend_share": s / spend, "effect_share": c / effect}
                for column, (s, c, m) in figures.items()}
    return {"model_id": "m", "dep_var_type": dep_var_type, "actual": [effect, effect],
            "spend_columns": list(channels), "models": [{"model_id": "m", "channels": channels}]}


@pytest.mark.parametrize(("dep_var_type", "figures", "expected"), [
    ("revenue",
     {"spend_tv": (500_000, 750_000, 0.8), "spend_search": (300_000, 750_000, 1.25),
      "spend_email": (200_000, 100_000, 0.4)},
     ["Paid media drove 1 600 000 kr of revenue (50 % of the total) on 1 000 000 kr of "
      "spend: 1,60 kr back for every krona spent.",
      "Search gave the best return: 2,50 kr per krona spent, with 30 % of the budget and 47 % "
      "of the media effect.",
      "Email gave the lowest return: 0,50 kr per krona spent, with 20 % of the budget.",
      "Search has the most room to grow: the next krona spent there is still expected to "
      "return 1,25 kr, counting what it brings in the weeks after."]),
    ("conversion",
     {"spend_tv": (500_000, 2_500, 0.002), "spend_search": (300_000, 3_000, 0.004),
      "spend_email": (200_000, 500, 0.008)},
     ["Paid media drove 6 000 conversions (50 % of the total) on 1 000 000 kr of spend: "
      "166,67 kr per conversion.",
      "Search had the lowest cost per conversion: 100,00 kr, with 30 % of the budget and 50 % "
      "of the media effect.",
      "Email had the highest cost per conversion: 400,00 kr, with 20 % of the budget.",
      "At today's spend the next conversion costs least in Email: about 125,00 kr, counting "
      "what the spend brings in the weeks after. Whether extra spend pays depends on what a "
      "conversion is worth to you."]),
    ("conversion",
     {"spend_tv": (500_000, 2_500, 0.002), "spend_email": (200_000, 0, 0.0)},
     ["Paid media drove 2 500 conversions (50 % of the total) on 700 000 kr of spend: "
      "280,00 kr per conversion.",
      "TV had the lowest cost per conversion: 200,00 kr, with 71 % of the budget and 100 % "
      "of the media effect.",
      "Email added no conversions the model can measure, with 29 % of the budget.",
      "At today's spend the next conversion costs least in TV: about 500,00 kr, counting "
      "what the spend brings in the weeks after. Whether extra spend pays depends on what a "
      "conversion is worth to you."]),
])
def test_findings_speak_the_models_measure(dep_var_type: str, figures: dict,
                                           expected: list[str]) -> None:
    """The UX audit: a conversion model's findings gave conversions per unit spent as a
    "return" and set the best marginal figure against break-even at 1, which means nothing
    for conversions. They give the cost per conversion (the lowest is the best) and where
    the next conversion is cheapest; a revenue model's read as before."""
    assert content.findings(three_channels(dep_var_type, figures), "m", "SEK") == expected


@pytest.mark.parametrize(("currency", "first", "margin"), [
    ("USD", "$1.88 back for every dollar spent", "the next dollar spent there is still "
                                                 "expected to return $1.25"),
    ("EUR", "€1.88 back for every euro spent", "the next euro spent there is still expected "
                                               "to return €1.25"),
])
def test_a_return_is_said_in_the_client_s_money(currency: str, first: str,
                                                margin: str) -> None:
    """The UX audit: the PDF said "1,19 back per unit spent"; a return is money back per
    unit of the client's own currency."""
    figures = {"spend_tv": (500_000, 750_000, 0.8), "spend_search": (300_000, 750_000, 1.25)}
    found = content.findings(three_channels("revenue", figures), "m", currency)
    assert found[0].endswith(f": {first}.") and margin in found[-1]
    assert not any("unit" in finding for finding in found)


def one_plan(spend: dict[str, tuple[float, float]], name: str = "Q1") -> dict:
    """A saved plan at today's budget moving ``spend`` (column: today, planned)."""
    total = sum(now for now, _ in spend.values())
    channels = {c: {"current_spend": now, "optimized_spend": new} for c, (now, new) in
                spend.items()}
    totals = {"current_spend": total, "optimized_spend": total, "current_response": 100.0,
              "optimized_response": 110.0, "uplift": 0.1}
    return {"name": name, "plan": {"weeks": 4, "scenario": "max_response", "channels": channels,
                                   "totals": totals}}


@pytest.mark.parametrize(("dep_var_type", "reason"), [
    ("revenue", "; the plan \u201cQ1\u201d spends less on it, as its next krona returns "
                "0,80 kr against 1,25 kr in Search."),
    ("conversion", "; the plan \u201cQ1\u201d spends less on it, as its next conversion costs "
                   "1,25 kr against 0,80 kr in Search."),
])
def test_the_best_channel_a_plan_cuts_says_why(dep_var_type: str, reason: str) -> None:
    """The UX audit: the findings called a channel the best while the plan cut it. Its
    average return is the best, its next unit spent returns less than another channel's."""
    figures = {"spend_tv": (500_000, 1_500_000, 0.8), "spend_search": (300_000, 600_000, 1.25)}
    result = three_channels(dep_var_type, figures)
    cut = content.findings(result, "m", "SEK", [one_plan({"spend_tv": (100.0, 80.0),
                                                          "spend_search": (50.0, 70.0)})])
    assert cut[1].startswith("TV ") and cut[1].endswith(reason)
    kept = content.findings(result, "m", "SEK", [one_plan({"spend_tv": (100.0, 120.0),
                                                           "spend_search": (50.0, 30.0)})])
    assert kept[1] == content.findings(result, "m", "SEK")[1]  # no reason to give
    assert "spends less" not in kept[1]


#: Per channel: spend and effect over the period, marginal ROAS, share of effect at once
#: (Email's return is the highest of the period, and its next krona's, but its effect comes
#: mostly in later weeks, as the UX audit's model 1_249_1)
BEST_LATER = {"spend_tv": (500_000, 500_000, 0.6, 0.7),
              "spend_search": (300_000, 450_000, 0.8, 0.6),
              "spend_email": (200_000, 360_000, 0.97, 0.16)}


def best_cut(figures: dict, planned: dict[str, float], uppers: dict[str, float] | None = None,
             dep_var_type: str = "revenue") -> tuple[dict, dict]:
    """A plan over 4 weeks moving the channels of ``figures`` (:data:`BEST_LATER`'s form)
    from 4 weeks of a tenth of their spend to ``planned``, each between half and twice
    today's (or its ``uppers``), and its result."""
    result = three_channels(dep_var_type, {c: f[:3] for c, f in figures.items()})
    for column, f in figures.items():
        result["models"][0]["channels"][column]["immediate_share"] = f[3]
    now = {c: f[0] / 10 for c, f in figures.items()}
    cpa = {"optimized_cpa": 1.0} if dep_var_type == "conversion" else {}
    channels = {c: {"current_spend": now[c], "optimized_spend": planned[c], "lower": now[c] / 2,
                    "upper": (uppers or {}).get(c, 2 * now[c]), **cpa} for c in now}
    totals = {"current_spend": sum(now.values()), "optimized_spend": sum(planned.values())}
    return {"model_id": "m", "scenario": "max_response", "weeks": 4, "channels": channels,
            "totals": totals}, result


AT_MIN = {"spend_tv": 60_000.0, "spend_search": 30_000.0, "spend_email": 10_000.0}


@pytest.mark.parametrize(("dep_var_type", "expected"), [
    ("revenue", "Email is cut to its lower limit although its return over the period is the "
                "highest (1,80 kr per krona) and its next krona returns the most (0,97 kr): 84 "
                "% of its effect comes in the weeks after the spend, which a plan does not "
                "count."),
    ("conversion", "Email is cut to its lower limit although its cost per conversion over the "
                   "period is the lowest (0,56 kr) and its next conversion costs the least "
                   "(1,03 kr): 84 % of its effect comes in the weeks after the spend, which a "
                   "plan does not count."),
])
def test_a_plan_cutting_the_best_channel_to_its_min_says_why(dep_var_type: str,
                                                             expected: str) -> None:
    """The usability audit: the findings said "Email gave the highest estimated return: 1,79
    kr per krona" and "its next krona returns the most (0,97)", the plan cut Email "-50 % at
    Min" and nothing said why (a channel held at a limit was left out of the rank note), as
    if the limit had cut it. The planner, the Presentation and the PDF say it alike."""
    plan, result = best_cut(BEST_LATER, AT_MIN, dep_var_type=dep_var_type)
    assert content.held_at(plan["channels"]["spend_email"]) == "Min"
    assert content.plan_rank_note(plan, "SEK", result) == expected
    plan["totals"].update(current_response=1.0, optimized_response=1.1, uplift=0.1)
    assert content.plan_sentences(plan, "SEK", result).endswith(f" {expected}")
    assert content.plan_summary(plan, "SEK", result).endswith(f" {expected}")


def test_a_plan_cutting_the_channel_with_most_room_to_grow_says_why() -> None:
    """The usability audit's second model: "Email has the most room to grow … 1,42 kr", the
    plan cut Email 6 % and raised Google, whose return over the period is the highest, so no
    channel of lower return was raised and nothing was said."""
    figures = {**BEST_LATER, "spend_search": (300_000, 600_000, 0.8, 0.6)}  # Search: 2,00
    plan, result = best_cut(figures, {"spend_tv": 50_000.0, "spend_search": 35_000.0,
                                      "spend_email": 15_000.0})
    assert content.plan_rank_note(plan, "SEK", result) == (
        "Email is cut although its next krona returns the most (0,97 kr): 84 % of its effect "
        "comes in the weeks after the spend, which a plan does not count.")


def test_a_best_channel_whose_next_krona_returns_less_is_cut_for_that() -> None:
    figures = {**BEST_LATER, "spend_search": (300_000, 450_000, 1.2, 0.6)}  # the best margin
    plan, result = best_cut(figures, AT_MIN)
    assert content.plan_rank_note(plan, "SEK", result) == (
        "Email is cut to its lower limit although its return over the period is the highest "
        "(1,80 kr per krona): at today's spend its next krona returns 0,97 kr against 1,20 kr "
        "in Search.")


@pytest.mark.parametrize(("planned", "uppers", "expected"), [
    ({"spend_tv": 51_000.0, "spend_search": 30_000.0, "spend_email": 19_000.0}, None,
     "The plan moves money to TV from Email although Email's return over the period is higher "
     "(1,80 kr against 1,00 kr per krona): a plan counts only the week of the spend, and more "
     "of TV's effect comes in that week."),  # one sentence of Email, not two
    ({"spend_tv": 55_000.0, "spend_search": 30_000.0, "spend_email": 15_000.0},
     {"spend_email": 15_000.0}, None),  # its Max, below today's spend, cut it
    ({"spend_tv": 20_000.0, "spend_search": 15_000.0, "spend_email": 15_000.0}, None,
     None),  # half the budget, a larger share of it for Email
], ids=["said of the pair", "its Max", "its share rises"])
def test_a_best_channel_is_said_cut_once_and_only_where_the_plan_cuts_it(
        planned: dict, uppers: dict | None, expected: str | None) -> None:
    plan, result = best_cut(BEST_LATER, planned, uppers)
    assert content.plan_rank_note(plan, "SEK", result) == expected


def test_the_total_revenue_of_a_plan_s_weeks_is_the_window_s_mean_week() -> None:
    result = fitted_run().result
    weekly = sum(result["actual"]) / len(result["actual"])
    assert content.horizon_total(result, 4) == pytest.approx(4 * weekly)
    assert content.horizon_total({"actual": []}, 4) is None
    plan = one_plan({"spend_tv": (100.0, 80.0)})["plan"]
    assert content.share_of_total(plan, "SEK", {"actual": [500.0, 300.0]}) == (
        "about +0,6 % of total revenue")  # 10 added of 1 600 over 4 weeks
    assert content.share_of_total(plan, "SEK", None) is None


@pytest.mark.parametrize(("dep_var_type", "tv", "intervals", "expected"), [
    ("revenue", (500_000, 750_000, 0.8), {"spend_tv": [1.0, 2.0], "spend_email": [0.0, 0.5]},
     [("ROAS", "Marginal ROAS", "90 % interval"),
      ["1,50", "0,80", "1,00 – 2,00"], ["0,00", "0,00", "0,00 – 0,50"]]),
    ("conversion", (500_000, 2_500, 0.002),
     {"spend_tv": [0.004, 0.008], "spend_email": [0.0, 0.001]},
     [("CPA", "Marginal CPA", "90 % interval"),
      ["200,00 kr", "500,00 kr", "125,00 kr – 250,00 kr"], ["–", "–", "1 000,00 kr or more"]]),
])
def test_the_channel_table_speaks_the_models_measure(dep_var_type: str, tv: tuple,
                                                     intervals: dict, expected: list) -> None:
    """A conversion model's channel table showed its conversions per krona as "ROAS 0,00";
    it shows the cost per conversion, its interval's bounds inverted (and open above when
    the lowest ROAS is 0, no conversions)."""
    result = three_channels(dep_var_type, {"spend_tv": tv, "spend_email": (200_000, 0, 0.0)})
    for column, ci in intervals.items():
        result["models"][0]["channels"][column]["roas_ci"] = ci
    assert content.channel_columns(result)[5:] == expected[0]
    assert [row[5:] for row in content.channel_rows(result, "m", "SEK")] == expected[1:]
    assert expected[0][0] in content.channel_table_note(result)


@pytest.mark.parametrize("dep_var_type", ["revenue", "conversion"])
def test_a_eur_client_reads_every_interval_in_its_own_percent_style(dep_var_type: str) -> None:
    """The usability audit: a EUR client read "11%" and "90 %" side by side; the channel
    table's heading, its note, the intervals chart's caption and the method say "90%"."""
    result = three_channels(dep_var_type, {})
    note = content.channel_table_note(result, "EUR")
    _, caption = content.chart_text(result, "roas_intervals", currency="EUR")
    *_, cannot_say = content.method_text(result, "EUR")
    assert content.channel_columns(result, "EUR")[-1] == "90% interval"
    assert all("90% interval" in text and "90 %" not in text
               for text in (note, caption, cannot_say))


@pytest.mark.parametrize(("dep_var_type", "named", "absent"), [
    ("revenue", "ROAS", "cost per conversion"),
    ("conversion", "cost per conversion", "break-even"),
])
def test_the_intervals_chart_is_named_in_the_models_measure(dep_var_type: str, named: str,
                                                             absent: str) -> None:
    title, caption = content.intervals_chart_text({"dep_var_type": dep_var_type})
    assert named.lower() in f"{title} {caption}".lower()
    assert absent not in f"{title} {caption}".lower()


@pytest.mark.parametrize(("dep_var_type", "plan_name", "expected"), [
    ("revenue", None, "Revenue a week's spend is expected to add in that week, at each weekly "
                      "spend level (what earlier spend still brings in is not counted). "
                      "Filled dots: today's average spend."),
    ("conversion", "Q1", "Conversions a week's spend is expected to add in that week, at each "
                         "weekly spend level (what earlier spend still brings in is not "
                         "counted). Filled dots: today's average spend; open diamonds: the "
                         "spend of the plan \u201cQ1\u201d, at its expected weekly effect."),
])
def test_the_response_curves_caption_names_the_outcome_and_the_plan(
        dep_var_type: str, plan_name: str | None, expected: str) -> None:
    """It spoke of the "weekly return" for conversions too, and the Presentation's and the
    PDF's differed. The UX audit: the client's curves now show what a week's spend adds
    (``response_curves(added=True)``), as the plan's figures count it, and the caption says
    so."""
    assert content.curves_caption({"dep_var_type": dep_var_type}, plan_name) == expected


def test_an_alternative_model_s_note_gives_the_reason_as_the_recommended_one_s() -> None:
    """The audit read "The recommended model is … Chosen because …" as the reason for the
    analyst's alternative; the reason is now introduced as the recommended model's."""
    result = fitted_run().result
    recommended = result["model_id"]
    other = next(m["model_id"] for m in result["models"] if m["model_id"] != recommended)
    reason = recommendation_reason(result, "SEK")
    assert content.selection_note(result, recommended, "SEK") == (
        f"Model {recommended} is the recommended model. {reason}")
    assert content.selection_note(result, other, "SEK") == (
        f"Model {other} is an alternative model chosen by the analyst instead of the "
        f"recommended model {recommended}. Why the engine recommended {recommended}: {reason}")


def test_the_client_reads_which_model_in_words_and_the_id_only_as_its_reference() -> None:
    """The UX audit: "Model 2_1849_1 · recommended" on the PDF's cover means nothing to a
    client. The client's wording names no id; the analyst's pages keep theirs
    (:func:`content.model_statement`), and the PDF's model reference gives it once."""
    result = fitted_run().result
    recommended = result["model_id"]
    other = next(m["model_id"] for m in result["models"] if m["model_id"] != recommended)
    reason = recommendation_reason(result, "SEK")
    assert content.model_in_words(result, recommended) == "The recommended model"
    assert content.model_in_words(result, other) == "The model your analyst selected"
    assert content.client_selection_note(result, recommended, "SEK") == (
        f"The figures come from the recommended model. {reason}")
    assert content.client_selection_note(result, other, "SEK") == (
        "The figures come from the model your analyst selected instead of the "
        f"recommended model. Why the engine recommended that model: {reason}")
    for model_id in (recommended, other):
        client = (content.model_in_words(result, model_id)
                  + content.client_selection_note(result, model_id, "SEK"))
        assert recommended not in client and other not in client
        assert "alternative" not in client  # the analyst's word (model_statement), not theirs
        assert content.model_reference(result, model_id) == (
            f"Model reference: {model_id} · Engine: Kiri {result['engine_version']} · "
            f"{len(result['models'])} candidate models · 104 weeks of data.")
    assert content.model_statement(result, other).startswith(f"Model {other} ")  # analysts'


def test_the_total_s_note_gives_the_weeks_not_the_period_again() -> None:
    """The Presentation and the PDF name the period above the tiles; the audit found the
    total's note repeating it."""
    result = fitted_run().result
    total = content.headlines(result, result["model_id"], "SEK")[0]
    assert (total.label, total.note) == ("Total revenue",
                                         f"over {result['window']['periods']} weeks")


@pytest.mark.parametrize(("changes", "says"), [
    ({}, None),
    ({"spend_google": 0.09}, "The spend on Google moves by only 9 % from week to week, so the "
                             "data can hardly tell its effect from the baseline and the "
                             "season: its ROAS is the least certain figure here."),
    ({"spend_google": 0.09, "spend_meta": 0.12},
     "The spend on Meta and Google moves by only 12 % and 9 % from week to week, so the data "
     "can hardly tell their effect from the baseline and the season: their ROAS is the least "
     "certain figure here."),
])
def test_spend_too_steady_to_read_a_return_from_is_named(changes: dict, says: str | None
                                                         ) -> None:
    """The audit: on the generator's steady set Google's ROAS was 1,33 against a true 3,50
    and nothing warned; Google's spend moved by 9 % a week there (STEADY_CHANGE 15 %)."""
    result = copy.deepcopy(fitted_run().result)
    model_id = result["model_id"]
    channels = next(m for m in result["models"] if m["model_id"] == model_id)["channels"]
    for column, channel in channels.items():
        channel["weekly_change"] = changes.get(column, 0.5)
    warning = content.steady_spend_warning(result, model_id, "SEK")
    assert (warning is None) if says is None else warning.startswith(says)
    assert (warning in content.cautions(result, model_id, "SEK")) if warning else True


@pytest.mark.parametrize(("dep_var_type", "scale", "says", "figures"), [
    ("revenue", 1 / 450, "The revenue in this report adds up to less than the media spend, as "
                         "a count of conversions would: if it is a count rather than money, "
                         "the returns shown are wrong.", "returns"),
    ("conversion", 1.0, "The conversions in this report add up to more than the media spend, "
                        "as an amount of money would: if they are money rather than a count, "
                        "the costs per conversion shown are wrong.", "costs per conversion"),
])
def test_the_client_is_told_plainly_of_an_outcome_of_the_other_kind_and_the_presenter_told(
    dep_var_type: str, scale: float, says: str, figures: str
) -> None:
    """The audits: the Presentation page's clean view told the client to "model it as
    Conversions (CPA)", then the PDF named the raw column (“revenue”) and the
    analyst's to-do ("Your analyst is checking this."). The client reads plainly what the
    outcome's size suggests and which figures it makes wrong; the presenter, in the run bar,
    gets the analyst's warning and what the client is told."""
    result = {**fitted_run().result, "dep_var_type": dep_var_type}
    result["actual"] = [y * scale for y in result["actual"]]
    model_id = result["model_id"]
    *shared, mismatch = content.cautions(result, model_id, "SEK")
    *client_shared, note = content.client_cautions(result, model_id, "SEK")
    assert len(shared) == len(client_shared) == 2  # the weak fit, Google's steady spend
    assert note == says
    assert "model it as" in mismatch and "\u201crevenue\u201d" in mismatch  # the analyst's
    assert content.before_presenting(result, model_id, "SEK")[-1] == (
        f"{mismatch} The client is told only that the {figures} shown may be wrong.")


def test_an_outcome_of_the_right_size_adds_nothing_for_client_or_presenter() -> None:
    result = fitted_run().result  # a quick search: the presenter hears of that only
    model_id = result["model_id"]
    assert len(content.client_cautions(result, model_id, "SEK")) == len(content.cautions(
        result, model_id, "SEK")) == 2  # the weak fit, Google's steady spend
    quick, *_ = content.before_presenting(result, model_id, "SEK")
    assert quick.startswith("These figures come from a quick search")
    assert not any("shown may be wrong" in note
                   for note in content.before_presenting(result, model_id, "SEK"))


@pytest.mark.parametrize(("iterations", "trials", "noted"),
                         [(300, 1, True), (1000, 1, True), (2000, 1, False), (2000, 5, False)])
def test_the_client_hears_of_a_small_search_as_preliminary_figures(iterations: int,
                                                                   trials: int,
                                                                   noted: bool) -> None:
    """The clean view said "a full search is needed before acting on them", the analyst's
    to-do: the client is told the figures are preliminary, and the presenter what the
    client is told."""
    result = {**fitted_run().result, "config": {**fitted_run().result["config"],
                                                "iterations": iterations, "trials": trials}}
    note = content.client_quick_search_note(result)
    before = content.before_presenting(result, result["model_id"], "SEK")
    others = 2  # the quick fit's weak fit and Google's steady spend, told whatever the search
    if not noted:
        assert note is None and len(before) == others
        return
    assert note.startswith("Preliminary figures from a first look at the data")
    assert not any(word in note for word in ("search", "settings", str(iterations)))
    assert len(before) == 1 + others
    assert before[0] == (f"{content.quick_search_note(result)} The client is told they are "
                         "preliminary figures, to be firmed up.")


def fitted_on(**changes) -> dict:
    """The fitted run's result with ``changes``: another ``window`` or ``spend_columns``."""
    return {**fitted_run().result, **changes}


def test_runs_on_the_same_data_need_no_warning() -> None:
    result = fitted_run().result
    assert content.data_differ({"Run #1": ("dataset v1", result),
                                "Run #2": ("dataset v1", fitted_on())}, "SEK") is None


def test_runs_on_other_data_name_each_run_s_dataset_window_and_channels() -> None:
    """The audit: Compare set a run on dataset v1 beside one on v2, with a longer window and
    a channel fewer, as if only the model had changed."""
    first = fitted_run().result
    window, columns = first["window"], first["spend_columns"]
    second = fitted_on(window={"start": "2016-01-04", "end": window["end"], "periods": 120},
                       spend_columns=columns[:-1])
    text = content.data_differ({"Run #1": ("dataset v1 \u201cSpring\u201d", first),
                                "Run #3": ("dataset v2 \u201cAutumn\u201d", second)}, "EUR")
    dropped = fmt.channel_name(columns[-1])
    sunday = date.fromisoformat(window["end"]) + timedelta(days=6)  # the last week's end
    assert text.splitlines() == [
        "Run #1 and Run #3 were fitted on different data (dataset, modelling window and paid "
        "channels), so the differences below mix changes in the data with changes in the "
        "model.",
        f"- Run #1: {fmt.weeks_period(window['start'], window['end'], 'EUR')} "
        f"({fmt.weeks(window['periods'])}), {len(columns)} paid channels, "
        "dataset v1 \u201cSpring\u201d",
        f"- Run #3: 4 Jan 2016 – {fmt.format_date(sunday, 'EUR')} (120 weeks), "
        f"{len(columns) - 1} paid channels, dataset v2 \u201cAutumn\u201d",
        f"- Only in Run #1: {dropped}",
    ]


@pytest.mark.parametrize(("changes", "says"), [
    ({"spend_columns": ["spend_meta", "spend_google"]}, "(paid channels)"),
    ({"window": {"start": "2020-01-06", "end": "2021-12-27", "periods": 104}},
     "(modelling window)"),
])
def test_one_data_difference_is_named_alone(changes: dict, says: str) -> None:
    """The same dataset version with another window or other channels is other data too."""
    text = content.data_differ({"Run #1": ("dataset v1", fitted_run().result),
                                "Run #2": ("dataset v1", fitted_on(**changes))}, "SEK")
    assert f"were fitted on different data {says}, so" in text


ANALYST_ADVICE = ("lift test", "more weeks", "context variables", "check them", "pin it down")


@pytest.mark.parametrize(("dep_var_type", "changes", "steady", "told"), [
    ("revenue", {"spend_google": 0.09},
     "The spend on Google hardly changed from week to week, so its return is the least "
     "certain figure here.", "it is the least certain figure here."),
    ("conversion", {"spend_google": 0.09, "spend_meta": 0.12},
     "The spend on Meta and Google hardly changed from week to week, so their costs per "
     "conversion are the least certain figures here.",
     "they are the least certain figures here."),
])
def test_the_client_hears_what_a_weak_fit_and_steady_spend_mean_and_the_presenter_the_advice(
    dep_var_type: str, changes: dict, steady: str, told: str
) -> None:
    """The audit: the clean view and the PDF told the client to check the figures "against
    other evidence (a lift test, more weeks of data, the context variables ...)", the
    analyst's job. The client reads what the weak fit and the steady spend mean for the
    figures; the analyst's advice goes to the presenter with what the client is told, and
    stays on Results and Runs."""
    result = copy.deepcopy({**fitted_run().result, "dep_var_type": dep_var_type})
    model_id = result["model_id"]
    model = next(m for m in result["models"] if m["model_id"] == model_id)
    model["metrics"]["rsq"] = 0.57
    for column, channel in model["channels"].items():
        channel["weekly_change"] = changes.get(column, 0.5)
    outcome = "conversions" if dep_var_type == "conversion" else "revenue"
    fit, steady_note, *_ = content.client_cautions(result, model_id, "SEK")
    assert fit == (f"The model explains 57 % of the week-to-week changes in {outcome}, so "
                   "treat the channel figures as indicative.")
    assert steady_note == steady
    weak, spend = content.cautions(result, model_id, "SEK")[:2]
    assert "lift test" in weak and "lift test" in spend  # the analyst's pages keep the advice
    assert not any(advice in " ".join(content.client_cautions(result, model_id, "SEK"))
                   for advice in ANALYST_ADVICE)
    _, fit_before, spend_before, *_ = content.before_presenting(result, model_id, "SEK")
    assert fit_before == f"{weak} The client is told to treat the channel figures as indicative."
    assert spend_before == f"{spend} The client is told only that {told}"


def test_a_good_fit_on_moving_spend_tells_neither_client_nor_presenter_anything() -> None:
    result = copy.deepcopy({**fitted_run().result, "config": {
        **fitted_run().result["config"], "iterations": 2000}})
    model = next(m for m in result["models"] if m["model_id"] == result["model_id"])
    model["metrics"]["rsq"] = 0.8
    for channel in model["channels"].values():
        channel["weekly_change"] = 0.5
    for notes in (content.cautions, content.client_cautions, content.before_presenting):
        assert notes(result, result["model_id"], "SEK") == []


@pytest.mark.parametrize(("notes", "warning"), [
    ([], None),
    (["These figures come from a quick search."],
     "Before you present: these figures come from a quick search."),
    (["A is weak.", "B is steady."], "Before you present:\n- A is weak.\n- B is steady."),
])
def test_the_presenter_gets_one_warning_however_many_notes(notes: list[str],
                                                           warning: str | None) -> None:
    """Three warnings, one per note, stacked in the run bar pushed the title far down."""
    assert content.presenter_warning(notes) == warning
