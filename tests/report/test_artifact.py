"""The run's PDF as a stored artifact, one per model: built once (inline or by a real rq
worker), then downloaded with the same bytes; only people with access get it; a PDF of an
alternative model names it and carries its figures."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pypdf
import pytest
import sqlalchemy as sa
from fitted import (
    Workspace,
    carry_over_counted_in,
    fitted_run,
    workspace_fixture,  # noqa: F401  (the "workspace" fixture)
)

from kiri_core import formatting as fmt
from kiri_core import planner
from kiri_core.db.models import AgencySettings, Client, RunArtifact
from kiri_core.report import artifact, content
from kiri_core.results import model_by_id
from kiri_core.services import agency, clients
from kiri_core.services.errors import AccessDenied, NotFound
from kiri_core.services.runs import load_result

REPO = Path(__file__).resolve().parents[2]
# The production database only: the SQLite path shares every line of this code.
pytestmark = [pytest.mark.postgres,
              pytest.mark.parametrize("workspace", ["postgres"], indirect=True)]


@pytest.fixture
def ws(workspace: Workspace):
    with workspace.session() as session:
        bound = workspace.bound(session)
        yield bound, session
        for scenario in planner.list_scenarios(session, bound.admin, bound.run.id):
            planner.delete_scenario(session, bound.admin, scenario.id)
        session.execute(sa.delete(RunArtifact).where(RunArtifact.run_id == bound.run.id,
                                                     RunArtifact.kind != "result"))
        session.commit()  # each test starts without stored PDFs


@pytest.fixture
def models(ws) -> tuple[str, str]:
    """(the recommended model, an alternative) of the workspace's run."""
    w, session = ws
    result = load_result(session, w.analyst, w.run.id)
    other = next(m["model_id"] for m in result["models"] if not m["recommended"])
    return result["model_id"], other


def plan_for(model_id: str) -> dict:
    return {**fitted_run().plan, "model_id": model_id}


