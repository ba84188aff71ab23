"""Showing service errors to the user."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from kiri_core.services.errors import KiriError, ValidationError


def show_error(error: KiriError) -> None:
    """One error box; a ValidationError lists every problem its message does not already say."""
    message = str(error)
    problems = error.problems if isinstance(error, ValidationError) else []
    lines = "\n".join(f"- {p}" for p in problems if p not in message)
    st.error(f"{message}\n\n{lines}" if lines else message)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn KiriError raised in the block into an error message on the page."""
    try:
        yield
    except KiriError as error:
        show_error(error)
