"""Showing service errors to the user."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from kiri_core.services.errors import KiriError, ValidationError


def show_error(error: KiriError) -> None:
    """One error box; a ValidationError lists every problem it found."""
    if isinstance(error, ValidationError) and len(error.problems) > 1:
        lines = "\n".join(f"- {problem}" for problem in error.problems)
        st.error(f"{error}\n\n{lines}")
    else:
        st.error(str(error))


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn KiriError raised in the block into an error message on the page."""
    try:
        yield
    except KiriError as error:
        show_error(error)
