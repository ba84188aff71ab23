"""Budget allocator on one model of a result document (Robyn 3.12's two scenarios).

Over a horizon of ``weeks`` periods, spending ``x_c`` on channel ``c`` (spread evenly)
returns ``R_c(x_c) = weeks * (r_c(x_c / weeks) - r_c(0))`` with ``r_c`` the one response
definition (:mod:`kiri_core.engine.response`): only what the plan's spend adds counts, not
the carry-over-only level ``r_c(0)`` that past spend gives whatever is spent (a constant per
channel, so the ``max_response`` optimum is the same either way). A channel's response, ROAS
and CPA, the totals, ``current_mix_response``, the uplift and the ``target_efficiency``
target are all on ``R_c``; zero spend or no effect returns 0. Marginal ROAS is ``r_c'`` (the
constant does not change it).

- ``max_response``: maximise :math:`\\sum_c R_c(x_c)` subject to
  :math:`\\sum_c x_c = B` and :math:`l_c \\le x_c \\le u_c`.
- ``target_efficiency``: maximise :math:`\\sum_c R_c(x_c)` subject to
  :math:`\\sum_c R_c(x_c) \\ge T \\sum_c x_c` (target ROAS :math:`T`, or ``1 / CPA`` for
  conversion models) and the bounds; an optional total budget caps the spend.

Bounds are multiples of current mean spend per period times ``weeks`` (Robyn's defaults
0.5–2 for ``max_response``, 0.1–10 for ``target_efficiency``), absolute amounts over the
horizon, or a lock at current spend. For ``max_response`` a budget the default bounds cannot
reach moves them with it (the current mix scaled to the budget); bounds a caller set hold,
unless marked ``movable`` (a caller's own defaults, as the budget planner's).
Channels with no effect (zero coefficient) are held at their lower bound with a note. The
search is SLSQP with analytic gradients from a few starts; the result is never worse than
the starting allocation (current spend shares scaled to the budget and put inside the
bounds), which is returned when no start beats it.

Refusals (:class:`AllocationError`) and the plan's ``notes`` carry a ``code`` and their facts
as data, so a caller can word them for its users (``kiri_core.planner`` does).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize

from kiri_core.engine.response import ResponseCurve
from kiri_core.formatting import number
from kiri_core.results import is_conversion

SCENARIOS = ("max_response", "target_efficiency")
DEFAULT_MULTIPLES = {"max_response": (0.5, 2.0), "target_efficiency": (0.1, 10.0)}
TOLERANCE = 1e-9
SEEN_TOLERANCE = 1e-6  # a weekly spend this far past the weeks seen counts as outside them


class AllocationError(ValueError):
    """A budget question the allocator cannot answer.

    ``str()`` is a plain message (the command line shows it); ``code`` and ``facts`` say the
    same as data (channels by column, amounts over the horizon, bounds in the units they were
    given) for callers that word it for their users, as the budget planner does.
    """

    def __init__(self, message: str, code: str = "invalid", **facts: object) -> None:
        super().__init__(message)
        self.code = code
        self.facts = facts


@dataclass(frozen=True)
class Note:
    """A warning about a plan: plain ``text`` and the same as ``code`` and ``facts``."""

    code: str
    text: str
    facts: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        """The plan's ``notes`` entry."""
        return {"code": self.code, **self.facts}


@dataclass(frozen=True)
class ChannelBounds:
    """One channel's bounds: multiples of current mean spend, or absolute horizon amounts.

    Absolute amounts win over multiples; ``locked`` keeps the channel at current spend.
    ``movable`` multiples are a caller's defaults rather than a choice: like the scenario's
    default multiples, they move with a ``max_response`` budget they cannot reach.
    """

    lower: float | None = None
    upper: float | None = None
    min_spend: float | None = None
    max_spend: float | None = None
    locked: bool = False
    movable: bool = False


