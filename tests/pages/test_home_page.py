"""Client home: headline numbers, datasets and runs; nothing of clients without access."""

from __future__ import annotations

from kiri_core import config
from kiri_core import formatting as fmt
from kiri_core.db.models import ModelRun
from kiri_core.report import content
from kiri_core.services import auth, clients, datasets, runs
from tests.fitted import PASSWORD, finished_run
from ui.layout import PAGE_AT_1024


def test_home_lists_the_clients_datasets(session, team, open_page, text_of):
    datasets.generate_dataset(session, team.analyst, team.client.id, 60, 4)
    app = open_page("pages/home.py", team.viewer, team.client)
    assert not app.exception
    assert app.title[0].value == "Acme AB"
    assert "you are a viewer" in text_of(app)
    table = app.dataframe[0].value
    assert list(table.columns) == ["Dataset", "Source", "Weeks", "Period", "Saved"]
    assert list(table["Dataset"]) == ["v1 · Test data, seed 4, steady spend"]
    assert list(table["Source"]) == ["Generated"]
    assert list(table["Weeks"]) == [60]
    assert "No finished model yet" in text_of(app)


def test_an_administrator_is_told_so_not_analyst(session, team, open_page, text_of):
    """Admins act as analysts on every client; the page said "you are analyst" to them."""
    assert "you are an administrator" in text_of(open_page("pages/home.py", team.admin,
                                                           team.client))
    assert "you are an analyst" in text_of(open_page("pages/home.py", team.analyst,
                                                     team.client))


def test_the_datasets_table_fits_a_1024_px_window(session, team, open_page, table_width):
    """It scrolled sideways there: version, name, source, weeks, period and save time took
    837 px of the 736 px the page has."""
    datasets.generate_dataset(session, team.analyst, team.client.id, 60, 4)
    app = open_page("pages/home.py", team.viewer, team.client)
    assert table_width(app.dataframe[0]) <= PAGE_AT_1024


def test_a_dataset_s_name_and_source_are_whole_at_1024_and_1440_px(session, team, open_page,
                                                                   cut_cells):
    """Audit 10: "v1 · Test data, seed 5, steady sp" was cut even at 1440 px, where every
    column took an equal share of the room and the name's took too little of it; audit 11:
    "v2 · Test data, seed 7, steady s" and "Generated (known" were cut at 1024 px."""
    datasets.generate_dataset(session, team.analyst, team.client.id, 60, 5)
    datasets.generate_dataset(session, team.analyst, team.client.id, 60, 7)
    table = open_page("pages/home.py", team.viewer, team.client).dataframe[0]
    assert "v2 · Test data, seed 7, steady spend" in list(table.value["Dataset"])
    for window in (1024, 1440):
        assert cut_cells(table, window, list(table.value.columns)) == []


def test_a_client_id_without_access_shows_nothing_of_it(session, team, open_page, text_of):
    app = open_page("pages/home.py", team.outsider, team.client)
    assert not app.exception
    assert "Acme AB" not in text_of(app)
    assert "Pick a client" in text_of(app)
    assert not app.dataframe


def test_pages_need_a_logged_in_active_user(session, team, open_page, text_of):
    assert "Please log in" in text_of(open_page("pages/home.py", None, team.client))
    team.viewer.is_active = False
    session.commit()
    app = open_page("pages/home.py", team.viewer, team.client)
    assert "Please log in" in text_of(app) and "Acme AB" not in text_of(app)


def test_without_clients_an_admin_gets_a_link_to_create_one(session, open_page, text_of):
    admin = auth.register_user(session, "admin@agency.se", "Admin", PASSWORD)
    app = open_page("pages/home.py", admin)
    assert "Create the first one on the Clients page" in text_of(app)
    assert [(link.label, link.proto.page) for link in app.get("page_link")] == [
        ("Create a client", "clients")]


def test_without_access_a_new_colleague_is_told_to_ask_an_admin(session, team, open_page,
                                                                 text_of):
    colleague = auth.register_user(session, "erik@agency.se", "Erik", PASSWORD)
    app = open_page("pages/home.py", colleague)
    assert "Ask an administrator to give you access" in text_of(app)
    assert "Clients page" not in text_of(app) and not app.get("page_link")


def test_an_analyst_without_runs_gets_a_link_to_the_next_step(session, team, open_page):
    app = open_page("pages/home.py", team.analyst, team.client)
    assert [link.label for link in app.get("page_link")] == ["Load data"]
    datasets.generate_dataset(session, team.analyst, team.client.id, 60, 4)
    assert [link.label for link in app.run().get("page_link")] == ["Start a run"]


def test_a_viewer_is_sent_to_no_runs_page(session, team, open_page, text_of):
    """Runs is the analysts' page (a viewer's navigation holds a stand-in at its address):
    without a finished run the viewer reads the runs in the table below, no link there."""
    dataset = datasets.generate_dataset(session, team.analyst, team.client.id, 60, 4)
    session.add(ModelRun(client_id=team.client.id, dataset_id=dataset.id, status="failed",
                         config=runs.default_config(dataset), created_by_id=team.analyst.id))
    session.commit()
    analyst = open_page("pages/home.py", team.analyst, team.client)
    assert [link.label for link in analyst.get("page_link")] == ["See the runs"]
    viewer = open_page("pages/home.py", team.viewer, team.client)
    assert not viewer.exception and "no run of this client has succeeded" in text_of(viewer)
    assert not viewer.get("page_link") and len(viewer.dataframe) == 2  # datasets, runs


def test_the_latest_finished_run_s_numbers_head_the_home_page(session, team, open_page):
    run = finished_run(session, team.analyst, team.client.id)
    overview = clients.client_overview(session, team.viewer, team.client.id)
    assert overview.latest_run.id == run.id and overview.headline["conversion"] is False
    app = open_page("pages/home.py", team.viewer, team.client)
    assert not app.exception
    assert [(m.label, m.value) for m in app.metric] == [
        tuple(row) for row in content.overview_headlines(overview.headline, "SEK")]
    spend = sum(c["spend"] for c in run.channels.values())
    contribution = sum(c["contribution"] for c in run.channels.values())
    assert dict((m.label, m.value) for m in app.metric)["Media ROAS"] == fmt.roas(
        contribution / spend, "SEK")


def test_a_us_clients_tables_write_their_dates_the_us_way(session, team, open_page):
    """The fourth UX audit saw "2026-12-01 09:44" beside "Jan 3, 2022 – Dec 25, 2023" for a
    dollar client: every date of a client's tables is written its way."""
    team.client.currency = "USD"
    session.commit()
    run = finished_run(session, team.analyst, team.client.id)
    app = open_page("pages/home.py", team.viewer, team.client)
    assert not app.exception
    datasets_shown, runs_shown = app.dataframe[0].value, app.dataframe[1].value
    window = run.dataset
    assert datasets_shown["Period"].tolist() == [
        fmt.weeks_period(window.start_date, window.end_date, "USD")]
    assert datasets_shown["Period"][0].startswith(f"{fmt.as_date(window.start_date):%b} ")
    assert runs_shown["Created"].tolist() == [fmt.timestamp(run.created_at, config.time_zone(),
                                                            "USD")]
    assert runs_shown["Created"][0].startswith(f"{run.created_at:%b} ")
