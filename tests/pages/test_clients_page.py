"""Clients page: admins create and archive clients, analysts edit, others only see."""

from __future__ import annotations

from kiri_core.services import auth, clients, users
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
    assert app.success[0].value.startswith("Created Nordic Shoes: it is now the chosen client")


def test_duplicate_name_gives_a_message_and_creates_nothing(session, team, open_page):
    app = open_page("pages/clients.py", team.admin)
    app.text_input(key="new_name").set_value("Acme AB")
    app.button[0].click().run()
    assert "already exists" in app.error[0].value
    assert len(accessible_clients(session, team.admin)) == 2


def test_viewer_sees_only_granted_clients_and_no_forms(session, team, open_page):
    app = open_page("pages/clients.py", team.viewer)
    assert list(app.dataframe[0].value["Client"]) == ["Acme AB"]
    assert list(app.dataframe[0].value["Your role"]) == ["viewer"]
    assert not app.text_input


def test_analyst_edits_the_client(session, team, open_page):
    app = open_page("pages/clients.py", team.analyst, team.client)
    app.text_input(key=f"edit{team.client.id}_name").set_value("Acme Group")
    app.button[0].click().run()
    assert app.success[0].value == "Saved."
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
