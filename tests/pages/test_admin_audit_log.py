"""Admin page, usability audit 7: a wider window widens the audit log's Details, not its
other columns, and the log still fits a 1024 px window."""

from __future__ import annotations

import json

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
