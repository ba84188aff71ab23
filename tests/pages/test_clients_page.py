"""Clients page: admins create and archive clients, analysts edit, others only see."""

from __future__ import annotations

from kiri_core.db.models import ModelRun
from kiri_core.services import auth, clients, datasets, runs, users
from kiri_core.services.access import accessible_clients
from tests.fitted import PASSWORD


def test_admin_creates_a_client_and_it_becomes_selected(session, team, open_page):
    app = open_page("pages/clients.py", team.admin)
    app.text_input(key="new_name").set_value("Nordic Shoes")
    app.selectbox(key="new_currency").set_value("NOK")
    app.button[0].click().run()
    assert not app.exception and not app.error
    created = next(c for c in accessible_clients(session, team.admin) if c.name == "Nordic Shoes")
    assert created.currency == "NOK"
    assert app.session_state["client_id"] == created.id
    assert app.success[0].value.startswith(
        "Created Nordic Shoes (NOK): it is now the chosen client")
    # the audit: nothing said that no one but the administrators sees it yet, nor where to
    # give access
    assert app.success[0].value.endswith(
        "Only administrators see it until you give someone access on the Admin page.")
    assert [(link.label, link.proto.page) for link in app.get("page_link")] == [
        ("Give access on the Admin page", "admin")]
    app.run()  # said once, link and all
    assert not app.success and not app.get("page_link")


def test_duplicate_name_gives_a_message_and_creates_nothing(session, team, open_page):
    app = open_page("pages/clients.py", team.admin)
    app.text_input(key="new_name").set_value("Acme AB")
    app.button[0].click().run()
    assert "already exists" in app.error[0].value
    assert len(accessible_clients(session, team.admin)) == 2


def test_an_administrator_s_role_reads_administrator(session, team, open_page):
    """Admins act as analysts everywhere; the table called them "analyst"."""
    roles = open_page("pages/clients.py", team.admin).dataframe[0].value["Your role"]
    assert set(roles) == {"administrator"}


def test_viewer_sees_only_granted_clients_and_no_forms(session, team, open_page):
    app = open_page("pages/clients.py", team.viewer)
    assert list(app.dataframe[0].value["Client"]) == ["Acme AB"]
    assert list(app.dataframe[0].value["Your role"]) == ["viewer"]
    assert not app.text_input


def test_analyst_edits_the_client(session, team, open_page):
    app = open_page("pages/clients.py", team.analyst, team.client)
    app.text_input(key=f"edit{team.client.id}_name").set_value("Acme Group")
    app.button[0].click().run()
    assert app.success[0].value == "Saved Acme Group (Retail, SEK)."
    session.refresh(team.client)
    assert team.client.name == "Acme Group"


def test_without_clients_the_admin_is_told_to_create_one_and_others_to_ask(session, open_page,
                                                                          text_of):
    admin = auth.register_user(session, "admin@agency.se", "Admin", PASSWORD)
    colleague = auth.register_user(session, "erik@agency.se", "Erik", PASSWORD)
    admin_sees = text_of(open_page("pages/clients.py", admin))
    assert "create the first one below" in admin_sees and "administrator" not in admin_sees
    assert "Ask an administrator to give you access" in text_of(
        open_page("pages/clients.py", colleague))


def test_a_client_archived_in_another_tab_is_not_swapped_for_another(session, team, open_page,
                                                                      text_of):
    """The analyst works on Acme AB in one tab; an admin archives it elsewhere. The next page
    load selects no client and says why, instead of quietly showing (and saving to) the
    analyst's other client."""
    users.grant_access(session, team.admin, team.analyst.id, team.other_client.id, "analyst")
    assert open_page("app.py", team.analyst, team.client).title[0].value == "Acme AB"
    clients.set_archived(session, team.admin, team.client.id, True)
    app = open_page("app.py", team.analyst, team.client)
    assert not app.exception and app.session_state["client_id"] is None
    assert "Acme AB is no longer open to you: it was archived" in text_of(app)
    assert "Other AB" not in [t.value for t in app.title]
    app.selectbox(key="client_picker").set_value(team.other_client.id).run()
    assert app.session_state["client_id"] == team.other_client.id
    assert "no longer open to you" not in text_of(app)


