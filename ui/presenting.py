"""Presentation mode's run bar and its clean view for client meetings."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.orm import Session

from kiri_core.db.models import Client, ModelRun, User
from kiri_core.report import content
from ui.context import viewer_zone
from ui.workspace import chosen_by_words, finished_run, model_caption, result_of, selected_model

PRESENTING = "presenting"
CLEAN_VIEW = ("<style>[data-testid='stSidebar'], [data-testid='stSidebarCollapsedControl'], "
              "[data-testid='stExpandSidebarButton'], [data-testid='stHeader'] "
              "{display: none !important;}</style>")


def presentation_run(session: Session, user: User, client: Client,
                     role: str) -> tuple[ModelRun, bool]:
    """The presented run and whether the clean view is on.

    Normally the run is picked in a bar above the story, beside a button to the clean view;
    the bar names the model by its id (the story names it in words,
    :func:`kiri_core.report.content.model_in_words`) and warns an analyst of what the client
    is told otherwise (:func:`kiri_core.report.content.before_presenting`). A viewer, who
    can neither choose the model nor start a run, is given neither warning nor the analyst's
    to-do (:func:`bar_caption`): the story below tells them what it tells the client, and
    reads the same in both views. The clean view hides the sidebar and the toolbar (the run
    picker goes with them, the session's run stays) and offers one button back.
    """
    if st.session_state.get(PRESENTING):
        st.html(CLEAN_VIEW)
        with st.container(horizontal=True, horizontal_alignment="right"):
            st.button("Stop presenting", icon=":material/fullscreen_exit:",
                      type="tertiary", on_click=_set_presenting, args=(False,))
        with st.sidebar:
            return finished_run(session, user, client), True
    with st.container(border=True):
        picker, action = st.columns([3, 1], vertical_alignment="center")
        with picker:
            run = finished_run(session, user, client)
            result = result_of(session, user, run.id)
            st.caption(bar_caption(result, run, client.currency, role))
        action.button("Present", icon=":material/fullscreen:", width="stretch",
                      on_click=_set_presenting, args=(True,),
                      help="Hide the menu and the sidebar for a client meeting.")
        notes = (content.before_presenting(result, selected_model(result, run), client.currency)
                 if role == "analyst" else [])
        if warning := content.presenter_warning(notes):
            st.warning(warning, icon=":material/co_present:")
    return run, False


def bar_caption(result: dict, run: ModelRun, currency: str, role: str) -> str:
    """The model and who set it (:func:`ui.workspace.model_caption`); for a viewer the
    model without the analyst's words ("the model is chosen on the Results page", "an
    alternative model"): ``"Model 1_2_3 · recommended"``, or ``"Model 1_2_4 · selected by
    Ann on 2026-12-01"``."""
    zone = viewer_zone()
    if role == "analyst":
        return model_caption(result, run, currency, zone)
    model_id = selected_model(result, run)
    if model_id == result["model_id"] or not (by := chosen_by_words(run, currency, zone)):
        return content.model_statement(result, model_id)
    return f"Model {model_id} · selected by {by}"


def _set_presenting(on: bool) -> None:
    st.session_state[PRESENTING] = on