@dataclass
class _Problem:
    names: list[str]
    curves: list[ResponseCurve]
    current: np.ndarray  # spend over the horizon
    lower: np.ndarray
    upper: np.ndarray
    locked: np.ndarray
    weeks: int
    notes: list[Note] = field(default_factory=list)

    def response(self, x: np.ndarray) -> np.ndarray:
        """Response over the horizon per channel: what spending ``x`` adds over the
        carry-over-only level (0 at zero spend)."""
        per_period = x / self.weeks
        return np.array(
            [self.weeks * c.incremental(s) for c, s in zip(self.curves, per_period, strict=True)]
        )

    def marginal(self, x: np.ndarray) -> np.ndarray:
        """``d response / d spend`` per channel (the horizon factor cancels)."""
        return np.array([c.marginal(s) for c, s in zip(self.curves, x / self.weeks, strict=True)])


def allocate(
    result: Mapping,
    *,
    scenario: str = "max_response",
    weeks: int = 4,
    total_budget: float | None = None,
    target_roas: float | None = None,
    target_cpa: float | None = None,
    lower: float | None = None,
    upper: float | None = None,
    bounds: Mapping[str, ChannelBounds] | None = None,
    model_id: str | None = None,
) -> dict:
    """The plan (``docs/result-format.md``, plan format) for one model of ``result``.

    Parameters
    ----------
    result
        A result document.
    scenario
        "max_response" (needs ``total_budget``) or "target_efficiency" (``target_roas``,
        or ``target_cpa`` for conversion models; Robyn's default when neither is given:
        0.8 x current ROAS, or 1.2 x current CPA).
    weeks
        Planning horizon in periods; budgets and bounds are totals over it.
    total_budget
        Budget over the horizon (a cap on spend for "target_efficiency").
    lower, upper
        Bounds for every channel as multiples of current mean spend (scenario defaults).
    bounds
        Per-channel :class:`ChannelBounds`, overriding ``lower``/``upper``.
    model_id
        The model to plan with; the recommended model by default.

    Raises
    ------
    AllocationError
        Bad budget, bounds, horizon, target or model; an unreachable target.
    """
    if scenario not in SCENARIOS:
        raise AllocationError(f"unknown scenario {scenario!r}; choose {' or '.join(SCENARIOS)}")
    if isinstance(weeks, bool) or not isinstance(weeks, int) or weeks < 1:
        raise AllocationError(
            f"the horizon must be a whole number of weeks (1 or more), got {weeks}"
        )
    model = _model(result, model_id)
    conversion = is_conversion(result)
    default_lower, default_upper = DEFAULT_MULTIPLES[scenario]
    bounds = bounds or {}
    problem_args = (
        model["channels"],
        list(result.get("spend_columns") or model["channels"]),
        weeks,
        default_lower if lower is None else lower,
        default_upper if upper is None else upper,
        bounds,
    )
    problem = _problem(*problem_args)
    if scenario == "max_response":
        budget = _checked_budget(problem, total_budget, required=True)
        movable = _movable(problem, bounds) & (lower is None and upper is None)
        if not _fits(problem, budget):
            reachable = _reachable(problem, movable)
            problem = _problem_around_budget(problem_args, problem, budget, movable)
            if not _fits(problem, budget):
                raise _out_of_reach(budget, problem.weeks, *reachable)
        x, target = _max_response(problem, budget), None
    else:
        cap = _checked_budget(problem, total_budget, required=False)
        target = _target(problem, target_roas, target_cpa, conversion)
        x = _target_efficiency(problem, target, cap, conversion)
        budget = float(x.sum())
    return _plan(problem, model, scenario, budget, x, target, conversion)


# --- the problem ---------------------------------------------------------------------


def _model(result: Mapping, model_id: str | None) -> Mapping:
    wanted = model_id or result.get("model_id")
    for model in result.get("models") or ():
        if model["model_id"] == wanted:
            return model
    if model_id is None and "channels" in result:
        return {"model_id": result.get("model_id"), "channels": result["channels"]}
    raise AllocationError(f"model {wanted!r} is not one of this result's models")


