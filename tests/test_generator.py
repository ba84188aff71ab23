"""The test-data generator: format, reproducibility, and a truth that reproduces the data."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from kiri_core.engine.adstock import make_adstock
from kiri_core.engine.saturation import hill
from kiri_core.generator import CHANNELS, generate, lift_studies

COLUMNS = ["date", "revenue", *CHANNELS, "promo_flag"]


@pytest.fixture(scope="module", params=["geometric", "mixed", "weibull_cdf"])
def generated(request: pytest.FixtureRequest) -> tuple[pd.DataFrame, dict]:
    return generate(156, seed=7, adstock=request.param)


def test_the_product_csv_format(generated: tuple[pd.DataFrame, dict]) -> None:
    data, _ = generated
    assert list(data.columns) == COLUMNS
    dates = pd.to_datetime(data["date"], format="%Y-%m-%d")
    assert (dates.dt.day_of_week == 0).all()
    assert (dates.diff().dropna() == pd.Timedelta(days=7)).all()
    assert set(data["promo_flag"]) == {0, 1}
    assert (data[list(CHANNELS)] >= 0).all().all()
    assert (data["revenue"] > 0).all()


def test_spend_patterns_are_realistic() -> None:
    data, _ = generate(156, seed=3)
    tiktok, email, meta = data["spend_tiktok"], data["spend_email"], data["spend_meta"]
    assert (tiktok[: 156 // 4] == 0).all(), "TikTok launches part-way"
    launched = tiktok[tiktok.ne(0).idxmax() :]
    assert (launched == 0).any(), "TikTok runs in flights with dark weeks"
    assert (email == 0).sum() > 5, "e-mail has dark weeks"
    assert (meta > 0).all(), "Meta is always on"
    assert meta.max() > 1.5 * meta.median(), "Meta has campaign bursts"


def test_same_seed_same_data_and_truth() -> None:
    first, second = generate(60, seed=11), generate(60, seed=11)
    pd.testing.assert_frame_equal(first[0], second[0])
    assert json.dumps(first[1]) == json.dumps(second[1])
    assert not generate(60, seed=12)[0].equals(first[0])


def test_truth_reproduces_each_channel_contribution(generated: tuple[pd.DataFrame, dict]) -> None:
    data, truth = generated
    for name, channel in truth["channels"].items():
        params = dict(channel["hyperparameters"])
        alpha = params.pop("alpha")
        params.pop("gamma")
        if channel["adstock"] != "geometric":
            params["windlen"] = len(data)
        adstocked = make_adstock(channel["adstock"], **params).apply(data[name].to_numpy())
        series = channel["coef"] * hill(adstocked, alpha, channel["inflexion"])
        np.testing.assert_allclose(series, truth["decomposition"][name], rtol=1e-12)
        assert channel["contribution"] == pytest.approx(series.sum())
        assert channel["roas"] == pytest.approx(series.sum() / data[name].sum())


def test_marginal_roas_matches_the_analytic_derivative(
    generated: tuple[pd.DataFrame, dict],
) -> None:
    """d/dk sum h(k a) at k = 1 is alpha * sum h (1 - h): the truth's finite difference agrees."""
    data, truth = generated
    for name, channel in truth["channels"].items():
        share = np.asarray(truth["decomposition"][name]) / channel["coef"]
        alpha = channel["hyperparameters"]["alpha"]
        expected = channel["coef"] * alpha * (share * (1 - share)).sum() / data[name].sum()
        assert channel["mroas"] == pytest.approx(expected, rel=1e-3)


def test_revenue_is_the_sum_of_the_decomposition(generated: tuple[pd.DataFrame, dict]) -> None:
    data, truth = generated
    total = np.sum([np.asarray(v) for v in truth["decomposition"].values()], axis=0)
    np.testing.assert_allclose(total, data["revenue"], atol=0.01)
    promo = np.asarray(truth["decomposition"]["promo_flag"])
    assert (promo[data["promo_flag"] == 0] == 0).all()
    assert (promo[data["promo_flag"] == 1] > 0).all()


def test_no_noise_means_revenue_is_the_expected_value() -> None:
    data, truth = generate(80, seed=5, noise=0.0)
    assert np.abs(truth["decomposition"]["noise"]).max() <= 0.005 + 1e-9
    assert data["revenue"].sum() == pytest.approx(
        sum(truth["baseline"]["contribution"].values())
        + sum(c["contribution"] for c in truth["channels"].values())
    )


def test_shares_sum_to_one(generated: tuple[pd.DataFrame, dict]) -> None:
    _, truth = generated
    channels = truth["channels"].values()
    assert sum(c["effect_share"] for c in channels) == pytest.approx(1.0)
    assert sum(c["spend_share"] for c in channels) == pytest.approx(1.0)


