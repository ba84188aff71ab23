"""Compare runs says what differs between two runs and whether a difference is more than
noise (the audit's finding 9): a "What differs" line above the tables, each run's 90 %
interval beside its ROAS (CPA), differences inside both runs' intervals marked, and fit
changes said better or worse; the tables fit a 1024 px window."""

from __future__ import annotations

from fitted import finished_run
from test_compare_page import blocks

from kiri_core import formatting as fmt
from kiri_core.db.models import ModelRun
from kiri_core.jobs import execute_run
from kiri_core.report import content
from kiri_core.services.runs import load_result
from ui.layout import PAGE_AT_1024

WITHIN = " (within the intervals)"


def rerun(session, run: ModelRun, **config) -> ModelRun:
    """A second run on ``run``'s dataset with ``config`` changed, fitted by the job code."""
    again = ModelRun(client_id=run.client_id, dataset_id=run.dataset_id,
                     config={**run.config, **config}, created_by_id=run.created_by_id)
    session.add(again)
    session.commit()
    assert execute_run(again.id) == "succeeded"
    session.refresh(again)
    return again


def inside_both(a: dict, b: dict, key: str = "roas") -> bool:
    """Whether both channels' ``key`` lie inside both their 90 % intervals (of contribution:
    the ROAS interval times the spend)."""
    def interval(ch: dict) -> list[float]:
        scale = ch["spend"] if key == "contribution" else 1
        return [bound * scale for bound in ch["roas_ci"]]

    return all(low <= ch[key] <= high for ch in (a, b) for low, high in map(interval, (a, b)))


def test_runs_differing_in_their_seed_say_so_and_mark_differences_inside_the_intervals(
        session, team, open_page, text_of, table_width):
    """The audit: seeds 2 and 9 on the same data moved Google's ROAS 0,41 -> 0,57 and R²
    0,313 -> 0,414 as plain differences, with nothing naming the seed as the cause."""
    first = finished_run(session, team.analyst, team.client.id)
    second = rerun(session, first, seed=9)
    app = open_page("pages/compare.py", team.analyst, team.client)
    assert not app.exception
    [line] = [m for m in app.markdown if m.value.startswith("**What differs:**")]
    assert line.value == "**What differs:** seed (2 \u2192 9)."
    order = list(blocks(app.main))
    assert order.index(line) < order.index(app.subheader[0])  # above the tables
    a, b = (load_result(session, team.analyst, run.id) for run in (first, second))

    fit, roas, contribution = (frame.value for frame in app.dataframe)
    for (key, label, _), row in zip(content.FIT_METRICS, fit.values.tolist(), strict=True):
        change = (round(b["metrics"][key], fmt.FIT_DECIMALS)
                  - round(a["metrics"][key], fmt.FIT_DECIMALS))
        better = change > 0 if key == "rsq" else change < 0
        assert row[0] == label and row[3].endswith(" (better)" if better else " (worse)")

    assert list(roas.columns) == ["Channel", "Run", "ROAS", "90 % interval", "Difference"]
    rows, marked = roas.values.tolist(), 0
    for i, column in enumerate(a["spend_columns"]):
        before, after = a["channels"][column], b["channels"][column]
        name = fmt.channel_name(column)
        assert rows[2 * i][:4] == [name, "Run #1", fmt.roas(before["roas"], "SEK"),
                                   content.interval(before["roas_ci"], False, "SEK")]
        assert rows[2 * i + 1][:4] == [name, "Run #2", fmt.roas(after["roas"], "SEK"),
                                       content.interval(after["roas_ci"], False, "SEK")]
        assert rows[2 * i][4] == ""
        assert rows[2 * i + 1][4].endswith(WITHIN) == inside_both(before, after)
        marked += inside_both(before, after)
        row = contribution.values.tolist()[i]
        assert row[3].endswith(WITHIN) == inside_both(before, after, "contribution")
    assert marked  # seed noise, not a finding
    assert "\u201cWithin the intervals\u201d: the two runs' ROAS both lie inside" in text_of(app)
    assert all(table_width(table) <= PAGE_AT_1024 for table in app.dataframe)


def test_two_runs_of_the_same_settings_are_said_identical(session, team, open_page,
                                                          text_of):
    """The audit: two identical runs showed a wall of zeros and no note."""
    for _ in range(2):
        finished_run(session, team.analyst, team.client.id)
    app = open_page("pages/compare.py", team.analyst, team.client)
    assert not app.exception
    assert ("**What differs:** nothing: the two runs have the same data and settings, and "
            "identical results.") in text_of(app)
    fit, roas, contribution = (frame.value for frame in app.dataframe)
    assert fit["Difference"].tolist() == ["0,000"] * 3  # neither better nor worse
    assert not any(WITHIN in cell for table in (roas, contribution)
                   for cell in table["Difference"])
    assert "Within the intervals" not in text_of(app)


def test_conversion_runs_show_each_run_s_cpa_interval_and_fit_at_1024_px(
        session, team, open_page, text_of, table_width):
    first = finished_run(session, team.analyst, team.client.id, "conversion")
    second = rerun(session, first, seed=9)
    app = open_page("pages/compare.py", team.analyst, team.client)
    assert not app.exception
    assert "**What differs:** seed (2 \u2192 9)." in text_of(app)
    _, cpa, _ = (frame.value for frame in app.dataframe)
    assert list(cpa.columns) == ["Channel", "Run", "CPA", "90 % interval", "Difference"]
    a, b = (load_result(session, team.analyst, run.id) for run in (first, second))
    for i, column in enumerate(a["spend_columns"]):
        before, after = a["channels"][column], b["channels"][column]
        shown = cpa.values.tolist()[2 * i: 2 * i + 2]
        assert [row[2:4] for row in shown] == [
            [fmt.money(ch["cpa"], "SEK", 2), content.interval(ch["roas_ci"], True, "SEK")]
            for ch in (before, after)]
        assert shown[1][4].endswith(WITHIN) == inside_both(before, after)
    assert all(table_width(table) <= PAGE_AT_1024 for table in app.dataframe)
