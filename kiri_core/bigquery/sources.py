"""BigQuery sources of a client: save, list, test the connection with a preview, history.

Every function checks access itself: viewers see sources and their history, analysts set
them up, test them and import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kiri_core.bigquery import settings
from kiri_core.bigquery.client import SourceSpec, fetch_rows
from kiri_core.bigquery.credentials import (
    decrypt_key,
    encrypt_key,
    google_credentials,
    parse_service_account,
)
from kiri_core.bigquery.mapping import SourceMapping, suggest_mapping
from kiri_core.bigquery.models import BigQueryImport, BigQuerySource
from kiri_core.db.models import User
from kiri_core.services import audit
from kiri_core.services.access import require_client_role
from kiri_core.services.errors import NotFound, ValidationError

HISTORY_LIMIT = 50


@dataclass(frozen=True)
class SourceSettings:
    """What the form edits: where the data is and how its columns map."""

    name: str
    project: str
    table_ref: str | None
    query: str | None
    mapping: SourceMapping
    rerun_on_new_weeks: bool = False


@dataclass(frozen=True)
class Preview:
    """The result of "Test connection": column types, the first rows and a mapping guess."""

    column_types: dict[str, str]
    rows: pd.DataFrame
    total_rows: int | None
    suggested: SourceMapping


def default_project() -> str:
    return settings.project_id() or ""


def source_spec(source: BigQuerySource) -> SourceSpec:
    return SourceSpec(source.project, source.table_ref, source.query)


def stored_key(source: BigQuerySource) -> dict[str, Any] | None:
    """The source's decrypted key, or None when it uses the app's credentials."""
    if source.credentials_encrypted is None:
        return None
    return decrypt_key(source.credentials_encrypted)


def location_problems(project: str, table_ref: str | None, query: str | None) -> list[str]:
    """Problems with where the data is: a project, and exactly one of a table and a query."""
    problems = [] if project.strip() else ["Enter the Google Cloud project."]
    has_table, has_query = bool(table_ref and table_ref.strip()), bool(query and query.strip())
    if not (has_table or has_query):
        problems.append("Enter a table or a SQL query.")
    elif has_table and has_query:
        problems.append("Enter either a table (dataset.table) or a SQL query, not both.")
    elif has_table:
        try:
            SourceSpec(project, table_ref).table_id()
        except ValidationError as exc:
            problems.append(str(exc))
    return problems


def get_source(
    session: Session, actor: User | None, source_id: int, role: str = "viewer"
) -> BigQuerySource:
    source = session.get(BigQuerySource, source_id)
    if source is None:
        raise NotFound(f"BigQuery source #{source_id} does not exist.")
    require_client_role(session, actor, source.client_id, role)
    return source


def list_sources(session: Session, actor: User, client_id: int) -> list[BigQuerySource]:
    require_client_role(session, actor, client_id, "viewer")
    query = select(BigQuerySource).where(BigQuerySource.client_id == client_id)
    return list(session.scalars(query.order_by(BigQuerySource.name)))


def save_source(
    session: Session,
    actor: User,
    client_id: int,
    values: SourceSettings,
    *,
    source_id: int | None = None,
    key_file: bytes | None = None,
    forget_key: bool = False,
) -> BigQuerySource:
    """Create or update a source (analysts only); nothing is saved when anything is wrong.

    ``key_file`` is an uploaded service-account JSON: it is checked, encrypted and kept
    only as ciphertext. ``forget_key`` drops a stored key (the app's credentials are used).

    Raises
    ------
    ValidationError
        With every problem: name, project, table or query, mapping, key file.
    """
    require_client_role(session, actor, client_id, "analyst")
    problems = [] if values.name.strip() else ["Give the source a name."]
    problems += location_problems(values.project, values.table_ref, values.query)
    problems += values.mapping.problems()
    key_info = None
    if key_file is not None:
        try:
            key_info = parse_service_account(key_file)
        except ValidationError as exc:
            problems.append(str(exc))
    if problems:
        raise ValidationError("The BigQuery source was not saved.", problems)
    source = (
        get_source(session, actor, source_id, "analyst")
        if source_id is not None
        else BigQuerySource(client_id=client_id, created_by_id=actor.id)
    )
    if source.client_id != client_id:
        raise NotFound(f"BigQuery source #{source_id} does not belong to this client.")
    source.name = values.name.strip()
    source.project = values.project.strip()
    source.table_ref = values.table_ref.strip() if values.table_ref else None
    source.query = values.query.strip() if values.query else None
    source.column_mapping = values.mapping.to_json()
    source.rerun_on_new_weeks = values.rerun_on_new_weeks
    if key_info is not None:
        source.credentials_encrypted = encrypt_key(key_info)
        source.credentials_email = key_info["client_email"]
    elif forget_key:
        source.credentials_encrypted, source.credentials_email = None, None
    session.add(source)
    session.flush()
    audit.record(
        session, actor, "bigquery.source.save", client_id=client_id,
        target=("bigquery_source", source.id),
        details={"name": source.name, "new_key": key_info is not None, "forget_key": forget_key},
    )
    session.commit()
    return source


def check_connection(
    session: Session,
    actor: User,
    client_id: int,
    spec: SourceSpec,
    *,
    key_file: bytes | None = None,
    source_id: int | None = None,
) -> Preview:
    """Read the first rows of a table or query with the key to be used (analysts only).

    The key is ``key_file`` if given, else the stored key of ``source_id``, else the app's.

    Raises
    ------
    ValidationError
        Where the data is, or the key file, is wrong.
    BigQueryFailure
        BigQuery refused or failed, in plain words.
    """
    require_client_role(session, actor, client_id, "analyst")
    problems = location_problems(spec.project, spec.table_ref, spec.query)
    if problems:
        raise ValidationError(problems[0], problems)
    if key_file is not None:
        key_info = parse_service_account(key_file)
    elif source_id is not None:
        key_info = stored_key(get_source(session, actor, source_id, "analyst"))
    else:
        key_info = None
    fetched = fetch_rows(spec, google_credentials(key_info), max_rows=settings.PREVIEW_ROWS)
    return Preview(
        column_types=fetched.column_types,
        rows=fetched.frame,
        total_rows=fetched.total_rows,
        suggested=suggest_mapping(fetched.column_types),
    )


def import_history(
    session: Session, actor: User, source_id: int, limit: int = HISTORY_LIMIT
) -> list[BigQueryImport]:
    """The source's imports, newest first (viewers may see them)."""
    get_source(session, actor, source_id, "viewer")
    query = (
        select(BigQueryImport)
        .where(BigQueryImport.source_id == source_id)
        .order_by(BigQueryImport.id.desc())
        .limit(limit)
        .options(selectinload(BigQueryImport.dataset))  # each row names its version
    )
    return list(session.scalars(query.execution_options(populate_existing=True)))
