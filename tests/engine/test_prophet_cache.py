"""Prophet fits kept in memory and on disk: reused exactly, never half-read."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from kiri_core.engine.features import _cache_key, _fit_prophet
from kiri_core.engine.prophet_cache import FitCache


def never() -> pd.DataFrame:
    raise AssertionError("prophet was fitted again")


def components(values) -> pd.DataFrame:
    return pd.DataFrame({"trend": np.asarray(values, dtype=float),
                         "season": -np.asarray(values, dtype=float)})


def test_another_process_reads_the_fit_from_disk_bit_for_bit(easy_set, tmp_path):
    data, _ = easy_set
    dates = pd.DatetimeIndex(pd.to_datetime(data.date))
    y = data.revenue.to_numpy()
    key = _cache_key(dates, y, ("trend", "season"), None)
    first = FitCache(size=4)
    first.keep_on_disk(tmp_path)
    fitted = first.get(key, lambda: _fit_prophet(dates, y, ("trend", "season"), None))
    assert [p.name for p in tmp_path.iterdir()] == [f"{key}.npz"]
    later = FitCache(size=4)  # a new run's process: empty memory, the same folder
    later.keep_on_disk(tmp_path)
    pd.testing.assert_frame_equal(later.get(key, never), fitted, check_exact=True)


def test_without_a_folder_nothing_is_written(tmp_path):
    cache = FitCache(size=4)
    cache.get("k", lambda: components([1, 2]))
    pd.testing.assert_frame_equal(cache.get("k", never), components([1, 2]))
    assert not any(tmp_path.iterdir())


def truncated_npz() -> bytes:
    """The first half of a real cache file: a zip archive cut off (a crash mid-copy)."""
    buffer = io.BytesIO()
    np.savez(buffer, values=np.ones((52, 3)), columns=np.array(["trend", "season", "holiday"]))
    return buffer.getvalue()[: len(buffer.getvalue()) // 2]


@pytest.mark.parametrize("unreadable", [b"half a file", truncated_npz()],
                         ids=["not-an-archive", "truncated-archive"])
def test_an_unreadable_file_is_fitted_again_and_replaced(tmp_path, unreadable):
    (tmp_path / "k.npz").write_bytes(unreadable)
    cache = FitCache(size=4)
    cache.keep_on_disk(tmp_path)
    pd.testing.assert_frame_equal(cache.get("k", lambda: components([3.5])), components([3.5]))
    fresh = FitCache(size=4)
    fresh.keep_on_disk(tmp_path)
    pd.testing.assert_frame_equal(fresh.get("k", never), components([3.5]))
    assert not list(tmp_path.glob("*.part"))


@pytest.mark.parametrize("size", [1, 2])
def test_memory_keeps_only_the_last_fits(size):
    cache = FitCache(size=size)
    for number in range(3):
        cache.get(str(number), lambda n=number: components([n]))
    for kept in ["0", "1", "2"][-size:]:
        cache.get(kept, never)
    forgotten = ["0", "1", "2"][-size - 1]
    with pytest.raises(AssertionError, match="fitted again"):
        cache.get(forgotten, never)


def test_a_caller_changing_its_copy_does_not_change_the_cache():
    cache = FitCache(size=2)
    mine = cache.get("k", lambda: components([1.0]))
    mine["trend"] += 5
    assert mine["trend"].tolist() == [6.0]
    pd.testing.assert_frame_equal(cache.get("k", never), components([1.0]))
