"""CSV upload: every problem is reported with row and column and nothing is saved;
valid uploads become immutable versions in storage with checksums."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import func, select

from kiri_core.db.models import Dataset
from kiri_core.db.session import session_factory
from kiri_core.services import datasets
from kiri_core.services.errors import ValidationError
from kiri_core.storage import default_storage


def as_csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def edited(frame: pd.DataFrame, row: int, column: str, value: str) -> pd.DataFrame:
    frame = frame.copy()
    frame.loc[row, column] = value
    return frame


def daily_dates(frame: pd.DataFrame) -> pd.DataFrame:
    dates = pd.date_range("2022-01-03", periods=len(frame), freq="D").strftime("%Y-%m-%d")
    return frame.assign(date=list(dates))


CSV_PROBLEMS = {
    "too_few_rows": (lambda f: as_csv(f.head(30)), "only 30 rows of data; at least 52"),
    "one_spend_column": (lambda f: as_csv(f.drop(columns=["spend_google", "spend_tiktok",
                                                          "spend_email"])),
                         "only 'spend_meta' is chosen as a spend column: pick at least 2"),
    "missing_revenue": (lambda f: as_csv(edited(f, 4, "revenue", "")),
                        "row 6, column 'revenue': missing value"),
    "non_numeric_spend": (lambda f: as_csv(edited(f, 5, "spend_meta", "lots")),
                          "row 7, column 'spend_meta': 'lots' is not a number"),
    "negative_spend": (lambda f: as_csv(edited(f, 6, "spend_google", "-5")),
                       "row 8, column 'spend_google': spend -5 is negative"),
    "duplicate_date": (lambda f: as_csv(edited(f, 7, "date", f.loc[6, "date"])),
                       "appears again (first in row 8)"),
    "unparseable_date": (lambda f: as_csv(edited(f, 8, "date", "2022-13-45")),
                         "row 10, column 'date': '2022-13-45' is not a date"),
    "not_weekly": (lambda f: as_csv(daily_dates(f)), "rows must be weekly"),
    "week_labels": (lambda f: as_csv(f.rename(columns={"date": "vecka"}).assign(
        vecka=[f"v{i + 1}" for i in range(len(f))])), "Column 'vecka' has no readable dates"),
    "constant_revenue": (lambda f: as_csv(f.assign(revenue="1000")),
                         "column 'revenue' is constant"),
    "not_csv": (lambda f: bytes(range(256)) * 10, "not a CSV text file"),
    "empty": (lambda f: b"", "the file is empty"),
    "huge": (lambda f: b"date,revenue\n" + b"2022-01-03,1\n" * (5 * 1024 * 1024),
             "the file is too large"),
}


def upload(session, actor, client_id, data: bytes):
    frame = datasets.read_upload(data)
    return datasets.save_dataset(session, actor, client_id, frame,
                                 datasets.suggest_mapping(frame), name="upload",
                                 source="upload:test.csv")


@pytest.mark.parametrize("case", CSV_PROBLEMS, ids=list(CSV_PROBLEMS))
def test_each_csv_problem_gives_its_message_and_saves_nothing(session, team, good_frame,
                                                              tmp_path, case):
    make, message = CSV_PROBLEMS[case]
    with pytest.raises(ValidationError) as raised:
        upload(session, team.analyst, team.client.id, make(good_frame))
    assert any(message in problem for problem in raised.value.problems), raised.value.problems
    assert session.scalar(select(func.count()).select_from(Dataset)) == 0
    assert not (tmp_path / "artifacts").exists()


def test_all_problems_are_reported_at_once(session, team, good_frame):
    frame = edited(edited(good_frame, 3, "spend_meta", "-1"), 9, "revenue", "")
    with pytest.raises(ValidationError, match="Nothing was saved: 2 problems") as raised:
        upload(session, team.analyst, team.client.id, as_csv(frame))
    assert len(raised.value.problems) == 2


def test_uploads_become_new_immutable_versions(session, team, good_frame):
    first = upload(session, team.analyst, team.client.id, as_csv(good_frame))
    first_bytes = default_storage().get_bytes(first.storage_key, first.checksum)
    changed = edited(good_frame, 0, "revenue", "123456.5")
    second = upload(session, team.analyst, team.client.id, as_csv(changed))
    assert (first.version, second.version) == (1, 2)
    assert first.storage_key != second.storage_key
    assert default_storage().get_bytes(first.storage_key, first.checksum) == first_bytes
    reloaded = datasets.load_frame(session, team.viewer, second.id)
    assert reloaded.loc[0, "revenue"] == 123456.5
    assert (second.row_count, second.start_date) == (104, good_frame.loc[0, "date"])
    assert second.column_mapping["spend"] == ["spend_meta", "spend_google", "spend_tiktok",
                                              "spend_email"]


def test_the_same_data_again_is_refused_naming_its_version(session, team, good_frame):
    first = upload(session, team.analyst, team.client.id, as_csv(good_frame))
    with pytest.raises(ValidationError) as error:
        upload(session, team.analyst, team.client.id, as_csv(good_frame))
    assert str(error.value) == ("Nothing was saved: this data is already saved as version v1 "
                                f"({first.name}), with the same columns.")
    assert session.scalar(select(func.count()).select_from(Dataset)) == 1
    mapping = {**datasets.suggest_mapping(good_frame), "context": []}  # other columns: kept
    other = datasets.save_dataset(session, team.analyst, team.client.id, good_frame, mapping,
                                  name="no promo", source="upload")
    assert other.version == 2 and other.checksum != first.checksum
    kept = datasets.save_dataset(session, team.analyst, team.client.id, good_frame, mapping,
                                 name="import", source="bigquery", keep_duplicate=True)
    assert (kept.version, kept.checksum) == (3, other.checksum)


def test_changed_mapping_is_validated_and_stored(session, team, good_frame):
    mapping = {**datasets.suggest_mapping(good_frame), "spend": ["spend_meta", "spend_google"],
               "context": []}
    saved = datasets.save_dataset(session, team.analyst, team.client.id, good_frame, mapping,
                                  name="two channels", source="upload")
    assert saved.column_mapping["columns"] == ["date", "revenue", "spend_meta", "spend_google"]
    with pytest.raises(ValidationError, match="at least 2"):
        datasets.save_dataset(session, team.analyst, team.client.id, good_frame,
                              {**mapping, "spend": ["spend_meta"]}, name="x", source="upload")


def test_generated_data_keeps_its_truth(session, team):
    saved = datasets.generate_dataset(session, team.analyst, team.client.id, 80, 5)
    assert saved.source == "generated" and saved.row_count == 80
    assert set(saved.ground_truth["channels"]) == set(saved.column_mapping["spend"])
    with pytest.raises(ValidationError, match="between 52 and 520"):
        datasets.generate_dataset(session, team.analyst, team.client.id, 20, 5)
    with pytest.raises(ValidationError, match="Unknown spend profile 'flat'"):
        datasets.generate_dataset(session, team.analyst, team.client.id, 80, 5, "flat")
    names = [d.name for d in datasets.list_datasets(session, team.analyst, team.client.id)]
    assert names == ["Test data, seed 5, steady spend"]


def test_a_file_with_a_long_name_is_saved_under_its_whole_name(session, team, good_frame):
    """The version's source keeps the uploaded file's name; 40 characters were too few for
    PostgreSQL (a name of 34 or more failed the save)."""
    name = "weekly_marketing_export_all_channels_2022-2024_final_v3.csv"
    saved = datasets.save_dataset(session, team.analyst, team.client.id, good_frame,
                                  datasets.suggest_mapping(good_frame), name="upload",
                                  source=f"upload:{name}")
    (listed,) = datasets.list_datasets(session, team.analyst, team.client.id)
    assert listed.id == saved.id and listed.source == f"upload:{name}"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_save_racing_another_for_the_same_version_leaves_the_other_intact(
    session, team, good_frame, platform_env, monkeypatch
):
    """Two saves for one client at once (an upload while a scheduled import saves) both
    count the same next version: the later is refused with a plain message, and the first's
    file is not overwritten by the refused one's (its checksum still holds). SQLite only:
    on PostgreSQL the saves of a client wait for one another (a lock on the client's row),
    so the racer here would wait for ever."""
    numbered = datasets._next_version

    def racing(session_, client_id: int) -> int:
        version = numbered(session_, client_id)
        monkeypatch.setattr(datasets, "_next_version", numbered)  # the racer counts normally
        with session_factory(platform_env)() as other:
            racer = other.get(type(team.analyst), team.analyst.id)
            upload(other, racer, client_id, as_csv(edited(good_frame, 0, "revenue", "77")))
        return version

    monkeypatch.setattr(datasets, "_next_version", racing)
    with pytest.raises(ValidationError, match="saved at the same moment. Save again"):
        upload(session, team.analyst, team.client.id, as_csv(good_frame))
    (saved,) = datasets.list_datasets(session, team.viewer, team.client.id)
    assert saved.version == 1
    assert datasets.stored_frame(saved).loc[0, "revenue"] == 77
    again = upload(session, team.analyst, team.client.id, as_csv(good_frame))
    assert again.version == 2
