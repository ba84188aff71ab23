"""Mapping BigQuery columns onto Kiri's format."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from kiri_core.bigquery.mapping import SourceMapping, mapping_from_columns, suggest_mapping

from .conftest import MAPPING, SCHEMA


def test_the_warehouse_columns_are_guessed():
    suggested = suggest_mapping(dict(SCHEMA))
    assert (suggested.date, suggested.revenue) == ("week", "total_revenue")
    assert suggested.spend == MAPPING.spend
    assert suggested.context == {"promo": "promo"}  # BOOLEAN; the STRING market is left out


def test_apply_renames_orders_and_types_the_columns():
    frame = pd.DataFrame.from_records(
        [(dt.date(2024, 1, 1), 10.5, 1.0, 2.0, 3.0, 4, True, "SE"),
         (dt.datetime(2024, 1, 8, 0, 0), 11.5, 1.0, 2.0, 3.0, 4, False, "SE")],
        columns=[name for name, _ in SCHEMA],
    )
    mapped = MAPPING.apply(frame)
    assert list(mapped.columns) == [
        "date", "revenue", "spend_meta", "spend_google", "spend_tiktok", "spend_email",
        "promo_flag",
    ]
    assert mapped["date"].tolist() == ["2024-01-01", "2024-01-08"]
    assert mapped["promo_flag"].tolist() == [1, 0]
    assert mapped.to_csv(index=False).splitlines()[1] == "2024-01-01,10.5,1.0,2.0,3.0,4,1"


def test_the_mapping_round_trips_through_json():
    assert SourceMapping.from_json(MAPPING.to_json()) == MAPPING


@pytest.mark.parametrize(
    ("mapping", "problem"),
    [
        (SourceMapping("", "rev", {"spend_a": "a", "spend_b": "b"}), "week's date"),
        (SourceMapping("d", "", {"spend_a": "a", "spend_b": "b"}), "holds revenue"),
        (SourceMapping("d", "r", {"tv": "a"}), "Spend column name 'tv' must start with spend_"),
        (SourceMapping("d", "r", {"spend_TV": "a"}), "must start with spend_ and use only"),
        (SourceMapping("d", "r", {}, {"revenue": "x"}), "'revenue' is reserved"),
        (SourceMapping("d", "r", {}, {"Promo Week": "x"}), "may use only lower-case"),
    ],
)
def test_mapping_problems_are_named(mapping: SourceMapping, problem: str):
    assert any(problem in p for p in mapping.problems())


def test_missing_columns_name_what_is_there():
    [message] = MAPPING.missing_columns([n for n, _ in SCHEMA if n != "tiktok_cost"])
    assert message.startswith("Column 'tiktok_cost' (mapped to spend_tiktok) is not in the")
    assert "week, total_revenue, meta_cost" in message


def test_chosen_columns_get_kiri_names():
    mapping = mapping_from_columns("Week", "Sales", ["TV Cost", "search_spend"], ["Promo Week"])
    assert mapping.spend == {"spend_tv": "TV Cost", "spend_search": "search_spend"}
    assert mapping.context == {"promo_week": "Promo Week"}
    assert mapping.problems() == []


def test_names_already_saved_are_kept():
    mapping = mapping_from_columns(
        "week", "total_revenue", ["meta_cost", "tv_cost"], ["promo"], keep=MAPPING
    )
    assert mapping.spend == {"spend_meta": "meta_cost", "spend_tv": "tv_cost"}
    assert mapping.context == {"promo_flag": "promo"}


def test_columns_that_would_share_a_name_are_all_kept():
    mapping = mapping_from_columns("week", "sales", ["tv_cost", "tv_spend", "spend_tv"],
                                   ["Promo", "promo"])
    assert mapping.spend == {"spend_tv": "tv_cost", "spend_tv_2": "tv_spend",
                             "spend_tv_3": "spend_tv"}
    assert mapping.context == {"promo": "Promo", "promo_2": "promo"}
    assert mapping.problems() == []


@pytest.mark.parametrize(("column", "kiri_name"), [
    ("meta_cost", "spend_meta"), ("Kostnad Meta", "spend_meta"), ("Google Ads", "spend_google_ads"),
    ("tv_S", "spend_tv"), ("TikTok spend", "spend_tiktok"),
])
def test_spend_is_guessed_from_the_names_a_csv_upload_knows(column: str, kiri_name: str):
    """The same words as the CSV upload's guess (English, Nordic, German, Robyn's ``_S``),
    and the Kiri name is the channel's."""
    schema = {"Vecka": "DATE", "Omsättning": "FLOAT", column: "FLOAT",
              "Meta ads clicks": "INTEGER", "cost_note": "STRING"}
    suggested = suggest_mapping(schema)
    assert (suggested.date, suggested.revenue) == ("Vecka", "Omsättning")
    assert suggested.spend == {kiri_name: column}  # not the clicks, not a text column
