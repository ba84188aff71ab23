"""What Compare runs says about two runs besides their figures: which data and settings
differ, each run's 90 % interval beside its ROAS (CPA) and its contribution, whether a
difference of ROAS (CPA) and contribution lies inside both runs' intervals (possible noise of
the search, or of a change in the data), and whether a change in fit is for the better.

The runs come as :func:`kiri_core.report.content.data_differ` takes them, their results with
the model the client sees at the top level (:func:`kiri_core.results.showing`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from kiri_core import formatting as fmt
from kiri_core.report import content
from kiri_core.results import channel_interval, is_conversion, measure_name, model_by_id
from kiri_core.services.runs import ADSTOCK_LABELS

#: The column that says whether a difference lies inside both runs' 90 % intervals: "yes",
#: "no", "–" when a run has no interval, empty where there is no difference.
WITHIN = "Within intervals?"
#: The fit measures (keys of :data:`content.FIT_METRICS`) where higher is better; lower
#: is better for the others.
HIGHER_IS_BETTER = frozenset({"rsq"})
FIT_HELP = ("Compared run minus baseline run, and whether that fits better: a higher R², a "
            "lower NRMSE and a lower DECOMP.RSSD are better.")
#: Config keys the data (:func:`content.data_differences`) and :data:`SETTINGS` cover.
NAMED_KEYS = frozenset({"date_column", "revenue_column", "spend_columns", "window_start",
                        "window_end", "dep_var_type", "adstock", "iterations", "trials",
                        "quick", "seed", "context_columns", "organic_columns"})


def _carryover(result: dict) -> str:
    adstock = result["config"].get("adstock", "geometric")
    return ADSTOCK_LABELS.get(adstock, adstock)


def _search(result: dict) -> str:
    return f"{result['config']['iterations']} × {result['config']['trials']}"


def _seed(result: dict) -> str:
    return str(result["config"].get("seed"))


def _engine(result: dict) -> str:
    """``"Kiri 0.1.0"``: the engine and its version."""
    return f"{fmt.engine_name(result['engine'])} {result.get('engine_version') or ''}".strip()


def _model(result: dict) -> str:
    """The model the client sees: the recommended one, or another chosen on Results."""
    if model_by_id(result, result["model_id"])["recommended"]:
        return "the recommended one"
    return f"{result['model_id']}, chosen on the Results page"


def _variables(result: dict) -> str:
    config = result["config"]
    return fmt.joined(sorted(fmt.term_name(column) for column in
                             config.get("context_columns", []) + config.get("organic_columns", []))
                      or ["none"])


#: The settings named when they differ, with each run's value: label, value of a result.
SETTINGS: tuple[tuple[str, Callable[[dict], str]], ...] = (
    ("outcome", content.outcome), ("context and organic variables", _variables),
    ("carryover", _carryover), ("iterations × trials", _search), ("seed", _seed),
    ("engine", _engine), ("model shown", _model))


def _other_settings(first: dict, second: dict) -> list[str]:
    """The names of other config keys (``"ts validation"``) whose values differ; none
    between two engines, which spell their settings out differently."""
    a, b = first["config"], second["config"]
    if first["engine"] != second["engine"]:
        return []
    return [key.replace("_", " ") for key in sorted((a.keys() | b.keys()) - NAMED_KEYS)
            if a.get(key) != b.get(key)]


def _figures(result: dict) -> tuple:
    """What the page shows of a run: its fit and each channel's return and contribution."""
    return result["metrics"], {name: (ch["roas"], ch["contribution"])
                               for name, ch in content.channels_by_name(result).items()}


def what_differs(runs: Mapping[str, tuple[str, dict]]) -> str:
    """``"**What differs:** seed (2 → 9)."``: the data and settings two runs differ in, each
    setting with the baseline's and the compared run's value; when none, that the runs have
    the same data and settings, and whether their results are identical (markdown)."""
    (_, a), (_, b) = runs.values()
    differ = [*content.data_differences(runs),
              *(f"{label} ({value(a)} \u2192 {value(b)})" for label, value in SETTINGS
                if value(a) != value(b))]
    if other := _other_settings(a, b):
        differ.append(f"other settings ({', '.join(other)})")
    if differ:
        return f"**What differs:** {fmt.joined(differ)}."
    results = ("and identical results" if _figures(a) == _figures(b)
               else "but their results differ")
    return f"**What differs:** nothing: the two runs have the same data and settings, {results}."


def _within(pair: list[dict | None], measure: str) -> bool:
    """Whether both channels' ``measure`` lie inside both their 90 % intervals."""
    key = "contribution" if measure == "contribution" else "roas"
    intervals = [channel_interval(channel, measure) for channel in pair]
    return all(low <= channel[key] <= high for channel in pair for low, high in intervals)


def _within_mark(pair: list[dict | None], measure: str, difference: str) -> str:
    """The :data:`WITHIN` cell of a difference: ``"yes"`` when both runs' figures lie
    inside both runs' intervals, ``"no"`` when not, ``"–"`` when a run has no interval, and
    empty when there is no difference."""
    if not content.delta(difference):
        return ""
    if not all(channel_interval(channel, measure) for channel in pair):
        return "–"
    return "yes" if _within(pair, measure) else "no"


