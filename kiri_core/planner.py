"""The budget planner's service: plans worded for the client, and saved scenarios.

:func:`make_plan` runs the allocator on the planner's inputs (today's spend as the default
budget; Min and Max boxes that start within the weekly spend the data has seen,
:func:`box_multiples`, and left so move with a budget they cannot reach) and words its
refusals and notes for the client: channel labels, money and decimals the client's way, and
what to do. :func:`plan_metrics` and :func:`what_if_metrics` say what a
plan changes (:func:`kiri_core.report.content.effect_summary` words it for the page, the
presentation and the PDF: the budget apart from the reallocation).

A scenario stores the planner's inputs (``settings``) and the allocator's plan
(docs/result-format.md, plan format) so it can be shown again, compared and put in the PDF
without re-optimizing. Its figures are counted again from the model for the spend it
allocates whenever it is shown (:func:`shown_plan`): plans saved before responses were
incremental counted the carry-over of past spend in and would show an inflated ROAS.
Viewers can read a run's scenarios; saving and deleting need the analyst role. A change to
the scenarios drops the run's stored PDF, so the next download includes them.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Select, String, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from kiri_core import formatting as fmt
from kiri_core.db.base import Base, utcnow
from kiri_core.db.models import ModelRun, RunArtifact, User
from kiri_core.engine.allocator import (
    DEFAULT_MULTIPLES,
    AllocationError,
    ChannelBounds,
    above_seen,
    allocate,
    channel_limits,
    recount,
)
from kiri_core.report import content
from kiri_core.results import (
    expected_response,
    is_conversion,
    is_conversion_plan,
    model_by_id,
    what_if_steps,
    what_if_top,
)
from kiri_core.services import audit
from kiri_core.services.access import require_client_role
from kiri_core.services.errors import NotFound, ValidationError

NAME_MAX = 120
PLAN_KEYS = ("model_id", "scenario", "weeks", "total_budget", "channels", "totals")
REPORT_KIND = "report"
BOX_MULTIPLES = DEFAULT_MULTIPLES["max_response"]  # Robyn's; the boxes start within them
BOX_STEP = 0.05  # a default Min or Max from the data is rounded inward to this
LIMITS_APPLIED = "Limits applied"  # the plan table's column of limits moved with the budget
TIMES = "\u00a0\u00d7"  # after a multiple of today's spend, as the form's "× current"


class BudgetScenario(Base):
    """One named plan of a run."""

    __tablename__ = "budget_scenarios"
    __table_args__ = (UniqueConstraint("run_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("model_runs.id"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    model_id: Mapped[str] = mapped_column(String(100))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    def as_report_scenario(self, result: dict, currency: str) -> dict[str, Any]:
        """The ``{"name", "plan", "notes"}`` form the presentation and the PDF report take:
        the plan as :func:`shown_plan` gives it for the run's ``result``, and its notes for
        the client (:func:`client_notes`)."""
        plan = shown_plan(result, self.plan, currency)
        return {"name": self.name, "plan": plan, "notes": client_notes(plan, currency)}


def _run(session: Session, actor: User, run_id: int, role: str) -> ModelRun:
    run = session.get(ModelRun, run_id)
    if run is None:
        raise NotFound(f"The run with id {run_id} does not exist.")
    require_client_role(session, actor, run.client_id, role)
    return run


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError("Give the scenario a name.")
    if len(name) > NAME_MAX:
        raise ValidationError(f"The scenario name is {len(name)} characters; at most "
                              f"{NAME_MAX} are allowed.")
    return name


def _check_plan(plan: dict[str, Any]) -> None:
    missing = [key for key in PLAN_KEYS if key not in plan]
    if missing:
        raise ValidationError(f"The plan is incomplete: it lacks {', '.join(missing)}.")


def save_scenario(session: Session, actor: User, run_id: int, name: str, plan: dict[str, Any],
                  settings: dict[str, Any] | None = None) -> BudgetScenario:
    """Save ``plan`` as the run's scenario ``name`` (analyst role; names are unique per run)."""
    run = _run(session, actor, run_id, "analyst")
    name = _clean_name(name)
    _check_plan(plan)
    taken = session.scalar(select(BudgetScenario.id).where(BudgetScenario.run_id == run_id,
                                                           BudgetScenario.name == name))
    if taken is not None:
        raise ValidationError(f"Run #{run.number} already has a scenario named "
                              f"\u201c{name}\u201d; choose another name or delete the old one "
                              "first.")
    scenario = BudgetScenario(run_id=run_id, client_id=run.client_id, name=name,
                              model_id=str(plan["model_id"]), settings=settings or {},
                              plan=plan, created_by_id=actor.id)
    session.add(scenario)
    session.flush()
    drop_stored_reports(session, [run_id])
    audit.record(session, actor, "scenario.save", client_id=run.client_id,
                 target=("scenario", scenario.id), details={"run_id": run_id, "name": name})
    session.commit()
    return scenario


