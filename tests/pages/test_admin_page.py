"""Admin page: only admins; users are deactivated and given client roles here."""

from __future__ import annotations

from kiri_core.db.models import UserClientAccess
from kiri_core.services import auth


def test_non_admins_are_turned_away(session, team, open_page):
    app = open_page("pages/admin.py", team.analyst)
    assert app.error[0].value == "Only administrators can do this."
    assert not app.dataframe


def test_admin_deactivates_a_user(session, team, open_page):
    app = open_page("pages/admin.py", team.admin)
    app.selectbox(key="admin_user").set_value(team.viewer.id).run()
    next(b for b in app.button if b.label == "Deactivate").click().run()
    assert not app.exception
    assert auth.active_user(session, team.viewer.id) is None


def test_admin_grants_a_role_on_a_client(session, team, open_page):
    app = open_page("pages/admin.py", team.admin)
    form_user, form_client = app.selectbox[1], app.selectbox[2]
    form_user.set_value(team.outsider.id)
    form_client.set_value(team.client.id)
    app.radio[0].set_value("viewer")
    next(b for b in app.button if b.label == "Grant access").click().run()
    assert not app.exception and not app.error
    grant = session.get(UserClientAccess, (team.outsider.id, team.client.id))
    assert grant is not None and grant.role == "viewer"
    assert "access.grant" in list(app.dataframe[-1].value["Action"])