def compared_rows(results: Mapping[str, dict], measure: str,
                  currency: str) -> list[list[str]]:
    """:func:`content.channel_comparison_rows` of two runs (name -> result), each with its
    :data:`WITHIN` cell (:func:`_within_mark`), so what the search's noise can explain does
    not read as a change."""
    a, b = results.values()
    channels = [content.channels_by_name(r) for r in (a, b)]
    return [[name, *shown, difference,
             _within_mark([found.get(name) for found in channels], measure, difference)]
            for name, *shown, difference in content.channel_comparison_rows(a, b, measure,
                                                                             currency)]


def run_rows(results: Mapping[str, dict], measure: str, currency: str) -> list[list[str]]:
    """Two rows per paid channel of either run (the baseline's order first): each run's
    ``measure`` (:func:`content.comparison_measures`) and 90 % interval; on the compared
    run's row the difference and its :data:`WITHIN` cell (:func:`compared_rows`)."""
    first = next(iter(results.values()))
    channels = {run: content.channels_by_name(result) for run, result in results.items()}
    rows = []
    for name, *shown, difference, within in compared_rows(results, measure, currency):
        for run, value, change in zip(channels, shown, (("", ""), (difference, within)),
                                      strict=True):
            ci = _shown_interval(channels[run].get(name), measure, first, currency)
            rows.append([name, run, value, ci, *change])
    return rows


def _shown_interval(channel: dict | None, measure: str, result: dict, currency: str) -> str:
    """The channel's 90 % interval of ``measure`` as shown: of ROAS (CPA) as the channel
    table shows it, of contribution as an amount (:func:`content.amount`)."""
    ci = channel_interval(channel, measure)
    if measure != "contribution":
        return content.interval(ci, is_conversion(result), currency)
    if not ci:
        return "–"
    low, high = (content.amount(result, bound, currency) for bound in ci)
    return f"{low} – {high}"


def channel_table(results: Mapping[str, dict], measure: str,
                  currency: str) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of the table of ``measure`` (:func:`content.comparison_measures`),
    a row a run (:func:`run_rows`)."""
    conversion = is_conversion(next(iter(results.values())))
    label = "Contribution" if measure == "contribution" else measure_name(conversion)
    return (["Channel", "Run", label, fmt.interval_name(currency), "Difference", WITHIN],
            run_rows(results, measure, currency))


def column_helps(measure: str, currency: str = "SEK",
                 data_changed: bool = False) -> dict[str, str]:
    """The help texts of the table of ``measure`` besides the channel table's: its
    Difference, its :data:`WITHIN` (:func:`within_help`) and of contribution its 90 %
    interval; ``data_changed``: the runs were fitted on different data."""
    interval = fmt.interval_name(currency)
    helps = {"Difference": "Compared run minus baseline run.",
             WITHIN: within_help(measure, currency, data_changed)}
    if measure == "contribution":
        helps[interval] = (f"The {interval} of the return per unit spent, times the "
                           "channel's spend in the run.")
    return helps


def _cause(data_changed: bool) -> str:
    """What a difference inside both intervals can be: the search's noise, and when the runs
    were fitted on different data, the change in the data too."""
    noise = "the search's noise (another seed finds other models)"
    if data_changed:
        return (f"the change in the data the runs were fitted on as well as {noise}; the "
                "intervals cannot tell the two apart")
    return f"{noise} rather than a change in what the data says"


def within_help(measure: str, currency: str = "SEK", data_changed: bool = False) -> str:
    """The help text of the :data:`WITHIN` column of ``measure``."""
    source = (" (each the interval of the return per unit spent, times the spend)"
              if measure == "contribution" else "")
    return (f"\u201cyes\u201d when both runs' figures lie inside both runs' "
            f"{fmt.interval_name(currency)}s{source}: the difference can be "
            f"{_cause(data_changed)}. \u201cno\u201d when one lies outside; \u201c\u2013\u201d "
            "when a run has no interval.")


def within_note(rows: list[list[str]], measure: str, result: dict,
                currency: str = "SEK", data_changed: bool = False) -> str | None:
    """What a "yes" in :data:`WITHIN` means, under a table of ``measure`` (``"roas"``,
    ``"cpa"`` or ``"contribution"``) with one; None when none has. ``data_changed``: the
    runs were fitted on different data, which the note names as a cause."""
    if not any(row[-1] == "yes" for row in rows):
        return None
    figures = {"roas": "ROAS", "cpa": "CPA"}.get(
        measure, "conversions" if is_conversion(result) else "contributions")
    return (f"A \u201cyes\u201d under \u201c{WITHIN}\u201d means that the two runs' {figures} "
            f"both lie inside both runs' {fmt.interval_name(currency)}s, so the difference can be "
            f"{_cause(data_changed)}.")


def _judged(difference: str, higher_is_better: bool) -> str:
    """``"+0,101 (better)"``; a difference that shows as zero as it is."""
    if not (change := content.delta(difference)):
        return difference
    return f"{difference} ({'better' if change.startswith('+') == higher_is_better else 'worse'})"


def fit_rows(baseline: dict, compared: dict, currency: str) -> list[list[str]]:
    """:func:`content.fit_comparison_rows` with each difference said better or worse."""
    rows = content.fit_comparison_rows(baseline, compared, currency)
    return [[*row[:3], _judged(row[3], key in HIGHER_IS_BETTER)]
            for row, (key, *_) in zip(rows, content.FIT_METRICS, strict=True)]