def _problem(
    channels: Mapping[str, Mapping],
    names: list[str],
    weeks: int,
    lower: float,
    upper: float,
    bounds: Mapping[str, ChannelBounds],
    scale: np.ndarray | None = None,
) -> _Problem:
    """The optimisation problem; multiples apply to ``scale`` (per channel) x current spend."""
    unknown = sorted(set(bounds) - set(names))
    if unknown:
        raise AllocationError(
            f"unknown channel {unknown[0]!r} in the bounds; the model's channels are "
            f"{', '.join(names)}"
        )
    current = np.array([float(channels[n]["mean_spend"]) * weeks for n in names])
    scaled = current if scale is None else current * scale
    limits = [
        channel_limits(n, c, lower, upper, bounds.get(n, ChannelBounds()))
        for n, c in zip(names, scaled, strict=True)
    ]
    problem = _Problem(
        names=names,
        curves=[ResponseCurve.from_dict(channels[n]["response"]) for n in names],
        current=current,
        lower=np.array([lo for lo, _ in limits]),
        upper=np.array([hi for _, hi in limits]),
        locked=np.array([bounds.get(n, ChannelBounds()).locked for n in names]),
        weeks=weeks,
    )
    _hold_channels_without_effect(problem)
    return problem


def channel_limits(
    name: str, current: float, lower: float, upper: float, bound: ChannelBounds
) -> tuple[float, float]:
    """A channel's spend limits over the horizon: ``bound``'s own (a lock holds ``current``),
    else ``lower`` / ``upper`` times ``current``; :class:`AllocationError` for a negative
    limit or a minimum above the maximum."""
    if bound.locked:
        return current, current
    lower = bound.lower if bound.lower is not None else lower
    upper = bound.upper if bound.upper is not None else upper
    for label, value in (("lower", lower), ("upper", upper)):
        if value < 0:
            raise AllocationError(
                f"{name}: the {label} bound {value:g} is negative",
                "negative_bound", channel=name, value=float(value), unit="multiple",
            )
    lo = bound.min_spend if bound.min_spend is not None else lower * current
    hi = bound.max_spend if bound.max_spend is not None else upper * current
    if lo < 0 or hi < 0:
        raise AllocationError(
            f"{name}: a spend bound is negative ({number(min(lo, hi))})",
            "negative_bound", channel=name, value=float(min(lo, hi)), unit="spend",
        )
    if lo > hi:
        as_multiples = bound.min_spend is None and bound.max_spend is None
        raise AllocationError(
            f"{name}: the lower bound {number(lo)} is above the upper bound {number(hi)}",
            "min_above_max", channel=name, unit="multiple" if as_multiples else "spend",
            minimum=float(lower if as_multiples else lo),
            maximum=float(upper if as_multiples else hi),
        )
    return lo, hi


def _hold_channels_without_effect(problem: _Problem) -> None:
    for i, (name, curve) in enumerate(zip(problem.names, problem.curves, strict=True)):
        if not curve.has_effect and not problem.locked[i]:
            problem.upper[i] = problem.lower[i]
            problem.notes.append(Note(
                "no_effect",
                f"{name}: the model finds no effect; kept at its lower bound "
                f"({number(problem.lower[i])})",
                {"channel": name, "spend": float(problem.lower[i])},
            ))


def _checked_budget(
    problem: _Problem, total_budget: float | None, *, required: bool
) -> float | None:
    facts = {"current": float(problem.current.sum()), "weeks": problem.weeks}
    if total_budget is None:
        if required:
            raise AllocationError(
                "a total budget is required for the max_response scenario",
                "budget_required", **facts,
            )
        return None
    if not np.isfinite(total_budget) or total_budget <= 0:
        raise AllocationError(
            f"the total budget must be a positive amount, got {total_budget:g}",
            "budget_not_positive", budget=float(total_budget), **facts,
        )
    return float(total_budget)


