"""What the report says: findings, tables and quality notes computed from a result document.

Nothing here draws; the same sentences and rows can be shown in the app's presentation mode.
All numbers are formatted through :mod:`kiri_core.formatting` so they read the same in the
PDF, the tables and the charts.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from kiri_core import formatting as fmt
from kiri_core.data.validation import outcome_kind_warning
from kiri_core.results import (
    is_conversion,
    is_conversion_plan,
    measure_name,
    model_by_id,
    recommendation_reason,
)


@dataclass(frozen=True)
class Headline:
    """One big number on the summary page."""

    label: str
    value: str
    note: str


def outcome(result: dict) -> str:
    """What the model explains, in words: ``"revenue"`` or ``"conversions"``."""
    return "conversions" if is_conversion(result) else "revenue"


def amount(result: dict, value: float | None, currency: str) -> str:
    """A modelled amount: money for revenue models, a count for conversion models."""
    return fmt.number(value, currency) if is_conversion(result) else fmt.money(value, currency)


def paid_totals(result: dict, model_id: str) -> tuple[float, float]:
    """(total paid spend, total paid-media contribution) of the model over the window."""
    channels = model_by_id(result, model_id)["channels"].values()
    return sum(c["spend"] for c in channels), sum(c["contribution"] for c in channels)


def model_statement(result: dict, model_id: str) -> str:
    """Which model the figures come from, by its id, for the analyst's pages: the recommended
    one or the analyst's alternative (the client's material: :func:`model_in_words`)."""
    if model_id == result["model_id"]:
        return f"Model {model_id} · recommended"
    return f"Model {model_id} · alternative model chosen by the analyst"


def selection_note(result: dict, model_id: str, currency: str) -> str:
    """Why this model: the engine's reason, and for an alternative which one it recommended."""
    reason = recommendation_reason(result, currency)
    if model_id == result["model_id"]:
        return f"Model {model_id} is the recommended model. {reason}"
    recommended = result["model_id"]
    return (f"Model {model_id} is an alternative model chosen by the analyst instead of the "
            f"recommended model {recommended}. Why the engine recommended {recommended}: "
            f"{reason}")


def model_in_words(result: dict, model_id: str) -> str:
    """Which model the figures come from, for the client (the PDF, the Presentation page): a
    client has no use for its internal id, which the PDF gives once (:func:`model_reference`).
    Another than the recommended one is the one the analyst selected, neutrally: "an
    alternative" (the analyst's word, :func:`model_statement`) reads to a client as second
    best."""
    if model_id == result["model_id"]:
        return "The recommended model"
    return "The model your analyst selected"


def client_selection_note(result: dict, model_id: str, currency: str) -> str:
    """:func:`selection_note` for the client: the models named in words."""
    source = f"The figures come from {in_sentence(model_in_words(result, model_id))}"
    reason = recommendation_reason(result, currency)
    if model_id == result["model_id"]:
        return f"{source}. {reason}"
    return (f"{source} instead of the recommended model. Why the engine recommended that "
            f"model: {reason}")


def model_reference(result: dict, model_id: str) -> str:
    """The PDF appendix's line that traces the report to its model (the one place the
    client's material names the model's id), its engine, search and data."""
    return (f"Model reference: {model_id} · Engine: "
            f"{fmt.engine_name(result.get('engine', 'kiri'))} "
            f"{result.get('engine_version', '')} · {len(result['models'])} candidate models · "
            f"{fmt.weeks(result['window']['periods'])} of data.")


WEAK_FIT_RSQ = 0.6  # below this share of the weekly variation explained, say so
STEADY_CHANGE = 0.15  # spend moving less than this from week to week: its return is unsure
SMALL_SEARCH = 2000  # searches of fewer settings (the quick preset: 300) are a first look


def fit_warning(result: dict, model_id: str, currency: str) -> str | None:
    """A plain warning when the model explains little of the weekly variation, else None:
    such a model's figures are too rough to act on alone, and the reader must know."""
    rsq = model_by_id(result, model_id)["metrics"]["rsq"]
    if rsq >= WEAK_FIT_RSQ:
        return None
    return (f"This model explains only {fmt.percent(max(rsq, 0.0), currency)} of the weekly "
            f"variation in {outcome(result)}, so its figures are rough: check them against "
            "other evidence (a lift test, more weeks of data, the context variables that "
            "drive the business) before acting on them.")


def client_fit_note(result: dict, model_id: str, currency: str) -> str | None:
    """:func:`fit_warning` for the client: what the weak fit means for the figures, without
    the analyst's checks (:func:`before_presenting` gives those to the presenter)."""
    if fit_warning(result, model_id, currency) is None:
        return None
    rsq = model_by_id(result, model_id)["metrics"]["rsq"]
    return (f"The model explains {fmt.percent(max(rsq, 0.0), currency)} of the week-to-week "
            f"changes in {outcome(result)}, so treat the channel figures as indicative.")


def cautions(result: dict, model_id: str, currency: str) -> list[str]:
    """What the analyst must know before trusting the model's figures (the Results and Runs
    pages): a weak fit (:func:`fit_warning`), spend too steady to read a channel's return from
    (:func:`steady_spend_warning`) and an outcome whose size says it is the other kind than
    modelled (:func:`outcome_mismatch`); the client's words: :func:`client_cautions`."""
    return [w for w in (fit_warning(result, model_id, currency),
                        steady_spend_warning(result, model_id, currency),
                        outcome_mismatch(result, model_id, currency)) if w]


def client_cautions(result: dict, model_id: str, currency: str) -> list[str]:
    """What the client must know before trusting the model's figures (the Presentation
    page and the PDF): :func:`cautions` in the client's words, what each means for the
    figures and not the analyst's checks or instructions: the weak fit
    (:func:`client_fit_note`), the steady spend (:func:`client_steady_spend_note`) and an
    outcome of the other kind as a question about the client's own data
    (:func:`client_outcome_note`)."""
    return [w for w in (client_fit_note(result, model_id, currency),
                        client_steady_spend_note(result, model_id, currency),
                        client_outcome_note(result, model_id, currency)) if w]


def outcome_mismatch(result: dict, model_id: str, currency: str) -> str | None:
    """:func:`~kiri_core.data.validation.outcome_kind_warning` on the model's window and
    spend: revenue that adds up to less than the media spend, or conversions to more."""
    return outcome_kind_warning(result["config"]["revenue_column"], sum(result["actual"]),
                                paid_totals(result, model_id)[0], is_conversion(result),
                                currency)


def client_outcome_note(result: dict, model_id: str, currency: str) -> str | None:
    """:func:`outcome_mismatch` for the client, plainly: what the outcome's size suggests it
    holds and that the :func:`efficiency_figures` shown are then wrong, without the column's
    name or the analyst's fix; None when its size fits."""
    if outcome_mismatch(result, model_id, currency) is None:
        return None
    conversion = is_conversion(result)
    if conversion:
        size = ("The conversions in this report add up to more than the media spend, as an "
                "amount of money would: if they are money rather than a count")
    else:
        size = ("The revenue in this report adds up to less than the media spend, as a count "
                "of conversions would: if it is a count rather than money")
    return f"{size}, the {efficiency_figures(conversion)} shown are wrong."


def efficiency_figures(conversion: bool) -> str:
    """The channels' efficiency figures in words: ``"costs per conversion"`` or
    ``"returns"``."""
    return "costs per conversion" if conversion else "returns"


def before_presenting(result: dict, model_id: str, currency: str) -> list[str]:
    """What the presenter must know that the client is not told in these words (the
    Presentation page's run bar, not its clean view): the analyst's words on a quick search
    (:func:`quick_search_note`), a weak fit (:func:`fit_warning`), steady spend
    (:func:`steady_spend_warning`) and an outcome of the other kind
    (:func:`outcome_mismatch`), each with what the client is told instead; shown in one box,
    :func:`presenter_warning`."""
    steady = steady_channels(result, model_id)
    least_certain = ("they are the least certain figures" if len(steady) > 1
                     else "it is the least certain figure")
    return [f"{note} {told}" for note, told in (
        (quick_search_note(result),
         "The client is told they are preliminary figures, to be firmed up."),
        (fit_warning(result, model_id, currency),
         "The client is told to treat the channel figures as indicative."),
        (steady_spend_warning(result, model_id, currency),
         f"The client is told only that {least_certain} here."),
        (outcome_mismatch(result, model_id, currency),
         f"The client is told only that the {efficiency_figures(is_conversion(result))} "
         "shown may be wrong."),
    ) if note]


def presenter_warning(notes: list[str]) -> str | None:
    """The :func:`before_presenting` notes as one warning: ``"Before you present: ..."``, or
    a list under that heading when there are several; None without notes."""
    if len(notes) < 2:
        return f"Before you present: {in_sentence(notes[0])}" if notes else None
    return "Before you present:\n" + "\n".join(f"- {note}" for note in notes)


