"""Results and Runs pages, usability audit 7: the channel tables say why a budget plan can
rank the channels otherwise, the model chart names the Pareto fronts and why the recommended
model need not be lowest on it, the response curves say they count the carry-over unlike the
client's, and the residual chart's caption says what its trend means."""

from __future__ import annotations

from fitted import finished_run

from kiri_core.report import content
from kiri_core.services.runs import load_result


def captions(app) -> list[str]:
    return [c.value for c in app.caption]


def test_the_results_page_explains_its_figures_against_the_plans_and_the_client_s(
        session, team, open_page) -> None:
    run = finished_run(session, team.analyst, team.client.id)
    result = load_result(session, team.analyst, run.id)
    app = open_page("pages/results.py", team.analyst, team.client)
    assert not app.exception
    shown = captions(app)
    assert content.marginal_basis_note(False) in shown
    assert content.candidates_chart_note(result) in shown
    assert "Pareto fronts 1\u2013" in content.candidates_chart_note(result)
    title, caption = content.analyst_curves_text(result, None)
    assert f"**{title}**" in [m.value for m in app.markdown] and caption in shown
    assert "Filled dots: mean weekly spend in the data." not in shown  # the old caption alone
    _, residual = content.chart_text(result, "fitted_vs_residual", result["model_id"])
    assert residual in shown and "flattens peaks and troughs" in residual
    assert "Errors should scatter evenly around zero without a pattern." not in shown


def test_the_first_results_of_a_run_say_why_a_plan_ranks_the_channels_otherwise(
        session, team, open_page) -> None:
    finished_run(session, team.analyst, team.client.id)
    app = open_page("pages/runs.py", team.analyst, team.client)
    assert not app.exception
    assert content.marginal_basis_note(False) in captions(app)
