"""The sidebar's client picker keeps the client picked, and copes with a picker the session
no longer knows (seen in a browser: a log-in from the cookie right after a reload)."""

from __future__ import annotations

import streamlit as st

from ui import context, state


def test_a_pick_is_kept_and_a_pick_of_a_forgotten_picker_changes_nothing() -> None:
    state.set_client_id(7)
    st.session_state.pop(context.CLIENT_PICKER, None)
    context.keep_client_choice()  # raised KeyError when the picker's state was gone
    assert state.client_id() == 7
    st.session_state[context.CLIENT_PICKER] = 9
    context.keep_client_choice()
    assert state.client_id() == 9
