from __future__ import annotations

import numpy as np
import pytest

from kiri_core.engine.model import evaluate
from kiri_core.engine.selection import choose, holdout_error, nearest_to_mean


@pytest.fixture(scope="module")
def candidates(easy_problem, true_hyperparameters):
    """The true model and a badly mis-specified one (wrong curves, heavy shrinkage)."""
    wrong = {c: {"alpha": 3.0, "gamma": 0.95, "theta": 0.8} for c in easy_problem.data.paid}
    return [
        evaluate(easy_problem, true_hyperparameters),
        evaluate(easy_problem, {**wrong, "lambda": 0.3}),
    ], [0.0, 0.3]


def test_holdout_error_prefers_the_true_model(easy_problem, candidates):
    models, lambdas = candidates
    errors = [
        holdout_error(m, easy_problem.data.y, lam) for m, lam in zip(models, lambdas, strict=True)
    ]
    assert errors[0] < errors[1]


def test_rules_pick_and_explain(easy_problem, candidates):
    models, lambdas = candidates
    y = easy_problem.data.y
    scores, clusters = np.array([0.9, 0.1]), np.array([1, 2])
    roas = np.array([[2.0, 3.0, 1.0, 2.5], [0.5, 0.5, 0.5, 0.5]])
    holdout = choose("holdout", models, lambdas, y, scores, clusters, roas)
    assert holdout.index == 0 and "not fitted on" in holdout.reason
    held_back = holdout_error(models[0], y, lambdas[0])
    assert (f"held-back weeks is {held_back:.3f} of the data's range, against "
            f"{models[0].nrmse:.3f} (NRMSE) on the weeks it was fitted on") in holdout.reason
    assert "one's return per channel is the most typical" in holdout.reason
    cpa = choose("holdout", models, lambdas, y, scores, clusters, roas, conversion=True)
    assert "one's cost per conversion per channel is the most typical" in cpa.reason
    assert "return" not in cpa.reason
    assert choose("nrmse", models, lambdas, y, scores, clusters, roas).index == 0
    robyn = choose("robyn", models, lambdas, y, scores, clusters, roas)
    assert robyn.index == 1 and "Robyn" in robyn.reason
    with pytest.raises(ValueError, match="unknown selection rule 'best'"):
        choose("best", models, lambdas, y, scores, clusters, roas)


def test_holdout_recommends_the_good_model_nearest_to_the_good_models_average(
    easy_problem, true_hyperparameters
):
    """Eight copies of the true model score equally well; the pick is the one whose ROAS
    sit in the middle of the good set, not the first or the best-scored one."""
    model = evaluate(easy_problem, true_hyperparameters)
    models, lambdas = [model] * 8, [0.0] * 8
    roas = np.array([[1.0, 1.0], [3.0, 3.0], [2.1, 1.9], [1.5, 2.6]] * 2)
    choice = choose(
        "holdout",
        models,
        lambdas,
        easy_problem.data.y,
        np.zeros(8),
        np.ones(8, dtype=int),
        roas,
    )
    assert choice.index == 2
    np.testing.assert_array_equal(choice.peers, np.arange(8))


def test_nearest_to_mean_standardizes_each_column():
    # column 2 spreads 100 times more than column 1; unscaled distance would pick row 1
    points = np.array([[0.0, 0.0], [1.0, 50.0], [0.5, 100.0], [0.9, 100.0]])
    assert nearest_to_mean(points) == 2