def steady_channels(result: dict, model_id: str) -> dict[str, float]:
    """The channels whose spend moves less than :data:`STEADY_CHANGE` from week to week, by
    column, with that change; none for a document without the measure."""
    return {column: ch["weekly_change"]
            for column, ch in model_by_id(result, model_id)["channels"].items()
            if ch.get("weekly_change") is not None and ch["weekly_change"] < STEADY_CHANGE}


def steady_spend_warning(result: dict, model_id: str, currency: str) -> str | None:
    """Names the :func:`steady_channels`: the data then hardly tells their effect from the
    baseline and the season, so their return is the least certain figure (on the benchmark's
    steady sets the always-on channel's ROAS is the one most often missed), and says what
    would pin it down. None when every channel moves enough. The client's words:
    :func:`client_steady_spend_note`."""
    steady = steady_channels(result, model_id)
    if not steady:
        return None
    names = fmt.joined([fmt.channel_name(c) for c in steady])
    moves = fmt.joined([fmt.percent(v, currency) for v in steady.values()])
    measure = measure_name(is_conversion(result))
    their = "their" if len(steady) > 1 else "its"
    return (f"The spend on {names} moves by only {moves} from week to week, so the data can "
            f"hardly tell {their} effect from the baseline and the season: {their} {measure} "
            "is the least certain figure here. A lift test, or some weeks of clearly changed "
            "spend, would pin it down.")


def client_steady_spend_note(result: dict, model_id: str, currency: str) -> str | None:
    """:func:`steady_spend_warning` for the client: which channels' figures are the least
    certain and why, without the analyst's remedy; None when every channel's spend moves."""
    steady = steady_channels(result, model_id)
    if not steady:
        return None
    names = fmt.joined([fmt.channel_name(c) for c in steady])
    head = f"The spend on {names} hardly changed from week to week, so"
    if len(steady) > 1:
        return (f"{head} their {efficiency_figures(is_conversion(result))} are the least "
                "certain figures here.")
    figure = "cost per conversion" if is_conversion(result) else "return"
    return f"{head} its {figure} is the least certain figure here."


def settings_searched(result: dict) -> int:
    """How many settings the search evaluated (iterations x trials); the candidate models
    (``result["models"]``, the best trade-offs) are a few of them."""
    config = result.get("config", {})
    return config.get("iterations", 0) * config.get("trials", 0)


def quick_search_note(result: dict) -> str | None:
    """For a search of fewer than :data:`SMALL_SEARCH` settings (the quick preset's 300):
    its figures are a first look, in the analyst's words (the Results and Runs pages, the
    Presentation page's run bar, :func:`before_presenting`); None for a full search. The
    client's words: :func:`client_quick_search_note`."""
    searched = settings_searched(result)
    if searched >= SMALL_SEARCH:
        return None
    return (f"These figures come from a quick search ({searched} settings searched), a first "
            "look that can move a lot from one search to the next; a full search is needed "
            "before acting on them.")


def client_quick_search_note(result: dict) -> str | None:
    """:func:`quick_search_note` for the client (the Presentation page and the PDF):
    preliminary figures that will be firmed up, without the search's jargon; None for a full
    search."""
    if quick_search_note(result) is None:
        return None
    return ("Preliminary figures from a first look at the data: they can still change, and "
            "your analyst will firm them up before you act on them.")


def headlines(result: dict, model_id: str, currency: str) -> list[Headline]:
    """The four numbers a client asks for first."""
    spend, contribution = paid_totals(result, model_id)
    total = sum(result["actual"])
    conversion = is_conversion(result)
    return [
        Headline(f"Total {outcome(result)}", amount(result, total, currency),
                 f"over {fmt.weeks(result['window']['periods'])}"),  # the page names the period
        Headline("Media spend", fmt.money(spend, currency),
                 f"{len(result['spend_columns'])} paid channels"),
        Headline("Driven by media", amount(result, contribution, currency),
                 f"{fmt.percent(contribution / total if total else 0, currency)} of "
                 f"{outcome(result)}"),
        Headline(*media_efficiency(spend, contribution, conversion, currency),
                 efficiency_note(conversion, currency)),
    ]


def media_efficiency(spend: float, contribution: float, conversion: bool,
                     currency: str) -> tuple[str, str]:
    """Label and value of the media's efficiency: ROAS, or the cost per conversion (CPA)
    of a conversion model."""
    label = "Media CPA" if conversion else "Media ROAS"
    return label, fmt.efficiency(contribution / spend if spend else 0.0, conversion, currency)


def efficiency_note(conversion: bool, currency: str) -> str:
    """What the media's efficiency (:func:`media_efficiency`) divides, in the client's words:
    ``"spend per conversion driven by media"``, ``"revenue driven by media per krona
    spent"``."""
    if conversion:
        return "spend per conversion driven by media"
    return f"revenue driven by media per {per_unit_name(currency)} spent"


def overview_headlines(headline: dict, currency: str) -> list[list[str]]:
    """The client home's numbers of its latest model (``ClientOverview.headline``): media
    spend, what media drove, return per unit spent (cost per conversion for conversion
    models) and R², as label and value."""
    spend, contribution = headline["spend"], headline["contribution"]
    if headline["conversion"]:
        driven = ["Conversions from media", fmt.number_compact(contribution, currency)]
    else:
        driven = ["Media contribution", fmt.money_compact(contribution, currency)]
    efficiency = list(media_efficiency(spend, contribution, headline["conversion"], currency))
    return [["Media spend", fmt.money_compact(spend, currency)], driven, efficiency,
            ["Model fit (R²)", fmt.fit(headline["rsq"], currency)]]


def findings(result: dict, model_id: str, currency: str,
             scenarios: Sequence[dict] = ()) -> list[str]:
    """Three to six plain-language findings with their numbers, in ROAS or, for a conversion
    model, in cost per conversion; the saved ``scenarios`` (``{"name", "plan"}``) in the last
    one or two."""
    model = model_by_id(result, model_id)
    channels = {fmt.channel_name(k): v for k, v in model["channels"].items()}
    conversion = is_conversion(result)
    spend, contribution = paid_totals(result, model_id)
    total = sum(result["actual"])
    ranked = sorted(channels.items(), key=lambda kv: kv[1]["roas"], reverse=True)
    lowest = sorted(channels.items(), key=lambda kv: kv[1]["roas"])
    best = ranked[0]
    cut = _why_cut(model["channels"], best[0], scenarios[0], conversion,
                   currency) if scenarios else ""
    out = [
        f"Paid media drove {_with_outcome(amount(result, contribution, currency), conversion)} "
        f"({fmt.percent(contribution / total if total else 0, currency)} of the total) on "
        f"{fmt.money(spend, currency)} of spend: "
        f"{_per_unit(contribution / spend if spend else 0, conversion, currency)}.",
        _channel_finding(ranked, True, conversion, currency,
                         f" and {fmt.percent(best[1]['effect_share'], currency)} of the media "
                         f"effect{cut}"),
        _channel_finding(lowest, False, conversion, currency),
        _margin_finding(result, channels, currency),
    ]
    if scenarios:
        out.append(_plan_finding(scenarios[0], currency, result))
    if len(scenarios) > 1:
        out.append(_other_plans_finding(scenarios[1:], currency, result))
    return out


#: What one unit of each currency is called, for a return "per krona spent".
UNIT_NAMES = {"SEK": "krona", "NOK": "krone", "DKK": "krone", "EUR": "euro", "GBP": "pound",
              "USD": "dollar"}


def per_unit_name(currency: str) -> str:
    """What one unit of the client's money is called: ``"krona"`` (SEK), ``"dollar"``."""
    return UNIT_NAMES.get(fmt.style_for(currency).code, "unit")


def return_in_money(roas: float | None, currency: str) -> str:
    """A return per unit spent in the client's money: ``"1,19 kr"``, ``"$1.19"``."""
    return fmt.money(roas, currency, fmt.ROAS_DECIMALS)


def _why_cut(channels: Mapping[str, dict], best: str, scenario: dict, conversion: bool,
             currency: str) -> str:
    """For the best channel (by its average return) that the first saved plan spends less
    on: why, its next unit spent returning less than the channel with the best margin's
    (``"; the plan “Q1” spends less on it, as its next krona returns 0,62 kr against
    0,93 kr in Google"``); else nothing."""
    named = {fmt.channel_name(column): column for column in channels}
    planned = scenario["plan"]["channels"].get(named[best])
    top = max(named, key=lambda name: channels[named[name]]["mroas"])
    if planned is None or planned["optimized_spend"] >= planned["current_spend"] or top == best:
        return ""
    mine, theirs = channels[named[best]]["mroas"], channels[named[top]]["mroas"]
    return (f"; the plan \u201c{scenario['name']}\u201d spends less on it, as "
            f"{_next_unit_against(mine, theirs, top, conversion, currency)}")


