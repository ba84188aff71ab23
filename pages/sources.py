"""BigQuery sources: set up a client's table or query, test it, import, schedule, history."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from kiri_core.bigquery import background, importer, schedule, sources
from kiri_core.bigquery.client import SourceSpec
from kiri_core.bigquery.errors import BigQueryFailure
from kiri_core.bigquery.mapping import SourceMapping, mapping_from_columns
from kiri_core.bigquery.models import BigQuerySource
from kiri_core.services.errors import KiriError
from ui.context import selected_client, signed_in_user, viewer_zone
from ui.db import db
from ui.errors import show_error, user_errors
from ui.links import page_link
from ui.tables import preview_columns, preview_frame

PREVIEW_KEY = "bigquery_preview_{source}"
SOURCE_PICKER = "bigquery_source"
SELECT_NEXT = "bigquery_select_next"
NOTICE = "bigquery_notice"
IMPORT_POLL_SECONDS = 2
INTRO = ("A source is a BigQuery table or query that Kiri reads {when} into this client's "
         "weekly data, like a CSV upload: one row per week, with its date, the revenue or "
         "conversions and the spend columns.")
INTRO_WHEN = {True: "on a weekly schedule or on demand (Import now)",
              False: "on demand (Import now)"}  # by whether the server has the queue
TEST_FIRST = "Test the connection to choose the columns."
TEST_AGAIN = "Correct the table (or query) above and test again."
DETAILS_HELP = "The whole message of an import; double-click a cell to read all of it."
APP_KEY = "Without a key, the service account set up for this app is used."
APP_KEY_HELP = ("An administrator sets up the app's service account with the "
                "GOOGLE_APPLICATION_CREDENTIALS setting (a key file on the server).")


def show_failure(error: KiriError) -> None:
    if isinstance(error, BigQueryFailure):
        st.error(f"**{error.title}.** {error}")
    else:
        show_error(error)


def location_inputs(source: BigQuerySource | None, key: str) -> SourceSpec:
    project = st.text_input("Google Cloud project", key=f"{key}_project",
                            value=source.project if source else sources.default_project())
    kind = st.radio("Read", ["Table", "SQL query"], horizontal=True, key=f"{key}_kind",
                    index=1 if source and source.query else 0)
    if kind == "Table":
        table = st.text_input("Table (dataset.table)", key=f"{key}_table",
                              value=(source.table_ref or "") if source else "")
        return SourceSpec(project, table_ref=table)
    query = st.text_area("SQL query", key=f"{key}_query",
                         value=(source.query or "") if source else "", height=120)
    return SourceSpec(project, query=query)


def connection_test(session, user, client, source, spec: SourceSpec, key_file, key: str):
    """The "Test connection" button; the preview stays until the next test. Returns the
    preview, or None and whether a test has just failed."""
    if st.button("Test connection", key=f"{key}_test"):
        try:
            st.session_state[key] = sources.check_connection(
                session, user, client.id, spec, key_file=key_file,
                source_id=source.id if source else None,
            )
        except KiriError as error:
            st.session_state.pop(key, None)
            show_failure(error)
            return None, True
    preview = st.session_state.get(key)
    if preview is not None:
        st.success(f"Connected: {preview.total_rows} rows, {len(preview.column_types)} "
                   "columns. The first rows:")
        st.dataframe(preview_frame(preview.rows, client.currency),
                     column_config=preview_columns(preview.rows), hide_index=True,
                     width="stretch")
    return preview, False


def mapping_inputs(columns: list[str], current: SourceMapping, key: str) -> SourceMapping:
    def pick(label: str, value: str) -> str:
        return st.selectbox(label, columns, key=f"{key}_{label}",
                            index=columns.index(value) if value in columns else 0)

    left, right = st.columns(2)
    with left:
        date = pick("Date column (week start)", current.date)
        revenue = pick("Outcome column (revenue or conversions)", current.revenue)
    with right:
        spend = st.multiselect("Spend columns", columns, key=f"{key}_spend",
                               default=[c for c in current.spend.values() if c in columns])
        context = st.multiselect("Context columns (flags)", columns, key=f"{key}_context",
                                 default=[c for c in current.context.values() if c in columns])
    mapping = mapping_from_columns(date, revenue, spend, context, keep=current)
    st.caption("Kiri names: " + ", ".join(f"{c} → {k}" for k, c in mapping.renames().items()))
    return mapping


def source_form(session, user, client, source: BigQuerySource | None) -> None:
    key = f"bq_{source.id if source else 'new'}"
    name = st.text_input("Name", value=source.name if source else "", key=f"{key}_name")
    spec = location_inputs(source, key)
    key_file = st.file_uploader("Service-account key (JSON)", type=["json"], key=f"{key}_key")
    forget = False
    if source and source.credentials_email:
        st.caption(f"A key for {source.credentials_email} is stored encrypted; it is never "
                   "shown again. Upload a new one to replace it.")
        forget = st.checkbox("Use the app's service account instead", key=f"{key}_forget",
                             help=APP_KEY_HELP)
    else:
        st.caption(APP_KEY, help=APP_KEY_HELP)
    raw_key = key_file.getvalue() if key_file else None
    preview, failed = connection_test(session, user, client, source, spec, raw_key,
                                      PREVIEW_KEY.format(source=key))
    saved = SourceMapping.from_json(source.column_mapping) if source else None
    if preview is None and saved is None:
        st.info(TEST_AGAIN if failed else TEST_FIRST)
        return
    columns = list(preview.column_types) if preview else list(saved.renames().values())
    mapping = mapping_inputs(columns, saved or preview.suggested, key)
    rerun = st.checkbox("Re-run the client's last model when new weeks arrive",
                        value=bool(source and source.rerun_on_new_weeks), key=f"{key}_rerun")
    if st.button("Save source", type="primary", key=f"{key}_save"):
        values = sources.SourceSettings(name, spec.project, spec.table_ref, spec.query, mapping,
                                        rerun)
        with user_errors():
            saved_source = sources.save_source(
                session, user, client.id, values, source_id=source.id if source else None,
                key_file=raw_key, forget_key=forget,
            )
            st.session_state[NOTICE] = f"Saved source '{saved_source.name}'."
            st.session_state[SELECT_NEXT] = saved_source.id
            st.rerun()


def schedule_panel(session, user, source: BigQuerySource, can_edit: bool) -> None:
    """The source's weekly refresh and, for analysts, its form; without the queue, why there
    is none."""
    if not schedule.available():
        st.info(schedule.unavailable_text(user) if can_edit else schedule.UNAVAILABLE)
        return
    st.write(schedule.schedule_summary(source))
    if not can_edit:
        return
    day, hour, minute = schedule.weekly_parts(source.schedule_cron) or (0, 6, 0)
    cols = st.columns([2, 2, 3])
    weekday = cols[0].selectbox("Day", range(7), format_func=lambda d: schedule.WEEKDAYS[d],
                                index=day, key=f"sched_day_{source.id}")
    at = cols[1].time_input("Time", dt.time(hour, minute), key=f"sched_time_{source.id}")
    zone = cols[2].text_input("Time zone", source.schedule_timezone, key=f"sched_tz_{source.id}")
    left, right = st.columns(2)
    if left.button("Save weekly schedule", key=f"sched_save_{source.id}"):
        with user_errors():
            cron = schedule.weekly_cron(weekday, at.hour, at.minute)
            schedule.set_schedule(session, user, source.id, cron, zone)
            st.rerun()
    if source.schedule_cron and right.button("Stop schedule", key=f"sched_stop_{source.id}"):
        with user_errors():
            schedule.clear_schedule(session, user, source.id)
            st.rerun()


def import_panel(session, user, source: BigQuerySource, can_import: bool) -> None:
    """"Import now" (queues the import and returns at once), then the source's imports."""
    if can_import and st.button("Import now", type="primary"):
        with user_errors():
            background.queue_import(session, user, source.id)
            st.rerun()
    background.reap_stale_imports(session, source.id)
    records = sources.import_history(session, user, source.id)
    currency = source.client.currency
    if records and records[0].status in background.ACTIVE_STATUSES:
        live_imports(source.id, currency, can_import)
    else:
        imports_view(records, currency, can_import)


