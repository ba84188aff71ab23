"""Datasets: immutable versions of a client's weekly data (CSV upload or generated).

Validation is :mod:`kiri_core.data.validation`'s (shared with BigQuery import and the CLI);
a version is saved only when it has no problems, and a new version never overwrites one. A
deleted version leaves the client's list and no new run may use it; its row and file stay
for the runs made on it.
"""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiri_core import generator
from kiri_core.data import validation
from kiri_core.db.base import utcnow
from kiri_core.db.models import ACTIVE_RUN_STATUSES, Client, Dataset, ModelRun, User
from kiri_core.services import audit
from kiri_core.services.access import require_client_role
from kiri_core.services.errors import NotFound, ValidationError
from kiri_core.storage import default_storage, sha256

MAX_GENERATED_WEEKS = 520


def read_upload(data: bytes) -> pd.DataFrame:
    """Parse an uploaded CSV; ValidationError for a file that is not a usable CSV."""
    try:
        return validation.read_csv(data)
    except validation.DatasetError as exc:
        raise ValidationError(str(exc), [str(p) for p in exc.problems]) from exc


def mapping_to_dict(mapping: validation.ColumnMapping) -> dict[str, Any]:
    return {"date": mapping.date, "revenue": mapping.dep_var, "spend": list(mapping.spend),
            "context": list(mapping.context), "organic": list(mapping.organic)}


def mapping_from_dict(mapping: dict[str, Any]) -> validation.ColumnMapping:
    return validation.ColumnMapping(
        date=mapping.get("date"), dep_var=mapping.get("revenue"),
        spend=tuple(mapping.get("spend", ())), context=tuple(mapping.get("context", ())),
        organic=tuple(mapping.get("organic", ())),
    )


def suggest_mapping(frame: pd.DataFrame) -> dict[str, Any]:
    """Auto-detected roles (:func:`kiri_core.data.validation.detect_columns`): ``date``,
    ``revenue``, ``spend`` (columns of numbers whose name says spend: a spend word in any
    position, ``"spend_meta"``, ``"TikTok cost"``, ``"Kostnad Meta"``, Robyn's ``*_S`` or
    ``"Google Ads"``), ``context`` (0/1 flags) and ``organic`` (never guessed: left empty)."""
    return mapping_to_dict(validation.detect_columns(frame))


def check_frame(frame: pd.DataFrame, mapping: dict[str, Any],
                client: Client | None = None) -> list[validation.Problem]:
    """Every problem of the data under this mapping, each naming its row and column where it
    has one ([] when valid); with the ``client``, amounts written in another currency than
    the client's are one too."""
    if client is None:
        return validation.validate_frame(frame, mapping_from_dict(mapping))
    return validation.validate_frame(frame, mapping_from_dict(mapping),
                                     currency=client.currency, client=client.name)


def _next_version(session: Session, client_id: int) -> int:
    latest = session.scalar(select(func.max(Dataset.version)).where(Dataset.client_id == client_id))
    return (latest or 0) + 1


def save_dataset(
    session: Session,
    actor: User,
    client_id: int,
    frame: pd.DataFrame,
    mapping: dict[str, Any],
    *,
    name: str,
    source: str,
    ground_truth: dict[str, Any] | None = None,
    keep_duplicate: bool = False,
) -> Dataset:
    """Validate and store a new dataset version (analysts only); nothing is saved on error,
    nor when amounts are written in another currency than the client's.

    The same rows with the same columns as a saved version are refused, naming that version
    (a second click on Save, the same file again), unless ``keep_duplicate`` (a BigQuery
    import keeps its own history and tells an unchanged import apart itself).
    """
    require_client_role(session, actor, client_id, "analyst")
    problems = [str(p) for p in check_frame(frame, mapping, session.get(Client, client_id))]
    if problems:
        summary = problems[0] if len(problems) == 1 else f"{len(problems)} problems"
        raise ValidationError(f"Nothing was saved: {summary}.", problems)
    clean = validation.clean_frame(frame, mapping_from_dict(mapping))
    buffer = io.StringIO()
    clean.to_csv(buffer, index=False, date_format="%Y-%m-%d")
    data = buffer.getvalue().encode("utf-8")
    column_mapping = {**mapping, "columns": list(clean.columns)}
    if not keep_duplicate and (same := _same_data(session, client_id, data, column_mapping)):
        raise ValidationError(f"Nothing was saved: this data is already saved as version "
                              f"v{same.version} ({same.name}), with the same columns.")
    session.get(Client, client_id, with_for_update=True)  # saves for a client in turn (PG)
    version = _next_version(session, client_id)
    # the content in the key: a save racing this one for the same version cannot overwrite it
    key = f"clients/{client_id}/datasets/v{version}-{sha256(data)[:12]}.csv"
    stored = default_storage().put_bytes(key, data)
    dates = clean[mapping["date"]]
    dataset = Dataset(
        client_id=client_id, version=version, name=name.strip() or f"Version {version}",
        source=source, storage_key=stored.key, checksum=stored.checksum,
        size_bytes=stored.size_bytes, row_count=len(clean),
        start_date=dates.min().strftime("%Y-%m-%d"), end_date=dates.max().strftime("%Y-%m-%d"),
        column_mapping=column_mapping, ground_truth=ground_truth,
        created_by_id=actor.id,
    )
    session.add(dataset)
    try:
        session.flush()
    except IntegrityError as exc:  # SQLite: a save at the same moment took the version number
        session.rollback()
        raise ValidationError(
            "Nothing was saved: another version of this client's data was saved at the same "
            "moment. Save again to store yours as the next version.") from exc
    audit.record(session, actor, "dataset.create", client_id=client_id,
                 target=("dataset", dataset.id),
                 details={"version": version, "source": source, "rows": len(clean)})
    session.commit()
    return dataset


