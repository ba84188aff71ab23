"""kiri_core.report.comparison: Compare runs names the data and settings two runs differ in
(or says they have none and whether their results are identical), shows each run's 90 %
interval beside its ROAS (CPA), says in a column of its own whether a difference lies inside
both runs' intervals (possible noise of the search, or of a change in the data), and says
whether a change in fit is better or worse."""

from __future__ import annotations

import copy

import pytest
from fitted import fitted_run

from kiri_core import formatting as fmt
from kiri_core.report import comparison, content
from kiri_core.results import showing


def run(**config) -> dict:
    """The fitted result (its recommended model shown), a copy with ``config`` changes."""
    result = copy.deepcopy(fitted_run().result)
    result["config"].update(config)
    return showing(result, result["model_id"])


def differs(first: dict, second: dict, datasets: tuple[str, str] = ("v1", "v1")) -> str:
    return comparison.what_differs({"Run #1": (datasets[0], first),
                                    "Run #2": (datasets[1], second)})


def test_two_runs_of_the_same_data_and_settings_are_said_to_be_identical() -> None:
    """The audit: two identical runs showed a wall of zeros with no note."""
    assert differs(run(), run()) == ("**What differs:** nothing: the two runs have the same "
                                     "data and settings, and identical results.")


def test_results_that_differ_without_a_setting_that_does_are_not_called_identical() -> None:
    second = run()
    second["metrics"] = {**second["metrics"], "rsq": 0.5}
    assert differs(run(), second).endswith("the same data and settings, but their results "
                                           "differ.")


def test_a_run_with_another_seed_is_said_to_differ_in_its_seed_alone() -> None:
    """The audit: runs 2 and 9 differed only in the seed, and nothing said so."""
    assert differs(run(), run(seed=9)) == "**What differs:** seed (2 \u2192 9)."


def test_each_setting_that_differs_is_named_with_both_values() -> None:
    second = run(adstock="weibull_cdf", iterations=2000, trials=5,
                 context_columns=["promo_flag", "events"])
    second["engine_version"] = "0.2.0"
    assert differs(run(), second) == (
        "**What differs:** context and organic variables (Promo flag \u2192 Events and Promo "
        "flag), carryover (Geometric \u2192 Weibull CDF), iterations × trials (200 × 1 \u2192 "
        "2000 × 5) and engine (Kiri 0.1.0 \u2192 Kiri 0.2.0).")


def test_the_data_and_the_outcome_kind_are_named_first() -> None:
    second = run(dep_var_type="conversion")
    second["dep_var_type"] = "conversion"
    second["spend_columns"] = second["spend_columns"][:-1]
    assert differs(run(), second, ("v1", "v2")) == (
        "**What differs:** dataset, paid channels and outcome (revenue \u2192 conversions).")


def test_a_model_chosen_on_the_results_page_is_a_difference() -> None:
    result = fitted_run().result
    other = next(m["model_id"] for m in result["models"] if not m["recommended"])
    chosen = showing(result, other)
    assert differs(chosen, run()) == (
        f"**What differs:** model shown ({other}, chosen on the Results page \u2192 the "
        "recommended one).")


def test_a_setting_without_a_name_of_its_own_is_still_a_difference() -> None:
    """Two runs are never called the same when any setting of the engine differs."""
    assert differs(run(), run(ts_validation=True)) == (
        "**What differs:** other settings (ts validation).")
    robyn = run(ts_validation=True)
    robyn["engine"] = "robyn-r"  # whose config spells out settings the other way
    assert differs(run(), robyn) == "**What differs:** engine (Kiri 0.1.0 \u2192 Robyn 0.1.0)."


def channel(result: dict, index: int) -> dict:
    return result["channels"][result["spend_columns"][index]]