def list_scenarios(session: Session, actor: User, run_id: int) -> list[BudgetScenario]:
    """The run's saved scenarios, oldest first (viewer role)."""
    _run(session, actor, run_id, "viewer")
    query = select(BudgetScenario).where(BudgetScenario.run_id == run_id).order_by(
        BudgetScenario.created_at, BudgetScenario.id)
    return list(session.scalars(query))


def model_scenarios(session: Session, actor: User, run_id: int, result: dict, model_id: str,
                    currency: str) -> list[dict[str, Any]]:
    """The run's scenarios of model ``model_id``, oldest first, in the report's form (viewer
    role)."""
    return [s.as_report_scenario(result, currency) for s in list_scenarios(session, actor, run_id)
            if s.model_id == model_id]


def plans_on_other_models(session: Session, actor: User, run_id: int,
                          model_id: str) -> dict[str, int]:
    """How many saved scenarios of the run each model but ``model_id`` has, in the order
    they were first saved (viewer role)."""
    return dict(Counter(s.model_id for s in list_scenarios(session, actor, run_id)
                        if s.model_id != model_id))


def delete_scenario(session: Session, actor: User, scenario_id: int) -> None:
    """Delete a saved scenario (analyst role on its client)."""
    scenario = session.get(BudgetScenario, scenario_id)
    if scenario is None:
        raise NotFound(f"Scenario #{scenario_id} does not exist.")
    _run(session, actor, scenario.run_id, "analyst")
    session.delete(scenario)
    drop_stored_reports(session, [scenario.run_id])
    audit.record(session, actor, "scenario.delete", client_id=scenario.client_id,
                 target=("scenario", scenario_id), details={"name": scenario.name})
    session.commit()


def drop_stored_reports(session: Session, run_ids: Iterable[int] | Select) -> None:
    """Forget the stored PDFs of the runs ``run_ids``, one per model, because what they show
    changed (the scenarios, the client's name or currency): each is built again when next
    asked for."""
    session.execute(delete(RunArtifact).where(RunArtifact.run_id.in_(run_ids),
                                              RunArtifact.kind.startswith(REPORT_KIND)))


# --- planning ------------------------------------------------------------------------


def current_spend(result: dict, model_id: str, weeks: int) -> dict[str, float]:
    """Today's spend per channel over ``weeks``: mean weekly spend x weeks.

    The allocator's "current"; its total is the planner's default budget, so a plan's
    headline change compares like with like.
    """
    if weeks < 1:
        raise ValidationError(f"The horizon must be at least one week, got {weeks}.")
    channels = model_by_id(result, model_id)["channels"]
    return {c: float(channels[c]["mean_spend"]) * weeks for c in result["spend_columns"]}


#: The weeks a plan can span, as the planner's horizon box takes them, and what it starts at
HORIZON_WEEKS, DEFAULT_WEEKS = (1, 52), 4


def horizon_problem(typed: float, used: int) -> str | None:
    """Why a horizon typed in the planner's box is not taken (outside
    :data:`HORIZON_WEEKS`), and the horizon the plan still uses, ``used``; None when it is
    taken."""
    low, high = HORIZON_WEEKS
    if low <= typed <= high:
        return None
    return f"Enter {low} to {high} weeks; the plan still uses {fmt.weeks(used)}."


def box_multiples(result: dict, model_id: str) -> dict[str, tuple[float, float]]:
    """What each channel's Min and Max boxes start at, as multiples of today's spend:
    Robyn's 0.5 and 2, narrowed to the weekly spend seen in the data (:func:`seen_multiples`),
    so the planner's defaults do not set off its own note on a spend the data has not seen."""
    channels = model_by_id(result, model_id)["channels"]
    return {c: seen_multiples(channels[c]) for c in result["spend_columns"]}


def seen_multiples(channel: Mapping[str, Any]) -> tuple[float, float]:
    """A channel's default Min and Max: the larger of 0.5 and its lowest week over its mean
    spend, the smaller of 2 and its highest week over it, each rounded inward to
    ``BOX_STEP``; Robyn's where the data says nothing. Min <= 1 <= Max (today's spend is
    always allowed)."""
    low, high = BOX_MULTIPLES
    mean, lowest, highest = (channel.get(key) for key in ("mean_spend", "min_spend",
                                                          "max_spend"))
    if mean is None or mean <= 0:
        return low, high
    if lowest is not None:
        low = max(low, math.ceil(lowest / mean / BOX_STEP - 1e-9) * BOX_STEP)
    if highest is not None:
        high = min(high, math.floor(highest / mean / BOX_STEP + 1e-9) * BOX_STEP)
    return round(min(low, 1.0), 2), round(max(high, 1.0), 2)