def text_of(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_a_viewer_gets_the_same_pdf_on_every_download(ws, models) -> None:
    w, session = ws
    recommended, _ = models
    assert artifact.report_pdf(session, w.viewer, w.run.id, recommended) is None
    assert artifact.request_report(session, w.viewer, w.run.id, recommended) is True
    first = artifact.report_pdf(session, w.viewer, w.run.id, recommended)
    second = artifact.report_pdf(session, w.analyst, w.run.id, recommended)
    assert first is not None and first.startswith(b"%PDF")
    assert first == second
    assert artifact.request_report(session, w.viewer, w.run.id, recommended) is True
    assert artifact.report_pdf(session, w.viewer, w.run.id, recommended) == first
    text = text_of(first)
    assert w.client.name in text
    assert "The recommended model" in text
    assert "Estimated versus true effects" in text  # generated data: the truth is known


def test_the_pdf_of_an_alternative_model_names_it_and_carries_its_figures(ws, models) -> None:
    w, session = ws
    recommended, other = models
    artifact.request_report(session, w.analyst, w.run.id, recommended)
    assert artifact.report_pdf(session, w.analyst, w.run.id, other) is None  # a PDF of its own
    assert artifact.request_report(session, w.analyst, w.run.id, other) is True
    text = text_of(artifact.report_pdf(session, w.viewer, w.run.id, other))
    assert "The model your analyst selected" in text
    assert "instead of the recommended model. Why the engine" in " ".join(text.split())
    # the id only as the appendix's model reference; the recommended model's not at all
    assert re.findall(rf"\b(?:{other}|{recommended})\b", text) == [other]
    assert f"Model reference: {other}" in text
    assert_figures_of(text, load_result(session, w.analyst, w.run.id), other)


def assert_figures_of(text: str, result: dict, model_id: str) -> None:
    """The PDF carries the model's fit and channel figures (those of no other model)."""
    model = model_by_id(result, model_id)
    assert fmt.number(model["metrics"]["rsq"], "SEK", 3) in text
    for ch in model["channels"].values():
        assert fmt.money(ch["contribution"], "SEK") in text
        assert fmt.roas(ch["mroas"], "SEK") in text
    assert any(fmt.money(ch["contribution"], "SEK") not in text
               for ch in model_by_id(result, result["model_id"])["channels"].values())


def test_an_unknown_model_is_not_found(ws) -> None:
    w, session = ws
    with pytest.raises(NotFound, match="has no model 9_9_9"):
        artifact.request_report(session, w.analyst, w.run.id, "9_9_9")


def test_an_outsider_cannot_build_or_download(ws, models) -> None:
    w, session = ws
    with pytest.raises(AccessDenied):
        artifact.request_report(session, w.outsider, w.run.id, models[0])
    with pytest.raises(AccessDenied):
        artifact.report_pdf(session, w.outsider, w.run.id, models[0])


def test_a_saved_scenario_gets_into_the_next_pdf_of_its_model_only(ws, models) -> None:
    w, session = ws
    recommended, other = models
    for model_id in models:
        artifact.request_report(session, w.analyst, w.run.id, model_id)
    before = artifact.report_pdf(session, w.analyst, w.run.id, recommended)
    planner.save_scenario(session, w.analyst, w.run.id, "Autumn push", plan_for(recommended))
    for model_id in models:  # every stored PDF of the run is dropped
        assert artifact.report_pdf(session, w.analyst, w.run.id, model_id) is None
        artifact.request_report(session, w.analyst, w.run.id, model_id)
    after = artifact.report_pdf(session, w.analyst, w.run.id, recommended)
    assert "Autumn push" not in text_of(before)
    assert "Autumn push" in text_of(after)
    assert "Autumn push" not in text_of(artifact.report_pdf(session, w.analyst, w.run.id, other))


def test_a_scenario_saved_while_the_pdf_is_built_gets_into_the_stored_pdf(ws, models,
                                                                           monkeypatch) -> None:
    """The analyst saves a plan while the worker builds the PDF: the save finds no PDF to
    drop yet, so the build itself must notice and start again, or the stale PDF stays."""
    w, session = ws
    recommended, _ = models
    def save_a_plan() -> None:
        with w.session() as other:
            planner.save_scenario(other, w.bound(other).analyst, w.run.id, "Saved meanwhile",
                                  plan_for(recommended))

    during_the_next_build(monkeypatch, save_a_plan)
    assert artifact.request_report(session, w.analyst, w.run.id, recommended) is True
    assert "Saved meanwhile" in text_of(artifact.report_pdf(session, w.viewer, w.run.id,
                                                            recommended))


def test_every_plan_of_the_model_is_in_the_pdf_counted_from_the_model(ws, models) -> None:
    """Two saved plans: a table compares them, then each has its page; the older one, saved
    when plan responses counted the carry-over of past spend in, shows what its spend adds."""
    w, session = ws
    recommended, _ = models
    result = load_result(session, w.analyst, w.run.id)
    today = sum(planner.current_spend(result, recommended, 4).values())
    made = [planner.make_plan(result, recommended, goal="max_response", weeks=4, budget=budget,
                              target=None, bounds={}, currency="SEK")
            for budget in (today, 1.2 * today)]
    old = carry_over_counted_in(result, made[0])
    planner.save_scenario(session, w.analyst, w.run.id, "Q1 flat budget", old)
    planner.save_scenario(session, w.analyst, w.run.id, "Q1 +20%", made[1])
    artifact.request_report(session, w.analyst, w.run.id, recommended)
    text = text_of(artifact.report_pdf(session, w.viewer, w.run.id, recommended))
    assert "Saved budget plans compared" in text
    assert "BUDGET PLAN 1 OF 2\nQ1 flat budget" in text  # each plan's page, under its name
    assert "BUDGET PLAN 2 OF 2\nQ1 +20%" in text
    rows = content.scenario_rows([{"name": "Q1 flat budget", "plan": made[0]},
                                  {"name": "Q1 +20%", "plan": made[1]}], "SEK")
    for row in rows:
        assert " ".join(row) in text
    assert content.plan_summary(made[0], "SEK", result).split(" (")[0] in text.replace("\n", " ")
    assert fmt.money(old["totals"]["optimized_response"], "SEK") not in text  # inflated


@pytest.mark.redis
def test_with_redis_a_real_rq_worker_builds_the_pdf_of_the_chosen_model(
        ws, models, redis_url: str, monkeypatch) -> None:
    w, session = ws
    _, other = models
    planner.save_scenario(session, w.analyst, w.run.id, "Worker plan", plan_for(other))
    monkeypatch.setenv("REDIS_URL", redis_url)
    assert artifact.request_report(session, w.viewer, w.run.id, other) is False
    assert artifact.report_pdf(session, w.viewer, w.run.id, other) is None
    assert artifact.report_in_progress(w.run.id, other)
    done = subprocess.run(
        [sys.executable, "-m", "rq.cli", "worker", "--burst", "--url", redis_url,
         "kiri-default"],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True,
        text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    session.expire_all()
    data = artifact.report_pdf(session, w.viewer, w.run.id, other)
    assert data is not None
    text = text_of(data)
    assert "Worker plan" in text
    assert "The model your analyst selected" in text
    assert_figures_of(text, load_result(session, w.viewer, w.run.id), other)
    assert not artifact.report_in_progress(w.run.id, other)
    # saving a scenario drops the PDF: nothing is building it, a page offers to prepare it
    planner.save_scenario(session, w.analyst, w.run.id, "Later plan", plan_for(other))
    assert artifact.report_pdf(session, w.viewer, w.run.id, other) is None
    assert not artifact.report_in_progress(w.run.id, other)


def test_a_pdf_stored_before_the_report_s_layout_changed_is_built_again(ws, models) -> None:
    """After an upgrade that changes what a PDF shows, a stored PDF with the old layout is
    not handed out again: the next request builds the PDF anew."""
    w, session = ws
    recommended, _ = models
    artifact.request_report(session, w.analyst, w.run.id, recommended)
    stored = session.scalar(sa.select(RunArtifact).where(
        RunArtifact.run_id == w.run.id, RunArtifact.kind == artifact.report_kind(recommended)))
    stored.created_at = artifact.REPORT_LAYOUT - timedelta(days=1)
    session.commit()
    assert artifact.report_pdf(session, w.viewer, w.run.id, recommended) is None
    assert artifact.request_report(session, w.analyst, w.run.id, recommended) is True
    session.refresh(stored)
    assert stored.created_at >= artifact.REPORT_LAYOUT
    assert artifact.report_pdf(session, w.viewer, w.run.id, recommended) is not None


@pytest.fixture
def agency_named(ws, monkeypatch):
    """No KIRI_AGENCY_NAME; the name saved on the Admin page is removed after the test (the
    workspace lives for the whole module)."""
    monkeypatch.delenv("KIRI_AGENCY_NAME", raising=False)
    yield
    _, session = ws
    session.rollback()
    session.execute(sa.delete(AgencySettings))
    session.commit()


def test_the_cover_names_the_agency_saved_by_an_admin(ws, models, agency_named,
                                                      monkeypatch) -> None:
    w, session = ws
    recommended, _ = models
    monkeypatch.setenv("KIRI_AGENCY_NAME", "Env Media")  # the saved name wins over it
    agency.set_agency_name(session, w.admin, "Fjord Media")
    assert artifact.request_report(session, w.analyst, w.run.id, recommended) is True
    text = text_of(artifact.report_pdf(session, w.viewer, w.run.id, recommended))
    assert "Prepared by Fjord Media" in text
    assert "Env Media" not in text


def test_a_pdf_stored_before_the_agency_s_name_changed_is_built_again(ws, models,
                                                                       agency_named) -> None:
    """The PDFs handed to clients carry the name: a stored PDF with the old name is not
    handed out again once an admin saved a new one; the next request builds it anew, once."""
    w, session = ws
    recommended, _ = models
    artifact.request_report(session, w.analyst, w.run.id, recommended)
    before = artifact.report_pdf(session, w.viewer, w.run.id, recommended)
    assert "Prepared by Kiri" in text_of(before)
    agency.set_agency_name(session, w.admin, "Fjord Media")
    assert artifact.report_pdf(session, w.viewer, w.run.id, recommended) is None
    assert artifact.request_report(session, w.viewer, w.run.id, recommended) is True
    after = artifact.report_pdf(session, w.viewer, w.run.id, recommended)
    text = text_of(after)
    assert "Prepared by Fjord Media" in text and "Prepared by Kiri" not in text
    assert artifact.request_report(session, w.viewer, w.run.id, recommended) is True
    assert artifact.report_pdf(session, w.viewer, w.run.id, recommended) == after  # kept


def test_a_name_saved_while_the_pdf_is_built_makes_it_stale(ws, models, agency_named,
                                                            monkeypatch) -> None:
    """The worker read the old name, then the admin saved a new one before the PDF was
    stored: the stored PDF counts as begun before the change, so it is built again."""
    w, session = ws
    recommended, _ = models
    def save_a_name() -> None:
        with w.session() as other:
            agency.set_agency_name(other, w.bound(other).admin, "Late Media")

    during_the_next_build(monkeypatch, save_a_name)
    artifact.request_report(session, w.analyst, w.run.id, recommended)
    session.expire_all()
    assert artifact.report_pdf(session, w.viewer, w.run.id, recommended) is None
    artifact.request_report(session, w.analyst, w.run.id, recommended)
    assert "Prepared by Late Media" in text_of(
        artifact.report_pdf(session, w.viewer, w.run.id, recommended))


def during_the_next_build(monkeypatch, change) -> None:
    """``change()`` runs once, after the next PDF is built and before it is stored."""
    build = artifact.run_report_bytes

    def build_then_change(session_, run, model_id):
        data = build(session_, run, model_id)
        monkeypatch.setattr(artifact, "run_report_bytes", build)  # one change, one build
        change()
        return data

    monkeypatch.setattr(artifact, "run_report_bytes", build_then_change)


def test_a_new_client_name_or_currency_drops_the_stored_pdfs(ws, models) -> None:
    """The cover names the client and every amount carries its currency: after either
    changes, the stored PDF is not handed out again; an edit of the industry keeps it."""
    w, session = ws
    recommended, _ = models
    client = session.get(Client, w.run.client_id)
    kept = {"name": client.name, "industry": client.industry, "currency": client.currency}
    artifact.request_report(session, w.analyst, w.run.id, recommended)
    before = artifact.report_pdf(session, w.viewer, w.run.id, recommended)
    clients.update_client(session, w.analyst, client.id, **{**kept, "industry": "Shoes"})
    assert artifact.report_pdf(session, w.viewer, w.run.id, recommended) == before
    try:
        clients.update_client(session, w.analyst, client.id, **{**kept, "currency": "EUR"})
        assert artifact.report_pdf(session, w.viewer, w.run.id, recommended) is None
        artifact.request_report(session, w.analyst, w.run.id, recommended)
        assert "€" in text_of(artifact.report_pdf(session, w.viewer, w.run.id, recommended))
        clients.update_client(session, w.analyst, client.id,
                              **{**kept, "currency": "EUR", "name": "Renamed AB"})
        assert artifact.report_pdf(session, w.viewer, w.run.id, recommended) is None
    finally:
        clients.update_client(session, w.admin, client.id, **kept)