def test_each_run_has_its_interval_and_a_difference_inside_both_is_marked() -> None:
    """The audit: Google's ROAS 0,41 -> 0,57 read as a finding though both lie inside both
    runs' 90 % intervals. Each run has a row with its ROAS and interval; the compared run's
    difference is said within the intervals ("yes") when it lies inside both, "no" when it
    lies outside one, "–" when a run has no interval, and nothing when there is none. Audit
    10: the mark, written after the difference, was cut at 1024 px; it has its own column."""
    first, second = run(), run()
    meta, google, tiktok = (channel(second, i) for i in range(3))
    low, high = channel(first, 0)["roas_ci"]
    meta["roas"] = (meta["roas"] + high) / 2  # inside both intervals (the same here)
    google["roas"] = channel(first, 1)["roas_ci"][1] + 0.5  # outside the baseline's
    tiktok["roas_ci"] = None
    tiktok["roas"] += 0.01
    rows = comparison.run_rows({"Run #1": first, "Run #2": second}, "roas", "SEK")
    assert [row[:2] for row in rows[:4]] == [["Meta", "Run #1"], ["Meta", "Run #2"],
                                             ["Google", "Run #1"], ["Google", "Run #2"]]
    assert rows[0] == ["Meta", "Run #1", fmt.roas(channel(first, 0)["roas"], "SEK"),
                       f"{fmt.roas(low, 'SEK')} – {fmt.roas(high, 'SEK')}", "", ""]
    difference = fmt.roas(meta["roas"] - channel(first, 0)["roas"], "SEK")
    assert rows[1][2:] == [fmt.roas(meta["roas"], "SEK"), rows[0][3], f"+{difference}", "yes"]
    assert rows[3][4].startswith("+") and rows[3][5] == "no"
    assert rows[5][3:] == ["–", "+0,01", "–"]
    assert rows[7][4:] == ["0,00", ""]  # Email: no difference to mark
    assert comparison.within_note(rows, "roas", first) == (
        "A \u201cyes\u201d under \u201cWithin intervals?\u201d means that the two runs' ROAS "
        "both lie inside both runs' 90 % intervals, so the difference can be the search's "
        "noise (another seed finds other models) rather than a change in what the data says.")
    assert comparison.within_note([row[:5] + ["no"] for row in rows], "roas", first) is None


def test_within_the_intervals_names_a_change_of_data_as_a_cause() -> None:
    """Audit 10: runs on datasets of 104 and 156 weeks, the warning above said so, and the
    note below blamed the search's noise alone "rather than a change in what the data says".
    Runs fitted on different data name the data as a cause, in the note and the help."""
    first, second = run(), run()
    channel(second, 0)["roas"] += 0.01  # inside both intervals
    rows = comparison.run_rows({"Run #1": first, "Run #2": second}, "roas", "SEK")
    texts = [comparison.within_note(rows, "roas", first, "SEK", data_changed=True),
             comparison.column_helps("roas", "SEK", data_changed=True)["Within intervals?"]]
    for text in texts:
        assert "the change in the data the runs were fitted on as well as the search's noise" \
            in text
        assert "rather than a change in what the data says" not in text
    assert "rather than a change in what the data says" in comparison.column_helps("roas")[
        "Within intervals?"]


def test_a_difference_outside_the_compared_runs_interval_is_not_marked() -> None:
    """Both estimates must lie in both intervals: the baseline's outside the compared
    run's narrow interval is more than noise, though the compared one lies in the
    baseline's."""
    first, second = run(), run()
    meta = channel(second, 0)
    meta["roas"] += 0.05
    meta["roas_ci"] = [meta["roas"] - 0.01, meta["roas"] + 0.01]
    [_, row, *_] = comparison.run_rows({"Run #1": first, "Run #2": second}, "roas", "SEK")
    assert row[4:] == ["+0,05", "no"]


def conversion(result: dict) -> dict:
    """``result`` as a conversion model's: its ROAS conversions per krona, and CPAs."""
    result["dep_var_type"] = "conversion"
    for ch in result["channels"].values():
        ch["cpa"] = 1 / ch["roas"]
    return result


def test_a_conversion_run_shows_costs_per_conversion_and_their_intervals() -> None:
    first, second = conversion(run()), run()
    channel(second, 0)["roas"] *= 1.1
    second = conversion(second)
    columns, rows = comparison.channel_table({"Run #1": first, "Run #2": second}, "cpa", "SEK")
    assert columns == ["Channel", "Run", "CPA", "90 % interval", "Difference",
                       "Within intervals?"]
    meta = channel(first, 0)
    assert rows[0][2:4] == [fmt.money(meta["cpa"], "SEK", 2),
                            content.interval(meta["roas_ci"], True, "SEK")]
    assert rows[0][3].endswith(" kr") and rows[2][3].endswith(" or more")  # Google's low is 0
    assert rows[1][4].startswith("-") and rows[1][5] == "yes"
    assert "CPA both lie inside" in comparison.within_note(rows, "cpa", first)