def box_defaults(result: dict, model_id: str, weeks: int, as_spend: bool
                 ) -> dict[str, tuple[float, float]]:
    """What each channel's Min and Max boxes start at: :func:`box_multiples`, or those
    multiples of today's spend over ``weeks``."""
    multiples = box_multiples(result, model_id)
    if not as_spend:
        return multiples
    current = current_spend(result, model_id, weeks)
    return {c: (low * current[c], high * current[c]) for c, (low, high) in multiples.items()}


def default_target(result: dict, model_id: str) -> float:
    """What the target box starts at: today's incremental ROAS (CPA), to the two decimals
    the box shows, rounded the way that keeps it within reach (today's spend meets it)."""
    channels = model_by_id(result, model_id)["channels"]
    today = {c: channels[c]["mean_spend"] for c in result["spend_columns"]}
    roas = expected_response(result, model_id, today)["roas"]
    if not roas:
        return 1.0  # no effect at today's spend: nothing to start from
    if is_conversion(result):
        return math.ceil(100 / roas) / 100
    return max(math.floor(100 * roas) / 100, 0.01)


def channel_bounds(typed: Mapping[str, tuple[float, float, bool]],
                   defaults: Mapping[str, tuple[float, float]], as_spend: bool
                   ) -> dict[str, ChannelBounds]:
    """The bounds the user set, from each channel's (Min, Max, locked) boxes.

    Channels whose boxes still show their ``defaults`` (:func:`box_defaults`) are left out:
    :func:`make_plan` gives them the default multiples, which move with a budget they cannot
    reach.
    """
    shown = 0.5 if as_spend else 0.005  # half the last digit a box shows
    out = {}
    for column, (low, high, locked) in typed.items():
        if not locked and all(abs(a - b) <= shown for a, b in zip((low, high), defaults[column],
                                                                  strict=True)):
            continue
        out[column] = (ChannelBounds(min_spend=low, max_spend=high, locked=locked) if as_spend
                       else ChannelBounds(lower=low, upper=high, locked=locked))
    return out


def limit_problems(bounds: Mapping[str, ChannelBounds], current: Mapping[str, float],
                   currency: str) -> dict[str, str]:
    """Per channel whose set ``bounds`` cannot be planned (a Min above its Max, a negative
    limit), why and what to do, in :func:`make_plan`'s words: every channel at once, where
    the allocator stops at the first. ``current``: today's spend over the horizon
    (:func:`current_spend`), which multiples apply to."""
    problems = {}
    for column, bound in bounds.items():
        try:  # the allocator's own check, so the two never disagree
            channel_limits(column, current[column], *BOX_MULTIPLES, bound)
        except AllocationError as error:
            problems[column] = explain(error, currency)
    return problems


def budget_problem(goal: str, budget: float | None, current: float, weeks: int,
                   currency: str) -> str | None:
    """Why a total budget cannot be planned for the maximise goal (it is not above 0), in
    :func:`make_plan`'s words; None when it can, is not read (its box says why) or the goal
    plans none. ``current``: today's total spend over ``weeks``."""
    if goal != "max_response" or budget is None or budget > 0:
        return None
    return _budget_missing({"weeks": weeks, "current": current}, currency)


def target_problem(result: dict, goal: str, target: float | None, currency: str) -> str | None:
    """Why a target cannot be planned for the target goal (it is not above 0), in
    :func:`make_plan`'s words; None when it can, is not read or the goal has none."""
    if goal != "target_efficiency" or target is None or target > 0:
        return None
    return _target_not_positive({"measure": "CPA" if is_conversion(result) else "ROAS"},
                                currency)


def make_plan(result: dict, model_id: str, *, goal: str, weeks: int, budget: float | None,
              target: float | None, bounds: Mapping[str, ChannelBounds], currency: str) -> dict:
    """The allocator's plan for the planner's inputs, its warnings in the client's words.

    Channels without bounds in ``bounds`` get the default multiples the boxes show
    (:func:`box_multiples`), which move with a budget they cannot reach; for the target goal
    they hold like set ones (the allocator's own defaults there are wider).

    Raises
    ------
    ValidationError
        The allocator's refusal, worded by :func:`explain`.
    """
    maximise = goal == "max_response"
    measure = "cpa" if is_conversion(result) else "roas"
    defaults = {c: ChannelBounds(lower=low, upper=high, movable=True)
                for c, (low, high) in box_multiples(result, model_id).items()}
    try:
        plan = allocate(result, scenario=goal, weeks=weeks, model_id=model_id,
                        total_budget=budget if maximise else None,
                        **{f"target_{measure}": None if maximise else target},
                        bounds={**defaults, **bounds})
    except AllocationError as error:
        raise ValidationError(explain(error, currency)) from error
    plan["warnings"] = [describe(note, plan, currency) for note in worded_notes(plan)]
    if (capped := _capped_below_target(plan, currency)) is not None:
        plan["warnings"].append(capped)
    return plan


