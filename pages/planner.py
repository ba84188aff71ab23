"""Budget planner: optimise a budget over a horizon, what-if sliders, saved scenarios."""

from __future__ import annotations

from dataclasses import asdict

import pandas as pd
import streamlit as st

from kiri_core import charts, planner
from kiri_core import formatting as fmt
from kiri_core.engine.allocator import AllocationError, ChannelBounds, allocate
from kiri_core.report import content
from kiri_core.results import expected_response, model_by_id, what_if_steps
from kiri_core.services import datasets
from ui import workspace
from ui.context import selected_client, signed_in_user
from ui.db import db
from ui.errors import user_errors
from ui.inputs import money_input

GOALS = {"max_response": "Maximise the expected return",
         "target_efficiency": "Reach a target efficiency"}
LIMITS = ("Multiples of current spend", "Spend over the horizon")


def limit_box(cell, label: str, value: float, key: str, as_spend: bool, currency: str,
              errors) -> float | None:
    """One Min or Max box: an amount of money over the horizon, or a multiple of current.

    A bad amount's message goes to ``errors``, full width under the row.
    """
    if as_spend:
        return money_input(label, value, currency, key=key, where=cell, errors=errors,
                           label_visibility="collapsed")
    return cell.number_input(label, value=value, step=0.1, format="%.2f", key=key,
                             label_visibility="collapsed")


def channel_limits(result: dict, model_id: str, weeks: int, as_spend: bool, currency: str
                   ) -> dict[str, ChannelBounds] | None:
    """Per channel: min, max (multiples of current, or spend over the horizon) and a lock.

    None when a typed amount is not one (its box shows why).
    """
    channels = model_by_id(result, model_id)["channels"]
    head = st.columns([3, 3, 2, 2, 1])
    for column, label in zip(head, ("Channel", f"Current ({weeks} weeks)", "Min", "Max",
                                    "Lock"), strict=True):
        column.caption(label)
    out, complete = {}, True
    for column in result["spend_columns"]:
        current = channels[column]["mean_spend"] * weeks
        low, high = (0.5 * current, 2.0 * current) if as_spend else (0.5, 2.0)
        row = st.columns([3, 3, 2, 2, 1], vertical_alignment="center")
        errors = st.container()
        name = fmt.channel_name(column)
        row[0].write(name)
        row[1].write(fmt.money(current, currency))
        key = f"{column}_{weeks}_{as_spend}"
        low = limit_box(row[2], f"Min for {name}", low, f"min_{key}", as_spend, currency,
                        errors)
        high = limit_box(row[3], f"Max for {name}", high, f"max_{key}", as_spend, currency,
                         errors)
        locked = row[4].checkbox("Lock", key=f"lock_{key}", label_visibility="collapsed")
        if low is None or high is None:
            complete = False
        elif as_spend:
            out[column] = ChannelBounds(min_spend=low, max_spend=high, locked=locked)
        else:
            out[column] = ChannelBounds(lower=low, upper=high, locked=locked)
    return out if complete else None


def plan_form(result: dict, model_id: str, default_budget: float, weeks: int,
              currency: str) -> tuple[dict, dict] | None:
    """The scenario form; returns (plan, settings) when submitted and solvable."""
    limits = st.radio("Channel limits as", LIMITS, horizontal=True, key="plan_limits")
    as_spend = limits == LIMITS[1]
    with st.form("plan_form"):
        left, right = st.columns(2)
        goal = left.radio("Goal", list(GOALS), format_func=GOALS.get, key="plan_goal")
        budget = money_input(f"Total budget over {weeks} weeks ({currency})", default_budget,
                             currency, key=f"plan_budget_{weeks}", where=right)
        measure = "CPA" if content.is_conversion(result) else "ROAS"
        target = right.number_input(f"Target {measure} (for the target goal)", value=1.0,
                                    step=0.1, format="%.2f", key="plan_target")
        bounds = channel_limits(result, model_id, weeks, as_spend, currency)
        if not st.form_submit_button("Optimise", type="primary"):
            return None
    if budget is None or bounds is None:
        st.error("Nothing was optimised: correct what is marked above.")
        return None
    settings = {"goal": goal, "weeks": weeks, "total_budget": budget, "target": target,
                "limits": "spend" if as_spend else "multiples",
                "bounds": {c: asdict(b) for c, b in bounds.items()}}
    try:
        plan = allocate(result, scenario=goal, weeks=weeks, model_id=model_id,
                        total_budget=budget if goal == "max_response" else None,
                        **{f"target_{measure.lower()}":
                           target if goal == "target_efficiency" else None},
                        bounds=bounds)
    except AllocationError as error:
        message = str(error)
        st.error(message[:1].upper() + message[1:] + ".")
        return None
    return plan, settings