def _next_unit_against(mine: float, theirs: float, top: str, conversion: bool,
                       currency: str) -> str:
    """A channel's next unit spent against the channel ``top``'s, each a marginal ROAS:
    ``"its next krona returns 0,62 kr against 0,93 kr in Google"``, or ``"its next
    conversion costs …"``."""
    if conversion:
        return (f"its next conversion costs {fmt.efficiency(mine, True, currency)} against "
                f"{fmt.efficiency(theirs, True, currency)} in {top}")
    return (f"its next {per_unit_name(currency)} returns {return_in_money(mine, currency)} "
            f"against {return_in_money(theirs, currency)} in {top}")


def _with_outcome(shown: str, conversion: bool) -> str:
    """An amount as shown with what it is: ``"1 234 567 kr of revenue"`` or ``"507
    conversions"``."""
    return f"{shown} conversions" if conversion else f"{shown} of revenue"


def _per_unit(roas: float, conversion: bool, currency: str) -> str:
    """A return per unit spent in words: ``"1,90 kr back for every krona spent"``, or the
    cost per conversion of a conversion model (``"12,50 kr per conversion"``)."""
    if conversion:
        return f"{fmt.efficiency(roas, True, currency)} per conversion"
    return (f"{return_in_money(roas, currency)} back for every {per_unit_name(currency)} "
            "spent")


def _channel_finding(ranked: Sequence[tuple[str, dict]], best: bool, conversion: bool,
                     currency: str, more: str = "") -> str:
    """The ``best`` (or lowest) channel's return, the first of the ``ranked`` (name, figures)
    pairs, with its budget share and ``more``; when its 90 % interval overlaps the next
    channel's (:func:`_overlapping`), said as the highest (lowest) estimate with a sentence
    that the data cannot tell the two apart for sure."""
    name, channel = ranked[0]
    other = _overlapping(ranked)
    figure = _channel_return(channel["roas"], best, conversion, currency, other is not None)
    head = (f"{name} {figure}, with {fmt.percent(channel['spend_share'], currency)} of the "
            f"budget{more}.")
    if other is None:
        return head
    better = "costs less per conversion" if conversion else "returns more"
    return (f"{head} The {fmt.interval_name(currency)}s of {name} and {other} overlap, so the "
            "data cannot say "
            f"for sure which of the two {better}.")


def _overlapping(ranked: Sequence[tuple[str, dict]]) -> str | None:
    """The name of the second of the ``ranked`` channels when its 90 % ROAS interval and the
    first's overlap; None when they do not, or either has none."""
    if len(ranked) < 2:
        return None
    (_, first), (name, second) = ranked[:2]
    a, b = first.get("roas_ci"), second.get("roas_ci")
    return name if a and b and a[0] <= b[1] and b[0] <= a[1] else None


def _channel_return(roas: float, best: bool, conversion: bool, currency: str,
                    estimated: bool = False) -> str:
    """The best (or worst) channel's figure: ``"gave the best return: 1,90 kr per krona
    spent"`` or, the lower the better, ``"had the lowest cost per conversion: 12,50 kr"``;
    an ``estimated`` one (its interval overlaps the next channel's) ``"gave the highest
    estimated return: …"``."""
    estimate = " estimated" if estimated else ""
    if not conversion:
        top = "highest" if estimated else "best"
        return (f"gave the {top if best else 'lowest'}{estimate} return: "
                f"{return_in_money(roas, currency)} per {per_unit_name(currency)} spent")
    if not roas:
        return "added no conversions the model can measure"
    return (f"had the {'lowest' if best else 'highest'}{estimate} cost per conversion: "
            f"{fmt.efficiency(roas, True, currency)}")


#: On what a finding's next unit counts: the channel table's marginal figure counts the
#: weeks after the spend too, unlike a plan's (:func:`marginal_basis_note`).
LATER_WEEKS = "counting what {it} brings in the weeks after"
#: On what a plan counts, unlike the channels' figures of the period (:func:`marginal_basis_note`,
#: :func:`plan_rank_note`).
PLAN_WEEK = "counts only the week of the spend"


def _margin_finding(result: dict, channels: Mapping[str, dict], currency: str) -> str:
    """Where the next unit spent does most: for a revenue model, whether it still pays back
    (a marginal ROAS above 1), said so that no loss reads as good news; for a conversion
    model, where the next conversion is cheapest, and that no target CPA is known to call it
    worth its cost. Each says it counts the weeks after the spend (:data:`LATER_WEEKS`), so
    it does not contradict the plan's figure of the spend's own week."""
    name = named_best(channels)["mroas"]
    mroas = channels[name]["mroas"]
    if is_conversion(result):
        return (f"At today's spend the next conversion costs least in {name}: about "
                f"{fmt.efficiency(mroas, True, currency)}, "
                f"{LATER_WEEKS.format(it='the spend')}. Whether extra spend pays depends on "
                "what a conversion is worth to you.")
    unit, later = per_unit_name(currency), LATER_WEEKS.format(it="it")
    if mroas > 1:
        return (f"{name} has the most room to grow: the next {unit} spent there is still "
                f"expected to return {return_in_money(mroas, currency)}, {later}.")
    return (f"At today's spend no channel's next {unit} pays for itself: it returns at most "
            f"{return_in_money(mroas, currency)}, in {name}, {later}. Moving budget between "
            "channels can raise the return of the same budget, but cannot make extra spend "
            "pay.")


def _plan_finding(scenario: dict, currency: str, result: dict) -> str:
    """``The plan "Q1 flat budget" spends … over 4 weeks. Same budget as today, …``"""
    plan = scenario["plan"]
    return (f"The plan \u201c{scenario['name']}\u201d spends "
            f"{fmt.money(plan['totals']['optimized_spend'], currency)} over "
            f"{fmt.weeks(plan['weeks'])}. {effect_sentences(plan, currency, result)}")


def effect_sentences(plan: dict, currency: str, result: dict | None = None) -> str:
    """:func:`effect_summary` as a sentence, and :func:`extra_budget_note` when it applies
    (the findings and the planner word a plan alike)."""
    effect = effect_summary(plan, currency, result)
    cost = extra_budget_note(plan, currency)
    return f"{effect[0].upper()}{effect[1:]}." + (f" {cost}" if cost else "")


def plan_sentences(plan: dict, currency: str, result: dict | None = None) -> str:
    """:func:`effect_sentences` and, given the run's ``result``, :func:`plan_rank_note` when
    it applies: a plan's words under its tiles in the planner and in its summary
    (Presentation and PDF)."""
    rank = plan_rank_note(plan, currency, result) if result else None
    return effect_sentences(plan, currency, result) + (f" {rank}" if rank else "")


def plan_rank_note(plan: dict, currency: str, result: dict) -> str | None:
    """Why a plan cuts what the channels' figures of the period rank high: a raised channel
    of lower ROAS (higher CPA) than a cut one (:func:`_rank_pair_note`), and each channel the
    findings name best that the plan cuts (:func:`_best_cut_notes`); None when there is
    neither."""
    channels = model_by_id(result, plan["model_id"])["channels"]
    pair = _rank_pair(plan, currency, channels)
    said = [_rank_pair_note(plan, currency, channels, *pair)] if pair else []
    said += _best_cut_notes(plan, currency, channels, pair[1] if pair else None)
    return " ".join(said) or None


def _rank_pair(plan: dict, currency: str, channels: Mapping[str, dict]
               ) -> tuple[str, str] | None:
    """The channel a plan raises of lowest and the one it cuts of highest return over the
    period, when the cut one's is higher; None when no such pair is moved by the plan's
    returns (a channel held at a limit is not, :func:`held_marks`)."""
    held = held_marks(plan, True)
    moved: dict[str, list[str]] = {"+": [], "-": []}
    for column, ch in plan["channels"].items():
        change = delta(amount_change(ch["current_spend"], ch["optimized_spend"], currency))
        if change and not held[column] and column in channels:
            moved[change[0]].append(column)
    if not moved["+"] or not moved["-"]:
        return None
    raised = min(moved["+"], key=lambda column: channels[column]["roas"])
    cut = max(moved["-"], key=lambda column: channels[column]["roas"])
    return (raised, cut) if channels[cut]["roas"] > channels[raised]["roas"] else None


def _rank_pair_note(plan: dict, currency: str, channels: Mapping[str, dict], raised: str,
                    cut: str) -> str:
    """Why the plan moves money to ``raised`` from ``cut`` (:func:`_rank_pair`): a plan
    :data:`PLAN_WEEK`, so more of the raised one's effect in that week, or else its next
    unit adding more there, outranks the period's average."""
    low, high = channels[raised]["roas"], channels[cut]["roas"]
    conversion = is_conversion_plan(plan)
    up, down = fmt.channel_name(raised), fmt.channel_name(cut)
    figure = ("cost per conversion over the period is lower" if conversion
              else "return over the period is higher")
    if channels[raised]["immediate_share"] > channels[cut]["immediate_share"]:
        why = f"more of {up}'s effect comes in that week"
    else:
        why = (f"in that week {down}'s next {per_unit_name(currency)} adds less than {up}'s "
               "at today's spend")
    if conversion:
        figures = (f"{fmt.efficiency(high, True, currency)} against "
                   f"{fmt.efficiency(low, True, currency)}")
    else:  # as the findings write a return: "1,79 kr per krona"
        figures = (f"{return_in_money(high, currency)} against "
                   f"{return_in_money(low, currency)} per {per_unit_name(currency)}")
    return (f"The plan moves money to {up} from {down} although {down}'s {figure} "
            f"({figures}): a plan {PLAN_WEEK}, and {why}.")