# --- max_response --------------------------------------------------------------------


def _max_response(problem: _Problem, budget: float) -> np.ndarray:
    start = _onto_budget(_scaled_current(problem, budget), problem, budget)
    box = _UnitBox.of(problem)
    if not box.free.any():
        return start
    budget_constraint = {
        "type": "eq",
        "fun": lambda u: (box.from_unit(u).sum() - budget) / budget,
        "jac": lambda u: box.span[box.free] / budget,
    }
    objective = box.response_objective(scale=float(problem.response(start).sum()))
    middle = _onto_budget((problem.lower + problem.upper) / 2, problem, budget)
    candidates = [start]
    for x0 in (start, middle):
        x = box.solve(objective, x0, [budget_constraint])
        candidates.append(_onto_budget(x, problem, budget))
    return _best(problem, candidates)


def _fits(problem: _Problem, budget: float) -> bool:
    low, high = problem.lower.sum(), problem.upper.sum()
    return low * (1 - TOLERANCE) <= budget <= high * (1 + TOLERANCE)


def _movable(problem: _Problem, bounds: Mapping[str, ChannelBounds]) -> np.ndarray:
    """Channels with some current spend and default bounds: the scenario's, or movable ones."""
    given = [bounds.get(n, ChannelBounds()) for n in problem.names]
    unset = np.array([bound == ChannelBounds() or bound.movable for bound in given])
    return unset & (problem.current > 0)


def _reachable(problem: _Problem, movable: np.ndarray) -> tuple[float, float | None]:
    """The budgets that can be planned: from the set bounds' minimum, up to their maximum
    when no channel's bounds can move with the budget (None: no maximum)."""
    held = ~movable
    if movable.any():
        return float(problem.lower[held].sum()), None
    return float(problem.lower.sum()), float(problem.upper.sum())


def _out_of_reach(budget: float, weeks: int, low: float, high: float | None) -> AllocationError:
    reach = f"{number(low)} to {number(high)}" if high is not None else f"at least {number(low)}"
    return AllocationError(
        f"the total budget {number(budget)} is outside what the bounds allow over {weeks} "
        f"weeks ({reach})",
        "budget_out_of_reach", budget=budget, weeks=weeks, low=low, high=high,
    )


def _problem_around_budget(
    problem_args: tuple, problem: _Problem, budget: float, movable: np.ndarray
) -> _Problem:
    """Default bounds taken around the current mix scaled to ``budget``, with a note.

    A budget far from current spend is the user's firm choice; Robyn's default multiples
    of current spend are only a guard against leaving the data's range, so they move with
    the budget instead of rejecting it: the ``movable`` channels' multiples apply to their
    current spend times budget / current spend, or the factor nearest to it that the bounds
    the user set leave room for (those bounds hold). Any budget from the set bounds' minimum
    up then fits.
    """
    if not movable.any():
        return problem
    current = float(problem.current.sum())
    scaled = _problem(
        *problem_args, scale=np.where(movable, _budget_factor(problem, movable, budget), 1.0)
    )
    names = [n for n, m in zip(problem.names, movable, strict=True) if m]
    which = "channel bounds are" if movable.all() else f"the bounds of {', '.join(names)} are"
    scaled.notes.insert(0, Note(
        "bounds_scaled",
        f"the budget {number(budget)} is {budget / current:.0%} of current spend over "
        f"{problem.weeks} weeks ({number(current)}); {which} taken around the current mix "
        "scaled to it",
        {"budget": budget, "current": current, "weeks": problem.weeks, "channels": names,
         "every_channel": bool(movable.all())},
    ))
    return scaled


