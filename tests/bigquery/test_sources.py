"""Sources as a service: every problem at once, access per role, test connection + preview."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from kiri_core.bigquery.client import SourceSpec
from kiri_core.bigquery.errors import BigQueryFailure
from kiri_core.bigquery.importer import import_source
from kiri_core.bigquery.mapping import SourceMapping
from kiri_core.bigquery.sources import (
    check_connection,
    default_project,
    import_history,
    list_sources,
    location_problems,
    save_source,
)
from kiri_core.services.errors import AccessDenied, ValidationError

from .conftest import MAPPING, PROJECT, Agency, make_user, table_settings
from .fake_server import FakeBigQuery


def test_every_problem_is_reported_and_nothing_saved(session: Session, agency: Agency):
    values = table_settings(
        name=" ", project="", query="SELECT 1",
        mapping=SourceMapping("week", "", {"tv": "tv_cost"}),
    )
    with pytest.raises(ValidationError) as caught:
        save_source(session, agency.analyst, agency.client.id, values)
    assert caught.value.problems == [
        "Give the source a name.",
        "Enter the Google Cloud project.",
        "Enter either a table (dataset.table) or a SQL query, not both.",
        "Choose the BigQuery column that holds revenue.",
        "Spend column name 'tv' must start with spend_ and use only lower-case letters, "
        "digits and _ (e.g. spend_tv).",
    ]
    assert list_sources(session, agency.analyst, agency.client.id) == []


def test_neither_a_table_nor_a_query_is_asked_for_plainly():
    """The audit: with both boxes empty it said "... or a SQL query, not both"."""
    assert location_problems(PROJECT, "", " ") == ["Enter a table or a SQL query."]
    assert location_problems(PROJECT, None, None) == ["Enter a table or a SQL query."]
    assert location_problems(PROJECT, "marketing.weekly", None) == []


def test_a_source_is_updated_in_place(session: Session, agency: Agency, table_source_id: int):
    values = table_settings(name="Renamed", table_ref=None, query="SELECT * FROM x.y")
    save_source(session, agency.analyst, agency.client.id, values, source_id=table_source_id)
    [source] = list_sources(session, agency.viewer, agency.client.id)
    assert (source.id, source.name, source.table_ref, source.query) == (
        table_source_id, "Renamed", None, "SELECT * FROM x.y"
    )


def test_the_project_defaults_to_bigquery_project_id(monkeypatch):
    monkeypatch.setenv("BIGQUERY_PROJECT_ID", "agency-default")
    assert default_project() == "agency-default"


@pytest.mark.parametrize("role", ["viewer", "outsider"])
def test_only_analysts_set_up_test_or_import(
    session: Session, agency: Agency, table_source_id: int, role: str
):
    actor = agency.viewer if role == "viewer" else make_user(session, "outsider")
    spec = SourceSpec(PROJECT, table_ref="marketing.weekly")
    for attempt in (
        lambda: save_source(session, actor, agency.client.id, table_settings()),
        lambda: check_connection(session, actor, agency.client.id, spec),
        lambda: import_source(session, actor, table_source_id),
    ):
        with pytest.raises(AccessDenied):
            attempt()
    if role == "viewer":
        assert import_history(session, actor, table_source_id) == []
    else:
        with pytest.raises(AccessDenied):
            import_history(session, actor, table_source_id)


def test_test_connection_previews_the_first_rows_and_guesses_the_mapping(
    session: Session, agency: Agency, warehouse: FakeBigQuery
):
    spec = SourceSpec(PROJECT, table_ref="marketing.weekly")
    preview = check_connection(session, agency.analyst, agency.client.id, spec)
    assert preview.total_rows == 104 and len(preview.rows) == 10
    assert preview.column_types["week"] == "DATE"
    assert (preview.suggested.date, preview.suggested.spend) == ("week", MAPPING.spend)
    assert list_sources(session, agency.analyst, agency.client.id) == []  # nothing saved


def test_test_connection_says_what_went_wrong(
    session: Session, agency: Agency, fake_bigquery: FakeBigQuery
):
    spec = SourceSpec(PROJECT, table_ref="marketing.weekly")
    with pytest.raises(BigQueryFailure) as caught:
        check_connection(session, agency.analyst, agency.client.id, spec)
    assert caught.value.title == "Table missing"