def show_plan(plan: dict, currency: str) -> None:
    t = plan["totals"]
    cols = st.columns(4)
    cols[0].metric("Budget", fmt.money(t["optimized_spend"], currency))
    cols[1].metric("Expected revenue from media", fmt.money(t["optimized_response"], currency),
                   fmt.signed_percent(t["uplift"], currency))
    cols[2].metric("ROAS", fmt.roas(t["optimized_roas"], currency),
                   f"now {fmt.roas(t['current_roas'], currency)}", delta_color="off")
    cols[3].metric("Horizon", f"{plan['weeks']} weeks")
    st.dataframe(pd.DataFrame(content.plan_rows(plan, currency),
                              columns=content.plan_columns(plan)), hide_index=True,
                 width="stretch")
    workspace.chart(charts.budget_reallocation(plan, currency))
    for warning in plan["warnings"]:
        st.warning(warning)


@st.fragment
def what_if(result: dict, model_id: str, currency: str) -> None:
    """Per-channel weekly spend sliders; revenue and ROAS follow from the response curves."""
    channels = model_by_id(result, model_id)["channels"]
    spend = {}
    cols = st.columns(2)
    for i, column in enumerate(result["spend_columns"]):
        ch = channels[column]
        top = float(max(ch["curve"]["spend"][-1], 2 * ch["mean_spend"], 1.0))
        spend[column] = cols[i % 2].select_slider(
            f"{fmt.channel_name(column)} per week",
            options=what_if_steps(ch["mean_spend"], top), value=float(ch["mean_spend"]),
            format_func=lambda amount: fmt.money(amount, currency),
            key=f"whatif_{model_id}_{column}")
    now = expected_response(result, model_id, {c: channels[c]["mean_spend"] for c in spend})
    new = expected_response(result, model_id, spend)
    change = new["response"] / now["response"] - 1 if now["response"] else None
    cols = st.columns(3)
    cols[0].metric("Weekly spend", fmt.money(new["spend"], currency),
                   fmt.money(new["spend"] - now["spend"], currency), delta_color="off")
    cols[1].metric("Expected weekly revenue from media", fmt.money(new["response"], currency),
                   fmt.signed_percent(change, currency))
    cols[2].metric("ROAS", fmt.roas(new["roas"], currency),
                   f"now {fmt.roas(now['roas'], currency)}", delta_color="off")


def saved_scenarios(session, user, run, role: str, currency: str) -> None:
    scenarios = planner.list_scenarios(session, user, run.id)
    if not scenarios:
        st.caption("No saved scenarios yet: optimise a budget above and save it by name.")
    for scenario in scenarios:
        t = scenario.plan["totals"]
        left, right = st.columns([5, 1])
        left.markdown(f"**{scenario.name}** · {fmt.money(t['optimized_spend'], currency)} over "
                      f"{scenario.plan['weeks']} weeks · "
                      f"{fmt.signed_percent(t['uplift'], currency)} expected effect")
        if role == "analyst" and right.button("Delete", key=f"delete_scenario_{scenario.id}"):
            with user_errors():
                planner.delete_scenario(session, user, scenario.id)
                st.rerun()


st.title("Budget planner")
with db() as session:
    user = signed_in_user(session)
    client, role = selected_client(session, user)
    run = workspace.finished_run(session, user, client)
    result = workspace.result_of(session, user, run.id)
    model_id = workspace.selected_model(result, run.id)
    currency = client.currency
    st.caption(f"Model {model_id}" + (" (recommended)" if model_id == result["model_id"] else
                                      " (chosen on the Results page)"))
    plan_key = f"plan_{run.id}"

    if role == "analyst":
        weeks = int(st.number_input("Horizon (weeks)", min_value=1, max_value=52, value=4,
                                    key="plan_weeks"))
        frame = datasets.load_frame(session, user, run.dataset_id)
        default = planner.recent_spend(frame, result["spend_columns"], weeks)
        if submitted := plan_form(result, model_id, default, weeks, currency):
            st.session_state[plan_key], st.session_state[f"{plan_key}_settings"] = submitted
    plan = st.session_state.get(plan_key)
    if plan and plan["model_id"] == model_id:
        show_plan(plan, currency)
        if role == "analyst":
            with st.form("save_scenario", clear_on_submit=True):
                name = st.text_input("Scenario name", key="scenario_name")
                if st.form_submit_button("Save scenario"):
                    with user_errors():
                        planner.save_scenario(session, user, run.id, name, plan,
                                              st.session_state.get(f"{plan_key}_settings"))
                        st.success(f"Saved \u201c{name.strip()}\u201d.")

    st.subheader("What if")
    st.caption("Move a channel's weekly spend; the expected revenue and ROAS follow at once.")
    what_if(result, model_id, currency)

    st.subheader("Saved scenarios")
    saved_scenarios(session, user, run, role, currency)
