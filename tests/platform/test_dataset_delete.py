"""Deleting a dataset version: it leaves the client's versions and no new run (or retry) can
use it, in plain words; a run still queued on it keeps it; its data stays for the runs made
on it; the same data can be saved again; viewers cannot delete (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from kiri_core.db.models import ModelRun
from kiri_core.services import audit, datasets, runs
from kiri_core.services.errors import AccessDenied, NotFound, ValidationError


@pytest.fixture
def two_versions(session, team):
    first = datasets.generate_dataset(session, team.analyst, team.client.id, 60, 1)
    second = datasets.generate_dataset(session, team.analyst, team.client.id, 60, 2)
    return first, second


def queued_run(session, team, dataset, status: str = "queued") -> ModelRun:
    """A run row on ``dataset`` as the queue leaves it (no process: nothing may start it)."""
    run = ModelRun(client_id=team.client.id, dataset_id=dataset.id, status=status,
                   config=runs.default_config(dataset), created_by_id=team.analyst.id)
    session.add(run)
    session.commit()
    return run


def test_a_deleted_version_leaves_the_list_and_no_run_can_start_on_it(session, team,
                                                                       two_versions):
    first, second = two_versions
    datasets.delete_dataset(session, team.analyst, first.id)
    assert [d.version for d in datasets.list_datasets(session, team.viewer, team.client.id)] \
        == [2]
    with pytest.raises(ValidationError, match=r"Dataset v1 \(Test data, .*\) was deleted on "
                                              r"\d{4}-\d\d-\d\d, so no new run can use it"):
        runs.start_run(session, team.analyst, team.client.id, first.id,
                       runs.default_config(first))
    assert runs.list_runs(session, team.viewer, team.client.id) == []
    assert len(datasets.load_frame(session, team.viewer, first.id)) == 60  # kept for its runs
    latest = audit.readable_entries(session, team.admin, limit=1)[0]
    assert (latest.who, latest.action, latest.target) == (
        "ann@agency.se", "Deleted a dataset", "dataset v1")


def test_a_failed_run_on_a_deleted_version_cannot_be_retried(session, team, two_versions):
    first, _ = two_versions
    failed = queued_run(session, team, first, status="failed")
    assert runs.retry_refusal(failed) is None
    datasets.delete_dataset(session, team.analyst, first.id)
    assert runs.retry_refusal(failed) == (
        "Its dataset v1 was deleted, so it cannot run again; start a new run on another "
        "version.")  # what the Runs page shows instead of Retry
    with pytest.raises(ValidationError, match="was deleted on .*start the run on another"):
        runs.retry_run(session, team.analyst, failed.id)
    assert len(runs.list_runs(session, team.viewer, team.client.id)) == 1


def test_a_version_with_a_run_in_progress_is_not_deleted(session, team, two_versions):
    first, _ = two_versions
    run = queued_run(session, team, first)
    with pytest.raises(ValidationError, match=f"Nothing was deleted: run #{run.number} on dataset "
                                              "v1 .* is still in progress\\. Cancel it"):
        datasets.delete_dataset(session, team.analyst, first.id)
    session.rollback()
    assert [d.version for d in datasets.list_datasets(session, team.viewer, team.client.id)] \
        == [2, 1]


def test_viewers_cannot_delete_and_a_second_delete_is_named(session, team, two_versions):
    first, _ = two_versions
    with pytest.raises(AccessDenied, match="analyst role"):
        datasets.delete_dataset(session, team.viewer, first.id)
    with pytest.raises((AccessDenied, NotFound)):
        datasets.delete_dataset(session, team.outsider, first.id)
    datasets.delete_dataset(session, team.analyst, first.id)
    with pytest.raises(NotFound, match="Dataset v1 .* is already deleted"):
        datasets.delete_dataset(session, team.analyst, first.id)


def test_the_same_data_can_be_saved_again_after_its_version_was_deleted(session, team,
                                                                        good_frame):
    mapping = datasets.suggest_mapping(good_frame)
    saved = datasets.save_dataset(session, team.analyst, team.client.id, good_frame, mapping,
                                  name="spring", source="upload:spring.csv")
    datasets.delete_dataset(session, team.analyst, saved.id)
    again = datasets.save_dataset(session, team.analyst, team.client.id, good_frame, mapping,
                                  name="spring", source="upload:spring.csv")
    assert again.version == 2  # a version number is never given twice
