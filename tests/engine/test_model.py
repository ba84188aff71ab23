from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kiri_core.engine.model import (
    adjusted_rsq,
    decomp_rssd,
    evaluate,
    immediate_contribution,
    nrmse,
    train_rows,
)


def test_nrmse_and_adjusted_rsq_hand_cases():
    y, fitted = np.array([1.0, 2.0, 3.0, 6.0]), np.array([1.0, 2.0, 4.0, 5.0])
    assert nrmse(y, fitted) == pytest.approx(np.sqrt(0.5) / 5.0)
    rsq = 1 - 2.0 / 14.0
    assert adjusted_rsq(y, fitted, 1) == pytest.approx(1 - (1 - rsq) * 3 / 2)


def test_train_rows_follow_robyn_split():
    # train = floor(quantile(1:100, 0.7)) = floor(70.3); validation = floor(0.15 * 100) more
    assert train_rows(100, 0.7) == (70, 85)


def test_evaluate_with_true_curves_fits_the_easy_set(easy_problem, true_hyperparameters):
    model = evaluate(easy_problem, true_hyperparameters)
    assert model.nrmse < 0.06
    assert model.rsq > 0.9
    assert np.all(model.fit.coef[-4:] >= 0)
    assert model.design.shape == (len(easy_problem.data.y), len(model.columns))


def test_decomp_rssd_and_its_zero_effect_penalty(easy_problem, true_hyperparameters):
    model = evaluate(easy_problem, true_hyperparameters)
    share = easy_problem.spend_share
    saturated = {c: model.transforms[c] for c in easy_problem.data.paid}
    sums = np.array([saturated[c].saturated.sum() for c in easy_problem.data.paid])
    matching = share / sums  # effect shares equal to spend shares -> 0
    assert decomp_rssd(easy_problem, matching, saturated) == pytest.approx(0.0, abs=1e-12)
    one_zero = matching.copy()
    one_zero[0] = 0.0
    effect = one_zero * sums / (one_zero * sums).sum()
    plain = np.sqrt(np.sum((effect - share) ** 2))
    assert decomp_rssd(easy_problem, one_zero, saturated) == pytest.approx(plain * 1.25)


def test_immediate_part_without_carryover_is_everything(easy_problem, true_hyperparameters):
    hp = {**true_hyperparameters}
    hp["spend_meta"] = {**hp["spend_meta"], "theta": 0.0}
    model = evaluate(easy_problem, hp)
    transform = model.transforms["spend_meta"]
    np.testing.assert_allclose(immediate_contribution(transform, 2.0), 2.0 * transform.saturated)


@pytest.mark.shared
def test_robyn_model_1_846_1_refits_close_to_robyn(robyn_demo, robyn_r_outputs):
    """Robyn's own hyperparameters through our pipeline: same inflexions, similar fit."""
    from kiri_core.engine.features import prepare_model_data
    from kiri_core.engine.model import Problem

    media = ["tv_S", "ooh_S", "print_S", "facebook_I", "search_clicks_P"]  # Robyn's vars
    config = {
        "date_column": "DATE",
        "revenue_column": "revenue",
        "spend_columns": media,
        "organic_columns": ["newsletter"],
        "context_columns": ["competitor_sales_B", "events"],
        "prophet_vars": ["trend", "season", "holiday"],
        "prophet_country": "DE",
        "window_start": "2016-01-01",
        "window_end": "2018-12-31",
    }
    params = pd.read_csv(robyn_r_outputs / "pareto_hyperparameters.csv")
    row = params[params.solID == "1_846_1"].iloc[0]
    hp = {
        m: {k: row[f"{m}_{k}s"] for k in ("alpha", "gamma", "theta")}
        for m in [*media, "newsletter"]
    }
    hp["lambda"] = row["lambda_hp"]
    model = evaluate(Problem(prepare_model_data(robyn_demo, config), "geometric"), hp)
    for channel in ("tv_S", "ooh_S", "print_S", "newsletter"):
        assert model.transforms[channel].inflexion == pytest.approx(
            row[f"{channel}_inflexion"], rel=1e-5
        )
    assert model.lambda_ == pytest.approx(row["lambda"], rel=0.02)
    assert model.rsq >= row["rsq_train"] - 0.01