def shown_plan(result: dict, plan: dict, currency: str) -> dict:
    """A saved plan as it is shown: every figure counted again from the model of ``result``
    for the spend the plan allocates (:func:`kiri_core.engine.allocator.recount`), with a note
    when that leaves a target goal short of its target."""
    shown = recount(result, plan)
    short = _short_of_target(shown, currency)
    if short is None:
        return shown
    return {**shown, "warnings": [*shown.get("warnings", []), " ".join(short)]}


def client_notes(plan: dict, currency: str) -> list[str]:
    """The notes of a plan as :func:`shown_plan` shows it, for the client (Presentation,
    PDF): what is less sure and why, without the planner's advice on its settings (the
    plan's ``warnings`` have both)."""
    notes = [fact for note in worded_notes(plan)
             if (fact := _NOTES[note["code"]](note, plan, currency)[0])]
    short = _short_of_target(plan, currency)
    return [*notes, short[0]] if short else notes


def _short_of_target(plan: dict, currency: str) -> tuple[str, str] | None:
    """Why a target plan, counted again, misses its target (saved when responses counted
    the carry-over of past spend in), and what to do; None when it reaches it."""
    wanted, reached = _wanted(plan), plan["totals"]["optimized_roas"]
    if not wanted or reached is None or reached >= wanted * (1 - 1e-6):
        return None
    return (f"This plan was saved when its expected {content.plan_outcome(plan)} still counted "
            "what past spend brings in whatever is spent. Counting only what its own spend "
            f"adds, its {content.in_sentence(content.plan_measure(plan))} is "
            f"{content.plan_efficiency(plan, reached, currency)} instead of the target "
            f"{content.plan_efficiency(plan, wanted, currency)}.",
            "Optimise it again to plan for the target.")


def _wanted(plan: dict) -> float | None:
    """A target plan's target as effect per unit spent (a target ROAS, 1 / a target CPA);
    None for the maximise goal."""
    if plan["scenario"] != "target_efficiency":
        return None
    conversion = is_conversion_plan(plan)
    target = plan.get("target_cpa" if conversion else "target_roas")
    return 1 / target if conversion and target else target


def _capped_below_target(plan: dict, currency: str) -> str | None:
    """For a target plan that beats its target with every channel it may move at its Max
    (a locked one keeps today's spend, whatever its Max): the limits, not the target, set
    its spend, and which Max to raise; None otherwise, or when every channel is locked."""
    wanted, reached = _wanted(plan), plan["totals"]["optimized_roas"]
    channels = plan["channels"]
    free = [column for column, ch in channels.items() if not ch.get("locked")]
    at_max = all(channels[c]["optimized_spend"] >= channels[c]["upper"] * (1 - 1e-6)
                 for c in free)
    shown = [content.plan_efficiency(plan, roas, currency) for roas in (reached, wanted)]
    if not wanted or reached is None or not free or not at_max or shown[0] == shown[1]:
        return None
    side = "below" if is_conversion_plan(plan) else "above"
    locked = [column for column in channels if column not in free]
    if locked:
        every = "Every unlocked channel"
        advice = f"Raise the Max of {_labels(free)}, or unlock {_labels(locked)},"
    else:
        every, advice = "Every channel", "Raise the Max limits"
    return (f"{every} is at its Max, so the limits, not the target, set this plan's "
            f"spend: its {content.in_sentence(content.plan_measure(plan))} is {shown[0]}, "
            f"{side} the target {shown[1]}. {advice} to spend more toward the target.")


# --- the client's words ---------------------------------------------------------------


def _labels(columns: list[str]) -> str:
    names = [fmt.channel_name(c) for c in columns]
    return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else names[0]


def _limit(value: float, unit: str, currency: str) -> str:
    """A Min or Max in the units it was typed in: ``"2,00 ×"`` or ``"844 786 kr"``."""
    if unit == "multiple":
        return f"{fmt.number(value, currency, 2)}{TIMES}"
    return fmt.money(value, currency)


def _budget_missing(f: dict, currency: str) -> str:
    return (f"Enter a total budget above {fmt.money(0, currency)}; today's spend over "
            f"{fmt.weeks(f['weeks'])} is {fmt.money(f['current'], currency)}.")