def _budget_factor(problem: _Problem, movable: np.ndarray, budget: float) -> float:
    """budget / current spend, kept where the movable bounds (default multiples ``lo``–``hi``
    of the factor x current) together with the set ones can hold the budget (never below 0:
    a budget under the set minimums stays out of reach)."""
    held, base = ~movable, float(problem.current[movable].sum())
    lo, hi = problem.lower[movable].sum() / base, problem.upper[movable].sum() / base
    fewest = max(budget - problem.upper[held].sum(), 0.0) / (hi * base)
    most = (budget - problem.lower[held].sum()) / (lo * base) if lo > 0 else np.inf
    return float(max(min(max(budget / problem.current.sum(), fewest), most), 0.0))


def _scaled_current(problem: _Problem, budget: float) -> np.ndarray:
    total = problem.current.sum()
    n = len(problem.names)
    shares = problem.current / total if total > 0 else np.full(n, 1 / n)
    return np.clip(shares * budget, problem.lower, problem.upper)


def _onto_budget(x: np.ndarray, problem: _Problem, budget: float) -> np.ndarray:
    """``x`` moved inside the bounds with the spend summing to ``budget`` exactly.

    Bisection on ``t`` in ``clip(x + t (upper - lower), lower, upper)``, which grows
    continuously from the lower bounds (t = -1) to the upper bounds (t = 1).
    """
    x = np.clip(x, problem.lower, problem.upper)
    span = problem.upper - problem.lower

    def spend(t: float) -> np.ndarray:
        return np.clip(x + t * span, problem.lower, problem.upper)

    low, high = -1.0, 1.0
    for _ in range(200):
        middle = (low + high) / 2
        if spend(middle).sum() < budget:
            low = middle
        else:
            high = middle
    out = spend(high)
    free = (out > problem.lower) & (out < problem.upper)
    if free.any():  # remove the last rounding error on channels away from their bounds
        out[free] += (budget - out.sum()) / free.sum()
        out = np.clip(out, problem.lower, problem.upper)
    return out


@dataclass(frozen=True)
class _UnitBox:
    """The channels free to move, each mapped onto [0, 1] so SLSQP sees one scale."""

    problem: _Problem
    free: np.ndarray
    span: np.ndarray

    @classmethod
    def of(cls, problem: _Problem) -> _UnitBox:
        span = problem.upper - problem.lower
        return cls(problem, span > 0, span)

    def to_unit(self, x: np.ndarray) -> np.ndarray:
        return (x[self.free] - self.problem.lower[self.free]) / self.span[self.free]

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        x = self.problem.lower.copy()
        x[self.free] += np.clip(u, 0.0, 1.0) * self.span[self.free]
        return x

    def response_objective(self, scale: float) -> Callable[[np.ndarray], tuple]:
        """Minus the total response (divided by ``scale``) and its gradient in [0, 1]."""
        scale = max(scale, 1.0)

        def objective(u: np.ndarray) -> tuple[float, np.ndarray]:
            x = self.from_unit(u)
            gradient = -self.problem.marginal(x)[self.free] * self.span[self.free]
            return -self.problem.response(x).sum() / scale, gradient / scale

        return objective

    def spend_cap(self, cap: float) -> dict:
        """The inequality ``sum x <= cap``."""
        return {
            "type": "ineq",
            "fun": lambda u: (cap - self.from_unit(u).sum()) / cap,
            "jac": lambda u: -self.span[self.free] / cap,
        }

    def solve(self, objective: Callable, x0: np.ndarray, constraints: list[dict]) -> np.ndarray:
        """SLSQP from ``x0`` with analytic gradients; the allocation it ends at."""
        solution = minimize(
            objective,
            self.to_unit(x0),
            jac=True,
            method="SLSQP",
            bounds=[(0.0, 1.0)] * int(self.free.sum()),
            constraints=constraints,
            options={"maxiter": 500, "ftol": 1e-12},
        )
        return self.from_unit(solution.x)


def _best(problem: _Problem, candidates: Sequence[np.ndarray]) -> np.ndarray:
    """The candidate with the most response; the first (the start) wins ties."""
    totals = [problem.response(x).sum() for x in candidates]
    best = int(np.argmax(totals))
    return candidates[best] if totals[best] > totals[0] * (1 + TOLERANCE) else candidates[0]


