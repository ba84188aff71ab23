"""Accessors for the shared session-state keys (``client_id``, ``run_id``, ``user_id``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

CLIENT_ID = "client_id"
RUN_ID = "run_id"
USER_ID = "user_id"


def client_id() -> int | None:
    return st.session_state.get(CLIENT_ID)


def set_client_id(value: int | None) -> None:
    st.session_state[CLIENT_ID] = value


def run_id() -> int | None:
    return st.session_state.get(RUN_ID)


def set_run_id(value: int | None) -> None:
    st.session_state[RUN_ID] = value


def user_id() -> int | None:
    return st.session_state.get(USER_ID)


def set_user_id(value: int | None) -> None:
    st.session_state[USER_ID] = value


def keep_widget_value(key: str, keep: Callable[[Any], None]) -> None:
    """A widget's ``on_change``: hand its new value to ``keep``.

    A browser can report a change of a widget drawn before the session dropped its state
    (a reload that logs the user in from the cookie); there is nothing to keep then, and
    the page draws the widget anew from the kept value.
    """
    if (value := st.session_state.get(key)) is not None:
        keep(value)