def named_best(channels: Mapping[str, dict]) -> dict[str, str]:
    """The channels the findings name best (:func:`findings`): by their return over the
    period (``"roas"``; for a conversion model the lowest CPA) and by their next unit spent
    (``"mroas"``, :func:`_margin_finding`), of those with the figure (none without spend)."""
    best = {}
    for key in ("roas", "mroas"):
        known = [column for column in channels if channels[column].get(key) is not None]
        if known:
            best[key] = max(known, key=lambda column: channels[column][key])
    return best


def _best_cut_notes(plan: dict, currency: str, channels: Mapping[str, dict],
                    said: str | None) -> list[str]:
    """Why the plan cuts a channel the findings name best (:func:`named_best`), to its lower
    limit too ("at Min" alone reads as if the limit cut it): a sentence a channel cut
    (:func:`_cut_by_plan`), none of ``said``, the cut one :func:`_rank_pair_note` explains.

    Of the channel whose next unit returns the most, counting the weeks after, the reason
    is the share of its effect that comes after the spend's week, which a plan does not
    count (:data:`PLAN_WEEK`); of another, that its next unit returns less than that
    channel's (:func:`_next_unit_against`)."""
    best = named_best(channels)
    notes = []
    for column in dict.fromkeys(best.values()):
        ch = plan["channels"].get(column)
        if column == said or ch is None or not _cut_by_plan(plan, ch, currency):
            continue
        claims = [key for key, named in best.items() if named == column]
        notes.append(_best_cut_note(plan, currency, channels, column, claims,
                                    best.get("mroas", column)))
    return notes


def _cut_by_plan(plan: dict, channel: dict, currency: str) -> bool:
    """Whether the plan cuts a channel by its returns: its spend reads lower, its share of
    the budget falls and its Max allowed today's spend."""
    now, new = channel["current_spend"], channel["optimized_spend"]
    if not (delta(amount_change(now, new, currency)) or "").startswith("-"):
        return False
    t = plan["totals"]
    return (new * t["current_spend"] < now * t["optimized_spend"]
            and channel.get("upper", now) >= now * (1 - HELD_TOLERANCE))


def _best_cut_note(plan: dict, currency: str, channels: Mapping[str, dict], column: str,
                   claims: Sequence[str], top: str) -> str:
    """``"Email is cut to its lower limit although its return over the period is the
    highest (1,79 kr per krona) and its next krona returns the most (0,97 kr): 84 % of its
    effect comes in the weeks after the spend, which a plan does not count."``"""
    conversion = is_conversion_plan(plan)
    name, figures = fmt.channel_name(column), channels[column]
    unit = per_unit_name(currency)
    if conversion:
        named = {"roas": "its cost per conversion over the period is the lowest "
                         f"({fmt.efficiency(figures['roas'], True, currency)})",
                 "mroas": "its next conversion costs the least "
                          f"({fmt.efficiency(figures['mroas'], True, currency)})"}
    else:
        named = {"roas": "its return over the period is the highest "
                         f"({return_in_money(figures['roas'], currency)} per {unit})",
                 "mroas": f"its next {unit} returns the most "
                          f"({return_in_money(figures['mroas'], currency)})"}
    limit = " to its lower limit" if held_at(plan["channels"][column]) == "Min" else ""
    if column == top:
        now = figures.get("immediate_share")
        later = "part" if now is None else fmt.percent(1 - now, currency)
        why = (f"{later} of its effect comes in the weeks after the spend, which a plan does "
               "not count")
    else:
        why = "at today's spend " + _next_unit_against(
            figures["mroas"], channels[top]["mroas"], fmt.channel_name(top), conversion,
            currency)
    return (f"{name} is cut{limit} although {' and '.join(named[key] for key in claims)}: "
            f"{why}.")


def budget_change(plan: dict, currency: str) -> str | None:
    """The plan's budget change as shown (:func:`amount_change`: ``"+43 %"``), None when the
    two budgets read alike."""
    t = plan["totals"]
    return delta(amount_change(t["current_spend"], t["optimized_spend"], currency))


def amount_change(now: float, new: float, currency: str, decimals: int = 0) -> str:
    """The change between two amounts (money, or counts) as they read, in whole units: none
    between two that read alike (a budget typed as today's is shown), ``"-100 %"`` to one
    that reads ``0``, else never ``"+0 %"`` nor ``"-100 %"`` (``"-99,9 %"``;
    :func:`kiri_core.formatting.percent`). With ``decimals`` 0, the one form of a spend's
    change wherever the planner, the presentation and the PDF show it."""
    change = relative_change(now, new)
    if change is not None and round(new) in (0, round(now)):
        change = 0.0 if round(new) == round(now) else -1.0
    return fmt.signed_percent(change, currency, decimals)


def extra_budget_note(plan: dict, currency: str) -> str | None:
    """For a revenue plan that raises the budget, when the extra budget spent with today's
    split is expected to add less revenue than it costs: ``"The extra 83 519 kr adds
    14 710 kr with today's split, less than it costs."``; else None. So a
    plan's "from spending more" never reads as advice to spend more at a loss. (A conversion
    plan's conversions are no money to set against the cost.)"""
    t = plan["totals"]
    same_mix = t.get("current_mix_response")
    extra = t["optimized_spend"] - t["current_spend"]
    if is_conversion_plan(plan) or same_mix is None or extra <= 0:
        return None
    if budget_change(plan, currency) is None:
        return None  # as effect_summary: a change that shows as +0 % is today's budget
    added = same_mix - t["current_response"]
    if added >= extra:
        return None
    return (f"The extra {fmt.money(extra, currency)} adds {fmt.money(added, currency)} "
            "with today's split, less than it costs.")


def _other_plans_finding(scenarios: Sequence[dict], currency: str, result: dict) -> str:
    """The other saved plans in one sentence: each one's budget and expected change."""
    listed = [_plan_in_brief(s, currency, result) for s in scenarios]
    joined = listed[0] if len(listed) == 1 else f"{', '.join(listed[:-1])} and {listed[-1]}"
    return f"Also saved: {joined}."


def _plan_in_brief(scenario: dict, currency: str, result: dict) -> str:
    """``"Q1 +20%" (1 113 593 kr over 4 weeks: revenue from media +12,3 %, about +1,5 % of
    total revenue)``, and ``"; the extra spend brings in less than it costs"`` when it does
    (:func:`extra_budget_note`)."""
    plan = scenario["plan"]
    t = plan["totals"]
    share = share_of_total(plan, currency, result)
    loss = extra_budget_note(plan, currency) is not None
    return (f"\u201c{scenario['name']}\u201d ({fmt.money(t['optimized_spend'], currency)} over "
            f"{fmt.weeks(plan['weeks'])}: {media_change(plan, currency)}"
            f"{f', {share}' if share else ''}"
            f"{'; the extra spend brings in less than it costs' if loss else ''})")


def interval_meaning(conversion: bool, currency: str = "SEK") -> str:
    """What a ROAS (CPA) interval is, in one sentence for the client (app and PDF)."""
    return (f"the {fmt.interval_name(currency)} is where the {measure_name(conversion)} of the "
            "models that fit "
            "the data about as well lie; it shows how sure the data is, and the true "
            f"{measure_name(conversion)} can still lie outside it")


def channel_meanings(conversion: bool, currency: str = "SEK") -> dict[str, str]:
    """What the channel table's return columns mean, by heading (the app's help texts)."""
    interval_help = {fmt.interval_name(currency): interval_meaning(conversion, currency)}
    if conversion:
        return {"CPA": "the cost per conversion over the period",
                "Marginal CPA": "the cost of the next conversion at today's spend",
                **interval_help}
    return {"ROAS": "the return per unit spent over the period",
            "Marginal ROAS": "the return of the next unit spent at today's spend",
            **interval_help}


def channel_table_note(result: dict, currency: str = "SEK") -> str:
    """The note above the PDF's channel table: what its columns mean, and why a budget plan
    can rank the channels otherwise (:func:`marginal_basis_note`)."""
    measure = measure_name(is_conversion(result))
    meanings = channel_meanings(is_conversion(result), currency)
    return (f"Spend and modelled {outcome(result)} per paid channel over the period. "
            f"{measure} is {meanings[measure]}; marginal {measure} is "
            f"{meanings[f'Marginal {measure}']}; {meanings[fmt.interval_name(currency)]}. "
            f"{marginal_basis_note(is_conversion(result))}")


