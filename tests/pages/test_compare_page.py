"""Compare runs: a baseline and a compared run of a client, their differences, channels in
the same order in tables and charts."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from chart_data import chart_frames
from fitted import ITERATIONS, finished_run

from kiri_core import formatting as fmt
from kiri_core.db.models import ModelRun
from kiri_core.jobs import execute_run
from kiri_core.report import content
from kiri_core.results import model_by_id
from kiri_core.services.datasets import generate_dataset
from kiri_core.services.runs import choose_model, default_config, load_result
from ui.layout import PAGE_AT_1024

WITHIN = "Within intervals?"

SELECT_CHROME = 49  # px of a select box that its text cannot use: padding, border, arrow


def chart_channels(app) -> list[list[str]]:
    """The channel order of each chart's y axis."""
    specs = [json.loads(chart.proto.spec) for chart in app.get("vega_lite_chart")]
    return [spec["encoding"]["y"]["sort"] for spec in specs]


def blocks(node) -> Iterator:
    """Every block and element under ``node``, depth first."""
    for child in getattr(node, "children", {}).values():
        yield child
        yield from blocks(child)


def test_the_run_pickers_show_a_long_label_whole_at_1024_px(session, team, open_page,
                                                            text_width):
    """Side by side in two columns they were 360 px wide there, and cut a conversion run's
    label before its time: each now has a width of its own that such a label fits in, and
    they go one a line when two do not fit."""
    for _ in range(2):
        finished_run(session, team.analyst, team.client.id, "conversion")
    app = open_page("pages/compare.py", team.analyst, team.client)
    [row] = [b for b in blocks(app.main) if b.type == "flex_container"
             and b.proto.flex_container.direction == b.proto.flex_container.HORIZONTAL]
    pickers = list(row.children.values())
    assert row.proto.flex_container.wrap and len(pickers) == 2
    assert [p.children[0].label for p in pickers] == ["Baseline run", "Compared run"]
    [width] = {p.proto.width_config.pixel_width for p in pickers}
    label = app.selectbox[0].options[0]
    assert " · conversions · " in label
    longest = re.sub(r"v\d+", "v12", re.sub(r"#\d+", "#123", label))  # run 123, dataset v12
    assert text_width(longest) + SELECT_CHROME <= width <= PAGE_AT_1024


def test_two_runs_side_by_side_with_their_differences(session, team, open_page, text_of):
    first = finished_run(session, team.analyst, team.client.id)
    second = finished_run(session, team.analyst, team.client.id)
    app = open_page("pages/compare.py", team.analyst, team.client)
    assert not app.exception
    baseline, compared = app.selectbox
    assert (baseline.label, compared.label) == ("Baseline run", "Compared run")
    assert (baseline.value, compared.value) == (first.id, second.id)  # older is the baseline
    assert baseline.options[1].startswith(f"Run #{first.number} · dataset v1 · ")
    iterations = first.config["iterations"]
    assert (f"Geometric carryover · Kiri · {iterations} iterations × 1 trial, {iterations} "
            f"settings · "
            f"seed {first.config['seed']} · finished") in text_of(app)

    fit, roas, contribution = (frame.value for frame in app.dataframe)
    runs = [f"Run #{first.number}", f"Run #{second.number}"]
    assert list(fit.columns) == ["Measure", *runs, "Difference"]
    a, b = (load_result(session, team.analyst, run.id) for run in (first, second))
    assert fit.iloc[0].tolist()[:3] == ["R²", fmt.number(a["metrics"]["rsq"], "SEK", 3),
                                        fmt.number(b["metrics"]["rsq"], "SEK", 3)]
    names = [fmt.channel_name(c) for c in a["spend_columns"]]
    assert list(contribution.columns) == ["Channel", "Run", "Contribution", "90 % interval",
                                          "Difference", WITHIN]
    assert contribution["Channel"].tolist() == roas["Channel"].tolist()
    assert roas["Channel"].tolist()[::2] == names
    for rows, measure, show in ((side_by_side(roas, "ROAS", names), "roas", fmt.roas),
                                (side_by_side(contribution, "Contribution", names),
                                 "contribution", fmt.money)):
        for column, row in zip(a["spend_columns"], rows, strict=True):
            before, after = a["channels"][column][measure], b["channels"][column][measure]
            assert row[1:3] == [show(before, "SEK"), show(after, "SEK")]
            assert row[3].lstrip("+") == show(after - before, "SEK")
    assert chart_channels(app) == [names, names]  # as in the tables, not alphabetical
    assert not app.warning  # the same data: the differences are the models'
    roas_chart, contribution_chart = chart_frames(app)
    for table, frame in ((roas, roas_chart), (contribution, contribution_chart)):
        assert drawn_intervals(frame) == table_intervals(table)
    for run, result in zip(runs, (a, b), strict=True):
        for column, ch in result["channels"].items():
            [row] = roas_chart[(roas_chart["run"] == run)
                               & (roas_chart["channel"] == fmt.channel_name(column))].to_dict(
                "records")
            assert [row["low"], row["high"]] == ch["roas_ci"]


