"""Links to other pages of the app, for empty states that send the user there."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

APP_ROOT = Path(__file__).resolve().parents[1]


def page_link(path: str, label: str) -> None:
    """A link to the page file ``path`` (relative to app.py), whichever script runs the page."""
    st.page_link(st.Page(APP_ROOT / path), label=label, icon=":material/arrow_forward:")