def marginal_basis_note(conversion: bool) -> str:
    """Why the channel table's marginal ROAS (CPA) and a budget plan's return on extra spend
    (cost of the next conversion) can rank the channels in opposite order: the table's
    counts what the next unit brings in the weeks after its spend too (the window's spend
    scaled, :func:`kiri_core.engine.decompose.marginal_roas`), a plan's only its own week
    (Robyn's allocator, :mod:`kiri_core.engine.allocator`)."""
    return (f"Marginal {measure_name(conversion)} also counts what the next unit brings in "
            f"the weeks after its spend; a budget plan's "
            f"{in_sentence(plan_marginal_measure(conversion))} {PLAN_WEEK}, so a channel "
            "whose effect comes later ranks lower in a plan.")


def curves_caption(result: dict, plan_name: str | None) -> str:
    """The caption of the client's response curves (Presentation and PDF), what a week's
    spend adds as the plans count it, naming the plan whose spend they mark."""
    return (f"{outcome(result).capitalize()} a week's spend is expected to add in that week, "
            "at each weekly spend level (what earlier spend still brings in is not counted). "
            "Filled dots: today's average spend"
            + (f"; open diamonds: the spend of the plan \u201c{plan_name}\u201d, at its "
               "expected weekly effect." if plan_name else "."))


def analyst_curves_text(result: dict, plan_name: str | None) -> tuple[str, str]:
    """Title and caption of the Results page's response curves, which count the carry-over
    of earlier weeks (so they start above zero and read higher than the client's curves of
    :func:`curves_caption` at the same spend); ``plan_name``: the saved plan whose spend is
    marked (None: none is marked)."""
    kind = outcome(result)
    return (f"Weekly {kind} per channel, carry-over included",
            f"The weekly {kind} at each weekly spend level, including what earlier weeks' "
            "spend still brings in, so a curve starts above zero (triangles). The "
            "Presentation and the PDF show only what the week's spend adds, from zero, so "
            "they read lower at the same spend. Filled dots: mean weekly spend in the data"
            + (f"; diamonds: the weekly spend of the saved plan \u201c{plan_name}\u201d "
               "(unsaved tries in the planner are not marked)." if plan_name else "."))


#: Title and caption of the model's charts, by their builder in :mod:`kiri_core.charts`
#: ({outcome}: revenue or conversions): the same words in the app and the PDF.
CHART_TEXT = {
    "waterfall": ("What made up the {outcome}",
                  "Each source's total over the period and its share of the modelled result."),
    "decomposition_over_time": (
        "Contribution over time",
        "The modelled weekly result stacked by source: the baseline (the sales level and its "
        "trend), season and context first, then each paid channel."),
    "actual_vs_predicted": ("Actual versus modelled",
                            "How closely the model follows the observed weekly result."),
    "fitted_vs_residual": ("Fitted versus residual",
                           "Errors should scatter evenly around zero without a pattern."),
    "spend_vs_effect": ("Share of spend versus share of effect",
                        "A channel whose share of effect exceeds its share of spend earns more "
                        "than its budget share."),
    "adstock_decay": ("How long the effect lasts",
                      "Share of a week's media effect still working in the weeks after the "
                      "spend."),
    "immediate_vs_carryover": ("Effect in the week of the spend and after",
                               "Each channel's effect split into the week the money is spent "
                               "and the weeks after it."),
}


def chart_text(result: dict, chart: str, model_id: str | None = None,
               currency: str = "SEK") -> tuple[str, str]:
    """Title and caption of the chart built by ``charts.<chart>`` for the model ``model_id``
    (default: the recommended one); the app and the PDF show the same. The intervals chart's
    follow the model's outcome, the residuals' caption says what a trend in them means
    (:func:`residual_caption`)."""
    if chart == "roas_intervals":
        return intervals_chart_text(result, currency)
    title, caption = CHART_TEXT[chart]
    if chart == "fitted_vs_residual":
        caption = residual_caption(result, model_id or result["model_id"]) or caption
    return title.format(outcome=outcome(result)), caption


#: A correlation of the weekly errors with the modelled values beyond this (either way) is a
#: trend worth saying: with two years of weeks it is far from chance, and plain on the chart.
RESIDUAL_TREND = 0.3


def residual_trend(actual: Sequence[float], fitted: Sequence[float]) -> float:
    """The correlation of the weekly errors (actual minus modelled) with the modelled values:
    about 0 when they scatter without a trend; positive when the model flattens peaks and
    troughs (high weeks modelled too low, low weeks too high), negative when it exaggerates
    them; 0 when either does not vary."""
    errors = [a - f for a, f in zip(actual, fitted, strict=True)]
    if len(set(errors)) < 2 or len(set(fitted)) < 2:
        return 0.0
    return statistics.correlation(fitted, errors)


def residual_caption(result: dict, model_id: str) -> str | None:
    """What a :func:`residual_trend` beyond :data:`RESIDUAL_TREND` means, in plain words, as
    the residual chart's caption; None when the errors show no such trend."""
    trend = residual_trend(result["actual"], model_by_id(result, model_id)["fitted"])
    if abs(trend) < RESIDUAL_TREND:
        return None
    if trend > 0:
        return ("The errors rise from left to right: the model flattens peaks and troughs, so "
                "high weeks come out lower than they were and low weeks higher. Its weekly "
                "figures swing less than the weeks really did.")
    return ("The errors fall from left to right: the model exaggerates peaks and troughs, so "
            "high weeks come out higher than they were and low weeks lower. Its weekly "
            "figures swing more than the weeks really did.")


def intervals_chart_text(result: dict, currency: str = "SEK") -> tuple[str, str]:
    """Title and caption of :func:`kiri_core.charts.roas_intervals`: ROAS and break-even, or
    a conversion model's cost per conversion."""
    bars = f"bars: the {fmt.interval_name(currency)}"
    if is_conversion(result):
        return ("CPA and its uncertainty",
                f"Dots: estimated cost per conversion; {bars}, to the chart's edge where it "
                "has no upper bound.")
    return ("ROAS and its uncertainty",
            f"Dots: estimated ROAS; {bars}; the dashed line marks break-even.")


def channel_columns(result: dict, currency: str = "SEK") -> tuple[str, ...]:
    """Headers of :func:`channel_rows`: ROAS for revenue models, CPA for conversion models;
    the interval's percent as the client writes it."""
    measure = measure_name(is_conversion(result))
    return ("Channel", "Spend", "Spend share", "Contribution", "Effect share", measure,
            f"Marginal {measure}", fmt.interval_name(currency))


def channel_rows(result: dict, model_id: str, currency: str) -> list[list[str]]:
    """The channel performance table, one formatted row per paid channel; a conversion
    model's return is shown as its cost per conversion."""
    channels = model_by_id(result, model_id)["channels"]
    conversion = is_conversion(result)
    rows = []
    for column in result["spend_columns"]:
        ch = channels[column]
        rows.append([
            fmt.channel_name(column), fmt.money(ch["spend"], currency),
            fmt.percent(ch["spend_share"], currency, 1),
            amount(result, ch["contribution"], currency),
            fmt.percent(ch["effect_share"], currency, 1),
            fmt.efficiency(ch["roas"], conversion, currency),
            fmt.efficiency(ch["mroas"], conversion, currency),
            interval(ch.get("roas_ci"), conversion, currency),
        ])
    return rows


def interval(roas_ci: Sequence[float] | None, conversion: bool, currency: str) -> str:
    """A ROAS interval as shown (``"1,20 – 2,40"``); for a conversion model the CPA interval,
    its bounds inverted (the highest ROAS is the lowest CPA), and open above (``"250,00 kr
    or more"``) when the lowest ROAS is 0."""
    if not roas_ci:
        return "–"
    low, high = roas_ci
    if not conversion:
        return f"{fmt.roas(low, currency)} – {fmt.roas(high, currency)}"
    cheapest = fmt.efficiency(high, True, currency)
    return f"{cheapest} – {fmt.efficiency(low, True, currency)}" if low else f"{cheapest} or more"


# The fit measures of a model: key in its metrics, label, what it means ({outcome}: revenue
# or conversions).
FIT_METRICS = (
    ("rsq", "R²", "Share of the weekly variation in {outcome} the model explains (higher is "
                  "better)."),
    ("nrmse", "NRMSE", "Typical prediction error relative to the range of the data (lower is "
                       "better)."),
    ("decomp_rssd", "DECOMP.RSSD", "Distance between spend shares and effect shares (lower is "
                                   "more plausible)."),
)


def fit_metrics(result: dict, model_id: str, currency: str) -> list[list[str]]:
    """The model's fit measures as rows of label, value and meaning."""
    metrics = model_by_id(result, model_id)["metrics"]
    return [[label, fmt.fit(metrics[key], currency), meaning.format(outcome=outcome(result))]
            for key, label, meaning in FIT_METRICS]


def fit_comparison_rows(baseline: dict, compared: dict, currency: str) -> list[list[str]]:
    """The fit of two runs' headline models (recommended, or chosen and put in place by
    :func:`kiri_core.results.showing`): measure, baseline, compared, difference."""
    return [_compared(label, baseline["metrics"][key], compared["metrics"][key],
                      lambda v: fmt.fit(v, currency))
            for key, label, _ in FIT_METRICS]