def generate_dataset(
    session: Session, actor: User, client_id: int, weeks: int, seed: int,
    spend_profile: str = "steady",
) -> Dataset:
    """Generate test data with known truth and save it as a new version with its truth."""
    require_client_role(session, actor, client_id, "analyst")
    if not 52 <= weeks <= MAX_GENERATED_WEEKS:
        raise ValidationError(f"Weeks must be between 52 and {MAX_GENERATED_WEEKS}.")
    if spend_profile not in generator.SPEND_PROFILES:
        raise ValidationError(f"Unknown spend profile {spend_profile!r}: choose "
                              f"{' or '.join(generator.SPEND_PROFILES)}.")
    frame, truth = generator.generate(weeks, seed, spend_profile=spend_profile)
    return save_dataset(
        session, actor, client_id, frame, suggest_mapping(frame),
        name=f"Test data, seed {seed}, {spend_profile} spend",  # its weeks have a column
        source="generated", ground_truth=truth,
    )


def list_datasets(session: Session, actor: User, client_id: int) -> list[Dataset]:
    """The client's dataset versions that are not deleted, newest first."""
    require_client_role(session, actor, client_id, "viewer")
    query = select(Dataset).where(Dataset.client_id == client_id,
                                  Dataset.deleted_at.is_(None)).order_by(Dataset.version.desc())
    return list(session.scalars(query.execution_options(populate_existing=True)))


def delete_dataset(session: Session, actor: User, dataset_id: int) -> Dataset:
    """Delete a dataset version (analysts): it leaves the client's versions and no new run
    can use it. The runs already made on it keep their data and results, so its row and
    file stay. Refused while a run on it is queued or running; a version number is never
    given again."""
    dataset = get_dataset(session, actor, dataset_id)
    require_client_role(session, actor, dataset.client_id, "analyst")
    if dataset.deleted_at is not None:
        raise NotFound(f"Dataset {dataset.label} is already deleted.")
    active = session.scalars(select(ModelRun).where(
        ModelRun.dataset_id == dataset.id, ModelRun.status.in_(ACTIVE_RUN_STATUSES))).first()
    if active:
        raise ValidationError(
            f"Nothing was deleted: run #{active.number} on dataset {dataset.label} is still "
            f"{active.state}. Cancel it, or wait for it to end, then delete the data.")
    dataset.deleted_at = utcnow()
    audit.record(session, actor, "dataset.delete", client_id=dataset.client_id,
                 target=("dataset", dataset.id), details={"version": dataset.version})
    session.commit()
    return dataset


def _same_data(session: Session, client_id: int, data: bytes,
               column_mapping: dict[str, Any]) -> Dataset | None:
    """The client's newest version (not deleted) with these bytes and this column mapping."""
    query = (select(Dataset).where(Dataset.client_id == client_id,
                                   Dataset.checksum == sha256(data),
                                   Dataset.deleted_at.is_(None))
             .order_by(Dataset.version.desc()))
    return next((d for d in session.scalars(query) if d.column_mapping == column_mapping), None)


def get_dataset(session: Session, actor: User, dataset_id: int) -> Dataset:
    dataset = session.get(Dataset, dataset_id)
    if dataset is None:
        raise NotFound(f"Dataset #{dataset_id} does not exist.")
    require_client_role(session, actor, dataset.client_id, "viewer")
    return dataset


def load_frame(session: Session, actor: User, dataset_id: int) -> pd.DataFrame:
    """The stored data of a dataset version (checksum verified)."""
    return stored_frame(get_dataset(session, actor, dataset_id))


def stored_frame(dataset: Dataset) -> pd.DataFrame:
    """A dataset version's rows read back from storage (checksum verified), no access check."""
    data = default_storage().get_bytes(dataset.storage_key, dataset.checksum)
    return pd.read_csv(io.BytesIO(data))
