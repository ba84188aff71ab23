"""Shared pieces of the results workspace pages: run and model pickers, channel tables,
charts."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from kiri_core import charts
from kiri_core import formatting as fmt
from kiri_core.db.models import Client, ModelRun, User
from kiri_core.report import content
from kiri_core.results import is_conversion, measure_name, model_label, recommendation_reason
from kiri_core.services import runs
from kiri_core.services.access import client_role
from ui import state
from ui.context import viewer_zone
from ui.errors import user_errors
from ui.links import page_link
from ui.tables import run_label

RESULT_CACHE = "workspace_results"
RESULTS_KEPT = 3
PARETO_NOTE = ("Each dot is one candidate model: further left fits the weeks better, lower "
               "splits the effect more like the spend. Colours group similar models "
               "(clusters); the ring marks the recommended model, the blue dot the one shown. "
               "Click a dot to look at it.")
PARETO_NOTE_VIEWER = PARETO_NOTE.removesuffix(" Click a dot to look at it.")
VIEWER_PICKER_HELP = "Only an analyst of the client can choose its model."
PREVIEW_KEY = "workspace_model_preview_{run_id}"  # the model an analyst looks at, per run
MADE_KEY = "workspace_model_made_{run_id}"  # the model the button just made the client's
SPEND_TABLE = ("Channel", "Spend", "Spend share", "Contribution", "Effect share")


def channel_table_layout(result: dict, currency: str = "SEK") -> dict[str, tuple[str, ...]]:
    """Title and columns of the two channel tables: spend and effect, then the return
    (ROAS, or cost per conversion for a conversion model)."""
    conversion = is_conversion(result)
    measure = measure_name(conversion)
    return {"Spend and effect": SPEND_TABLE,
            "Cost per conversion" if conversion else "Return on spend":
                ("Channel", measure, fmt.interval_name(currency), f"Marginal {measure}")}


def channel_help(result: dict, currency: str = "SEK") -> dict[str, str]:
    """The channel tables' help texts, by heading."""
    meanings = content.channel_meanings(is_conversion(result), currency)
    return {"Effect share": "Share of the paid-media effect.",
            **{c: f"{m[:1].upper()}{m[1:]}." for c, m in meanings.items()}}


def finished_run(session: Session, user: User, client: Client, key: str = "run",
                 default: int = 0, label: str = "Run") -> ModelRun:
    """Select box of the client's succeeded runs and a caption of the chosen run's settings;
    stops the page when there is none.

    The ``"run"`` picker starts at the session's run and sets it; others start at the
    ``default``-th newest run.
    """
    done = runs.finished_runs(session, user, client.id)
    if not done:
        st.info("This client has no finished run yet.")
        if client_role(session, user, client.id) == "analyst":  # a viewer has no Runs page
            page_link("pages/runs.py", "Open the Runs page")
        st.stop()
    by_id = {r.id: r for r in done}
    ids = list(by_id)
    current = state.run_id() if key == "run" else None
    index = ids.index(current) if current in by_id else min(default, len(ids) - 1)
    zone = viewer_zone()
    labels = {i: run_label(r, client.currency, zone)  # no lazy loads after the session
              for i, r in by_id.items()}
    chosen = st.selectbox(label, ids, index=index, key=key, format_func=labels.get)
    st.caption(fmt.unbreakable_moments(run_details(by_id[chosen], client.currency, zone)))
    if key == "run":
        state.set_run_id(chosen)
    return by_id[chosen]


def run_details(run: ModelRun, currency: str, zone: str) -> str:
    """The rest of the run's settings: carryover, engine, search (preset or size), seed,
    when it finished (on the clock of ``zone``, written the client's way); the picker's label
    (:func:`ui.tables.run_label`) names the run, its dataset and when it was started."""
    config = run.config
    adstock = config.get("adstock", "geometric")
    return (f"{runs.ADSTOCK_LABELS.get(adstock, adstock)} carryover · "
            f"{fmt.engine_name(run.engine)} · "
            f"{_search(config)} · seed {config.get('seed')} · "
            f"finished {fmt.timestamp(run.finished_at, zone, currency)}")


def _search(config: dict[str, Any]) -> str:
    """The run's search: ``"quick search: 300 iterations × 1 trial"`` for a preset, else
    its size alone."""
    iterations, trials = config.get("iterations"), config.get("trials")
    size = fmt.search_size(iterations, trials)
    name = next((name for name, preset in runs.PRESETS.items()
                 if preset == {"iterations": iterations, "trials": trials}), None)
    return f"{name} search: {size}" if name else size