def comparison_measures(result: dict) -> tuple[tuple[str, str], ...]:
    """The channel measures two runs are compared by, key and title: ROAS and contribution,
    or for conversion models CPA and conversions."""
    if is_conversion(result):
        return ("cpa", "Cost per conversion (CPA)"), ("contribution", "Conversions")
    return ("roas", "Return on ad spend (ROAS)"), ("contribution", "Contribution")


def kinds_differ(baseline: dict, compared: dict) -> str | None:
    """Why two runs' channel figures cannot be set side by side: one models revenue, the
    other conversions; None when both model the same."""
    if is_conversion(baseline) == is_conversion(compared):
        return None
    return (f"One run models {outcome(baseline)} and the other {outcome(compared)}, so their "
            "channel figures (ROAS against cost per conversion, money against counts) are not "
            "compared; pick two runs of the same kind.")


def data_differ(runs: Mapping[str, tuple[str, dict]], currency: str) -> str | None:
    """Why two runs' differences are not the models' alone (markdown): the runs (name ->
    the dataset they were fitted on, in words, and their result) used different datasets or
    versions, modelling windows or paid channels; each run's dataset and window (dates the
    client's way) and the channels only one of them has. None when both used the same data."""
    if not (differ := data_differences(runs)):
        return None
    (first, (first_data, a)), (second, (second_data, b)) = runs.items()
    channels = [list(channels_by_name(r)) for r in (a, b)]
    lines = [f"{first} and {second} were fitted on different data ({fmt.joined(differ)}), so "
             "the differences below mix changes in the data with changes in the model."]
    for name, dataset, result in ((first, first_data, a), (second, second_data, b)):
        window = result["window"]
        lines.append(f"- {name}: {fmt.weeks_period(window['start'], window['end'], currency)} "
                     f"({fmt.weeks(window['periods'])}), "
                     f"{fmt.counted(len(result['spend_columns']), 'paid channel')}, {dataset}")
    for name, own, other in ((first, *channels), (second, *channels[::-1])):
        if only := [channel for channel in own if channel not in other]:
            lines.append(f"- Only in {name}: {fmt.joined(only)}")
    return "\n".join(lines)


def data_differences(runs: Mapping[str, tuple[str, dict]]) -> list[str]:
    """What of their data two runs (as :func:`data_differ` takes them) differ in:
    ``"dataset"``, ``"modelling window"``, ``"paid channels"``; empty when nothing."""
    (_, (first_data, a)), (_, (second_data, b)) = runs.items()
    windows = [(r["window"]["start"], r["window"]["end"]) for r in (a, b)]
    channels = [set(channels_by_name(r)) for r in (a, b)]
    return [what for what, same in (("dataset", first_data == second_data),
                                    ("modelling window", windows[0] == windows[1]),
                                    ("paid channels", channels[0] == channels[1]))
            if not same]


def channel_comparison_rows(baseline: dict, compared: dict, measure: str,
                            currency: str) -> list[list[str]]:
    """One row per paid channel of either run (the baseline's order first), matched by the
    channel's shown name: the headline models' ``measure`` (``"roas"``, ``"cpa"`` or
    ``"contribution"``) in both runs and the difference (compared minus baseline); a dash
    where a run lacks the channel."""
    def show(value: float | None) -> str:
        return fmt.measure_value(value, measure, is_conversion(baseline), currency)

    first, second = _by_channel_name(baseline, measure), _by_channel_name(compared, measure)
    return [_compared(name, first.get(name), second.get(name), show)
            for name in dict.fromkeys([*first, *second])]


def channels_by_name(result: dict) -> dict[str, dict]:
    """A run's paid channels under the name shown for each, so ``spend_email`` in one run
    and ``Email`` in another are one channel, as in the comparison chart."""
    return {fmt.channel_name(column): result["channels"][column]
            for column in result["spend_columns"]}


def _by_channel_name(result: dict, measure: str) -> dict[str, float]:
    """A run's ``measure`` per paid channel under its shown name (:func:`channels_by_name`)."""
    return {name: channel[measure] for name, channel in channels_by_name(result).items()}


def _compared(label: str, baseline: float | None, compared: float | None,
              show: Callable[[float | None], str]) -> list[str]:
    difference = None if baseline is None or compared is None else compared - baseline
    sign = "+" if difference is not None and difference > 0 else ""
    return [label, show(baseline), show(compared), sign + show(difference)]


PLANNED = "Planned"  # the plan table's column of planned spend


def plan_columns(plan: dict) -> list[str]:
    """Headers of :func:`plan_rows`: the spend planned (:data:`PLANNED`, not "recommended": a
    plan may lose money), what the plan adds, named as the planner's tile names it ("Revenue
    added"), and its two returns (costs, for conversion models) named by
    :func:`plan_measure` and :func:`plan_marginal_measure`."""
    return ["Channel", "Current spend", PLANNED, "Change",
            f"{plan_outcome(plan).capitalize()} added", plan_measure(plan),
            plan_marginal_measure(is_conversion_plan(plan))]


def plan_measure(plan: dict) -> str:
    """What a plan's return is called: ``"Return on the planned spend"`` or ``"Cost per
    added conversion"``.

    Not the channels' ROAS (CPA) of the period: a plan counts only what its own spend adds
    (see :func:`plan_note`).
    """
    return incremental_measure(is_conversion_plan(plan))


def incremental_measure(conversion: bool) -> str:
    """The one name of what a spend returns per unit, counting only what it adds (the planner,
    the Presentation page and the PDF): ``"Cost per added conversion"`` for conversion models,
    else ``"Return on the planned spend"``."""
    return "Cost per added conversion" if conversion else "Return on the planned spend"


def incremental_help(conversion: bool, period: tuple[str, str] | None = None) -> str:
    """The planner's help on :func:`incremental_measure`: what it counts, and the period's
    figure that Home and the Presentation show (``period``, :func:`period_efficiency`)."""
    head = f"{incremental_measure(conversion)} {PLAN_WEEK}."
    if period is None:
        return head
    label, value = period
    return (f"{head} The period's {label} on Home and the Presentation ({value}) also counts "
            "what the spend brings in the weeks after.")


def period_efficiency(result: dict, model_id: str, currency: str) -> tuple[str, str]:
    """:func:`media_efficiency` of the model ``model_id`` over the modelled period."""
    return media_efficiency(*paid_totals(result, model_id), is_conversion(result), currency)


def plan_marginal_measure(conversion: bool) -> str:
    """The plan table's marginal figure, ``"Return on extra spend"`` (``"Cost of the next
    conversion"``): what a little more spend at the plan's would return (cost)."""
    return "Cost of the next conversion" if conversion else "Return on extra spend"


def in_sentence(label: str) -> str:
    """A label inside a sentence: ``"Return on extra spend"`` -> ``"return on extra
    spend"``."""
    return label[:1].lower() + label[1:]


def plan_note(plan: dict, moved: bool = False) -> str:
    """The plan table's one explanation of both its figures, the same under the table in the
    app and the PDF: what they are and why they read below the channels' ROAS (above their
    CPA); and what "at Max" ("at Min") in its Change column means when a channel is marked
    so (:func:`held_at`, ``moved`` as :func:`plan_rows` takes it)."""
    conversion = is_conversion_plan(plan)
    marginal = "what one more would cost" if conversion else "the same for a little more"
    note = incremental_note(conversion, "a channel's planned spend",
                            f"in the plan's {fmt.weeks(plan['weeks'])}",
                            f"{plan_marginal_measure(conversion)} is {marginal}")
    held = _held_note(plan, moved)
    return f"{note} {held}" if held else note


def _held_note(plan: dict, moved: bool) -> str | None:
    """What "at Max" ("at Min") in a plan table's Change column means, when a channel is
    marked so (:func:`held_at`); None when none is."""
    limits = sorted(set(held_marks(plan, moved).values()) - {None})  # Max, Min
    if not limits:
        return None
    tags = " or ".join(f"\u201cat {limit}\u201d" for limit in limits)
    ends = " or the ".join({"Max": "most", "Min": "least"}[limit] for limit in limits)
    return (f"Marked {tags}: the channel spends the {ends} its limits allow, so a limit, not "
            "its returns, sets its change.")


def plans_note(scenarios: Sequence[dict]) -> str:
    """:func:`plan_note` for saved plans compared side by side (their totals, no marginal)."""
    return incremental_note(is_conversion_plan(scenarios[0]["plan"]), "each plan's spend",
                            "in its weeks")


def what_if_note(conversion: bool) -> str:
    """:func:`plan_note` for the planner's what-if, a weekly spend on a revenue or a
    conversion model."""
    return incremental_note(conversion, "this weekly spend", "each week")


