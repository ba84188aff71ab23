"""Data: upload a CSV (mapping, preview, validation) or generate test data; list and delete
versions."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kiri_core.data.validation import SPEND_BOX, written_currency
from kiri_core.services import datasets, runs
from kiri_core.services.errors import ValidationError
from ui.context import selected_client, signed_in_user, viewer_zone
from ui.data_preview import show_chart, show_preview
from ui.db import db
from ui.errors import show_error, user_errors
from ui.inputs import confirmed_action
from ui.links import page_link
from ui.tables import datasets_table

DELETED = "data_deleted_notice"
SAVED = "data_saved_notice"  # (client id, text) of the last save, shown once after it
SAVES = "data_saves"  # saves of an upload this session: each gives the file box a new key
OUTCOME_BOX = "Outcome column (revenue or conversions)"


def outcome_note(column: str) -> str:
    """What runs on the data model unless their form says otherwise, guessed from the
    outcome column's name."""
    return f"Runs read it as {runs.OUTCOME_LABELS[runs.outcome_guess(column)]} by default."


def mapping_editor(frame: pd.DataFrame, suggested: dict, key: str) -> dict:
    """Widgets to confirm or change the detected role of each column."""
    columns = list(frame.columns)

    def pick(label: str, role: str) -> str | None:
        default = suggested.get(role)
        return st.selectbox(label, columns, key=f"{key}_{role}",
                            index=columns.index(default) if default in columns else None,
                            placeholder="Choose a column")

    left, right = st.columns(2)
    with left:
        date = pick("Date column (week start)", "date")
    with right:
        revenue = pick(OUTCOME_BOX, "revenue")
        if revenue:
            st.caption(outcome_note(revenue))
    # full width: an account's channels (often 4-10) all show, none scrolled out of sight
    spend = st.multiselect(SPEND_BOX, columns, key=f"{key}_spend",
                           default=suggested.get("spend", []))
    left, right = st.columns(2)
    context = left.multiselect("Context columns (flags, other drivers)", columns,
                               key=f"{key}_context", default=suggested.get("context", []))
    organic = right.multiselect("Organic columns", columns, key=f"{key}_organic",
                                default=suggested.get("organic", []))
    return {"date": date, "revenue": revenue, "spend": spend, "context": context,
            "organic": organic}


def uploader_key() -> str:
    """The file box's key: a new one after each save, so the saved file leaves the box."""
    saves = st.session_state.get(SAVES, 0)
    return f"upload_file_{saves}" if saves else "upload_file"


def upload_tab(session, user, client) -> None:
    if (saved := st.session_state.pop(SAVED, None)) and saved[0] == client.id:
        saved_notice(saved[1])
    uploaded = st.file_uploader("Weekly data (CSV)", type=["csv"], key=uploader_key(),
                                help="date (YYYY-MM-DD week start), revenue or conversions, "
                                     "one spend column per paid channel (spend_meta, Google "
                                     "Ads, TikTok cost), optional promo_flag and other context "
                                     "columns; comma-, semicolon- or tab-separated (Excel's "
                                     "1 234,56 is fine).")
    if uploaded is None:
        return
    try:
        frame = datasets.read_upload(uploaded.getvalue())
    except ValidationError as error:
        show_error(error)
        return
    key = f"map_{uploaded.file_id}"
    mapping = mapping_editor(frame, datasets.suggest_mapping(frame), key)
    problems = datasets.check_frame(frame, mapping, client)
    if problems:
        count = "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
        st.error(f"{count} must be fixed before this file can be saved:\n\n"
                 + "\n".join(f"- {p}" for p in problems))
    else:
        st.success(f"{len(frame)} rows look good.")
    written = written_currency(frame, client.currency)  # a refused file in euros, in euros
    show_preview(frame, problems, written)
    show_chart(frame, mapping, written)
    name = st.text_input("Name of this version", value=uploaded.name, key=f"{key}_name")
    if st.button("Save dataset version", type="primary", disabled=bool(problems)):
        with user_errors():
            saved = datasets.save_dataset(session, user, client.id, frame, mapping, name=name,
                                          source=f"upload:{uploaded.name}")
            st.session_state[SAVED] = (client.id, f"Saved as version v{saved.version} "
                                       f"({saved.row_count} rows).")
            st.session_state[SAVES] = st.session_state.get(SAVES, 0) + 1
            st.rerun()  # with an empty file box: no second click saves the file again


def saved_notice(text: str) -> None:
    """What was saved, and the next step: a run on it."""
    st.success(text)
    page_link("pages/runs.py", "Start a run on it")


SPEND_PROFILE_LABELS = {
    "steady": "Steady (little week-to-week movement)",
    "varied": "Varied (campaign swings and budget re-plans)",
}


def generate_tab(session, user, client) -> None:
    st.caption("Weekly data with known truth (true ROAS and contribution per channel), "
               "shown beside the results of runs on it.")
    with st.form("generate"):
        weeks = st.number_input("Weeks", min_value=52, max_value=datasets.MAX_GENERATED_WEEKS,
                                value=156, step=1)
        seed = st.number_input("Seed", min_value=0, value=7, step=1)
        profile = st.radio("Always-on spend (Meta, Google)", list(SPEND_PROFILE_LABELS),
                           format_func=SPEND_PROFILE_LABELS.get, horizontal=True)
        if st.form_submit_button("Generate test data", type="primary"):
            with user_errors():
                saved = datasets.generate_dataset(session, user, client.id, int(weeks),
                                                  int(seed), profile)
                saved_notice(f"Saved generated data as version v{saved.version}.")


def delete_section(session, user, versions) -> None:
    """Delete a version: picked in a box, asked twice; the notice (client, text) outlives the
    rerun."""
    with st.expander("Delete a version"):
        by_id = {d.id: d for d in versions}
        chosen = by_id[st.selectbox("Version", list(by_id), key="delete_version",
                                    format_func=lambda key: by_id[key].label)]

        def delete() -> None:
            datasets.delete_dataset(session, user, chosen.id)
            st.session_state[DELETED] = (chosen.client_id, f"Deleted {chosen.label}. Runs "
                                         "already made on it keep their results.")

        confirmed_action(f"Delete v{chosen.version}", f"Delete {chosen.label} for everyone who "
                         "sees this client? Runs already made on it keep their results; new "
                         "runs cannot use it.", delete, key=f"delete_dataset_{chosen.id}")


with db() as session:
    user = signed_in_user(session)
    client, role = selected_client(session, user)
    st.title(f"Data · {client.name}")
    if role == "analyst":
        upload, generate = st.tabs(["Upload CSV", "Generate test data"])
        with upload:
            upload_tab(session, user, client)
        with generate:
            generate_tab(session, user, client)
    else:
        st.info("You have the viewer role on this client: you can see its data versions, "
                "but uploading needs the analyst role.")
    st.subheader("Versions")
    if (deleted := st.session_state.pop(DELETED, None)) and deleted[0] == client.id:
        st.success(deleted[1])
    versions = datasets.list_datasets(session, user, client.id)
    if versions:
        datasets_table(versions, client.currency, viewer_zone())
        if role == "analyst":
            delete_section(session, user, versions)
    else:
        st.caption("No dataset versions yet.")
