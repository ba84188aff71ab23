"""Compare runs: two runs of a client side by side."""

from __future__ import annotations

from fitted import finished_run

from kiri_core import formatting as fmt
from kiri_core.services.runs import load_result


def test_two_runs_side_by_side(session, team, open_page):
    first = finished_run(session, team.analyst, team.client.id)
    second = finished_run(session, team.analyst, team.client.id)
    app = open_page("pages/compare.py", team.analyst, team.client)
    assert not app.exception
    metrics, channels = app.dataframe[0].value, app.dataframe[1].value
    assert list(metrics.columns) == [f"Run #{second.id}", f"Run #{first.id}"]
    result = load_result(session, team.analyst, first.id)
    assert metrics.loc["R²", f"Run #{first.id}"] == fmt.number(result["metrics"]["rsq"],
                                                               "SEK", 3)
    for column, ch in result["channels"].items():
        row = channels.loc[fmt.channel_name(column)]
        assert row[f"ROAS · Run #{first.id}"] == fmt.roas(ch["roas"], "SEK")
        assert row[f"Contribution · Run #{first.id}"] == fmt.money(ch["contribution"], "SEK")


def test_one_run_asks_for_a_second(session, team, open_page, text_of):
    finished_run(session, team.analyst, team.client.id)
    app = open_page("pages/compare.py", team.analyst, team.client)
    assert not app.exception
    assert "Pick two different runs" in text_of(app)
    assert not app.dataframe