def _budget_out_of_reach(f: dict, currency: str) -> str:
    budget, low = fmt.money(f["budget"], currency), fmt.money(f["low"], currency)
    if f["high"] is None:
        return (f"A total budget of {budget} is less than the channel minimums you set need "
                f"over {fmt.weeks(f['weeks'])} ({low}). Enter at least {low}, or lower those Min "
                "limits.")
    return (f"A total budget of {budget} cannot be planned within the channel limits you set: "
            f"over {fmt.weeks(f['weeks'])} they allow {low} to {fmt.money(f['high'], currency)}. "
            "Enter a budget in that range, or widen the Min and Max limits.")


def _min_above_max(f: dict, currency: str) -> str:
    return (f"{fmt.channel_name(f['channel'])}: the minimum "
            f"{_limit(f['minimum'], f['unit'], currency)} is above the maximum "
            f"{_limit(f['maximum'], f['unit'], currency)}. Lower the Min or raise the Max.")


def _negative_bound(f: dict, currency: str) -> str:
    return (f"{fmt.channel_name(f['channel'])}: the limit {_limit(f['value'], f['unit'], currency)}"
            " is negative; enter 0 or more.")


def _measure(f: dict) -> str:
    """The allocator's measure (``"ROAS"``, ``"CPA"``) as the planner names it."""
    return content.in_sentence(content.incremental_measure(f["measure"] == "CPA"))


def _wrong_target(f: dict, currency: str) -> str:
    return f"Give a target {_measure(f)} for this model."


def _target_not_positive(f: dict, currency: str) -> str:
    return f"Enter a target {_measure(f)} above 0."


def _target_out_of_reach(f: dict, currency: str) -> str:
    if f["measure"] == "CPA":  # money per conversion; the reachable one rounded up
        target, best = fmt.money(f["target"], currency, 2), fmt.money(
            math.ceil(f["best"] * 100) / 100, currency, 2)
        return (f"A target {_measure(f)} of {target} is out of reach: the lowest within the "
                f"channel limits is {best}. Raise the target to {best} or more, or widen the "
                "limits.")
    target, best = fmt.roas(f["target"], currency), fmt.roas(
        math.floor(f["best"] * 100) / 100, currency)
    return (f"A target {_measure(f)} of {target} is out of reach: the best within the channel "
            f"limits is {best}. Lower the target to {best} or less, or widen the limits.")


_REFUSALS: dict[str, Callable[[dict, str], str]] = {
    "budget_required": _budget_missing, "budget_not_positive": _budget_missing,
    "budget_out_of_reach": _budget_out_of_reach, "min_above_max": _min_above_max,
    "negative_bound": _negative_bound, "wrong_target": _wrong_target,
    "target_not_positive": _target_not_positive, "target_out_of_reach": _target_out_of_reach,
}


def explain(error: AllocationError, currency: str) -> str:
    """Why the allocator refused, in the client's words, and what to do about it."""
    wording = _REFUSALS.get(error.code)
    if wording is None:  # a question the page never asks (unknown model, scenario, ...)
        text = str(error)
        return f"{text[:1].upper()}{text[1:]}."
    return wording(error.facts, currency)


# A plan's note (its ``notes`` entry) as the fact the client may read (None: a note on the
# planner's settings only) and the planner's advice on it.
NoteWording = tuple[str | None, str]


def _bounds_scaled(f: dict, plan: dict, currency: str) -> NoteWording:
    which = ("every channel's Min and Max apply to today's mix scaled to this budget"
             if f["every_channel"] else
             f"the Min and Max of {_labels(f['channels'])}, which you left as they were, apply "
             "to their spend scaled to the budget the other channels leave")
    change = content.amount_change(f["current"], f["budget"], currency)  # as the Budget tile
    return None, (f"The budget {fmt.money(f['budget'], currency)} is {change} on today's "
                  f"{fmt.money(f['current'], currency)} over {fmt.weeks(f['weeks'])}, so {which} "
                  f"instead of today's spend: see {LIMITS_APPLIED} in the table.")


def applied_limits(plan: dict, currency: str) -> list[str] | None:
    """Per channel, the Min and Max that applied over the plan's horizon (``"1 241 838 kr –
    4 967 352 kr"``) when some moved with its budget (its ``bounds_scaled`` note): a Max of
    2,00 × then allows more than twice today's spend. None otherwise: the boxes say them."""
    if not content.moved_limits(plan):
        return None
    return [f"{fmt.money(ch['lower'], currency)} – {fmt.money(ch['upper'], currency)}"
            for ch in plan["channels"].values()]


def _outside_seen(f: dict, plan: dict, currency: str) -> NoteWording:
    name = fmt.channel_name(f["channel"])
    above = f["code"] == "above_seen"
    fact = (f"{name}: the planned weekly spend {fmt.money(f['weekly'], currency)} is "
            f"{'above the highest' if above else 'below the lowest'} week in the data "
            f"({fmt.money(f['seen'], currency)}), so the model's forecast for it is less sure.")
    if (not above and plan["scenario"] == "max_response"
            and f["seen"] * plan["weeks"] > plan["total_budget"]):
        return fact, (f"The budget is below what {name}'s lowest week costs over "
                      f"{fmt.weeks(plan['weeks'])}; a larger budget stays within what the data has "
                      "seen.")
    return fact, _within_seen(f, plan, currency)


