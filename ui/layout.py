"""The app's style sheet and layout pieces that keep numbers readable on a narrow screen."""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

APP_STYLE = (
    "<style>@media (max-width: 1280px) {"
    " [data-testid='stSidebar'][data-collapsed='false']"
    " {width: 240px !important; min-width: 240px !important;}"
    " [data-testid='stMainBlockContainer'] {padding-left: 1.5rem; padding-right: 1.5rem;}"
    "}"
    " [data-testid='stMainBlockContainer'] {padding-top: 3rem;}"
    " [data-testid='stSidebar'] [data-testid='stWidgetLabelRequired'] {display: none;}"
    "</style>"
)

#: How wide a page is in a 1024 px window (px): beside the 240 px sidebar, within its margins.
PAGE_AT_1024 = 1024 - 240 - 2 * 24


def style_the_app() -> None:
    """Below 1280 px a narrower sidebar (while it is open: a collapsed one keeps no width)
    and page margin: at 1024 px Streamlit leaves a page only 562 px wide beside its sidebar,
    and wide tables hid their last columns. The sidebar's client box, which cannot be left
    empty, does not say "(required)" beside its label. Every page's title starts half
    Streamlit's 6rem below the window's top, without an empty band above it."""
    st.html(APP_STYLE)


def metric_row() -> DeltaGenerator:
    """A row for big numbers (``row.metric(..., width="content")``) that wraps onto a new
    line when the screen is narrow, so every number reads in full: st.columns cuts
    "1 150 873 kr" to "1 150 8…" at 1024 px."""
    return st.container(horizontal=True, gap="medium")
