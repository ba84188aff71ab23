"""Engine parity page, and the results pages on a Robyn (R) run (real Robyn 3.12 output)."""

from __future__ import annotations

from pathlib import Path

import pytest
from robyn_r.demo_runs import seed_demo_runs

from kiri_core.robyn_r.availability import (
    NOT_SET_UP,
    Availability,
    record_robyn_availability,
)

pytestmark = pytest.mark.shared


@pytest.fixture
def demo_runs(session, team, robyn_demo_csv: Path, robyn_r_outputs: Path) -> dict[str, int]:
    return seed_demo_runs(session, team.analyst, team.client.id, robyn_demo_csv, robyn_r_outputs)


def test_parity_shows_both_engines_side_by_side(session, team, demo_runs, open_page, text_of):
    app = open_page("pages/parity.py", team.viewer, team.client)
    assert not app.exception
    assert app.title[0].value == "Engine parity"
    assert not app.warning  # same data, same window
    table = app.dataframe[0].value
    assert list(table.index) == ["TV", "OOH", "Print", "Facebook", "Search"]
    assert table.loc["TV", "ROAS · Robyn"] == "4,89"  # Robyn's roi_total 4.8908, in SEK style
    assert table.loc["Print", "ROAS · Robyn"] == "10,49"
    assert table.loc["TV", "Spend"] == "2 591 412 kr"


def test_without_a_robyn_run_the_page_says_how_to_get_one(session, team, open_page, text_of):
    """How to set Robyn (R) up is for administrators; an analyst or viewer reads plain
    words."""
    for user in (team.viewer, team.analyst):
        app = open_page("pages/parity.py", user, team.client)
        assert not app.exception
        assert "no finished Robyn (R) run yet" in text_of(app)
        assert "an administrator can enable it" in text_of(app)
        assert "worker" not in text_of(app)
    app = open_page("pages/parity.py", team.admin, team.client)
    assert "The app is checking whether Robyn (R) runs on this machine" in text_of(app)


def test_a_failed_check_is_explained_to_administrators_alone(session, team, open_page,
                                                              text_of):
    """Audit 10 read install commands for R on this page beside the Runs page's "not set up
    here yet": an analyst reads the Runs page's words, an administrator what the check found."""
    found = ("Robyn (R) cannot run on this worker: the R package 'Robyn' is not installed; "
             'install it (install.packages("Robyn")).')
    record_robyn_availability(session, Availability(False, found))
    session.commit()
    analyst = text_of(open_page("pages/parity.py", team.analyst, team.client))
    assert NOT_SET_UP in analyst and "install" not in analyst
    assert found in text_of(open_page("pages/parity.py", team.admin, team.client))


@pytest.mark.parametrize("page", ["pages/results.py", "pages/planner.py",
                                  "pages/presentation.py"])
def test_results_pages_work_on_a_robyn_run(session, team, demo_runs, open_page, page):
    app = open_page(page, team.analyst, team.client, run_id=demo_runs["robyn-r"])
    assert not app.exception, app.exception
    assert app.selectbox[0].value == demo_runs["robyn-r"]