def _within_seen(f: dict, plan: dict, currency: str) -> str:
    """The limit to change so a channel's spend stays within the weeks seen, to what and from
    what applied, each as a multiple of today's spend, as a box takes it, and in money: a Max
    (Min) moved with the budget applied more (less) than its box shows. Above the highest
    week that is its Min when the plan holds it there, else its Max; below the lowest, its
    Max or its Min."""
    ch, above = plan["channels"][f["channel"]], f["code"] == "above_seen"
    pushing = "Min" if above else "Max"  # the limit that holds it beyond, when it does
    limit = pushing if content.held_at(ch) == pushing else ("Max" if above else "Min")
    verb, most, inward = ("Lower", "most", math.floor) if above else ("Raise", "least",
                                                                      math.ceil)
    target = _as_limit(f["seen"] * plan["weeks"], ch, plan["weeks"], currency, inward)
    applied = _as_limit(ch["lower" if limit == "Min" else "upper"], ch, plan["weeks"], currency)
    return (f"{verb} the {limit} of {fmt.channel_name(f['channel'])} to at {most} {target} to "
            f"stay within what the data has seen; in this plan it is {applied}.")


def _as_limit(spend: float, channel: dict, weeks: int, currency: str,
              rounded: Callable[[float], float] = round) -> str:
    """A limit of ``spend`` over a plan's ``weeks`` as a Min or Max box takes it, a multiple of
    the ``channel``'s spend today, and in money: ``"2,88 × (306 808 kr over 4 weeks)"``, each
    ``rounded`` (a limit to type rounded inward keeps to ``spend``); the money alone where
    the multiple reads as 0."""
    amount = f"{fmt.money(rounded(spend), currency)} over {fmt.weeks(weeks)}"
    now = channel["current_spend"]
    multiple = rounded(100 * spend / now) / 100 if now > 0 else 0.0
    return f"{fmt.number(multiple, currency, 2)}{TIMES} ({amount})" if multiple else amount


def _budget_beyond_seen(f: dict, plan: dict, currency: str) -> NoteWording:
    """One warning for every channel beyond its highest (lowest) week when the budget is above
    (below) what those weeks add up to (their ``above_seen`` / ``below_seen`` notes,
    :func:`worded_notes`): no limit helps."""
    above = f["code"] == "budget_above_seen"
    code, edge, bound = ("above_seen", "highest", "most") if above else ("below_seen", "lowest",
                                                                          "least")
    beyond = [f"{fmt.channel_name(n['channel'])} at {fmt.money(n['weekly'], currency)} a week "
              f"(its {edge} week: {fmt.money(n['seen'], currency)})"
              for n in plan["notes"] if n["code"] == code]
    seen = fmt.money(f["seen"], currency)
    return (f"{'Above' if above else 'Below'} {seen} over {fmt.weeks(f['weeks'])}, what the "
            f"channels' {edge} weeks in the data add up to, some channel must go beyond the "
            "spend seen in the data; the forecast there is less certain: "
            f"{fmt.joined(beyond)}."), (
            f"No limits avoid that at a budget of {fmt.money(f['budget'], currency)}; only a "
            f"budget of at {bound} {seen} can stay within what the data has seen.")


def worded_notes(plan: dict) -> list[dict]:
    """A plan's notes as the planner and the client read them: a budget beyond the weeks seen
    (``budget_above_seen``, ``budget_below_seen``) says which channels that takes beyond
    them, so their own ``above_seen`` (``below_seen``) notes, whose advice on limits could not
    be followed, are left out."""
    notes = plan.get("notes", [])
    left_out = {note["code"].removeprefix("budget_") for note in notes
                if note["code"] in ("budget_above_seen", "budget_below_seen")}
    return [note for note in notes if note["code"] not in left_out]


