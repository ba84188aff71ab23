from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kiri_core.engine.features import (
    context_columns,
    period_holidays,
    prepare_model_data,
    prophet_components,
    window_slice,
)

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_window_bounds_snap_to_the_nearest_period():
    dates = pd.DatetimeIndex(pd.date_range("2015-11-23", periods=208, freq="7D"))
    window = window_slice(dates, "2016-01-01", "2018-12-31")
    assert dates[window][0] == pd.Timestamp("2016-01-04")  # 3 days away, not 4
    assert dates[window][-1] == pd.Timestamp("2018-12-31")
    assert window.stop - window.start == 157
    with pytest.raises(ValueError, match="fewer than 2 weeks of the data, which runs from "
                                         "2015-11-23 to 2019-11-11"):
        window_slice(dates, "2016-01-04", "2016-01-04")


@pytest.mark.parametrize(("start", "end", "message"), [
    ("2030-06-01", None, "the modelling window 2030-06-01 .. to the last week holds fewer than "
                         "2 weeks"),
    ("2018-06-01", "2017-06-01", "window_start 2018-06-01 is after window_end 2017-06-01"),
])
def test_a_window_outside_the_data_says_where_the_data_is(start, end, message):
    dates = pd.DatetimeIndex(pd.date_range("2015-11-23", periods=208, freq="7D"))
    with pytest.raises(ValueError, match=message):
        window_slice(dates, start, end)


def test_categorical_context_is_one_hot_without_its_most_frequent_level():
    events = pd.Series(["na", "event1", "na", "event2", "na"], name="events")
    columns = context_columns(events)
    assert list(columns) == ["events=event1", "events=event2"]
    np.testing.assert_array_equal(columns["events=event2"], [0, 0, 0, 1, 0])
    numeric = context_columns(pd.Series([1.5, 2.0], name="competitor"))
    np.testing.assert_array_equal(numeric["competitor"], [1.5, 2.0])


def test_holidays_move_to_the_week_holding_them():
    dates = pd.DatetimeIndex(pd.date_range("2018-12-17", periods=4, freq="7D"))
    holidays = period_holidays(dates, "DE")
    christmas = holidays[holidays.ds == pd.Timestamp("2018-12-24")]
    assert "Christmas Day" in christmas.holiday.iloc[0]
    assert set(holidays.ds) <= set(dates)
    with pytest.raises(ValueError, match="unknown prophet_country 'XX'"):
        period_holidays(dates, "XX")


def test_prophet_components_are_fitted_on_all_rows_and_cached(easy_set):
    data, _ = easy_set
    dates = pd.DatetimeIndex(pd.to_datetime(data.date))
    y = data.revenue.to_numpy()
    first = prophet_components(dates, y, ("trend", "season"), None)
    assert list(first.columns) == ["trend", "season"] and len(first) == len(data)
    assert abs(first.season.mean()) < 0.05 * y.mean()
    again = prophet_components(dates, y, ("trend", "season"), None)
    pd.testing.assert_frame_equal(first, again)
    with pytest.raises(ValueError, match="no prophet_country"):
        prophet_components(dates, y, ("holiday",), None)


@pytest.mark.shared
def test_model_data_windows_the_baseline_but_keeps_media_rows(robyn_demo, robyn_demo_config):
    model_data = prepare_model_data(robyn_demo, robyn_demo_config)
    assert len(model_data.y) == 157 and len(model_data.media["tv_S"]) == 208
    assert model_data.baseline.values.shape[0] == 157
    assert model_data.baseline.terms == [
        "trend",
        "season",
        "holiday",
        "competitor_sales_B",
        "events",
        "events",
    ]
    np.testing.assert_array_equal(model_data.baseline.lower[:3], [0, 0, 0])
    np.testing.assert_array_equal(model_data.baseline.upper[:3], [1, 1, 1])
    assert np.all(np.isinf(model_data.baseline.lower[3:]))


def test_prophet_is_imported_without_matplotlib_which_imports_as_usual_after() -> None:
    """prophet's plots (matplotlib's pyplot, 0.6 s of a cold quick run) are never used, so
    its import leaves matplotlib out; a later ``import matplotlib`` is not refused. In a
    fresh process, where nothing has loaded either yet."""
    code = ("import sys\n"
            "from kiri_core.engine.features import import_prophet\n"
            "prophet = import_prophet()\n"
            "print(prophet.__name__, 'matplotlib' in sys.modules)\n"
            "import matplotlib.pyplot\n"
            "print('matplotlib.pyplot' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO_ROOT, check=True)
    assert done.stdout.split() == ["Prophet", "False", "True"]
    assert "matplotlib" not in done.stderr.lower()  # prophet's "Importing matplotlib failed"
