from __future__ import annotations

import multiprocessing as mp

import numpy as np
import pytest

from kiri_core.engine.search import build_space, run_search

MEDIA = ["tv_S", "ooh_S"]


def test_default_space_has_robyn_like_bounds_and_names():
    space = build_space(MEDIA, "geometric", None, ts_validation=False)
    assert space.labels == [
        "tv_S_alphas",
        "tv_S_gammas",
        "tv_S_thetas",
        "ooh_S_alphas",
        "ooh_S_gammas",
        "ooh_S_thetas",
        "lambda",
    ]
    assert space.as_dict(space.lower)["tv_S"] == {"alpha": 0.5, "gamma": 0.01, "theta": 0.0}
    weibull = build_space(MEDIA, "weibull_pdf", None, ts_validation=True)
    assert "tv_S_shapes" in weibull.labels and "train_size" in weibull.labels


def test_overrides_take_robyn_names_and_fixed_values():
    space = build_space(
        MEDIA,
        "geometric",
        {"tv_S": {"alphas": [0.5, 1], "thetas": 0.3}, "lambda": [0, 0.5]},
        ts_validation=False,
    )
    values = space.as_dict(space.values(np.full(int(space.free.sum()), 1.0)))
    assert values["tv_S"] == {"alpha": 1.0, "gamma": 1.0, "theta": 0.3}
    assert values["lambda"] == 0.5
    assert not space.free[space.labels.index("tv_S_thetas")]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"tv_S": {"gammas": [0.3, 1.5]}}, "bounds for tv_S gamma out of range"),
        ({"tv_S": {"alphas": [2, 1]}}, "low <= high"),
        ({"tv_S": {"shapes": [1, 2]}}, "unknown \\['shape'\\] for geometric"),
        ({"radio": {"alphas": [1, 2]}}, "unknown channels: \\['radio'\\]"),
        ({"tv_S": {"alphas": "wide"}}, "must be \\[low, high\\] or one number"),
    ],
)
def test_bad_bounds_are_named(overrides, message):
    with pytest.raises(ValueError, match=message):
        build_space(MEDIA, "geometric", overrides, ts_validation=False)


def test_search_is_identical_on_any_number_of_workers(easy_problem):
    space = build_space(easy_problem.data.media_names, "geometric", None, False)
    one = run_search(easy_problem, space, 40, 3, seed=11, workers=1)
    two = run_search(easy_problem, space, 40, 3, seed=11, workers=2)
    assert one.model_ids == two.model_ids
    np.testing.assert_array_equal(one.values, two.values)
    np.testing.assert_array_equal(one.nrmse, two.nrmse)
    np.testing.assert_array_equal(one.decomp_rssd, two.decomp_rssd)
    other = run_search(easy_problem, space, 40, 3, seed=12, workers=1)
    assert not np.array_equal(one.values, other.values)


def test_search_values_stay_in_bounds_and_progress_reaches_one(easy_problem):
    space = build_space(easy_problem.data.media_names, "geometric", None, False)
    seen: list[float] = []
    result = run_search(easy_problem, space, 50, 2, seed=1, workers=2, progress=seen.append)
    assert len(result.model_ids) == 100
    assert np.all(result.values >= space.lower) and np.all(result.values <= space.upper)
    assert seen[-1] == 1.0 and seen == sorted(seen)
    assert max(np.diff([0.0, *seen])) <= 0.01 + 1e-12


class Cancelled(Exception):
    pass


def test_a_raising_progress_callback_stops_the_children(easy_problem):
    space = build_space(easy_problem.data.media_names, "geometric", None, False)

    def cancel(fraction: float) -> None:
        if fraction > 0.05:
            raise Cancelled

    with pytest.raises(Cancelled):
        run_search(easy_problem, space, 400, 2, seed=1, workers=2, progress=cancel)
    assert mp.active_children() == []
