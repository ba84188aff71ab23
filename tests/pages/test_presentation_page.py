"""Presentation mode: headline numbers, findings and the saved scenario of the model chosen on
the Results page; no engine jargon; a clean view without sidebar or controls."""

from __future__ import annotations

from fitted import finished_run, fitted_run

from kiri_core import formatting as fmt
from kiri_core import planner
from kiri_core.db.base import utcnow
from kiri_core.report import content
from kiri_core.services.runs import choose_model, load_result

JARGON = ("NRMSE", "DECOMP", "RSSD", "Pareto", "adstock", "Hill", "lambda", "model_id")
INPUTS = ("text_input", "number_input", "slider", "select_slider", "selectbox", "checkbox",
          "radio")


def inputs(block) -> list:
    return [widget for kind in INPUTS for widget in getattr(block, kind)]


def test_a_viewer_sees_the_story_without_jargon_and_a_clean_view(session, team, open_page,
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
    assert [w.label for w in inputs(app.main)] == ["Run"]  # the bar above the story
    assert [b.label for b in app.main.button] == ["Present", "Prepare PDF report"]
    assert fmt.money(sum(result["actual"]), "SEK") in [m.value for m in app.metric]

    app.main.button[0].click().run()  # "Present"
    assert not app.exception
    assert "stSidebar" in app.get("html")[0].proto.body  # the sidebar is hidden
    assert not inputs(app.main)
    assert [b.label for b in app.main.button] == ["Stop presenting"]
    assert [(m.label, m.value) for m in app.metric] == [(h.label, h.value) for h in heads]
    app.main.button[0].click().run()
    assert [b.label for b in app.main.button] == ["Present", "Prepare PDF report"]


def test_the_story_is_of_the_model_an_analyst_chose(session, team, open_page, text_of):
    run = finished_run(session, team.analyst, team.client.id)
    result = load_result(session, team.analyst, run.id)
    other = next(m["model_id"] for m in result["models"] if not m["recommended"])
    for name, model_id in (("Recommended plan", result["model_id"]), ("Other plan", other)):
        planner.save_scenario(session, team.analyst, run.id, name,
                              {**fitted_run().plan, "model_id": model_id})
    choose_model(session, team.analyst, run.id, other)
    app = open_page("pages/presentation.py", team.viewer, team.client)
    assert not app.exception
    heads = content.headlines(result, other, "SEK")
    assert [(m.label, m.value) for m in app.metric] == [(h.label, h.value) for h in heads]
    text = text_of(app)
    assert (f"Model {other} · alternative model chosen by the analyst · set on the Results "
            f"page by Analyst on {fmt.format_date(utcnow(), 'SEK')}") in text
    assert "Budget recommendation: Other plan" in text
    assert "Recommended plan" not in text
    for finding in content.findings(result, other, "SEK")[:4]:
        assert finding in text