def incremental_note(conversion: bool, spend: str, within: str,
                     marginal: str | None = None) -> str:
    """What :func:`incremental_measure` is: what ``spend`` adds ``within`` its time per unit
    spent (and ``marginal``, a sentence on the figure of a little more spend); and why it
    reads below a channel's ROAS (above its CPA), which counts what earlier spend still
    brings in and the spend's own carry-over too: a plan counts each week's spend in that
    week only, on top of today's carry-over (:mod:`kiri_core.engine.allocator`)."""
    if conversion:
        meaning = f"{spend} divided by the conversions it adds {within}"
        side, measure = "above", "CPA"
    else:
        meaning = f"the revenue {spend} adds {within}, divided by that spend"
        side, measure = "below", "ROAS"
    head = f"{incremental_measure(conversion)} is {meaning}"
    left_out = ("what earlier spend still brings in and what the spend itself brings in after "
                "the week it is spent")
    below = (f"{side} a channel's {measure}, most for a channel whose effect comes mostly in "
             "the weeks after the spend.")
    if marginal is None:
        return f"{head}; it leaves out {left_out}, so it usually reads {below}"
    return (f"{head}; {in_sentence(marginal)}. Both leave out {left_out}, so they usually read "
            f"{below}")


def effect_summary(plan: dict, currency: str, result: dict | None = None) -> str:
    """Where a plan's expected change comes from: a budget change apart from the
    reallocation (``"budget +43 % on today's 1 370 678 kr: revenue from media +20,1 % (…),
    that is +146 000 kr, about +2,3 % of total revenue"``), or the reallocation alone.

    The percentage is of what media adds, so it is said as such, with the amount and, given
    the run's ``result``, that amount's share of the client's whole outcome
    (:func:`horizon_total`): tripling a budget can double what media adds while total
    revenue rises a tenth."""
    t = plan["totals"]
    budget = budget_change(plan, currency)
    head = ("same budget as today, reallocated" if budget is None else
            f"budget {budget} on today's {fmt.money(t['current_spend'], currency)}")
    same_mix = t.get("current_mix_response")
    split = ""
    if budget is not None and same_mix is not None:  # plans saved before it lack the split
        more = "more" if t["optimized_spend"] > t["current_spend"] else "less"
        now = t["current_response"]
        from_budget = fmt.signed_percent(relative_change(now, same_mix), currency)
        from_mix = fmt.signed_percent(
            (t["optimized_response"] - same_mix) / now if now else None, currency)
        split = (f" ({from_budget} from spending {more} with today's split, {from_mix} from "
                 "reallocating)")
    added = signed(plan_effect(plan, t["optimized_response"] - t["current_response"], currency))
    share = share_of_total(plan, currency, result)
    return (f"{head}: {media_change(plan, currency)}{split}, that is {added}"
            + (f", {share}" if share else ""))


def media_change(plan: dict, currency: str) -> str:
    """The plan's change in what media adds, said as such: ``"revenue from media +91,1 %"``
    (not "expected revenue": the client's whole revenue changes far less)."""
    change = fmt.signed_percent(plan["totals"]["uplift"], currency)
    return f"{plan_outcome(plan)} from media {change}"


def share_of_total(plan: dict, currency: str, result: dict | None) -> str | None:
    """What the plan adds against today as a share of the client's whole revenue
    (conversions) over its weeks: ``"about +10,2 % of total revenue"``; None without the
    run's ``result`` or its actuals."""
    total = horizon_total(result, plan["weeks"]) if result is not None else None
    if not total:
        return None
    t = plan["totals"]
    share = (t["optimized_response"] - t["current_response"]) / total
    return f"about {fmt.signed_percent(share, currency)} of total {plan_outcome(plan)}"


def horizon_total(result: dict, weeks: int) -> float | None:
    """The client's whole revenue (conversions) over ``weeks``, media's share and the rest:
    the modelled window's mean weekly actual times ``weeks``, what goes with today's spend.
    None without actuals."""
    actual = result.get("actual") or []
    return sum(actual) / len(actual) * weeks if actual else None


def signed(shown: str) -> str:
    """An amount as shown with its sign: ``"+664 233 kr"``, ``"-12 kr"``, ``"0 kr"``."""
    return delta(shown) or shown


def delta(text: str) -> str | None:
    """A formatted change with its sign (``"+12 kr"``, ``"-0,27"``); None when it shows as
    zero, so no arrow points anywhere for nothing."""
    if not re.search(r"[1-9]", text):
        return None
    return text if text.startswith("-") else f"+{text.removeprefix('+')}"


def relative_change(now: float, new: float) -> float | None:
    return new / now - 1 if now else None


def plan_outcome(plan: dict) -> str:
    return "conversions" if is_conversion_plan(plan) else "revenue"


def plan_effect(plan: dict, value: float, currency: str) -> str:
    """What a plan adds: conversions as a count, revenue as money."""
    return fmt.number(value, currency) if is_conversion_plan(plan) else fmt.money(value, currency)


def plan_efficiency(plan: dict, roas: float | None, currency: str) -> str:
    """Efficiency: CPA (money per conversion) for conversion plans, else ROAS."""
    return fmt.efficiency(roas, is_conversion_plan(plan), currency)


def planned_efficiency(plan: dict, spend: float, roas: float | None, currency: str) -> str:
    """A plan row's return (cost) at its planned ``spend``, as :func:`plan_efficiency`: an en
    dash when that spend shows as 0, where it means nothing whatever the plan holds (the
    ratio of two near-zeros, ``0,00`` or none; the curve's slope at its foot, 0 or huge)."""
    return plan_efficiency(plan, roas if round(spend) > 0 else None, currency)


def plan_rows(plan: dict, currency: str, moved: bool = False) -> list[list[str]]:
    """A saved scenario's table: current versus planned spend per channel, then totals; no
    return (cost) on a planned spend of 0 (:func:`planned_efficiency`). A channel held at a
    limit is marked "at Max" ("at Min"), at one that moved with the budget only when
    ``moved`` (the planner's table, which shows the limits applied; the client's does not,
    where "at Max" after +978 % would read against the limits typed)."""
    rows, marks = [], held_marks(plan, moved)
    for column, ch in plan["channels"].items():
        held = marks[column]
        rows.append([
            fmt.channel_name(column) + (" (locked)" if ch.get("locked") else ""),
            fmt.money(ch["current_spend"], currency), fmt.money(ch["optimized_spend"], currency),
            amount_change(ch["current_spend"], ch["optimized_spend"], currency)
            + (f" at\u00a0{held}" if held else ""),  # "at Max" kept on one line
            plan_effect(plan, ch["optimized_response"], currency),
            planned_efficiency(plan, ch["optimized_spend"], ch["optimized_roas"], currency),
            planned_efficiency(plan, ch["optimized_spend"], ch["optimized_mroas"], currency),
        ])
    t = plan["totals"]
    rows.append([
        "Total", fmt.money(t["current_spend"], currency), fmt.money(t["optimized_spend"], currency),
        amount_change(t["current_spend"], t["optimized_spend"], currency),
        plan_effect(plan, t["optimized_response"], currency),
        planned_efficiency(plan, t["optimized_spend"], t["optimized_roas"], currency), "",
    ])
    return rows


#: How close to a limit a plan's spend counts as held there (the optimiser's rounding).
HELD_TOLERANCE = 1e-6


def held_at(channel: dict, shown: bool = True) -> str | None:
    """``"Min"`` or ``"Max"`` when a plan's channel spends its lower (upper) limit, which
    then, not its returns, sets its spend; None between them, for a locked channel (its name
    says so), a plan without limits or limits not ``shown`` (see :func:`plan_rows`)."""
    lower, upper = channel.get("lower"), channel.get("upper")
    if not shown or channel.get("locked") or lower is None or upper is None:
        return None
    spend = channel["optimized_spend"]
    if spend <= lower * (1 + HELD_TOLERANCE):
        return "Min"
    return "Max" if spend >= upper * (1 - HELD_TOLERANCE) else None


def held_marks(plan: dict, moved: bool) -> dict[str, str | None]:
    """Per channel of ``plan``, :func:`held_at`; at limits that moved with the plan's budget
    (:func:`moved_limits`) only when ``moved``."""
    scaled = moved_limits(plan)
    return {column: held_at(ch, moved or column not in scaled)
            for column, ch in plan["channels"].items()}


def moved_limits(plan: dict) -> set[str]:
    """The channels of ``plan`` whose Min and Max moved with its budget (its ``bounds_scaled``
    note): they applied to today's mix scaled to it, not as their boxes show them."""
    return {column for note in plan.get("notes", []) if note["code"] == "bounds_scaled"
            for column in note["channels"]}


def plan_summary(plan: dict, currency: str, result: dict | None = None) -> str:
    """What a plan spends, to what end, and what it is expected to bring against today
    (``result``, the run's, gives that as a share of the client's whole outcome), worded as
    the planner words it (:func:`effect_sentences`): an extra budget that brings in less
    than it costs is said so."""
    t = plan["totals"]
    added = plan_effect(plan, t["optimized_response"], currency)
    return (f"{fmt.money(t['optimized_spend'], currency)} over {fmt.weeks(plan['weeks'])}, "
            f"allocated to {plan_goal(plan, currency)}. Media is expected to add "
            f"{_with_outcome(added, is_conversion_plan(plan))}, against "
            f"{plan_effect(plan, t['current_response'], currency)} with today's spend. "
            f"{plan_sentences(plan, currency, result)}")


