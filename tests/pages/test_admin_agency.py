"""Admin page, Agency: an administrator sees the agency's name and saves a new one (told so,
audited); an empty or too long name gets a clear message and changes nothing."""

from __future__ import annotations

import pytest

from kiri_core.services import agency


@pytest.fixture(autouse=True)
def no_agency_variable(monkeypatch):
    monkeypatch.delenv("KIRI_AGENCY_NAME", raising=False)


def save(app, name: str):
    app.text_input(key="agency_name_input").set_value(name)
    next(b for b in app.button if b.label == "Save").click().run()
    assert not app.exception
    return app


def test_the_admin_sees_the_name_and_saves_a_new_one(session, team, open_page, text_of):
    app = open_page("pages/admin.py", team.admin)
    assert "Agency" in [s.value for s in app.subheader]
    box = app.text_input(key="agency_name_input")
    assert (box.label, box.value) == ("Agency name", "Kiri")
    save(app, "  Fjord Media ")
    assert not app.error
    assert [m.value for m in app.success] == [
        "The agency's name is now \"Fjord Media\": every PDF report carries it from now on."]
    session.expire_all()
    assert agency.agency_name(session) == "Fjord Media"
    assert app.text_input(key="agency_name_input").value.strip() == "Fjord Media"
    assert "Renamed the agency" in list(app.dataframe[-1].value["Action"])
    app.run()  # said once
    assert not app.success
    assert open_page("pages/admin.py", team.admin).text_input(
        key="agency_name_input").value == "Fjord Media"


@pytest.mark.parametrize(("name", "message"), [
    ("   ", agency.EMPTY_NAME),
    ("M" * 81, "The agency's name can be at most 80 characters long; this one has 81."),
])
def test_an_empty_or_too_long_name_gets_a_message_and_changes_nothing(
        session, team, open_page, name, message):
    agency.set_agency_name(session, team.admin, "Fjord Media")
    app = save(open_page("pages/admin.py", team.admin), name)
    assert [e.value for e in app.error] == [message]
    assert not app.success
    session.expire_all()
    assert agency.agency_name(session) == "Fjord Media"


def test_saving_the_same_name_says_so(session, team, open_page):
    app = save(open_page("pages/admin.py", team.admin), "Kiri")
    assert [m.value for m in app.success] == ["\"Kiri\" is already the agency's name."]
    session.expire_all()
    assert agency.name_changed_at(session) is None


def test_non_admins_do_not_see_it(session, team, open_page):
    app = open_page("pages/admin.py", team.analyst)
    assert not app.text_input