# --- target_efficiency ---------------------------------------------------------------


def _target(
    problem: _Problem, target_roas: float | None, target_cpa: float | None, conversion: bool
) -> float:
    """The target as response per unit of spend."""
    given = target_cpa if conversion else target_roas
    label = "CPA" if conversion else "ROAS"
    if (target_cpa if not conversion else target_roas) is not None:
        wrong = "ROAS" if conversion else "CPA"
        raise AllocationError(
            f"this is a {'conversion' if conversion else 'revenue'} model: give a target "
            f"{label}, not a target {wrong}",
            "wrong_target", measure=label,
        )
    if given is None:
        current_roas = problem.response(problem.current).sum() / max(problem.current.sum(), 1e-12)
        return 0.8 * current_roas if not conversion else current_roas / 1.2
    if not np.isfinite(given) or given <= 0:
        raise AllocationError(
            f"the target {label} must be a positive number, got {given:g}",
            "target_not_positive", measure=label, target=float(given),
        )
    return float(1.0 / given if conversion else given)


def _target_efficiency(
    problem: _Problem, target: float, cap: float | None, conversion: bool
) -> np.ndarray:
    if cap is not None and cap < problem.lower.sum() * (1 - TOLERANCE):
        raise AllocationError(
            f"the total budget {number(cap)} is below the sum of the lower bounds "
            f"({number(problem.lower.sum())})",
            "budget_out_of_reach", budget=cap, weeks=problem.weeks,
            low=float(problem.lower.sum()), high=None,
        )
    box = _UnitBox.of(problem)
    caps = [box.spend_cap(cap)] if cap is not None and box.free.any() else []
    efficient = _most_efficient(problem, box, caps)
    best_roas = _roas(problem, efficient)
    if best_roas < target * (1 - 1e-6):
        raise _unreachable(target, best_roas, conversion)
    if not box.free.any():
        return efficient
    spend_scale = max(float(problem.upper.sum()), 1.0)
    on_target = {
        "type": "ineq",
        "fun": lambda u: _surplus(problem, box.from_unit(u), target) / spend_scale,
        "jac": lambda u: (
            (problem.marginal(box.from_unit(u)) - target)[box.free]
            * box.span[box.free]
            / spend_scale
        ),
    }
    objective = box.response_objective(scale=float(problem.response(efficient).sum()))
    candidates = [efficient]
    current = np.clip(problem.current, problem.lower, problem.upper)
    if _feasible(problem, current, target, cap):
        candidates.append(current)
    for x0 in list(candidates):
        x = box.solve(objective, x0, [on_target, *caps])
        if _feasible(problem, x, target, cap):
            candidates.append(x)
    return _best(problem, candidates)


def _most_efficient(problem: _Problem, box: _UnitBox, caps: list[dict]) -> np.ndarray:
    """The allocation with the highest total ROAS within the bounds (and the cap)."""
    if not box.free.any():
        return problem.lower.copy()
    floor = TOLERANCE * float(problem.upper.sum())

    def objective(u: np.ndarray) -> tuple[float, np.ndarray]:
        x = box.from_unit(u)
        spend = max(float(x.sum()), floor)
        response = problem.response(x).sum()
        gradient = (problem.marginal(x) * spend - response) / spend**2
        return -response / spend, -gradient[box.free] * box.span[box.free]

    starts = (
        problem.lower + 0.01 * box.span,
        np.clip(problem.current, problem.lower, problem.upper),
    )
    candidates = [problem.lower.copy()]
    for x0 in starts:
        x = box.solve(objective, x0, caps)
        if all(c["fun"](box.to_unit(x)) >= -TOLERANCE for c in caps):
            candidates.append(x)
    return max(candidates, key=lambda x: _roas(problem, x))


def _surplus(problem: _Problem, x: np.ndarray, target: float) -> float:
    return float(problem.response(x).sum() - target * x.sum())


