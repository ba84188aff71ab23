"""The run's PDF as a stored artifact: built once (inline or by a real rq worker), then
downloaded with the same bytes; only people with access get it."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest
from fitted import (
    Workspace,
    fitted_run,
    workspace_fixture,  # noqa: F401  (the "workspace" fixture)
)

from kiri_core import planner
from kiri_core.report import artifact
from kiri_core.services.errors import AccessDenied

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


def text_of(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_a_viewer_gets_the_same_pdf_on_every_download(ws) -> None:
    w, session = ws
    assert artifact.report_pdf(session, w.viewer, w.run.id) is None
    assert artifact.request_report(session, w.viewer, w.run.id) is True
    first = artifact.report_pdf(session, w.viewer, w.run.id)
    second = artifact.report_pdf(session, w.analyst, w.run.id)
    assert first is not None and first.startswith(b"%PDF")
    assert first == second
    assert artifact.request_report(session, w.viewer, w.run.id) is True  # nothing rebuilt
    assert artifact.report_pdf(session, w.viewer, w.run.id) == first
    text = text_of(first)
    assert w.client.name in text
    assert "Estimated versus true effects" in text  # generated data: the truth is known


def test_an_outsider_cannot_build_or_download(ws) -> None:
    w, session = ws
    with pytest.raises(AccessDenied):
        artifact.request_report(session, w.outsider, w.run.id)
    with pytest.raises(AccessDenied):
        artifact.report_pdf(session, w.outsider, w.run.id)


def test_a_saved_scenario_gets_into_the_next_pdf(ws) -> None:
    w, session = ws
    artifact.request_report(session, w.analyst, w.run.id)
    before = artifact.report_pdf(session, w.analyst, w.run.id)
    planner.save_scenario(session, w.analyst, w.run.id, "Autumn push", fitted_run().plan)
    assert artifact.report_pdf(session, w.analyst, w.run.id) is None
    artifact.request_report(session, w.analyst, w.run.id)
    after = artifact.report_pdf(session, w.analyst, w.run.id)
    assert "Autumn push" not in text_of(before)
    assert "Autumn push" in text_of(after)


@pytest.mark.redis
def test_with_redis_a_real_rq_worker_builds_it(ws, redis_url: str, monkeypatch) -> None:
    w, session = ws
    planner.save_scenario(session, w.analyst, w.run.id, "Worker plan", fitted_run().plan)
    monkeypatch.setenv("REDIS_URL", redis_url)
    assert artifact.request_report(session, w.viewer, w.run.id) is False
    assert artifact.report_pdf(session, w.viewer, w.run.id) is None
    done = subprocess.run(
        [sys.executable, "-m", "rq.cli", "worker", "--burst", "--url", redis_url,
         "kiri-default"],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True,
        text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    session.expire_all()
    data = artifact.report_pdf(session, w.viewer, w.run.id)
    assert data is not None and "Worker plan" in text_of(data)
