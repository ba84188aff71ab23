"""The client's "Diminishing returns" on the Presentation page show what a week's spend adds,
as the plan's figures count it; the analyst's curves on Results keep the carry-over."""

from __future__ import annotations

import pandas as pd
import pytest
from chart_data import chart_frames
from fitted import finished_run, fitted_run

from kiri_core import charts, planner
from kiri_core.formatting import channel_name
from kiri_core.services.runs import load_result


def curve_rows(app) -> pd.DataFrame:
    """Every row of the page's response curve charts (lines and markers)."""
    return pd.concat([f for f in chart_frames(app)
                      if {"spend", "response", "channel"} <= set(f.columns)],
                     ignore_index=True)


def test_the_presentation_curves_start_at_zero_and_meet_the_plan_s_effect(
        session, team, open_page) -> None:
    """UX audit: TikTok's curve was a flat line at ~18 k kr from zero spend, read as "TikTok
    does nothing" while the findings gave it 0,50 kr per krona. The client's curves start at
    zero and the plan's diamond sits at the plan's expected weekly effect."""
    run = finished_run(session, team.analyst, team.client.id)
    result = load_result(session, team.analyst, run.id)
    plan = {**fitted_run().plan, "model_id": result["model_id"]}
    planner.save_scenario(session, team.analyst, run.id, "Q3 plan", plan)
    shown = planner.shown_plan(result, plan, "SEK")
    rows = curve_rows(open_page("pages/presentation.py", team.viewer, team.client))
    assert charts.ZERO_SPEND not in set(rows["marker"].dropna())
    lines = rows[rows["marker"].isna()]
    for column, planned in shown["channels"].items():
        name = channel_name(column)
        start = lines[lines["channel"] == name].sort_values("spend").iloc[0]
        assert (start["spend"], start["response"]) == (0, pytest.approx(0.0, abs=1e-9))
        [diamond] = rows[(rows["channel"] == name)
                         & (rows["marker"] == charts.PLANNED_SPEND)].to_dict("records")
        assert diamond["response"] == pytest.approx(planned["optimized_response"] / shown["weeks"])


def test_the_results_curves_keep_the_carry_over_of_earlier_weeks(session, team,
                                                                 open_page) -> None:
    """The analyst's full curves: each starts at its carry-over level, marked at zero spend."""
    run = finished_run(session, team.analyst, team.client.id)
    rows = curve_rows(open_page("pages/results.py", team.analyst, team.client))
    zero = rows[rows["marker"] == charts.ZERO_SPEND]
    assert len(zero) == len(load_result(session, team.analyst, run.id)["spend_columns"])
    assert (zero["response"] > 0).all()
