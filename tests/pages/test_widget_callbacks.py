"""Widget callbacks keep a picked value, and cope with a widget the session no longer knows
(seen in a browser: a log-in from the cookie right after a reload)."""

from __future__ import annotations

import streamlit as st

from ui import context, state


def test_a_pick_is_kept_and_a_pick_of_a_forgotten_widget_changes_nothing() -> None:
    state.set_client_id(7)
    st.session_state.pop(context.CLIENT_PICKER, None)
    state.keep_widget_value(context.CLIENT_PICKER, state.set_client_id)  # was a KeyError
    assert state.client_id() == 7
    st.session_state[context.CLIENT_PICKER] = 9
    state.keep_widget_value(context.CLIENT_PICKER, state.set_client_id)
    assert state.client_id() == 9
