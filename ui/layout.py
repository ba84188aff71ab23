"""Layout pieces that keep numbers readable on a narrow screen."""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator


def metric_row() -> DeltaGenerator:
    """A row for big numbers (``row.metric(..., width="content")``) that wraps onto a new
    line when the screen is narrow, so every number reads in full: st.columns cuts
    "1 150 873 kr" to "1 150 8…" at 1024 px."""
    return st.container(horizontal=True, gap="medium")
