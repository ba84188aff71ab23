"""Presentation mode: headline numbers, findings and the saved scenario; nothing to edit and
no engine jargon."""

from __future__ import annotations

from fitted import finished_run, fitted_run

from kiri_core import formatting as fmt
from kiri_core import planner
from kiri_core.report import content
from kiri_core.services.runs import load_result

JARGON = ("NRMSE", "DECOMP", "RSSD", "Pareto", "adstock", "Hill", "lambda", "model_id")


def test_a_viewer_sees_the_story_without_controls_or_jargon(session, team, open_page,
                                                             text_of):
    run = finished_run(session, team.analyst, team.client.id)
    result = load_result(session, team.analyst, run.id)
    plan = {**fitted_run().plan, "model_id": result["model_id"]}
    planner.save_scenario(session, team.analyst, run.id, "Q3 plan", plan)
    app = open_page("pages/presentation.py", team.viewer, team.client)
    assert not app.exception
    text = text_of(app)
    assert app.title[0].value == "Acme AB"
    heads = content.headlines(result, result["model_id"], "SEK")
    assert [(m.label, m.value) for m in app.metric] == [(h.label, h.value) for h in heads]
    for finding in content.findings(result, result["model_id"], "SEK",
                                    {"name": "Q3 plan", "plan": plan}):
        assert finding in text
    assert "Budget recommendation: Q3 plan" in text
    assert app.dataframe[0].value.values.tolist() == content.plan_rows(plan, "SEK")
    assert not any(word.lower() in text.lower() for word in JARGON)
    assert not (app.main.text_input or app.main.number_input or app.main.slider
                or app.main.select_slider or app.main.selectbox
                or app.main.checkbox or app.main.radio)
    assert [b.label for b in app.main.button] == ["Prepare PDF report"]
    assert fmt.money(sum(result["actual"]), "SEK") in [m.value for m in app.metric]