def _feasible(problem: _Problem, x: np.ndarray, target: float, cap: float | None) -> bool:
    in_cap = cap is None or x.sum() <= cap * (1 + TOLERANCE)
    return in_cap and _surplus(problem, x, target) >= -TOLERANCE * max(x.sum(), 1.0)


def _roas(problem: _Problem, x: np.ndarray) -> float:
    spend = x.sum()
    return float(problem.response(x).sum() / spend) if spend > 0 else float("inf")


def _unreachable(target: float, best: float, conversion: bool) -> AllocationError:
    measure, best_is = ("CPA", "the lowest CPA") if conversion else ("ROAS", "the best total ROAS")
    if conversion:
        target, best = 1 / target, 1 / best
    return AllocationError(
        f"the target {measure} {target:.2f} is out of reach: {best_is} within the bounds is "
        f"{best:.2f}",
        "target_out_of_reach", measure=measure, target=float(target), best=float(best),
    )


# --- the plan ------------------------------------------------------------------------


def recount(result: Mapping, plan: Mapping) -> dict:
    """``plan`` with every response, ROAS / CPA, marginal ROAS and total counted again from
    its model for the spend it allocates, the way :func:`allocate` counts them now.

    A plan saved before responses were incremental counted the carry-over level ``r(0)`` in
    (an inflated ROAS); recounted, it reads like a plan made today. Its spend, bounds, locks,
    goal, target, warnings and notes stay as they were.
    """
    model = _model(result, plan["model_id"])
    names = list(plan["channels"])
    problem = _problem(model["channels"], names, int(plan["weeks"]), 1.0, 1.0, {})  # no bounds
    x = np.array([float(plan["channels"][name]["optimized_spend"]) for name in names])
    figures, totals = _figures(problem, x, is_conversion(result))
    channels = {name: {**plan["channels"][name], **figures[name]} for name in names}
    return {**plan, "channels": channels, "totals": totals}


def _plan(
    problem: _Problem,
    model: Mapping,
    scenario: str,
    budget: float,
    x: np.ndarray,
    target: float | None,
    conversion: bool,
) -> dict:
    budget_notes = _budget_beyond_seen(problem, model["channels"], budget) if (
        scenario == "max_response") else []
    notes = problem.notes + budget_notes + _range_notes(problem, model["channels"], x)
    figures, totals = _figures(problem, x, conversion)
    channels = {
        name: {
            "current_spend": float(problem.current[i]),
            "optimized_spend": float(x[i]),
            "lower": float(problem.lower[i]),
            "upper": float(problem.upper[i]),
            **figures[name],
            "locked": bool(problem.locked[i]),
        }
        for i, name in enumerate(problem.names)
    }
    return {
        "model_id": model.get("model_id"),
        "scenario": scenario,
        "weeks": problem.weeks,
        "total_budget": float(budget),
        "target_roas": None if target is None or conversion else target,
        "target_cpa": 1.0 / target if target is not None and conversion else None,
        "channels": channels,
        "totals": totals,
        "warnings": [note.text for note in notes],
        "notes": [note.as_dict() for note in notes],
    }


def _figures(problem: _Problem, x: np.ndarray, conversion: bool) -> tuple[dict, dict]:
    """What spending ``x`` returns: per channel (responses, ROAS, CPA, marginal ROAS) and
    in total."""
    current_response = problem.response(problem.current)
    optimized_response = problem.response(x)
    mroas = problem.marginal(x)
    channels = {
        name: {
            "current_response": float(current_response[i]),
            "optimized_response": float(optimized_response[i]),
            "current_roas": _ratio(current_response[i], problem.current[i]),
            "optimized_roas": _ratio(optimized_response[i], x[i]),
            "optimized_mroas": float(mroas[i]),
            "current_cpa": _ratio(problem.current[i], current_response[i]) if conversion else None,
            "optimized_cpa": _ratio(x[i], optimized_response[i]) if conversion else None,
        }
        for i, name in enumerate(problem.names)
    }
    same_mix = problem.current * (x.sum() / problem.current.sum()) if problem.current.sum() else x
    totals = {
        "current_spend": float(problem.current.sum()),
        "optimized_spend": float(x.sum()),
        "current_response": float(current_response.sum()),
        "optimized_response": float(optimized_response.sum()),
        "current_mix_response": float(problem.response(same_mix).sum()),
        "current_roas": _ratio(current_response.sum(), problem.current.sum()),
        "optimized_roas": _ratio(optimized_response.sum(), x.sum()),
        "uplift": _ratio(optimized_response.sum(), current_response.sum(), minus_one=True),
    }
    return channels, totals


