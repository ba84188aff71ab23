"""Run numbers: each client's runs are numbered 1, 2, ... whatever other clients do, also
when two are started at the same moment; labels, the history and messages name runs by
that number, never by the database id (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from kiri_core.db import models
from kiri_core.db.models import Client, Dataset, ModelRun, User
from kiri_core.db.session import session_factory
from kiri_core.services import datasets, runs
from kiri_core.services.errors import ValidationError
from ui.tables import run_label, runs_frame


@pytest.fixture
def data(session, team) -> tuple[Dataset, Dataset]:
    """A dataset of Acme (analyst Ann) and one of Other AB (analyst Otto)."""
    return (datasets.generate_dataset(session, team.analyst, team.client.id, 60, 1),
            datasets.generate_dataset(session, team.outsider, team.other_client.id, 60, 2))


@pytest.fixture
def queued_only(platform_env, redis_url, monkeypatch) -> str:
    """Runs go to a Redis database of the test's that no worker reads: they stay queued and
    no process starts for them."""
    monkeypatch.setenv("REDIS_URL", redis_url)
    return platform_env


def start(session, user: User, dataset: Dataset, seed: int) -> ModelRun:
    config = {**runs.default_config(dataset, "quick"), "seed": seed}
    return runs.start_run(session, user, dataset.client_id, dataset.id, config)


def start_in_own_session(url: str, user_id: int, dataset: Dataset, seed: int) -> int:
    """Start a run as another app process would (a session of its own); its number."""
    with session_factory(url)() as other:
        return start(other, other.get(User, user_id), dataset, seed).number


@pytest.mark.redis
def test_each_client_s_runs_are_numbered_from_one_and_named_by_it(session, team, data,
                                                                  queued_only):
    acme, other = data
    started = [start(session, user, dataset, seed) for user, dataset, seed in (
        (team.analyst, acme, 1), (team.outsider, other, 1), (team.analyst, acme, 2),
        (team.outsider, other, 2), (team.analyst, acme, 3))]
    assert [r.number for r in started] == [1, 1, 2, 2, 3]
    assert [r.id for r in started] == sorted(r.id for r in started)
    first_of_other, second_of_acme, third_of_acme = started[1], started[2], started[4]
    assert first_of_other.id > first_of_other.number  # the id is not what people see
    runs.cancel_run(session, team.analyst, second_of_acme.id)
    assert runs.retry_run(session, team.analyst, second_of_acme.id).number == 4
    with pytest.raises(ValidationError, match=r"^Run #2 \(cancelled\) was not cancelled: only "
                                               "a run in progress"):
        runs.cancel_run(session, team.analyst, second_of_acme.id)
    with pytest.raises(ValidationError, match="^Run #3 with the same data and settings is "
                                              "already in progress"):
        start(session, team.analyst, acme, 3)
    with pytest.raises(ValidationError, match=r"^Run #3 \(in progress\) was not retried: "
                                               "only a failed or cancelled run"):
        runs.retry_run(session, team.analyst, third_of_acme.id)
    assert run_label(third_of_acme, "SEK", "UTC").startswith("Run #3 · dataset v1 · ")
    history = runs.list_runs(session, team.viewer, team.client.id)
    assert runs_frame(history, "SEK", "UTC")["Run"].tolist() == ["#4", "#3", "#2", "#1"]


def test_runs_added_together_are_numbered_in_the_order_added(session, team, data):
    """Rows added in one flush (as tests and imports may add them) count on from the
    client's highest number, one after the other."""
    acme, other = data
    session.add(ModelRun(client_id=acme.client_id, dataset_id=acme.id, config={}))
    session.commit()
    added = [ModelRun(client_id=d.client_id, dataset_id=d.id, config={})
             for d in (acme, other, acme, acme)]
    session.add_all(added)
    session.commit()
    assert [r.number for r in added] == [2, 1, 3, 4]


def test_the_message_of_a_run_in_progress_on_a_dataset_names_its_number(session, team, data):
    acme, other = data
    session.add_all([ModelRun(client_id=acme.client_id, dataset_id=acme.id, config={}),
                     ModelRun(client_id=other.client_id, dataset_id=other.id, config={},
                              status="failed")])
    queued = ModelRun(client_id=other.client_id, dataset_id=other.id, config={})
    session.add(queued)
    session.commit()
    assert queued.id != queued.number == 2
    with pytest.raises(ValidationError, match="^Nothing was deleted: run #2 on dataset v1 "):
        datasets.delete_dataset(session, team.outsider, other.id)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_start_waits_for_one_in_progress_of_the_client_and_takes_the_next_number(
    session, team, data, queued_only
):
    """Another session is adding a run of Acme and has not committed yet (it holds the lock
    on Acme's row that a start takes): a start for Acme waits for it, then numbers its run
    after that one instead of colliding with it."""
    acme, _ = data
    with session_factory(queued_only)() as holder, ThreadPoolExecutor(1) as pool:
        holder.get(Client, acme.client_id, with_for_update={"key_share": True})
        first = ModelRun(client_id=acme.client_id, dataset_id=acme.id, config={})
        holder.add(first)
        holder.flush()
        waiting = pool.submit(start_in_own_session, queued_only, team.analyst.id, acme, 2)
        time.sleep(1.5)
        assert not waiting.done()
        holder.commit()
        assert (first.number, waiting.result(timeout=30)) == (1, 2)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_starts_of_one_client_at_the_same_moment_get_distinct_numbers(session, team, data,
                                                                     queued_only):
    acme, other = data
    together = threading.Barrier(6)

    def start_together(seed: int) -> int:
        together.wait()
        return start_in_own_session(queued_only, team.analyst.id, acme, seed)

    with ThreadPoolExecutor(6) as pool:
        numbers = list(pool.map(start_together, range(1, 7)))
    assert sorted(numbers) == [1, 2, 3, 4, 5, 6]
    assert start(session, team.outsider, other, 1).number == 1


@pytest.mark.redis
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_start_racing_another_on_sqlite_is_refused_and_keeps_nothing(
    session, team, data, queued_only, monkeypatch
):
    """SQLite has no row locks: a start of Acme's in another session commits between this
    start's counting and its insert. This one is refused in plain words, keeps nothing, and
    starts as the next number when tried again. (On PostgreSQL the racer would wait for
    this start for ever, the test above.)"""
    acme, _ = data
    counted = models.next_run_number

    def racing(session_, client_id: int) -> int:
        number = counted(session_, client_id)
        monkeypatch.setattr(models, "next_run_number", counted)  # the racer counts normally
        start_in_own_session(queued_only, team.analyst.id, acme, 2)
        return number

    monkeypatch.setattr(models, "next_run_number", racing)
    with pytest.raises(ValidationError, match="^Nothing was started: another run of this "
                                              "client was started at the same moment"):
        start(session, team.analyst, acme, 1)
    history = runs.list_runs(session, team.viewer, team.client.id)
    assert [(r.number, r.config["seed"]) for r in history] == [(1, 2)]
    assert start(session, team.analyst, acme, 1).number == 2
