from __future__ import annotations

import numpy as np
import pytest

from kiri_core.engine.pareto import (
    bootstrap_roas,
    cluster_models,
    cluster_winners,
    error_scores,
    front_levels,
    interval_around,
    kmeans,
    likelihood_weights,
    pareto_selection,
)
from kiri_core.engine.ridge import fit_ridge


def _brute_force_levels(f1: np.ndarray, f2: np.ndarray) -> np.ndarray:
    levels = np.zeros(len(f1), dtype=int)
    remaining = set(range(len(f1)))
    level = 0
    while remaining:
        level += 1
        front = [
            i
            for i in remaining
            if not any(
                f1[j] <= f1[i] and f2[j] <= f2[i] and (f1[j] < f1[i] or f2[j] < f2[i])
                for j in remaining
            )
        ]
        for i in front:
            levels[i] = level
        remaining -= set(front)
    return levels


@pytest.mark.parametrize("seed", range(5))
def test_fronts_equal_non_dominated_sorting(seed):
    rng = np.random.default_rng(seed)
    f1, f2 = rng.random(150), rng.random(150)
    np.testing.assert_array_equal(front_levels(f1, f2), _brute_force_levels(f1, f2))


def test_first_front_hand_case():
    f1 = np.array([1.0, 2.0, 3.0, 2.5, 1.5])
    f2 = np.array([3.0, 2.0, 1.0, 2.5, 3.5])
    np.testing.assert_array_equal(front_levels(f1, f2), [1, 1, 1, 2, 2])


def test_selection_drops_the_worst_decile_and_takes_enough_fronts():
    rng = np.random.default_rng(1)
    nrmse, rssd = rng.random(1000), rng.random(1000)
    fronts = pareto_selection(nrmse, rssd, min_candidates=100)
    chosen = fronts > 0
    assert chosen.sum() >= 100
    assert np.all(nrmse[chosen] <= np.quantile(nrmse, 0.9))
    assert np.all(rssd[chosen] <= np.quantile(rssd, 0.9))
    # a model of a taken front is never dominated by one left out
    for i in np.flatnonzero(
        ~chosen & (nrmse <= np.quantile(nrmse, 0.9)) & (rssd <= np.quantile(rssd, 0.9))
    ):
        assert not np.any(
            (nrmse[i] <= nrmse[chosen]) & (rssd[i] <= rssd[chosen]) & (fronts[chosen] == 1)
        )


def test_a_metric_that_is_not_a_number_leaves_that_model_out_and_no_other():
    rng = np.random.default_rng(3)
    nrmse, rssd = rng.random(200), rng.random(200)
    clean = pareto_selection(nrmse, rssd)
    broken = nrmse.copy()
    broken[np.flatnonzero(clean == 0)[:5]] = np.nan  # models not taken anyway
    assert np.array_equal(pareto_selection(broken, rssd) > 0, clean > 0)
    best = int(np.argmin(nrmse))
    broken[best] = np.nan
    fronts = pareto_selection(broken, rssd)
    assert fronts[best] == 0 and (fronts > 0).sum() >= 1


def test_calibrated_selection_keeps_the_best_mape_decile():
    rng = np.random.default_rng(2)
    nrmse, rssd, mape = rng.random(500), rng.random(500), rng.random(500)
    chosen = pareto_selection(nrmse, rssd, mape) > 0
    assert np.all(mape[chosen] <= np.quantile(mape, 0.1))


def test_kmeans_finds_separated_groups_and_is_seeded():
    rng = np.random.default_rng(3)
    points = np.vstack([rng.normal(c, 0.1, size=(30, 2)) for c in (0.0, 5.0, 10.0)])
    labels, _ = kmeans(points, 3, seed=7)
    assert sorted(np.bincount(labels)[1:]) == [30, 30, 30]
    for block in range(3):
        assert len(set(labels[block * 30 : (block + 1) * 30])) == 1
    np.testing.assert_array_equal(labels, kmeans(points, 3, seed=7)[0])


def test_clusters_and_winners():
    rng = np.random.default_rng(4)
    roas = np.vstack([rng.normal(c, 0.05, size=(20, 3)) for c in (1.0, 2.0, 3.0, 4.0)])
    labels = cluster_models(roas, seed=1)
    assert len(np.unique(labels)) >= 3
    scores = rng.random(len(roas))
    winners = cluster_winners(labels, scores)
    for cluster in np.unique(labels):
        members = labels == cluster
        assert winners[members].sum() == 1
        assert scores[members & winners][0] == scores[members].min()