def test_the_address_carries_the_client_so_a_reload_opens_it_again(team, session, open_page):
    """The selected client is put in the page's address; a new session (a reload, a shared
    link) opens the client in the address, not the first one. (AppTest runs only the page on
    a rerun, so each step is a first run; tests/e2e/test_deep_link.py reloads in Chromium.)"""
    users.grant_access(session, team.admin, team.analyst.id, team.other_client.id, "analyst")
    assert open_page("app.py", team.analyst).query_params["client"] == str(team.client.id)
    picked = open_page("app.py", team.analyst, team.other_client)
    assert picked.query_params["client"] == str(team.other_client.id)
    reloaded = open_page("app.py", team.analyst, query={"client": str(team.other_client.id)})
    assert reloaded.session_state["client_id"] == team.other_client.id
    assert reloaded.title[0].value == "Other AB"


def test_a_link_to_a_client_out_of_reach_selects_none_and_names_nothing(team, open_page,
                                                                       text_of):
    """The viewer of Acme AB opens a link to Other AB: no client is selected (not Acme AB in
    its place), and the page does not reveal the other client's name."""
    app = open_page("app.py", team.viewer, query={"client": str(team.other_client.id)})
    assert not app.exception and app.session_state["client_id"] is None
    assert "The client in this link is no longer open to you" in text_of(app)
    assert "Other AB" not in text_of(app)


def client_named(session, admin, name: str):
    return next(c for c in accessible_clients(session, admin, include_archived=True)
                if c.name == name)


def test_a_created_client_empties_the_form_and_a_refused_one_keeps_what_was_typed(
        session, team, open_page):
    """After Alpenblick GmbH in EUR the form starts empty at SEK again, so the next client is
    not created in EUR unseen; a refused name stays in the form to correct."""
    app = open_page("pages/clients.py", team.admin)
    app.text_input(key="new_name").set_value("Alpenblick GmbH")
    app.selectbox(key="new_industry").set_value("Travel")
    app.selectbox(key="new_currency").set_value("EUR")
    app.button(key="FormSubmitter:new_client-Create client").click().run()
    assert not app.exception and not app.error
    assert app.success[0].value.startswith("Created Alpenblick GmbH (EUR): ")
    assert (app.text_input(key="new_name").value, app.selectbox(key="new_industry").value,
            app.selectbox(key="new_currency").value) == ("", "Other", "SEK")
    app.text_input(key="new_name").set_value("Fjällgården AB")
    app.button(key="FormSubmitter:new_client-Create client").click().run()
    assert app.success[0].value.startswith("Created Fjällgården AB (SEK): ")
    assert client_named(session, team.admin, "Fjällgården AB").currency == "SEK"
    app.text_input(key="new_name").set_value("alpenblick  gmbh")
    app.selectbox(key="new_currency").set_value("NOK")
    app.button(key="FormSubmitter:new_client-Create client").click().run()
    assert app.error[0].value == "A client named 'Alpenblick GmbH' already exists."
    assert not app.success
    assert (app.text_input(key="new_name").value, app.selectbox(key="new_currency").value) == (
        "alpenblick  gmbh", "NOK")


def test_saved_changes_show_in_the_table_at_once(session, team, open_page):
    app = open_page("pages/clients.py", team.analyst, team.client)
    app.selectbox(key=f"edit{team.client.id}_industry").set_value("Travel")
    app.selectbox(key=f"edit{team.client.id}_currency").set_value("NOK")
    app.button(key="FormSubmitter:edit_client-Save changes").click().run()
    assert not app.exception and not app.warning
    table = app.dataframe[0].value.set_index("Client")
    assert tuple(table.loc["Acme AB", ["Industry", "Currency"]]) == ("Travel", "NOK")
    assert [s.value for s in app.success] == ["Saved Acme AB (Travel, NOK)."]
    app.run()
    assert not app.success  # said once