def result_of(session: Session, user: User, run_id: int) -> dict[str, Any]:
    """The run's result document, read once per browser session (access checked each time)."""
    runs.get_run(session, user, run_id)
    cache = st.session_state.setdefault(RESULT_CACHE, {})
    if run_id not in cache:
        if len(cache) >= RESULTS_KEPT:
            cache.pop(next(iter(cache)))
        cache[run_id] = runs.load_result(session, user, run_id)
    return cache[run_id]


def model_options(result: dict) -> list[str]:
    """Model ids: the recommended one, the other cluster winners, the rest; by fit error."""
    rest = sorted((m for m in result["models"] if m["model_id"] != result["model_id"]),
                  key=lambda m: (not m.get("is_cluster_winner"), m["metrics"]["nrmse"]))
    return [result["model_id"], *(m["model_id"] for m in rest)]


def selected_model(result: dict, run: ModelRun) -> str:
    """The client's model of the run, chosen on the Results page (default: the recommended
    one)."""
    return run.chosen_model_id or result["model_id"]


def model_picker(session: Session, user: User, run: ModelRun, result: dict, role: str,
                 currency: str) -> str:
    """A select box, the model's fit and the Pareto scatter; returns the id of the model the
    page shows.

    An analyst's pick in the box, or click on a point, previews that model on this page (in
    this browser session, per run); only the "Make ... the client's model" button stores it
    for the run, so that everyone's Results, budget planner, presentation and PDF report show
    it. A viewer sees the client's model and cannot change it.
    """
    box, chart_key, preview = (f"model_box_{run.id}", f"pareto_{run.id}",
                               PREVIEW_KEY.format(run_id=run.id))
    options, may_choose = model_options(result), role == "analyst"
    client_model = selected_model(result, run)
    if may_choose:
        _take_pareto_click(chart_key, preview, options)
    model_id = st.session_state[box] = (_previewed(preview, options, client_model)
                                        if may_choose else client_model)
    st.selectbox("Model", options, key=box, on_change=state.keep_widget_value,
                 args=(box, lambda model_id: st.session_state.update({preview: model_id})),
                 disabled=not may_choose, help=None if may_choose else VIEWER_PICKER_HELP,
                 format_func=lambda m: model_label(result, m, currency))
    st.caption(model_note(result, model_id, currency))
    if model_id == client_model:
        _made_notice(run, model_id)
        st.caption(choice_note(run, currency, may_choose, viewer_zone()))
    else:
        _preview_choice(session, user, run, model_id, client_model, currency)
    chart_column, fit_column = st.columns([3, 1], vertical_alignment="center")
    with chart_column:
        st.altair_chart(charts.pareto_front(result, model_id, currency), theme=None,
                        on_select="rerun" if may_choose else "ignore",
                        selection_mode="pick", key=chart_key)
    with fit_column:
        fit_tiles(result, model_id, currency)
    st.caption(PARETO_NOTE if may_choose else PARETO_NOTE_VIEWER)
    return model_id


def model_note(result: dict, model_id: str, currency: str) -> str:
    """Why the engine recommends its model, or which one it recommends instead."""
    if model_id == result["model_id"]:
        return f"Recommended: {recommendation_reason(result, currency)}"
    return f"An alternative to the recommended model {result['model_id']}."


def choice_note(run: ModelRun, currency: str, may_choose: bool, zone: str) -> str:
    """That the model is the client's for everyone, who chose it and when (the day in
    ``zone``), and who may change it."""
    chooser = chosen_by_words(run, currency, zone)
    change = ("Picking another model previews it on this page only; a button then makes it "
              "the client's." if may_choose
              else "Only an analyst of the client can choose another.")
    return (f"The client's model{f', chosen by {chooser}' if chooser else ''}: everyone sees "
            f"it here, in the budget planner, the presentation and the PDF report. {change}")


def preview_note(run: ModelRun, model_id: str, client_model: str, currency: str,
                 zone: str) -> str:
    """That the page shows ``model_id`` while the client's model, for everyone, stays."""
    chooser = chosen_by_words(run, currency, zone)
    return (f"You are looking at model {model_id}. The client's model is still "
            f"{client_model}{f' (chosen by {chooser})' if chooser else ''}: everyone sees "
            f"{client_model} in the budget planner, the presentation and the PDF report.")


def report_note(result: dict, run: ModelRun, model_id: str) -> str:
    """Which model the PDF reports: the client's, also while the page shows ``model_id``."""
    client_model = selected_model(result, run)
    statement = content.model_statement(result, client_model)
    if model_id == client_model:
        return f"{statement}: the PDF reports this model and the budget scenarios saved for it."
    return (f"{statement}: the PDF reports the client's model and the budget scenarios saved "
            f"for it, not model {model_id} you are looking at. Make {model_id} the client's "
            "model to report it.")