def drawn_intervals(frame) -> dict[tuple[str, str], str]:
    """The 90 % interval a compare chart's tooltip gives, by channel and run."""
    return {(row.channel, row.run): row.interval for row in frame.itertuples()}


def table_intervals(table) -> dict[tuple[str, str], str]:
    """The 90 % interval a comparison table gives, by channel and run."""
    return {(row["Channel"], row["Run"]): row["90 % interval"] for _, row in table.iterrows()}


def side_by_side(table, label: str, names: list[str]) -> list[list[str]]:
    """A table of a row a run as one row a channel: its name, both runs' ``label``, the
    difference."""
    return [[name, *table[label][i:i + 2], table["Difference"][i + 1]]
            for i, name in zip(range(0, len(table), 2), names, strict=True)]


def test_one_run_asks_for_a_second(session, team, open_page, text_of):
    """With one finished run there is nothing to pick: the page says a second run is needed
    (it used to say "Pick two different runs", which the user could not do)."""
    finished_run(session, team.analyst, team.client.id)
    app = open_page("pages/compare.py", team.analyst, team.client)
    assert not app.exception
    assert "Comparing needs a second finished run: this client has one." in text_of(app)
    assert "Pick two different runs" not in text_of(app)
    assert [link.label for link in app.get("page_link")] == ["Open the Runs page"]
    assert not app.dataframe and not app.selectbox


def test_each_run_shows_the_clients_chosen_model(session, team, open_page, text_of):
    first = finished_run(session, team.analyst, team.client.id)
    second = finished_run(session, team.analyst, team.client.id)
    a, b = (load_result(session, team.analyst, run.id) for run in (first, second))
    chosen = next(m for m in a["models"]
                  if not m["recommended"] and m["metrics"]["rsq"] != a["metrics"]["rsq"])
    choose_model(session, team.analyst, first.id, chosen["model_id"])
    app = open_page("pages/compare.py", team.analyst, team.client)
    assert not app.exception
    fit, roas, _ = (frame.value for frame in app.dataframe)
    assert fit.iloc[0].tolist()[1:3] == [fmt.number(chosen["metrics"]["rsq"], "SEK", 3),
                                         fmt.number(b["metrics"]["rsq"], "SEK", 3)]
    column = a["spend_columns"][0]
    assert roas.iloc[0].tolist()[2] == fmt.roas(
        model_by_id(a, chosen["model_id"])["channels"][column]["roas"], "SEK")
    assert f"Model {chosen['model_id']}" in text_of(app)
    assert "Fit of the client's models" in text_of(app)


