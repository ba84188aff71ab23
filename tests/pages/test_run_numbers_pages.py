"""The pages name a client's runs by their number of the client's ("Run #1" for its first
run), not by the database id, which other clients' runs have pushed on."""

from __future__ import annotations

import pytest
from fitted import finished_run

from kiri_core.db.models import ModelRun
from kiri_core.services import datasets, runs, users
from tests.pages.test_runs_page import wait_until_finished


@pytest.fixture
def acme_runs(session, team) -> tuple[ModelRun, ModelRun]:
    """Two runs of Other AB, then two finished runs of Acme AB: ids 3 and 4, numbers 1, 2."""
    other = datasets.generate_dataset(session, team.outsider, team.other_client.id, 60, 1)
    session.add_all([ModelRun(client_id=other.client_id, dataset_id=other.id, config={},
                              status="failed") for _ in range(2)])
    session.commit()
    first, second = (finished_run(session, team.analyst, team.client.id) for _ in range(2))
    assert (first.id, first.number, second.id, second.number) == (3, 1, 4, 2)
    return first, second


def test_home_runs_and_compare_name_runs_by_their_number(session, team, acme_runs, open_page,
                                                         text_of):
    first, second = acme_runs
    home = open_page("pages/home.py", team.viewer, team.client)
    assert not home.exception
    assert "Latest model (run #2)" in [s.value for s in home.subheader]
    assert home.dataframe[-1].value["Run"].tolist() == ["#2", "#1"]

    page = open_page("pages/runs.py", team.viewer, team.client)
    assert not page.exception
    assert "**Run #2** · succeeded" in text_of(page)
    picker = page.selectbox(key="run_pick")
    assert [label.split(" · ")[0] for label in picker.options] == ["Run #2", "Run #1"]
    assert page.dataframe[-1].value["Run"].tolist() == ["#2", "#1"]

    compare = open_page("pages/compare.py", team.viewer, team.client)
    assert not compare.exception
    assert list(compare.dataframe[0].value.columns) == ["Measure", "Run #1", "Run #2",
                                                       "Difference"]


def test_the_notice_of_a_started_run_names_its_number_and_outlasts_reruns(
    session, team, acme_runs, open_page
):
    """The page reruns right after Start run (a toast shown before that rerun could be
    lost): the notice under the title names the run, stays on the page's reruns, and goes
    once another client is picked."""
    app = open_page("pages/runs.py", team.analyst, team.client)
    app.radio(key="run_mode").set_value("quick")
    next(b for b in app.button if b.label == "Start run").click().run()
    assert not app.exception
    started = app.session_state["run_id"]
    runs.cancel_run(session, team.analyst, started)  # the search itself is not under test
    said = ["Run #3 was started: follow it under Selected run."]
    assert [m.value for m in app.success] == said
    app.run()  # the next rerun: a poll's, or a click elsewhere on the page
    assert [m.value for m in app.success] == said
    users.grant_access(session, team.admin, team.analyst.id, team.other_client.id, "analyst")
    app.session_state["client_id"] = team.other_client.id
    app.run()
    assert [t.value for t in app.title] == ["Runs · Other AB"] and not app.success
    assert wait_until_finished(session, started, timeout=60).id == 5