def held_below_return(plan: dict, currency: str, result: dict,
                      as_spend: bool = False) -> str | None:
    """For the analyst, under a maximise plan's table: each channel held at its Max (within
    the weeks seen; "at Max" in the table) whose next unit spent returns more than in the
    channels free between their limits, as shown, so raising that Max would add to the
    effect; None when there is none. Said of the plan as shown, saved ones too, each Max as
    its box on the run's ``result`` shows it (:func:`_max_as_typed`)."""
    free = [ch["optimized_mroas"] for ch in plan["channels"].values()
            if not ch.get("locked") and content.held_at(ch) is None]
    if plan["scenario"] != "max_response" or not free:
        return None
    elsewhere = content.plan_efficiency(plan, max(free), currency)
    returns = ("next conversion costs" if is_conversion_plan(plan)
               else f"next {content.per_unit_name(currency)} returns")
    said = []
    for column in _capped(plan, max(free)):
        shown = content.plan_efficiency(plan, plan["channels"][column]["optimized_mroas"],
                                        currency)
        if shown != elsewhere:
            said.append(f"{fmt.channel_name(column)} is held at its Max of "
                        f"{_max_as_typed(plan, column, result, as_spend, currency)}, where its "
                        f"{returns} {shown} against {elsewhere} elsewhere: raising its Max "
                        f"would add {content.plan_outcome(plan)}.")
    return " ".join(said) or None


def _max_as_typed(plan: dict, column: str, result: dict, as_spend: bool, currency: str) -> str:
    """A channel's Max in its box's units (``as_spend``: money over the horizon, else a
    multiple of today's spend), and what it allowed: ``"2,00 × (212 877 kr over 4 weeks)"``,
    ``"212 877 kr over 4 weeks"``; a Max that moved with the budget is its box's default
    (:func:`box_multiples`) and says where it moved: ``"1,45 ×, moved with the budget to
    6 146 kr over 4 weeks"``."""
    ch = plan["channels"][column]
    applied = f"{fmt.money(ch['upper'], currency)} over {fmt.weeks(plan['weeks'])}"
    if column in content.moved_limits(plan):
        multiple = box_multiples(result, plan["model_id"])[column][1]
        typed = (fmt.money(multiple * ch["current_spend"], currency) if as_spend
                 else _limit(multiple, "multiple", currency))
        return f"{typed}, moved with the budget to {applied}"
    return applied if as_spend else _as_limit(ch["upper"], ch, plan["weeks"], currency)


def _capped(plan: dict, margin: float) -> list[str]:
    """The plan's channels held at their Max within the weeks seen whose next unit spent
    returns more than ``margin``."""
    beyond = {n["channel"] for n in plan.get("notes", []) if n["code"] == "above_seen"}
    return [column for column, ch in plan["channels"].items()
            if content.held_at(ch) == "Max" and column not in beyond
            and ch["optimized_mroas"] > margin]


def _no_effect(f: dict, plan: dict, currency: str) -> NoteWording:
    name = fmt.channel_name(f["channel"])
    return (f"{name}: the model finds no effect, so it is kept at its minimum "
            f"({fmt.money(f['spend'], currency)})."), f"Lock {name} to keep today's spend instead."


_NOTES: dict[str, Callable[[dict, dict, str], NoteWording]] = {
    "bounds_scaled": _bounds_scaled, "above_seen": _outside_seen, "below_seen": _outside_seen,
    "budget_above_seen": _budget_beyond_seen, "budget_below_seen": _budget_beyond_seen,
    "no_effect": _no_effect,
}


def describe(note: dict, plan: dict, currency: str) -> str:
    """A note of ``plan`` (its ``notes`` entry) for the planner: the fact and what to do."""
    return " ".join(part for part in _NOTES[note["code"]](note, plan, currency) if part)


# --- what a plan changes --------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    """One big number and its change against today; no ``delta`` when nothing changed."""

    label: str
    value: str
    delta: str | None = None
    delta_color: str = "normal"  # "off": a change that is neither good nor bad
    delta_description: str | None = None
    help: str | None = None


def _metric(label: str, value: str, change: str | None, color: str, against: str,
            help_text: str | None = None) -> Metric:
    changed = content.delta(change) if change is not None else None
    return Metric(label, value, changed, color, against if changed else None, help_text)


def _roas_change(now: float | None, new: float | None, currency: str) -> str | None:
    """The change between two ROAS as they are shown (two decimals each), so ``0,54`` from
    ``0,54`` is no change rather than ``-0,01`` of unseen decimals."""
    change = fmt.shown_difference(now, new, fmt.ROAS_DECIMALS)
    return None if change is None else fmt.roas(change, currency)


def plan_metrics(plan: dict, currency: str, result: dict | None = None) -> list[Metric]:
    """Budget over the plan's horizon, expected effect and incremental ROAS (CPA) of a plan,
    each against today: three tiles, as the what-if's, that keep to one row at 1024 px with
    long figures (a horizon tile wrapped onto a line of its own; the budget's label says it).
    A revenue plan's budget also says its net (:func:`kiri_core.report.content.net_change`,
    as the client's plans table shows it): a fourth tile would not fit on the row. Given the
    run's ``result``, the return's help names the period's figure (:func:`_efficiency_metric`)."""
    t = plan["totals"]
    conversion = is_conversion_plan(plan)
    net = "" if conversion else f", net {content.net_change(plan, currency)}"
    return [
        _metric(f"Budget over {fmt.weeks(plan['weeks'])}",
                fmt.money(t["optimized_spend"], currency),
                content.amount_change(t["current_spend"], t["optimized_spend"], currency),
                "off", f"on today's{net}"),
        _metric(f"{content.plan_outcome(plan).capitalize()} added by media",
                content.plan_effect(plan, t["optimized_response"], currency),
                fmt.signed_percent(t["uplift"], currency), "normal", "on today's"),
        _efficiency_metric(t["current_roas"], t["optimized_roas"], conversion, currency,
                           content.period_efficiency(result, plan["model_id"], currency)
                           if result else None),
    ]