def _ratio(numerator: float, denominator: float, *, minus_one: bool = False) -> float | None:
    if denominator <= 0:
        return None
    return float(numerator / denominator - (1.0 if minus_one else 0.0))


def above_seen(channel: Mapping, weekly: float) -> bool:
    """Whether a weekly spend lies above the channel's highest week in the modelling window
    (``max_spend``), where its response curve is an extrapolation."""
    seen_max = channel.get("max_spend")
    return seen_max is not None and weekly > seen_max * (1 + SEEN_TOLERANCE)


def _budget_beyond_seen(problem: _Problem, channels: Mapping[str, Mapping],
                        budget: float) -> list[Note]:
    """A budget above what the channels' highest weeks in the modelling window add up to over
    the horizon (``budget_above_seen``), or below what their lowest weeks add up to
    (``budget_below_seen``): whatever the bounds, some channel then spends beyond the weeks
    seen (its ``above_seen`` or ``below_seen`` note says which), so the budget, not the
    bounds, is why."""
    highest = _seen_total(problem, channels, "max_spend")
    lowest = _seen_total(problem, channels, "min_spend")
    if highest is not None and budget > highest * (1 + SEEN_TOLERANCE):
        return [_budget_note("above", "highest", budget, highest, problem.weeks)]
    if lowest is not None and budget < lowest * (1 - SEEN_TOLERANCE):
        return [_budget_note("below", "lowest", budget, lowest, problem.weeks)]
    return []


def _seen_total(problem: _Problem, channels: Mapping[str, Mapping], key: str) -> float | None:
    """The channels' ``key`` weekly spend (``"max_spend"``, ``"min_spend"``) added up over
    the horizon; None when a channel lacks it."""
    weekly = [channels[name].get(key) for name in problem.names]
    return None if None in weekly else float(sum(weekly)) * problem.weeks


def _budget_note(side: str, weeks_seen: str, budget: float, seen: float, weeks: int) -> Note:
    return Note(
        f"budget_{side}_seen",
        f"the budget {number(budget)} is {side} what the channels' {weeks_seen} weeks add up "
        f"to over {weeks} weeks ({number(seen)}), so some channel spends beyond the weeks seen",
        {"budget": float(budget), "seen": seen, "weeks": weeks},
    )


def _range_notes(problem: _Problem, channels: Mapping[str, Mapping], x: np.ndarray) -> list[Note]:
    """Recommended weekly spend outside the weekly range seen in the modelling window."""
    notes = []
    for name, spend in zip(problem.names, x, strict=True):
        weekly = float(spend / problem.weeks)
        seen_min, seen_max = channels[name].get("min_spend"), channels[name].get("max_spend")
        if above_seen(channels[name], weekly):
            code, side, seen = "above_seen", "above the highest", seen_max
        elif seen_min is not None and weekly < seen_min * (1 - SEEN_TOLERANCE):
            code, side, seen = "below_seen", "below the lowest", seen_min
        else:
            continue
        notes.append(Note(
            code,
            f"{name}: recommended weekly spend {number(weekly)} is {side} seen ({number(seen)})",
            {"channel": name, "weekly": weekly, "seen": float(seen)},
        ))
    return notes