def maximise_goal(conversion: bool) -> str:
    """The planner's maximise goal in words: ``"maximise the expected return"``, or ``"...
    conversions"`` on a conversion model."""
    return f"maximise the expected {'conversions' if conversion else 'return'}"


def plan_goal(plan: dict, currency: str) -> str:
    """``"maximise the expected return"`` (``"... conversions"``) or ``"reach a return on the
    planned spend of 3,00"`` (a cost per added conversion in money)."""
    if plan["scenario"] == "max_response":
        return maximise_goal(is_conversion_plan(plan))
    target = (fmt.money(plan.get("target_cpa"), currency, 2) if is_conversion_plan(plan)
              else fmt.roas(plan.get("target_roas"), currency))
    return f"reach a {in_sentence(plan_measure(plan))} of {target}"


NET_HEADING = "Net vs today"


def scenario_columns(scenarios: Sequence[dict]) -> list[str]:
    """Headers of :func:`scenario_rows`, in the plans' outcome and efficiency; revenue plans
    also get :data:`NET_HEADING` (:func:`net_change`)."""
    plan = scenarios[0]["plan"]
    outcome = plan_outcome(plan)
    net = [] if is_conversion_plan(plan) else [NET_HEADING]
    return ["Plan", "Weeks", "Budget", "Budget vs today", f"{outcome.capitalize()} added by media",
            "Added vs today", *net, plan_measure(plan)]


def scenario_rows(scenarios: Sequence[dict], currency: str) -> list[list[str]]:
    """The saved plans side by side: one row per plan, its totals against today."""
    rows = []
    for scenario in scenarios:
        plan, t = scenario["plan"], scenario["plan"]["totals"]
        net = [] if is_conversion_plan(plan) else [net_change(plan, currency)]
        rows.append([
            scenario["name"], str(plan["weeks"]), fmt.money(t["optimized_spend"], currency),
            amount_change(t["current_spend"], t["optimized_spend"], currency),
            plan_effect(plan, t["optimized_response"], currency),
            fmt.signed_percent(t["uplift"], currency), *net,
            plan_efficiency(plan, t["optimized_roas"], currency),
        ])
    return rows


def net_change(plan: dict, currency: str) -> str:
    """What a revenue plan adds beyond today's revenue from media minus what it spends beyond
    today's spend, over its weeks: ``"+18 901 kr"``, or ``"-3 402 798 kr"`` when its extra
    spend costs more than it brings in."""
    t = plan["totals"]
    added = t["optimized_response"] - t["current_response"]
    extra = t["optimized_spend"] - t["current_spend"]
    return signed(fmt.money(added - extra, currency))


def net_note(scenarios: Sequence[dict]) -> str:
    """What :data:`NET_HEADING` means, for revenue plans compared; none for conversions."""
    if is_conversion_plan(scenarios[0]["plan"]):
        return ""
    return (f"{NET_HEADING}: revenue added beyond today's less the spend beyond today's (below "
            "zero, the extra spend costs more than it brings in).")


def plans_elsewhere_note(counts: Mapping[str, int], analyst: bool) -> str:
    """Where the run's budget plans are when the model shown has none (``counts``: plans per
    other model): ``"2 budget plans were made on model 1_23_4; none on this model. …"``,
    then what the reader (an ``analyst`` or a viewer) can do about it."""
    (model_id, n), *others = counts.items()
    made = [f"{n} budget plan{'' if n == 1 else 's'} {'was' if n == 1 else 'were'} made on "
            f"model {model_id}", *(f"{k} on model {m}" for m, k in others)]
    listed = made[0] if len(made) == 1 else f"{', '.join(made[:-1])} and {made[-1]}"
    that = "that model" if len(made) == 1 else "one of those models"
    then = (f"Open the Budget planner to make one, or choose {that} on the Results page to "
            "present its plans." if analyst else
            f"An analyst can make one in the Budget planner, or choose {that} on the Results "
            "page.")
    return f"{listed}; none on this model. {then}"


def other_model_note(plan_model: str, shown_model: str) -> str:
    """A saved plan made on another model than the one shown: where it is presented."""
    return (f"Made on model {plan_model}, not on model {shown_model} shown here. It is in the "
            f"Presentation and the PDF while model {plan_model} is the client's model (chosen "
            "on the Results page).")


def quality_rows(result: dict, model_id: str, currency: str) -> list[list[str]]:
    """Fit and validation figures with what each one means."""
    metrics = model_by_id(result, model_id)["metrics"]
    rows = fit_metrics(result, model_id, currency)
    if metrics.get("mape_lift") is not None:
        rows.append(["MAPE vs lift tests", fmt.percent(metrics["mape_lift"], currency, 1),
                     "Error against the experiments used for calibration."])
    rows.append(["Candidate models", str(len(result["models"])),
                 f"Best trade-offs of fit and plausibility ({pareto_fronts(result)}) of the "
                 f"{fmt.number(settings_searched(result), currency)} settings searched."])
    return rows


def pareto_fronts(result: dict) -> str:
    """Which of Robyn's Pareto fronts the candidate models come from: ``"Pareto fronts
    1–10"`` (front 1: no other model fits better and splits the effect more like the spend;
    each next front is the same once the fronts before it are set aside), or ``"Pareto front
    1"``."""
    last = max((m.get("pareto_front") or 1 for m in result["models"]), default=1)
    return "Pareto front 1" if last == 1 else f"Pareto fronts 1\u2013{last}"


def held_back(result: dict) -> bool:
    """Whether the recommended model is chosen on weeks held back from fitting (the
    ``holdout`` rule), so another candidate can beat it on both fit error and spend/effect
    gap; the other rules choose on those two measures."""
    return selection_rule(result) == "holdout"


def candidates_chart_note(result: dict) -> str:
    """The Results model chart's note on what its dots are: the best trade-offs
    (:func:`pareto_fronts`), front 1 filled, and why the recommended model need not be the
    lowest on the chart (:func:`held_back`)."""
    note = (f"The candidates are the search's best trade-offs ({pareto_fronts(result)}); "
            "filled dots are front 1, which no other candidate beats on both axes.")
    if not held_back(result):
        return note
    return (f"{note} The recommended model is chosen on weeks held back from fitting, which "
            "this chart does not show, so it need not be the lowest or furthest left here.")


def appendix_selection_note(result: dict, model_id: str, currency: str) -> str:
    """:func:`client_selection_note` under the PDF's quality table, and for a model chosen on
    held-back weeks (:func:`held_back`) that it need not have the lowest figures there."""
    note = client_selection_note(result, model_id, currency)
    if not held_back(result):
        return note
    return (f"{note} So the recommended model need not have the lowest NRMSE or DECOMP.RSSD "
            "of the candidates.")


METHOD = (
    "The model follows Meta's open-source Robyn method. Each channel's weekly spend is "
    "carried over into later weeks (adstock) and passes through a diminishing-returns curve "
    "(Hill saturation); a ridge regression then explains {outcome} from these media "
    "effects together with trend, seasonality, holidays and the context variables. "
    "{searched} settings were searched with an evolutionary optimizer that balances two "
    "goals, prediction error and a plausible split of effects versus spend; the "
    "{candidates} best trade-offs among them are the candidate models. {choice}"
)
#: how the recommended model was chosen, by selection rule (Robyn in R uses Robyn's)
CHOICE = {
    "holdout": "Of the best trade-offs, the models that best predicted weeks held back from "
               "fitting were kept, and the recommended model is the most typical of them.",
    "robyn": "Similar good models are clustered and the recommended model is the cluster "
             "winner that best balances the two goals (Robyn's rule).",
    "nrmse": "The recommended model is the candidate with the lowest prediction error.",
}
CAN_SAY = (
    "What the model can say: how much each channel contributed in the period, how quickly "
    "its effect fades, where extra spend is likely to add the most, and how a budget could be "
    "reallocated within the spend levels seen in the data."
)
CANNOT_SAY = (
    "What it cannot say: the effect of spend far outside the range in the data, of new "
    "channels, or of changes in creative, pricing or competition it has not seen. The "
    "figures are statistical estimates with uncertainty (see the {interval}s) and are "
    "strongest when confirmed by lift experiments."
)


def method_text(result: dict, currency: str = "SEK") -> list[str]:
    """The method appendix as paragraphs (no jargon beyond what is explained), with the
    run's own search size and selection rule."""
    method = METHOD.format(outcome=outcome(result),
                           searched=fmt.number(settings_searched(result), currency),
                           candidates=fmt.number(len(result.get("models", [])), currency),
                           choice=CHOICE.get(selection_rule(result), ""))
    return [method, CAN_SAY, CANNOT_SAY.format(interval=fmt.interval_name(currency))]


def selection_rule(result: dict) -> str:
    """How the recommended model was chosen, a key of :data:`CHOICE`: Robyn's rule for Robyn
    in R, else the run's ``selection`` (default ``"holdout"``)."""
    if result.get("engine") == "robyn-r":
        return "robyn"
    return result.get("config", {}).get("selection", "holdout")