def test_two_conversion_runs_are_compared_by_cost_per_conversion(session, team, open_page,
                                                                  text_of):
    """Conversion runs were compared by "ROAS" (0,00 for every channel) and their
    conversions shown as money."""
    first = finished_run(session, team.analyst, team.client.id, "conversion")
    second = finished_run(session, team.analyst, team.client.id, "conversion")
    app = open_page("pages/compare.py", team.analyst, team.client)
    assert not app.exception
    assert [h.value for h in app.subheader][1:] == ["Cost per conversion (CPA)", "Conversions"]
    _, cpa, conversions = (frame.value for frame in app.dataframe)
    a, b = (load_result(session, team.analyst, run.id) for run in (first, second))
    column = a["spend_columns"][0]
    assert [row[2] for row in cpa.values.tolist()[:2]] == [
        fmt.money(r["channels"][column]["cpa"], "SEK", 2) for r in (a, b)]
    assert [row[2] for row in conversions.values.tolist()[:2]] == [
        fmt.number(r["channels"][column]["contribution"], "SEK") for r in (a, b)]
    assert "ROAS" not in text_of(app)
    for table, frame in zip((cpa, conversions), chart_frames(app), strict=True):
        assert drawn_intervals(frame) == table_intervals(table)


def test_a_revenue_and_a_conversion_run_are_not_set_side_by_side(session, team, open_page,
                                                                 text_of):
    finished_run(session, team.analyst, team.client.id)
    finished_run(session, team.analyst, team.client.id, "conversion")
    app = open_page("pages/compare.py", team.analyst, team.client)
    assert not app.exception
    data, kinds = (w.value for w in app.warning)  # orders and generated revenue: other data
    assert data.startswith("Run #1 and Run #2 were fitted on different data (dataset), so")
    assert kinds.startswith("One run models revenue and the other conversions")
    assert len(app.dataframe) == 1  # the fit only


def test_runs_on_different_data_are_compared_under_a_warning_naming_their_data(
        session, team, open_page, text_of):
    """The audit: a run on dataset v1 beside one on v2 (more weeks, a channel fewer) read as
    if only the model had changed. A warning above the tables names each run's dataset,
    window and channels; the comparison is still shown."""
    first = finished_run(session, team.analyst, team.client.id)
    other = generate_dataset(session, team.analyst, team.client.id, 120, 7)
    config = {**default_config(other), "iterations": ITERATIONS, "trials": 1, "seed": 2}
    config["spend_columns"] = config["spend_columns"][:-1]
    second = ModelRun(client_id=team.client.id, dataset_id=other.id, config=config,
                      created_by_id=team.analyst.id)
    session.add(second)
    session.commit()
    assert execute_run(second.id) == "succeeded"
    session.refresh(second)
    app = open_page("pages/compare.py", team.analyst, team.client)
    assert not app.exception
    a, b = (load_result(session, team.analyst, run.id) for run in (first, second))
    expected = content.data_differ({
        f"Run #{first.number}": (f"dataset v1 \u201c{first.dataset.name}\u201d", a),
        f"Run #{second.number}": (f"dataset v2 \u201c{other.name}\u201d", b)}, "SEK")
    [warning] = app.warning
    assert warning.value == expected
    assert (f"{fmt.weeks_period(b['window']['start'], b['window']['end'], 'SEK')} (120 weeks), 3 "
            f"paid channels, dataset v2 \u201cTest data, seed") in expected
    assert f"- Only in Run #{first.number}: Email" in expected
    order = list(blocks(app.main))
    assert order.index(warning) < order.index(app.subheader[0])  # above the tables
    assert [h.value for h in app.subheader] == ["Fit of the client's models",
                                                "Return on ad spend (ROAS)", "Contribution"]
    assert len(app.dataframe) == 3
    # audit 10: a difference inside both intervals was put down to the search's noise alone
    for table in app.dataframe[1:]:
        assert "the change in the data the runs were fitted on" in (
            json.loads(table.proto.columns)[WITHIN]["help"])
    assert "rather than a change in what the data says" not in text_of(app)


