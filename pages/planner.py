"""Budget planner: optimise a budget over a horizon, what-if sliders, saved scenarios."""

from __future__ import annotations

from functools import partial

import streamlit as st

from kiri_core import charts, planner
from kiri_core import formatting as fmt
from kiri_core.report import content
from kiri_core.results import expected_response, is_conversion, model_by_id
from ui import plans, workspace
from ui.context import selected_client, signed_in_user, viewer_zone
from ui.db import db
from ui.errors import user_errors
from ui.inputs import confirmed_action
from ui.plan_form import form_differs, keep_plan, plan_form

HORIZON = planner.HORIZON_WEEKS
HORIZON_USED = "plan_weeks_used"  # the last horizon taken (ui.plans keeps it with the form)
TILE_GAP = 24  # px: 16 runs "25 000 000 kr 1 414" together, 32 leaves no room at 1024 px
SETTINGS_CHANGED = "Settings changed: press Optimise to update the plan."
NOT_UPDATED = ("Not updated: below is the last plan made, which the refused Optimise left as "
               "it was. Correct what is marked above and press Optimise to update it before "
               "saving.")


def metrics(numbers: list[planner.Metric]) -> None:
    """Big numbers side by side, each with its change against today: three or four to a row,
    ``TILE_GAP`` apart, so they keep to one row at 1024 px with SEK's long figures (wrapping,
    never cut, beyond that)."""
    row = st.container(horizontal=True, gap=TILE_GAP)
    for m in numbers:
        row.metric(m.label, m.value, m.delta, m.delta_color, help=m.help,
                   delta_description=m.delta_description, width="content")


def show_plan(plan: dict, result: dict, currency: str, settings: dict | None) -> None:
    """A plan's tiles and sentences, its table with a note on a channel its Max holds back
    (:func:`kiri_core.planner.held_below_return`, in the units of the limits its
    ``settings`` were typed in), its chart and its warnings."""
    metrics(planner.plan_metrics(plan, currency, result))
    st.markdown(fmt.unbreakable_numbers(content.plan_sentences(plan, currency, result)))
    plans.plan_table(plan, currency, limits=True)
    as_spend = (settings or {}).get("limits") == "spend"
    if held := planner.held_below_return(plan, currency, result, as_spend):
        st.info(fmt.unbreakable_numbers(held), icon=":material/trending_up:")
    workspace.chart(charts.budget_reallocation(plan, currency))
    for warning in plan["warnings"]:
        st.warning(fmt.unbreakable_numbers(warning))


@st.fragment
def what_if(result: dict, model_id: str, currency: str) -> None:
    """Per-channel weekly spend sliders up to ``planner.WHAT_IF_MULTIPLE`` times today's; the
    expected effect and its incremental ROAS (CPA) follow from the response curves, with a
    note under them on a spend above the weeks the data has seen."""
    channels = model_by_id(result, model_id)["channels"]
    spend = {}
    cols = st.columns(2)
    for i, column in enumerate(result["spend_columns"]):
        ch = channels[column]
        spend[column] = cols[i % 2].select_slider(
            f"{fmt.channel_name(column)} per week",
            options=planner.what_if_options(ch),
            value=float(ch["mean_spend"]),
            format_func=lambda amount: fmt.money(amount, currency),
            key=f"whatif_{model_id}_{column}")
    now = expected_response(result, model_id, {c: channels[c]["mean_spend"] for c in spend})
    metrics(planner.what_if_metrics(result, now, expected_response(result, model_id, spend),
                                    currency, model_id))
    if beyond := planner.beyond_data(result, model_id, spend, currency):
        st.caption(f":material/warning: {beyond}")
    st.caption(content.what_if_note(is_conversion(result)))