def test_truth_is_varied_across_seeds() -> None:
    truths = [generate(104, seed=seed)[1] for seed in range(8)]
    channels = [c for t in truths for c in t["channels"].values()]
    roas = np.array([c["roas"] for c in channels])
    gamma = np.array([c["hyperparameters"]["gamma"] for c in channels])
    assert roas.min() >= 0.5 and roas.max() <= 4.0
    assert roas.max() - roas.min() > 2.0
    assert (gamma < 0.3).mean() > 0.3, "half-saturation often below gamma 0.3"


def _weekly_log_change_sd(spend: pd.Series) -> float:
    return float(np.diff(np.log(spend.to_numpy())).std())


@pytest.mark.parametrize("channel", ["spend_meta", "spend_google"])
def test_varied_profile_moves_always_on_spend_more(channel: str) -> None:
    """Same seeds: the varied profile's always-on weekly changes are far larger than steady's,
    and the channel stays always on."""
    for seed in range(1, 6):
        steady, _ = generate(156, seed=seed)
        varied, truth = generate(156, seed=seed, spend_profile="varied")
        assert truth["spend_profile"] == "varied"
        assert (varied[channel] > 0).all()
        assert _weekly_log_change_sd(varied[channel]) > 1.3 * _weekly_log_change_sd(steady[channel])


def test_steady_is_the_default_profile() -> None:
    default, truth = generate(60, seed=4)
    assert truth["spend_profile"] == "steady"
    pd.testing.assert_frame_equal(default, generate(60, seed=4, spend_profile="steady")[0])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weeks": 2}, "weeks must be at least 4"),
        ({"noise": 0.9}, "noise must be between 0 and 0.3"),
        ({"noise": -0.1}, "noise must be between 0 and 0.3"),
        ({"adstock": "hyperbolic"}, "unknown adstock 'hyperbolic'"),
        ({"spend_profile": "flat"}, "unknown spend profile 'flat'; choose one of steady, varied"),
    ],
)
def test_bad_arguments_are_named(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate(**{"weeks": 60, "seed": 1, **kwargs})


def test_truth_response_block_is_the_shared_definition(
    generated: tuple[pd.DataFrame, dict],
) -> None:
    """The truth's response block is what the engine and allocator read for a fitted model."""
    data, truth = generated
    for name, channel in truth["channels"].items():
        response = channel["response"]
        assert response["coef"] == channel["coef"]
        assert response["alpha"] == channel["hyperparameters"]["alpha"]
        assert response["inflexion"] == pytest.approx(channel["inflexion"])
        assert response["mean_carryover"] >= 0
        assert channel["min_spend"] == data[name].min()
        assert channel["max_spend"] == data[name].max()
        assert channel["mean_spend"] == pytest.approx(data[name].mean())


def test_lift_studies_measure_the_true_immediate_effect_of_spending_weeks() -> None:
    """Without measurement error a study's lift is the channel's true immediate effect
    (Robyn's split: the effect minus what carry-over alone would give) over its weeks."""
    data, truth = generate(156, seed=2, adstock="mixed")
    studies = lift_studies(data, truth, seed=2, noise=0.0)
    assert [s["channel"] for s in studies] == list(CHANNELS)
    dates = list(data["date"])
    for study in studies:
        first, last = dates.index(study["start"]), dates.index(study["end"])
        assert last - first == 3 and first >= 26
        assert (data[study["channel"]].iloc[first : last + 1] > 0).all()
        total = np.asarray(truth["decomposition"][study["channel"]])[first : last + 1].sum()
        assert 0 < study["lift"] < total
    meta, study = truth["channels"]["spend_meta"], studies[0]  # geometric in "mixed"
    spend = data["spend_meta"].to_numpy()
    adstocked = make_adstock("geometric", theta=meta["hyperparameters"]["theta"]).apply(spend)
    alpha, inflexion = meta["hyperparameters"]["alpha"], meta["inflexion"]
    immediate = meta["coef"] * (
        hill(adstocked, alpha, inflexion) - hill(adstocked - spend, alpha, inflexion)
    )
    first = dates.index(study["start"])
    assert study["lift"] == pytest.approx(immediate[first : first + 4].sum(), rel=1e-9)


def test_lift_studies_are_reproducible_and_carry_their_measurement_error() -> None:
    data, truth = generate(104, seed=8)
    exact = lift_studies(data, truth, seed=8, noise=0.0)
    noisy = lift_studies(data, truth, seed=8, noise=0.1)
    assert noisy == lift_studies(data, truth, seed=8, noise=0.1)
    assert [s["start"] for s in noisy] == [s["start"] for s in exact]
    ratios = [n["lift"] / e["lift"] for n, e in zip(noisy, exact, strict=True)]
    assert all(0.6 < r < 1.4 for r in ratios) and any(abs(r - 1) > 1e-3 for r in ratios)