def test_the_baseline_starts_at_the_latest_earlier_run_of_the_same_kind(session, team,
                                                                        open_page, text_of):
    """The audit: with runs #1 (revenue), #2 (conversions) and #3 (revenue) the page opened
    on #2 against #3, which it cannot compare. It now opens on #1 against #3; a baseline the
    user picks stays theirs."""
    first = finished_run(session, team.analyst, team.client.id)
    other_kind = finished_run(session, team.analyst, team.client.id, "conversion")
    third = finished_run(session, team.analyst, team.client.id)
    app = open_page("pages/compare.py", team.analyst, team.client)
    assert not app.exception
    baseline, compared = app.selectbox
    assert (baseline.value, compared.value) == (first.id, third.id)
    assert "pick two runs of the same kind" not in text_of(app)
    assert len(app.dataframe) == 3  # the fit, ROAS and contribution
    baseline.set_value(other_kind.id).run()
    assert app.selectbox[0].value == other_kind.id
    assert "pick two runs of the same kind" in text_of(app)




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

    assert list(roas.columns) == ["Channel", "Run", "ROAS", "90 % interval", "Difference", WITHIN]
    rows, marked = roas.values.tolist(), 0
    for i, column in enumerate(a["spend_columns"]):
        before, after = a["channels"][column], b["channels"][column]
        name = fmt.channel_name(column)
        assert rows[2 * i][:4] == [name, "Run #1", fmt.roas(before["roas"], "SEK"),
                                   content.interval(before["roas_ci"], False, "SEK")]
        assert rows[2 * i + 1][:4] == [name, "Run #2", fmt.roas(after["roas"], "SEK"),
                                       content.interval(after["roas_ci"], False, "SEK")]
        assert rows[2 * i][4:] == ["", ""]
        assert rows[2 * i + 1][5] == ("yes" if inside_both(before, after) else "no")
        marked += inside_both(before, after)
        shown = contribution.values.tolist()[2 * i: 2 * i + 2]
        assert [row[3] for row in shown] == [
            " – ".join(fmt.money(bound * ch["spend"], "SEK") for bound in ch["roas_ci"])
            for ch in (before, after)]  # the intervals the marks rest on
        assert (shown[1][5] == "yes") == inside_both(before, after, "contribution")
    assert marked  # seed noise, not a finding
    assert ("A \u201cyes\u201d under \u201cWithin intervals?\u201d means that the two runs' ROAS "
            "both lie inside") in text_of(app)
    assert "rather than a change in what the data says" in text_of(app)  # the same data
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
    assert not any(cell for table in (roas, contribution) for cell in table[WITHIN])
    assert WITHIN not in text_of(app)


def test_conversion_runs_show_each_run_s_cpa_interval_and_fit_at_1024_px(
        session, team, open_page, text_of, table_width):
    first = finished_run(session, team.analyst, team.client.id, "conversion")
    second = rerun(session, first, seed=9)
    app = open_page("pages/compare.py", team.analyst, team.client)
    assert not app.exception
    assert "**What differs:** seed (2 \u2192 9)." in text_of(app)
    _, cpa, _ = (frame.value for frame in app.dataframe)
    assert list(cpa.columns) == ["Channel", "Run", "CPA", "90 % interval", "Difference",
                                 WITHIN]
    a, b = (load_result(session, team.analyst, run.id) for run in (first, second))
    for i, column in enumerate(a["spend_columns"]):
        before, after = a["channels"][column], b["channels"][column]
        shown = cpa.values.tolist()[2 * i: 2 * i + 2]
        assert [row[2:4] for row in shown] == [
            [fmt.money(ch["cpa"], "SEK", 2), content.interval(ch["roas_ci"], True, "SEK")]
            for ch in (before, after)]
        assert (shown[1][5] == "yes") == inside_both(before, after)
    assert all(table_width(table) <= PAGE_AT_1024 for table in app.dataframe)
