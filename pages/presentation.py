"""Presentation mode: the run's story for a client meeting, of the model chosen on Results, with
its saved budget plans compared and picked one at a time; a clean view hides the sidebar and
every control but that pick. The story is worded for the client in both views; the run bar
above it (:mod:`ui.presenting`) warns an analyst of what the client is told otherwise."""

from __future__ import annotations

import streamlit as st

from kiri_core import charts, planner
from kiri_core import formatting as fmt
from kiri_core.report import content
from ui import pdf, plans, presenting, workspace
from ui.context import selected_client, signed_in_user
from ui.db import db
from ui.links import page_link

with db() as session:
    user = signed_in_user(session)
    client, role = selected_client(session, user)
    run, clean_view = presenting.presentation_run(session, user, client, role)
    result = workspace.result_of(session, user, run.id)
    model_id, currency = workspace.selected_model(result, run), client.currency
    window = result["window"]

    st.title(client.name)
    period = fmt.weeks_period(window["start"], window["end"], currency)
    st.caption(f"Marketing mix results · {period} · "
               f"{content.in_sentence(content.model_in_words(result, model_id))}")
    for warning in content.client_cautions(result, model_id, currency):
        st.warning(warning)
    if note := content.client_quick_search_note(result):
        st.info(note)
    heads = content.headlines(result, model_id, currency)
    for row in (heads[:2], heads[2:]):
        for column, head in zip(st.columns(2), row, strict=True):
            column.metric(head.label, head.value)
            column.caption(head.note)

    scenarios = planner.model_scenarios(session, user, run.id, result, model_id, currency)
    st.subheader("What we found")
    findings = content.findings(result, model_id, currency, scenarios)
    st.markdown("\n".join(f"{i}. {fmt.unbreakable_numbers(text)}"
                          for i, text in enumerate(findings, start=1)))

    left, right = st.columns(2)
    with left:
        st.subheader("Share of spend and effect")
        workspace.chart(charts.spend_vs_effect(result, model_id, currency))
    with right:
        title, caption = content.intervals_chart_text(result, currency)
        st.subheader(title)
        workspace.chart(charts.roas_intervals(result, model_id, currency))
        st.caption(caption)
    st.subheader(f"Where the {content.outcome(result)} came from")
    workspace.chart(charts.decomposition_over_time(result, model_id, currency))

    plan = scenario = None
    if scenarios:
        scenario = plans.pick_scenario(
            scenarios, plans.PRESENTED_PLAN.format(run_id=run.id, model_id=model_id), currency)
        plan = scenario["plan"]
        st.subheader(f"Budget plan: {scenario['name']}")
        st.markdown(fmt.unbreakable_numbers(content.plan_summary(plan, currency, result)))
        plans.plan_table(plan, currency)
        workspace.chart(charts.budget_reallocation(plan, currency))
        for note in scenario["notes"]:
            st.caption(fmt.unbreakable_numbers(f"Note: {note}"))
    elif not clean_view and (elsewhere := planner.plans_on_other_models(session, user, run.id,
                                                                         model_id)):
        st.info(content.plans_elsewhere_note(elsewhere, role == "analyst"))
        page_link("pages/planner.py", "Open the Budget planner")

    st.subheader("Diminishing returns")
    workspace.chart(charts.response_curves(result, model_id, currency, plan, added=True))
    st.caption(content.curves_caption(result, scenario["name"] if scenario else None))

    if not clean_view:
        pdf.report_download(session, user, run, client, model_id)
