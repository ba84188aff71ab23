"""kiri_core.report.content, usability audit 7: the channel table says why a budget plan can
rank the channels otherwise, the Results page's response curves say how they differ from the
client's, the candidate models are named by their Pareto fronts with why the recommended one
can be beaten on both measures, and the residual chart's caption says what a trend in its
errors means."""

from __future__ import annotations

import io
from datetime import date

import pypdf
import pytest
from fitted import fitted_run

from kiri_core.report import build_report, content


@pytest.mark.parametrize(("dep_var_type", "table", "plan"), [
    ("revenue", "Marginal ROAS", "return on extra spend"),
    ("conversion", "Marginal CPA", "cost of the next conversion"),
])
def test_the_channel_table_says_why_a_plan_ranks_the_channels_otherwise(
        dep_var_type: str, table: str, plan: str) -> None:
    """The audit: the PDF's table said TikTok's next krona returned the most, and the plan
    two pages on halved TikTok. The table's marginal figure counts the weeks after the
    spend too, the plan's only the week of the spend; the PDF's note now says so."""
    note = content.marginal_basis_note(dep_var_type == "conversion")
    assert note.startswith(f"{table} also counts") and "the weeks after" in note
    assert f"a budget plan's {plan} counts only the week of the spend" in note
    assert note.endswith("a channel whose effect comes later ranks lower in a plan.")
    assert content.channel_table_note({"dep_var_type": dep_var_type}).endswith(f" {note}")


def test_the_results_curves_say_they_count_the_carry_over_unlike_the_client_s() -> None:
    """The audit: Results drew Meta at 36 k kr a week where the Presentation and the PDF drew
    21 k kr, both under one title. The Results chart's title and caption say it counts what
    earlier weeks' spend still brings in, and that the client's pages do not."""
    title, caption = content.analyst_curves_text({"dep_var_type": "revenue"}, None)
    assert title == "Weekly revenue per channel, carry-over included"
    assert "including what earlier weeks' spend still brings in" in caption
    assert "The Presentation and the PDF show only what the week's spend adds" in caption
    assert caption.endswith("Filled dots: mean weekly spend in the data.")
    _, planned = content.analyst_curves_text({"dep_var_type": "conversion"}, "Q3")
    assert planned.startswith("The weekly conversions")
    assert planned.endswith("; diamonds: the weekly spend of the saved plan \u201cQ3\u201d "
                            "(unsaved tries in the planner are not marked).")
    client = content.curves_caption({"dep_var_type": "revenue"}, None)
    assert title not in client and caption != client


def test_the_candidate_models_are_named_by_their_fronts_and_the_choice_by_its_weeks() -> None:
    """The audit: the PDF called the 92 candidates the "Pareto front" though they came from
    fronts 1-10 and 84 were beaten on both measures, the recommended model among them. The
    quality table and the Results chart's note name the fronts, and both say the recommended
    model is chosen on weeks held back, so it need not be the lowest on both."""
    result = fitted_run().result
    recommended = result["model_id"]
    assert content.pareto_fronts(result) == "Pareto fronts 1\u201310"
    *_, (label, count, meaning) = content.quality_rows(result, recommended, "SEK")
    assert (label, count) == ("Candidate models", "92")
    assert meaning == ("Best trade-offs of fit and plausibility (Pareto fronts 1\u201310) of "
                       "the 200 settings searched.")
    assert content.appendix_selection_note(result, recommended, "SEK") == (
        f"{content.client_selection_note(result, recommended, 'SEK')} So the recommended "
        "model need not have the lowest NRMSE or DECOMP.RSSD of the candidates.")
    note = content.candidates_chart_note(result)
    assert "(Pareto fronts 1\u201310); filled dots are front 1" in note
    assert note.endswith("The recommended model is chosen on weeks held back from fitting, "
                         "which this chart does not show, so it need not be the lowest or "
                         "furthest left here.")