def test_a_new_currency_of_a_client_with_runs_is_confirmed_first(session, team, open_page):
    dataset = datasets.generate_dataset(session, team.analyst, team.client.id, 60, 1)
    session.add(ModelRun(client_id=team.client.id, dataset_id=dataset.id, status="failed",
                         config=runs.default_config(dataset), created_by_id=team.analyst.id))
    session.commit()
    app = open_page("pages/clients.py", team.analyst, team.client)
    currency = app.selectbox(key=f"edit{team.client.id}_currency")
    currency.set_value("EUR")
    app.button(key="FormSubmitter:edit_client-Save changes").click().run()
    assert [w.value for w in app.warning] == [
        "Acme AB has 1 run: its results, budget plans and PDFs will show the same amounts in "
        "EUR instead of SEK. Nothing is converted."]
    session.refresh(team.client)
    assert team.client.currency == "SEK" and not app.success
    app.button(key=f"edit{team.client.id}_keep").click().run()
    assert not app.warning and app.selectbox(key=f"edit{team.client.id}_currency").value == "SEK"
    app.selectbox(key=f"edit{team.client.id}_currency").set_value("EUR")
    app.button(key="FormSubmitter:edit_client-Save changes").click().run()
    app.button(key=f"edit{team.client.id}_confirm").click().run()
    assert not app.exception and not app.warning
    session.refresh(team.client)
    assert team.client.currency == "EUR"
    assert app.dataframe[0].value.set_index("Client").loc["Acme AB", "Currency"] == "EUR"
    assert [s.value for s in app.success] == ["Saved Acme AB (Retail, EUR)."]


def test_the_edit_picker_follows_the_sidebar_s_client_and_leads_it(session, team, open_page):
    app = open_page("pages/clients.py", team.admin, team.client)
    assert app.selectbox(key="edit_pick").value == team.client.id
    app.session_state["client_id"] = team.other_client.id  # picked in the sidebar
    app.run()
    assert app.selectbox(key="edit_pick").value == team.other_client.id
    assert app.text_input(key=f"edit{team.other_client.id}_name").value == "Other AB"
    app.selectbox(key="edit_pick").set_value(team.client.id).run()
    assert app.session_state["client_id"] == team.client.id  # the sidebar follows
    assert app.selectbox(key="edit_pick").value == team.client.id


def test_archive_is_confirmed_and_said_and_the_client_can_be_restored(session, team,
                                                                     open_page):
    app = open_page("pages/clients.py", team.admin, team.client)
    assert "Archive client" not in [b.label for b in app.button]  # a popover asks first
    confirm = app.button(key=f"archive_{team.client.id}")
    assert confirm.label == "Yes, archive Acme AB"
    app.run()
    session.refresh(team.client)
    assert team.client.archived_at is None
    app.button(key=f"archive_{team.client.id}").click().run()
    assert not app.exception
    session.refresh(team.client)
    assert team.client.archived_at is not None
    assert app.session_state["client_id"] == team.other_client.id  # the first client left
    assert [s.value for s in app.success] == [
        "Archived Acme AB: it no longer shows in the client pickers. Restore it here any time. "
        "The sidebar now shows Other AB."]
    picker = app.selectbox(key="edit_pick")
    assert picker.value == team.client.id and picker.format_func(team.client.id) == (
        "Acme AB (archived)")
    app.selectbox(key="edit_pick").set_value(team.other_client.id).run()
    app.selectbox(key="edit_pick").set_value(team.client.id).run()
    assert app.session_state["client_id"] == team.other_client.id  # archived: not in the sidebar
    app.button(key=f"restore_{team.client.id}").click().run()
    session.refresh(team.client)
    assert team.client.archived_at is None
    assert [s.value for s in app.success] == ["Restored Acme AB: it is back in the client "
                                              "pickers."]