def _efficiency_metric(now: float | None, new: float | None, conversion: bool,
                       currency: str, period: tuple[str, str] | None = None) -> Metric:
    """Incremental ROAS, or CPA (lower is better) on a conversion model, from today's
    (``now`` and ``new`` are effects per unit spent), its help saying what it counts against
    the ``period``'s figure (:func:`kiri_core.report.content.incremental_help`)."""
    shown = [fmt.efficiency(roas, conversion, currency) for roas in (now, new)]
    if not conversion:
        change, color = _roas_change(now, new, currency), "normal"
    else:
        change, color = (fmt.money(fmt.shown_difference(1 / now, 1 / new, 2), currency, 2)
                         if now and new else None), "inverse"  # as fmt.efficiency shows them
    return _metric(content.incremental_measure(conversion), shown[1], change, color,
                   f"from {shown[0]}", content.incremental_help(conversion, period))


def what_if_metrics(result: dict, now: dict, new: dict, currency: str,
                    model_id: str | None = None) -> list[Metric]:
    """Weekly spend, expected revenue (conversions) and incremental ROAS (CPA) of a what-if
    on ``result``'s model ``model_id``, each against today (``now`` and ``new`` as
    :func:`kiri_core.results.expected_response` gives them); without ``model_id`` the
    return's help names no period figure."""
    return [
        _metric("Weekly spend", fmt.money(new["spend"], currency),
                content.amount_change(now["spend"], new["spend"], currency), "off", "on today's"),
        _metric(f"Weekly {content.outcome(result)} added by media",
                content.amount(result, new["response"], currency),
                content.amount_change(now["response"], new["response"], currency, 1),
                "normal", "on today's"),
        _efficiency_metric(now["roas"], new["roas"], is_conversion(result), currency,
                           content.period_efficiency(result, model_id, currency)
                           if model_id else None),
    ]


# --- what-if ------------------------------------------------------------------------------

#: How far a what-if slider reaches, in multiples of today's weekly spend: the widest Max the
#: allocator gives by default (Robyn's 10 for the target goal), so a spend any default plan
#: may recommend, and a doubled or tripled channel, can be tried.
WHAT_IF_MULTIPLE = DEFAULT_MULTIPLES["target_efficiency"][1]
WHAT_IF_STEPS = 500  # a step of 2 % of today's spend up to 10x


def what_if_options(channel: Mapping[str, Any]) -> list[float]:
    """A what-if slider's weekly spends for a model's channel: from 0 to
    ``WHAT_IF_MULTIPLE`` times today's, or to its stored curve's end when that is further.

    Past the stored curve the effect is the same curve definition a plan counts with
    (:func:`kiri_core.results.expected_response`); above the highest week in the data it is
    an extrapolation (:func:`beyond_data`).

    A step that reads as today's spend (whole money: ``103 487 kr`` beside today's
    103 486,51 kr) is left out: a slider keeps its value by the label it shows, so after a
    rerun it would stand for today's and an untouched what-if would show a change.
    """
    today = float(channel["mean_spend"])
    top = max(what_if_top(channel), WHAT_IF_MULTIPLE * today)
    return [spend for spend in what_if_steps(today, top, WHAT_IF_STEPS)
            if spend == today or abs(spend - today) > 0.5]


def beyond_data(result: dict, model_id: str, weekly_spend: Mapping[str, float],
                currency: str) -> str | None:
    """What a what-if says of its weekly spends above their channel's highest week in the
    data, where the response curve is extrapolated (dashed on Results); None when every
    spend is within what the data has seen."""
    channels = model_by_id(result, model_id)["channels"]
    above = [f"{fmt.channel_name(column)} at {fmt.money(spend, currency)} a week (its highest "
             f"week in the data: {fmt.money(channels[column]['max_spend'], currency)})"
             for column, spend in weekly_spend.items()
             if above_seen(channels[column], spend)]
    if not above:
        return None
    return fmt.unbreakable_numbers(
        f"Extrapolated beyond the data: {fmt.joined(above)}. Past a channel's highest week "
        "the model carries its curve on (dashed on Results), so these figures are less sure.")