def test_a_contribution_inside_both_intervals_of_return_times_spend_is_marked() -> None:
    """The same noise moved Google's contribution by +1,33 M kr: its interval is the ROAS
    interval times the spend. Audit 8: the rows said "(within the intervals)" but showed
    none; each run has a row with its contribution and that interval in money, as ROAS."""
    first, second = run(), run()
    meta, google = channel(second, 0), channel(second, 1)
    meta["contribution"] = meta["roas_ci"][1] * meta["spend"] * 0.99
    google["contribution"] = google["roas_ci"][1] * google["spend"] * 1.01
    channel(second, 2)["roas_ci"] = None
    columns, rows = comparison.channel_table({"Run #1": first, "Run #2": second},
                                             "contribution", "SEK")
    assert rows[5][3] == "–"  # TikTok's compared run has no interval
    assert columns == ["Channel", "Run", "Contribution", "90 % interval", "Difference",
                       "Within intervals?"]
    low, high = (bound * meta["spend"] for bound in meta["roas_ci"])
    assert rows[1][:4] == ["Meta", "Run #2", fmt.money(meta["contribution"], "SEK"),
                           f"{fmt.money(low, 'SEK')} – {fmt.money(high, 'SEK')}"]
    assert rows[0][4:] == ["", ""] and rows[1][5] == "yes"
    assert rows[3][4].startswith("+") and rows[3][5] == "no"
    assert "the two runs' contributions both lie" in comparison.within_note(
        rows, "contribution", first)
    assert comparison.within_note(rows[2:], "contribution", first) is None
    assert "times the channel's spend" in comparison.column_helps("contribution")[
        "90 % interval"]
    assert list(comparison.column_helps("roas")) == ["Difference", "Within intervals?"]


def test_a_conversion_run_s_contribution_interval_is_a_count() -> None:
    first, second = conversion(run()), conversion(run())
    columns, rows = comparison.channel_table({"Run #1": first, "Run #2": second},
                                             "contribution", "SEK")
    meta = channel(first, 0)
    low, high = (fmt.number(bound * meta["spend"], "SEK") for bound in meta["roas_ci"])
    assert rows[0][2:4] == [fmt.number(meta["contribution"], "SEK"), f"{low} – {high}"]
    assert "kr" not in rows[0][3]


@pytest.mark.parametrize(("changes", "judged"), [
    ({"rsq": 0.1, "nrmse": 0.01, "decomp_rssd": -0.01}, ["better", "worse", "better"]),
    ({"rsq": -0.1, "nrmse": -0.01, "decomp_rssd": 0.01}, ["worse", "better", "worse"]),
])
def test_a_change_in_fit_is_said_better_or_worse(changes: dict, judged: list[str]) -> None:
    """R² is better higher, NRMSE and DECOMP.RSSD lower: the page only showed signs."""
    first, second = run(), run()
    second["metrics"] = {**first["metrics"],
                         **{key: first["metrics"][key] + change for key, change in changes.items()}}
    rows = comparison.fit_rows(first, second, "SEK")
    assert [row[3].rsplit(" ", 1)[1] for row in rows] == [f"({word})" for word in judged]
    assert rows[0][:3] == content.fit_comparison_rows(first, second, "SEK")[0][:3]


def test_no_change_in_fit_is_neither_better_nor_worse() -> None:
    assert [row[3] for row in comparison.fit_rows(run(), run(), "SEK")] == ["0,000"] * 3


def test_a_eur_client_reads_the_comparison_s_intervals_in_its_percent_style() -> None:
    """The usability audit: "90 %" beside "11%" for a EUR client; the heading, its help,
    the help of "Within intervals?" and the note under the table say "90% interval"."""
    first, second = run(), run()
    channel(second, 0)["roas"] += 0.01  # inside both intervals
    results = {"Run #1": first, "Run #2": second}
    columns, rows = comparison.channel_table(results, "contribution", "EUR")
    assert columns[3] == "90% interval"
    helps = comparison.column_helps("contribution", "EUR")
    note = comparison.within_note(comparison.run_rows(results, "roas", "EUR"), "roas", first,
                                  "EUR")
    assert list(helps) == ["Difference", "Within intervals?", "90% interval"]
    assert all("90% intervals" in text or "90% interval " in text
               for text in [helps["Within intervals?"], helps["90% interval"], note])
    assert "90 %" not in " ".join([*helps.values(), note])