def saved_scenarios(session, user, run, result: dict, model_id: str, role: str,
                    currency: str) -> None:
    """Each saved scenario of the run, its figures counted from its model, in an expander
    that names the model; one made on another model than ``model_id`` says so."""
    scenarios = planner.list_scenarios(session, user, run.id)
    if not scenarios:
        st.caption("No saved scenarios yet: optimise a budget above and save it by name."
                   if role == "analyst" else "No saved scenarios yet: an analyst saves "
                   "budget plans here for you to open.")
    for scenario in scenarios:
        plan = planner.shown_plan(result, scenario.plan, currency)
        spend = fmt.money(plan["totals"]["optimized_spend"], currency)
        elsewhere = scenario.model_id != model_id
        with st.expander(f"**{scenario.name}** · {spend} over {fmt.weeks(plan['weeks'])} · model "
                         f"{scenario.model_id}" + (" (another model)" if elsewhere else ""),
                         icon=":material/swap_horiz:" if elsewhere else None):
            if elsewhere:
                st.info(content.other_model_note(scenario.model_id, model_id))
            show_plan(plan, result, currency, scenario.settings)
            if role == "analyst":
                confirmed_action("Delete scenario", f"Delete “{scenario.name}” for everyone "
                                 "who sees this client? It cannot be undone.",
                                 partial(planner.delete_scenario, session, user, scenario.id),
                                 key=f"delete_scenario_{scenario.id}")


st.title("Budget planner")
with db() as session:
    user = signed_in_user(session)
    client, role = selected_client(session, user)
    run = workspace.finished_run(session, user, client)
    result = workspace.result_of(session, user, run.id)
    model_id = workspace.selected_model(result, run)
    currency = client.currency
    st.caption(workspace.model_caption(result, run, currency, viewer_zone()))
    plan_key = f"plan_{run.id}"

    if role == "analyst":
        plans.restore_form(run.id)
        # assigned, not set by default: under load a rerun found the key present yet drew
        # the box at its minimum, 1 week (Streamlit lost the widget's value on the way)
        st.session_state["plan_weeks"] = st.session_state.get("plan_weeks",
                                                              planner.DEFAULT_WEEKS)
        # no min or max on the box: the browser would refuse a number outside unseen, with
        # only a red (!) to show for it, where the page can say why and what it still uses
        typed = st.number_input("Horizon (weeks)", step=1, key="plan_weeks",
                                help=f"{HORIZON[0]} to {HORIZON[1]} weeks.")
        weeks = st.session_state.get(HORIZON_USED, planner.DEFAULT_WEEKS)
        if problem := planner.horizon_problem(typed, weeks):
            st.error(problem)
        else:
            weeks = st.session_state[HORIZON_USED] = int(typed)
        submitted = plan_form(result, model_id, weeks, currency)
        plans.keep_form(run.id)
        if submitted is not None:
            keep_plan(plan_key, *submitted)
    plan = st.session_state.get(plan_key)
    shown = plan is not None and plan["model_id"] == model_id
    if shown and role == "analyst" and st.session_state.get(f"{plan_key}_refused"):
        st.info(NOT_UPDATED, icon=":material/history:")  # no Save: it is not what was asked
        show_plan(plan, result, currency, st.session_state.get(f"{plan_key}_settings"))
    elif (shown and role == "analyst"
          and form_differs(st.session_state.get(f"{plan_key}_settings"), weeks)):
        st.info(SETTINGS_CHANGED)  # the plan is kept: the earlier settings show it again
    elif shown:
        show_plan(plan, result, currency, st.session_state.get(f"{plan_key}_settings"))
        if role == "analyst":
            with st.form("save_scenario", clear_on_submit=True):
                name = st.text_input("Scenario name", key="scenario_name")
                if st.form_submit_button("Save scenario"):
                    with user_errors():
                        planner.save_scenario(session, user, run.id, name, plan,
                                              st.session_state.get(f"{plan_key}_settings"))
                        st.success(f"Saved \u201c{name.strip()}\u201d.")

    st.subheader("What if")
    measure = content.in_sentence(content.incremental_measure(is_conversion(result)))
    st.caption(f"Move a channel's weekly spend, up to {planner.WHAT_IF_MULTIPLE:g} times "
               f"today's; the expected {content.outcome(result)} and {measure} follow at once.")
    what_if(result, model_id, currency)

    st.subheader("Saved scenarios")
    saved_scenarios(session, user, run, result, model_id, role, currency)