@st.fragment(run_every=IMPORT_POLL_SECONDS)
def live_imports(source_id: int, currency: str, can_import: bool) -> None:
    """Polls while the newest import is queued or running; reruns the page once it ends."""
    with db() as session:
        background.reap_stale_imports(session, source_id)
        records = sources.import_history(session, signed_in_user(session), source_id)
        if records[0].status not in background.ACTIVE_STATUSES:
            st.rerun(scope="app")
        imports_view(records, currency, can_import)


def imports_view(records: list, currency: str, can_import: bool) -> None:
    """The newest import's status or result (a saved version leads analysts on to the Runs
    page), and the import history (in the viewer's time zone)."""
    if not records:
        st.caption("No imports yet.")
        return
    last = records[0]
    if last.status in background.ACTIVE_STATUSES:
        st.info(importer.describe(last), icon=":material/hourglass_top:")
    else:
        (st.error if last.status == "failed" else st.success)(importer.describe(last))
    if last.status == "succeeded" and can_import:
        page_link("pages/runs.py", "See the re-run" if last.rerun_id else "Start a run on it")
    st.subheader("Import history")
    zone = viewer_zone()
    st.dataframe(pd.DataFrame([importer.history_row(r, currency, zone) for r in records]),
                 column_config={"Details": st.column_config.TextColumn(help=DETAILS_HELP)},
                 hide_index=True, width="stretch")


with db() as session:
    user = signed_in_user(session)
    client, role = selected_client(session, user)
    st.title(f"BigQuery sources · {client.name}")
    st.caption(INTRO.format(when=INTRO_WHEN[schedule.available()]))
    if notice := st.session_state.pop(NOTICE, None):
        st.success(notice)
    if SELECT_NEXT in st.session_state:
        st.session_state[SOURCE_PICKER] = st.session_state.pop(SELECT_NEXT)
    by_id = {s.id: s for s in sources.list_sources(session, user, client.id)}
    choices = [*by_id, None] if role == "analyst" else list(by_id)
    if not choices:
        st.info("This client has no BigQuery source yet.")
        st.stop()
    chosen = st.selectbox("Source", choices, key=SOURCE_PICKER,
                          format_func=lambda i: by_id[i].name if i else "New source")
    source = by_id.get(chosen)
    if role == "analyst":
        with st.expander("Settings", expanded=source is None):
            source_form(session, user, client, source)
    if source is not None:
        import_panel(session, user, source, role == "analyst")
        st.subheader("Scheduled refresh")
        schedule_panel(session, user, source, role == "analyst")
