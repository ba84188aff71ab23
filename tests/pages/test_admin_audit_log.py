"""Admin page, usability audits 7 and 10: a wider window widens the audit log's Details, not
its other columns, and the log still fits a 1024 px window with who did what to which client
whole."""

from __future__ import annotations

import json

from kiri_core.services import audit, clients
from ui.layout import PAGE_AT_1024


def test_only_the_details_take_the_room_a_wider_window_gives(session, team, open_page,
                                                              table_width) -> None:
    """The audit: at 1440 px the details were cut to "scenario #2 · run #2 · name: Stretc"
    while When, Who and Client, nearly the same on every row, took the room. Streamlit shares
    the room left over among the columns that are not pinned: all but Details are."""
    app = open_page("pages/admin.py", team.admin)
    log = app.dataframe[-1]
    config = json.loads(log.proto.columns)
    assert {name: config[name].get("pinned", False) for name in log.value.columns} == {
        "When": True, "Who": True, "Action": True, "Client": True, "Details": False}
    assert table_width(log) <= PAGE_AT_1024


def test_who_did_what_to_which_client_reads_whole_at_1024_px(session, team, open_page,
                                                              cut_cells) -> None:
    """Audit 10: at 1024 px the log cut the client "Nordic Sho" and the action "Saved a
    budget scenari"; the details may be cut there, not at 1440 px."""
    nordic = clients.create_client(session, team.admin, "Nordic Shoes AB", "Retail", "SEK")
    audit.record(session, team.analyst, "scenario.save", client_id=nordic.id,
                 details={"name": "Campaign plan Q1"})
    session.commit()
    log = open_page("pages/admin.py", team.admin).dataframe[-1]
    assert log.value.iloc[0][["Who", "Action", "Client"]].tolist() == [
        "analyst@agency.se", "Saved a budget scenario", "Nordic Shoes AB"]
    assert cut_cells(log, 1024, ["When", "Who", "Action", "Client"]) == []
    assert cut_cells(log, 1440, ["Details"]) == []
