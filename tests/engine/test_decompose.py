from __future__ import annotations

import numpy as np
import pytest

from kiri_core.engine.decompose import (
    channel_metrics,
    decompose,
    marginal_roas,
    term_summaries,
    weekly_change,
)
from kiri_core.engine.model import evaluate
from kiri_core.engine.saturation import hill


@pytest.fixture(scope="module")
def fitted(easy_problem, true_hyperparameters):
    model = evaluate(easy_problem, true_hyperparameters)
    parts = decompose(easy_problem, model)
    return model, parts


def test_decomposition_adds_up_to_the_fit(easy_problem, fitted):
    model, parts = fitted
    np.testing.assert_allclose(
        np.sum(list(parts.values()), axis=0), model.fit.predict(model.design), rtol=1e-12
    )
    assert set(parts) == {"intercept", "trend", "season", "promo_flag", *easy_problem.data.paid}


def test_channel_metrics_follow_their_definitions(easy_problem, fitted, true_hyperparameters):
    model, parts = fitted
    channels = channel_metrics(easy_problem, model, true_hyperparameters, parts, False)
    window = easy_problem.data.window
    total_spend = sum(c["spend"] for c in channels.values())
    for name, block in channels.items():
        spend = easy_problem.data.spend[name][window]
        assert block["spend"] == pytest.approx(spend.sum())
        assert (block["min_spend"], block["max_spend"]) == (spend.min(), spend.max())
        changes = [abs(b - a) for a, b in zip(spend[:-1], spend[1:], strict=True)]
        assert block["weekly_change"] == pytest.approx(sum(changes) / len(changes)
                                                       / spend.mean())
        assert block["contribution"] == pytest.approx(parts[name].sum())
        assert block["roas"] == pytest.approx(block["contribution"] / block["spend"])
        assert block["spend_share"] == pytest.approx(block["spend"] / total_spend)
        assert block["immediate_share"] + block["carryover_share"] == pytest.approx(1.0)
        assert block["decay"][0] == pytest.approx(1.0)
        assert block["cpa"] is None
        response = block["response"]
        assert response["inflexion"] == pytest.approx(model.transforms[name].inflexion)
        assert len(block["curve"]["spend"]) == len(block["curve"]["response"])
    assert sum(c["effect_share"] for c in channels.values()) == pytest.approx(1.0)


def test_marginal_roas_is_the_scaled_spend_derivative(easy_problem, fitted):
    model, _ = fitted
    name = "spend_google"
    transform = model.transforms[name]
    coef = model.fit.coef[model.columns.index(name)]
    spend = easy_problem.data.spend[name]
    window = easy_problem.data.window
    eps = 1e-3
    bigger = spend.copy()
    bigger[window] *= 1 + eps
    gained = hill(transform.adstock.apply(bigger)[window], transform.alpha, transform.inflexion)
    by_hand = coef * (gained.sum() - transform.saturated.sum()) / (eps * spend[window].sum())
    assert marginal_roas(easy_problem, transform, name, coef) == pytest.approx(by_hand, rel=1e-2)
    roas = coef * transform.saturated.sum() / spend[window].sum()
    assert 0 < marginal_roas(easy_problem, transform, name, coef) < roas * transform.alpha


def test_terms_group_one_hot_levels(robyn_demo, robyn_demo_config):
    from kiri_core.engine.features import prepare_model_data
    from kiri_core.engine.model import Problem

    problem = Problem(prepare_model_data(robyn_demo, robyn_demo_config), "geometric")
    hp = {m: {"alpha": 1.0, "gamma": 0.5, "theta": 0.3} for m in problem.data.media_names}
    hp["lambda"] = 0.01
    model = evaluate(problem, hp)
    parts = decompose(problem, model)
    terms = term_summaries(problem, model, parts)
    assert set(terms["events"]["levels"]) == {"event1", "event2"}
    assert terms["events"]["coef"] is None
    assert terms["events"]["contribution"] == pytest.approx(parts["events"].sum())
    assert "newsletter" in parts and "newsletter" in terms


test_terms_group_one_hot_levels = pytest.mark.shared(test_terms_group_one_hot_levels)


@pytest.mark.parametrize(("spend", "change"), [
    ([100.0, 100.0, 100.0], 0.0),
    ([100.0, 110.0, 90.0, 100.0], 40 / 3 / 100),
    ([0.0, 200.0, 0.0, 200.0], 2.0),
    ([0.0, 0.0], None),
    ([5.0], None),
])
def test_weekly_change_is_the_mean_step_over_the_mean_spend(spend, change) -> None:
    assert weekly_change(np.array(spend)) == (None if change is None else pytest.approx(change))