def test_error_scores_are_normalized_distances():
    scores = error_scores(np.array([0.1, 0.2, 0.3]), np.array([0.5, 0.3, 0.1]))
    np.testing.assert_allclose(scores, [1.0, np.sqrt(0.5), 1.0])


def test_bootstrap_interval_holds_the_truth_on_a_linear_model():
    rng = np.random.default_rng(5)
    n = 120
    design = rng.gamma(2.0, 5.0, size=(n, 2))
    spend = design.sum(axis=0) / 2.0  # ROAS = coef * sum(x) / spend = 2 * coef
    y = 100 + design @ np.array([1.5, 0.7]) + rng.normal(0, 1.0, n)
    member = (design, 1e-6, np.zeros(2), np.full(2, np.inf))
    quantiles = bootstrap_roas(y, [member], np.arange(2), spend, seed=1, samples=200)
    for (low, median, high), truth in zip(quantiles, (3.0, 1.4), strict=True):
        assert low < median < high and low < truth < high
        assert high - low < 0.2


@pytest.mark.parametrize("lambda_", [1e-6, 20.0, 200.0])
def test_bootstrap_interval_holds_the_estimate_even_with_heavy_shrinkage(lambda_):
    """Refitting a ridge on its own fitted values shrinks again; the draws must still
    spread around the model's own ROAS (uncentred draws miss it at lambda 20 and 200)."""
    rng = np.random.default_rng(6)
    n = 120
    design = rng.gamma(2.0, 5.0, size=(n, 2))
    spend = design.sum(axis=0) / 2.0
    y = 100 + design @ np.array([1.5, 0.7]) + rng.normal(0, 3.0, n)
    lower, upper = np.zeros(2), np.full(2, np.inf)
    fit = fit_ridge(design, y, lambda_, lower, upper)
    estimate = fit.coef * design.sum(axis=0) / spend
    quantiles = bootstrap_roas(
        y, [(design, lambda_, lower, upper)], np.arange(2), spend, seed=2, samples=200
    )
    assert np.all(quantiles[:, 0] < estimate) and np.all(estimate < quantiles[:, 2])
    assert np.all(quantiles >= 0)


@pytest.mark.parametrize(
    ("quantiles", "estimate", "expected"),
    [
        ([1.0, 1.5, 2.0], 1.5, [1.0, 2.0]),  # at the group's median: the group's range
        ([1.0, 1.5, 2.0], 1.3, [0.8, 2.0]),  # off the middle: wider on its side
        ([1.0, 1.5, 2.0], 0.8, [0.3, 2.0]),  # below the range: not ending at the estimate
        ([1.0, 1.5, 2.0], 2.4, [1.0, 2.9]),  # above it
        ([0.1, 0.3, 0.5], 0.05, [0.0, 0.5]),  # a ROAS interval never goes below zero
    ],
)
def test_interval_holds_the_estimate_with_the_group_s_spread(quantiles, estimate, expected):
    interval = interval_around(np.array([quantiles]), np.array([estimate]))
    np.testing.assert_allclose(interval, [expected])
    assert interval[0, 0] < estimate < interval[0, 1]


@pytest.mark.parametrize(
    ("nrmse", "n", "expected"),
    [
        # (nrmse_i / nrmse_min) ** -n, normalized
        ([0.10, 0.11, 0.20], 10, [1.0, 1.1**-10, 2.0**-10]),
        ([0.05, 0.05], 156, [1.0, 1.0]),  # equal fits, equal weight
        ([0.10, np.nan, 0.10], 52, [1.0, 0.0, 1.0]),  # no finite NRMSE, no weight
    ],
)
def test_likelihood_weights_follow_the_profiled_gaussian_likelihood(nrmse, n, expected):
    weights = likelihood_weights(np.array(nrmse), n)
    assert weights.sum() == pytest.approx(1.0)
    assert weights == pytest.approx(np.array(expected) / np.sum(expected), rel=1e-5, abs=1e-9)


def test_more_rows_concentrate_the_weight_on_the_best_fit():
    nrmse = np.array([0.10, 0.102, 0.105])
    assert likelihood_weights(nrmse, 156)[0] > likelihood_weights(nrmse, 20)[0] > 1 / 3
