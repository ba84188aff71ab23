from __future__ import annotations

import numpy as np
import pytest

from kiri_core.engine.model import evaluate
from kiri_core.engine.selection import choose, holdout_error


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
    holdout = choose("holdout", models, lambdas, y, scores, clusters)
    assert holdout.index == 0 and "not fitted on" in holdout.reason
    assert choose("nrmse", models, lambdas, y, scores, clusters).index == 0
    robyn = choose("robyn", models, lambdas, y, scores, clusters)
    assert robyn.index == 1 and "Robyn" in robyn.reason
    with pytest.raises(ValueError, match="unknown selection rule 'best'"):
        choose("best", models, lambdas, y, scores, clusters)
