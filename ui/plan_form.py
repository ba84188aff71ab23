"""The budget planner's form: goal, budget or target, horizon and per-channel limits, each
entry checked under its box (:mod:`kiri_core.planner` says what cannot be planned and why),
and the plan it made kept for the run."""

from __future__ import annotations

from dataclasses import asdict

import streamlit as st

from kiri_core import formatting as fmt
from kiri_core import planner
from kiri_core.engine.allocator import ChannelBounds
from kiri_core.report import content
from kiri_core.results import is_conversion
from ui.errors import user_errors
from ui.inputs import decimal_input, money_input

LIMITS = ("Multiples of current spend", "Spend over the horizon")
LIMIT_COLUMNS = [4, 4, 4, 4, 2]  # Channel, Current, Min, Max, Lock: "1 432 389" fits at 1024 px
DEFAULT_LIMITS = ("Defaults keep each channel within the weekly spend seen in the data; widen "
                  "them to explore beyond it, with less certain forecasts.")


def limit_box(cell, label: str, value: float, key: str, as_spend: bool, currency: str,
              errors) -> float | None:
    """One Min or Max box: an amount of money over the horizon, or a multiple of current.

    A bad entry's message goes to ``errors``, full width under the row.
    """
    box = money_input if as_spend else decimal_input
    return box(label, value, currency, key=key, where=cell, errors=errors,
               label_visibility="collapsed")


def goals(conversion: bool) -> dict[str, str]:
    """The form's goals as the model counts its effect."""
    return {"max_response": content.maximise_goal(conversion).capitalize(),
            "target_efficiency": "Reach a target efficiency"}


def channel_limits(current: dict[str, float], defaults: dict[str, tuple[float, float]],
                   weeks: int, as_spend: bool, currency: str) -> dict[str, ChannelBounds] | None:
    """Per channel: min, max (multiples of current, or spend over the horizon) and a lock,
    the boxes at their ``defaults`` (:func:`kiri_core.planner.box_defaults`).

    The bounds the user set (see :func:`kiri_core.planner.channel_bounds`); None when a
    typed entry is not a number or a row's limits cannot be planned (a Min above its Max):
    each such row says why under it, all of them at once.
    """
    head = st.columns(LIMIT_COLUMNS)
    unit = f" ({currency})" if as_spend else " (× current)"
    for column, label in zip(head, ("Channel", f"Current ({fmt.weeks(weeks)})", f"Min{unit}",
                                    f"Max{unit}", "Lock"), strict=True):
        column.caption(label)
    typed, notes, complete = {}, {}, True
    for column, spend in current.items():
        low, high = defaults[column]
        row = st.columns(LIMIT_COLUMNS, vertical_alignment="center")
        errors = notes[column] = st.container()
        name = fmt.channel_name(column)
        row[0].write(name)
        row[1].write(fmt.money(spend, currency))
        key = f"{column}_{weeks}_{as_spend}"
        low = limit_box(row[2], f"Min for {name}", low, f"min_{key}", as_spend, currency,
                        errors)
        high = limit_box(row[3], f"Max for {name}", high, f"max_{key}", as_spend, currency,
                         errors)
        locked = row[4].checkbox("Lock", key=f"lock_{key}", label_visibility="collapsed")
        if low is None or high is None:
            complete = False
        else:
            typed[column] = (low, high, locked)
    st.caption(DEFAULT_LIMITS)
    bounds = planner.channel_bounds(typed, defaults, as_spend)
    problems = planner.limit_problems(bounds, current, currency)
    for column, problem in problems.items():
        notes[column].error(fmt.unbreakable_numbers(problem))
    return bounds if complete and not problems else None


def checked(value: float | None, problem: str | None, where) -> float | None:
    """``value``, or None when ``problem`` says why it cannot be planned (shown in ``where``,
    under its box)."""
    if problem is None:
        return value
    where.error(fmt.unbreakable_numbers(problem))
    return None


def plan_form(result: dict, model_id: str, weeks: int, currency: str
              ) -> tuple[dict | None, dict | None] | None:
    """The scenario form; None until submitted, then (plan, settings), or (None, None) when
    nothing could be planned (the reasons are shown: every entry that cannot be, under its
    box, or the allocator's refusal)."""
    current = planner.current_spend(result, model_id, weeks)
    limits = st.radio("Channel limits as", LIMITS, horizontal=True, key="plan_limits")
    as_spend = limits == LIMITS[1]
    conversion = is_conversion(result)
    with st.form("plan_form"):
        left, right = st.columns(2)
        named = goals(conversion)
        goal = left.radio("Goal", list(named), format_func=named.get, key="plan_goal")
        today = sum(current.values())
        budget = money_input(f"Total budget over {fmt.weeks(weeks)} ({currency}, for the "
                             "maximise goal)", today, currency, key=f"plan_budget_{weeks}",
                             where=right)
        budget = checked(budget, planner.budget_problem(goal, budget, today, weeks, currency),
                         right)
        measure = content.in_sentence(content.incremental_measure(conversion))
        unit = f"{currency}, " if conversion else ""  # a CPA is money, a ROAS a ratio
        target = decimal_input(f"Target {measure} ({unit}for the target goal)",
                               planner.default_target(result, model_id), currency,
                               key="plan_target", where=right)
        target = checked(target, planner.target_problem(result, goal, target, currency), right)
        bounds = channel_limits(current, planner.box_defaults(result, model_id, weeks, as_spend),
                                weeks, as_spend, currency)
        if not st.form_submit_button("Optimise", type="primary"):
            return None
    if budget is None or target is None or bounds is None:
        st.error("Nothing was optimised: correct what is marked above.")
        return None, None
    settings = {"goal": goal, "weeks": weeks, "total_budget": budget, "target": target,
                "limits": "spend" if as_spend else "multiples",
                "bounds": {c: asdict(b) for c, b in bounds.items()}}
    with user_errors():
        return planner.make_plan(result, model_id, goal=goal, weeks=weeks, budget=budget,
                                 target=target, bounds=bounds, currency=currency), settings
    return None, None


def keep_plan(plan_key: str, plan: dict | None, settings: dict | None) -> None:
    """Keep a new plan and its settings as the run's; a refused Optimise (no plan) changes
    neither and marks the one kept as not updated (shown so, and not to be saved)."""
    st.session_state[f"{plan_key}_refused"] = plan is None
    if plan is not None:
        st.session_state[plan_key], st.session_state[f"{plan_key}_settings"] = plan, settings


def form_differs(settings: dict | None, weeks: int) -> bool:
    """Whether the form now asks for another plan than the one made: the horizon and the
    kind of limits apply at once (outside the form), the goal on Optimise."""
    if settings is None:
        return False
    limits = "spend" if st.session_state.get("plan_limits") == LIMITS[1] else "multiples"
    now = {"weeks": weeks, "limits": limits, "goal": st.session_state.get("plan_goal")}
    return any(settings.get(name) != value for name, value in now.items())