def model_caption(result: dict, run: ModelRun, currency: str, zone: str) -> str:
    """``"Model 1_2_3 · recommended · set on the Results page by Ann on 2026-11-30"`` (the
    day in ``zone``)."""
    chooser = chosen_by_words(run, currency, zone)
    return (f"{content.model_statement(result, selected_model(result, run))} · "
            + (f"set on the Results page by {chooser}" if chooser
               else "the model is chosen on the Results page"))


def chosen_by_words(run: ModelRun, currency: str, zone: str) -> str | None:
    """``"Ann on 2026-11-30"``: who last chose the run's model and on which day in ``zone``;
    None if nobody."""
    if run.chosen_by is None or run.chosen_at is None:
        return None
    return f"{run.chosen_by.name} on {fmt.moment_date(run.chosen_at, zone, currency)}"


def _previewed(preview: str, options: list[str], client_model: str) -> str:
    """The model previewed on the page, else the client's model (a preview of the client's
    model ends the preview)."""
    model_id = st.session_state.get(preview)
    if model_id not in options or model_id == client_model:
        st.session_state.pop(preview, None)
        return client_model
    return model_id


def _preview_choice(session: Session, user: User, run: ModelRun, model_id: str,
                    client_model: str, currency: str) -> None:
    """The preview's notice and its two buttons: make the previewed model the client's (the
    only way to store it for the run), or go back to the client's model."""
    preview = PREVIEW_KEY.format(run_id=run.id)
    st.info(preview_note(run, model_id, client_model, currency, viewer_zone()),
            icon=":material/visibility:")
    with st.container(horizontal=True):
        make = st.button(f"Make {model_id} the client's model", type="primary",
                         key=f"make_client_model_{run.id}")
        st.button(f"Back to {client_model}", key=f"back_to_client_model_{run.id}",
                  on_click=st.session_state.pop, args=(preview, None))
    if make:
        with user_errors():
            runs.choose_model(session, user, run.id, model_id)
            st.session_state.pop(preview, None)
            st.session_state[MADE_KEY.format(run_id=run.id)] = model_id
            st.rerun()


def _made_notice(run: ModelRun, model_id: str) -> None:
    """Once, after the button made ``model_id`` the client's model: say so."""
    if st.session_state.pop(MADE_KEY.format(run_id=run.id), None) == model_id:
        st.success(f"Model {model_id} is now the client's model: everyone sees it in the "
                   "budget planner, the presentation and the PDF report.")


def _take_pareto_click(chart_key: str, preview: str, options: list[str]) -> None:
    """A new click on a Pareto point previews that model."""
    event = st.session_state.get(chart_key)
    points = [p.get("model_id") for p in event.selection.get("pick", [])] if event else []
    seen = f"{chart_key}_seen"
    if points and points[0] in options and points[0] != st.session_state.get(seen):
        st.session_state[preview] = st.session_state[seen] = points[0]


def fit_tiles(result: dict, model_id: str, currency: str) -> None:
    """The model's fit measures as metric tiles, their meaning on hover."""
    for label, value, meaning in content.fit_metrics(result, model_id, currency):
        st.metric(label, value, help=meaning)


def channel_tables(result: dict, model_id: str, currency: str) -> None:
    """The channel table as two tables, spend and effect beside return, side by side when
    there is room and one below the other on a narrow screen."""
    frame = pd.DataFrame(content.channel_rows(result, model_id, currency),
                         columns=list(content.channel_columns(result, currency)))
    helps = channel_help(result, currency)
    with st.container(horizontal=True, gap="medium"):
        for title, columns in channel_table_layout(result, currency).items():
            with st.container(width="content", gap="small"):
                st.markdown(f"**{title}**")
                st.dataframe(frame[list(columns)], hide_index=True, width="content",
                             column_config={c: st.column_config.TextColumn(help=h)
                                            for c, h in helps.items() if c in columns})


def chart(figure: Any) -> None:
    """An Altair chart from kiri_core.charts with its own theme, full width."""
    st.altair_chart(figure, theme=None, width="stretch")


def model_chart(result: dict, name: str, model_id: str, currency: str) -> None:
    """The model's chart ``charts.<name>`` under its title and over its caption, in the PDF's
    words (:func:`kiri_core.report.content.chart_text`)."""
    title, caption = content.chart_text(result, name, model_id, currency)
    st.markdown(f"**{title}**")
    chart(getattr(charts, name)(result, model_id, currency))
    st.caption(caption)