@pytest.mark.parametrize("rule", ["nrmse", "robyn"])
def test_rules_that_choose_on_the_chart_s_measures_add_no_held_back_weeks(rule: str) -> None:
    result = {**fitted_run().result, "config": {**fitted_run().result["config"],
                                                "selection": rule}}
    recommended = result["model_id"]
    assert not content.held_back(result)
    assert "held back" not in content.candidates_chart_note(result)
    assert content.appendix_selection_note(result, recommended, "SEK") == (
        content.client_selection_note(result, recommended, "SEK"))
    one_front = {**result, "models": [{**m, "pareto_front": 1} for m in result["models"]]}
    assert content.pareto_fronts(one_front) == "Pareto front 1"


FITTED = [100.0, 110.0, 120.0, 130.0, 100.0, 110.0, 120.0, 130.0]
EVEN = [5.0, -5.0, -5.0, 5.0, -5.0, 5.0, 5.0, -5.0]  # errors that do not move with the fit


def actual_of(errors: list[float], slope: float) -> list[float]:
    """The actuals whose errors against :data:`FITTED` are ``errors`` plus ``slope`` times
    the fitted value's distance from its mean."""
    return [f + e + slope * (f - 115.0) for f, e in zip(FITTED, errors, strict=True)]


def test_the_residual_trend_is_the_errors_correlation_with_the_fit() -> None:
    assert content.residual_trend(actual_of(EVEN, 0.0), FITTED) == pytest.approx(0.0)
    assert content.residual_trend(actual_of(EVEN, 0.5), FITTED) > 0.7  # peaks flattened
    assert content.residual_trend(actual_of(EVEN, -0.5), FITTED) < -0.7  # peaks exaggerated
    assert content.residual_trend(FITTED, FITTED) == 0.0  # no errors, no trend


def residuals(actual: list[float], fitted: list[float]) -> dict:
    return {"model_id": "m", "actual": actual, "models": [{"model_id": "m", "fitted": fitted}]}


def test_the_residual_caption_says_what_a_trend_means() -> None:
    """The audit: "Errors should scatter evenly around zero without a pattern" stood under a
    plain upward trend, in the client's PDF too. A trend is now said in plain words."""
    flat = content.chart_text(residuals(actual_of(EVEN, 0.5), FITTED), "fitted_vs_residual")
    assert flat == ("Fitted versus residual",
                    "The errors rise from left to right: the model flattens peaks and troughs, "
                    "so high weeks come out lower than they were and low weeks higher. Its "
                    "weekly figures swing less than the weeks really did.")
    _, swung = content.chart_text(residuals(actual_of(EVEN, -0.5), FITTED),
                                  "fitted_vs_residual")
    assert swung.startswith("The errors fall from left to right: the model exaggerates")
    _, even = content.chart_text(residuals(actual_of(EVEN, 0.0), FITTED), "fitted_vs_residual")
    assert even == "Errors should scatter evenly around zero without a pattern."


def test_the_residual_caption_follows_the_model_shown() -> None:
    """The Results page can show another model than the recommended one: its caption is
    that model's."""
    actual = actual_of(EVEN, 0.0)
    result = residuals(actual, [115.0 + (a - 115.0) / 2 for a in actual])  # halved swings
    result["models"].append({"model_id": "even", "fitted": FITTED})
    assert "flattens" in content.chart_text(result, "fitted_vs_residual")[1]
    assert "flattens" not in content.chart_text(result, "fitted_vs_residual", "even")[1]


def pdf_text(result: dict) -> str:
    fit = fitted_run()
    pdf = build_report(result, "Acme AB", "SEK", [{"name": "Q1", "plan": fit.plan}],
                       report_date=date(2026, 12, 1))
    return " ".join((page.extract_text() or "").replace("\n", " ")
                    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_the_pdf_explains_the_marginal_figures_fronts_and_residual_trend() -> None:
    """Said in the client's PDF too, the quality table's cells whole (a table cell is one
    line, cut short with an ellipsis)."""
    text = " ".join(pdf_text(fitted_run().result).split())
    for said in ("a budget plan's return on extra spend counts only the week of the spend",
                 "(Pareto fronts 1\u201310) of the 200 settings searched.",
                 "need not have the lowest NRMSE or DECOMP.RSSD",
                 "the model flattens peaks and troughs"):
        assert said in text, said
    assert "without a pattern" not in text and "\u2026" not in text
