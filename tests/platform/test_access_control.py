"""Roles per client: viewers read, analysts write, outsiders reach nothing by any service."""

from __future__ import annotations

import pytest

from kiri_core.services import clients, datasets, runs, users
from kiri_core.services.access import accessible_clients
from kiri_core.services.errors import AccessDenied, NotFound, ValidationError


@pytest.fixture
def acme_dataset(session, team):
    return datasets.generate_dataset(session, team.analyst, team.client.id, 60, 1)


def test_viewer_can_read_but_not_upload_generate_or_run(session, team, acme_dataset, good_frame):
    assert datasets.list_datasets(session, team.viewer, team.client.id)[0].id == acme_dataset.id
    mapping = datasets.suggest_mapping(good_frame)
    with pytest.raises(AccessDenied, match="needs the analyst role on Acme AB; you are a viewer"):
        datasets.save_dataset(session, team.viewer, team.client.id, good_frame, mapping,
                              name="x", source="upload")
    with pytest.raises(AccessDenied, match="analyst role"):
        datasets.generate_dataset(session, team.viewer, team.client.id, 60, 2)
    with pytest.raises(AccessDenied, match="analyst role"):
        runs.start_run(session, team.viewer, team.client.id, acme_dataset.id,
                       runs.default_config(acme_dataset))
    assert len(datasets.list_datasets(session, team.admin, team.client.id)) == 1


@pytest.mark.parametrize(
    "attempt",
    [
        lambda s, u, c, d: datasets.get_dataset(s, u, d.id),
        lambda s, u, c, d: datasets.load_frame(s, u, d.id),
        lambda s, u, c, d: datasets.list_datasets(s, u, c.id),
        lambda s, u, c, d: clients.client_overview(s, u, c.id),
        lambda s, u, c, d: runs.list_runs(s, u, c.id),
        lambda s, u, c, d: runs.start_run(s, u, c.id, d.id, runs.default_config(d)),
        lambda s, u, c, d: clients.update_client(s, u, c.id, name="Mine", industry="",
                                                 currency="SEK"),
    ],
    ids=["get_dataset", "load_frame", "list_datasets", "overview", "list_runs", "start_run",
         "update_client"],
)
def test_outsider_reaches_nothing_of_another_client(session, team, acme_dataset, attempt):
    with pytest.raises(AccessDenied, match="no access to client"):
        attempt(session, team.outsider, team.client, acme_dataset)


def test_outsider_cannot_reach_another_clients_run_or_result(session, team, acme_dataset):
    from kiri_core.db.models import ModelRun

    run = ModelRun(client_id=team.client.id, dataset_id=acme_dataset.id, config={},
                   status="failed", created_by_id=team.analyst.id)
    session.add(run)
    session.commit()
    for call in (runs.get_run, runs.load_result, runs.cancel_run, runs.retry_run,
                 runs.run_artifacts):
        with pytest.raises(AccessDenied, match="no access to client"):
            call(session, team.outsider, run.id)
    with pytest.raises(NotFound, match="does not exist"):
        runs.get_run(session, team.analyst, run.id + 1000)


def test_client_lists_show_only_granted_clients(session, team):
    assert [c.name for c in accessible_clients(session, team.viewer)] == ["Acme AB"]
    assert [c.name for c in accessible_clients(session, team.outsider)] == ["Other AB"]
    assert [c.name for c in accessible_clients(session, team.admin)] == ["Acme AB", "Other AB"]
    users.revoke_access(session, team.admin, team.outsider.id, team.other_client.id)
    assert accessible_clients(session, team.outsider) == []


def test_only_admins_create_and_archive_clients(session, team):
    with pytest.raises(AccessDenied, match="Only administrators"):
        clients.create_client(session, team.analyst, "Sneaky AB")
    with pytest.raises(AccessDenied, match="Only administrators"):
        clients.set_archived(session, team.analyst, team.client.id, True)
    clients.set_archived(session, team.admin, team.client.id, True)
    assert accessible_clients(session, team.analyst) == []
    edited = clients.update_client(session, team.admin, team.client.id, name="Acme Nordic",
                                   industry="Retail", currency="NOK")
    assert (edited.name, edited.currency) == ("Acme Nordic", "NOK")


@pytest.mark.parametrize("name", ["acme ab", " ACME  AB ", "Acme AB"])
def test_a_client_name_that_only_differs_in_case_or_spaces_is_taken(session, team, name):
    """Two clients that look alike in the sidebar would invite work on the wrong one."""
    clients.set_archived(session, team.admin, team.client.id, True)
    with pytest.raises(ValidationError, match=r"A client named 'Acme AB' already exists "
                                              r"\(archived\)"):
        clients.create_client(session, team.admin, name)
    with pytest.raises(ValidationError, match="'Acme AB' already exists"):
        clients.update_client(session, team.admin, team.other_client.id, name=name,
                              industry="", currency="EUR")
    renamed = clients.update_client(session, team.admin, team.client.id, name=" acme  AB ",
                                    industry="", currency="SEK")
    assert renamed.name == "acme AB"  # its own name, newly cased, is no clash


def test_nordic_letters_count_as_one_name_in_either_case(session, team):
    """SQLite's lower() leaves "Å" as it is; the names are compared in Python."""
    clients.create_client(session, team.admin, "Åhléns  AB")
    with pytest.raises(ValidationError, match="'Åhléns AB' already exists"):
        clients.create_client(session, team.admin, "ÅHLÉNS ab")


def test_a_deactivated_users_service_calls_are_refused(session, team, acme_dataset):
    users.set_active(session, team.admin, team.analyst.id, False)
    with pytest.raises(AccessDenied, match="deactivated"):
        datasets.list_datasets(session, team.analyst, team.client.id)
