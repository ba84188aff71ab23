"""The one response definition: hand-computed values, its derivative, and fitted curves."""

from __future__ import annotations

import numpy as np
import pytest

from kiri_core.engine.adstock import GeometricAdstock, WeibullPDFAdstock
from kiri_core.engine.response import ResponseCurve


def test_half_the_coefficient_at_the_inflexion() -> None:
    curve = ResponseCurve(coef=1000.0, alpha=2.0, inflexion=50.0, mean_carryover=20.0)
    assert curve.response(30.0) == pytest.approx(500.0)


def test_hand_computed_value() -> None:
    # x = 10 + 10 = 20; 20**2 / (20**2 + 40**2) = 400 / 2000 = 0.2
    curve = ResponseCurve(coef=300.0, alpha=2.0, inflexion=40.0, mean_carryover=10.0)
    assert curve.response(10.0) == pytest.approx(60.0)
    # r'(s) = coef * alpha * x**(a-1) * k**a / (x**a + k**a)**2 = 300 * 2 * 20 * 1600 / 2000**2
    assert curve.marginal(10.0) == pytest.approx(4.8)


def test_vectorised_increasing_and_bounded_by_the_coefficient() -> None:
    curve = ResponseCurve(coef=50.0, alpha=1.5, inflexion=10.0)
    spend = np.linspace(0, 1e4, 500)
    response = curve.response(spend)
    assert response.shape == spend.shape
    assert response[0] == 0.0
    assert (np.diff(response) > 0).all()
    assert response[-1] < 50.0
    assert response[-1] > 49.0


@pytest.mark.parametrize("alpha", [0.5, 1.0, 2.0, 3.5])
@pytest.mark.parametrize("carryover", [0.0, 25.0])
@pytest.mark.parametrize("spend", [5.0, 60.0, 400.0])
def test_marginal_is_the_derivative(alpha: float, carryover: float, spend: float) -> None:
    curve = ResponseCurve(coef=1234.0, alpha=alpha, inflexion=80.0, mean_carryover=carryover)
    h = 1e-4 * spend
    numeric = (curve.response(spend + h) - curve.response(spend - h)) / (2 * h)
    assert curve.marginal(spend) == pytest.approx(numeric, rel=1e-6)


@pytest.mark.parametrize("alpha", [0.5, 1.0, 2.0, 3.5])
@pytest.mark.parametrize("carryover", [0.0, 25.0])
def test_incremental_is_what_spend_adds_over_the_carry_over_level(
    alpha: float, carryover: float
) -> None:
    curve = ResponseCurve(coef=1234.0, alpha=alpha, inflexion=80.0, mean_carryover=carryover)
    spend = np.array([0.0, 5.0, 60.0, 400.0])
    added = curve.incremental(spend)
    assert added[0] == 0.0
    np.testing.assert_allclose(added, curve.response(spend) - curve.response(0.0))
    assert (np.diff(added) > 0).all()
    h = 1e-4
    assert (curve.incremental(60.0 + h) - curve.incremental(60.0 - h)) / (2 * h) == (
        pytest.approx(float(curve.marginal(60.0)), rel=1e-6))


def test_marginal_at_zero_is_finite_for_concave_curves() -> None:
    curve = ResponseCurve(coef=10.0, alpha=0.5, inflexion=100.0)
    assert np.isfinite(curve.marginal(0.0))
    assert curve.marginal(0.0) > curve.marginal(1.0)


def test_zero_coefficient_has_no_effect() -> None:
    curve = ResponseCurve(coef=0.0, alpha=2.0, inflexion=100.0, mean_carryover=5.0)
    assert not curve.has_effect
    np.testing.assert_array_equal(curve.marginal([0.0, 10.0]), [0.0, 0.0])
    np.testing.assert_array_equal(curve.response([0.0, 10.0]), [0.0, 0.0])
    np.testing.assert_array_equal(curve.incremental([0.0, 10.0]), [0.0, 0.0])


def test_dict_round_trip() -> None:
    block = {"coef": 2.5, "alpha": 1.2, "inflexion": 345.0, "mean_carryover": 12.0}
    curve = ResponseCurve.from_dict(block)
    assert curve.to_dict() == block
    assert ResponseCurve.from_dict({k: v for k, v in block.items() if k != "mean_carryover"}) == (
        ResponseCurve(2.5, 1.2, 345.0, 0.0)
    )


def test_grid_spans_zero_to_the_maximum() -> None:
    curve = ResponseCurve(coef=10.0, alpha=2.0, inflexion=100.0)
    grid = curve.grid(400.0, points=5)
    assert grid["spend"] == [0.0, 100.0, 200.0, 300.0, 400.0]
    assert grid["response"][1] == pytest.approx(5.0)
    assert grid["response"] == pytest.approx(curve.response(grid["spend"]).tolist())


def test_from_spend_geometric_by_hand() -> None:
    # adstocked 100, 50, 25, 12.5; carry-over 0, 50, 25, 12.5 (mean 21.875);
    # inflexion = gamma * max = 0.5 * 100 = 50 (Robyn 3.12's saturation_hill)
    curve = ResponseCurve.from_spend(
        np.array([100.0, 0.0, 0.0, 0.0]), GeometricAdstock(0.5), coef=7.0, alpha=2.0, gamma=0.5
    )
    assert curve == ResponseCurve(7.0, 2.0, 50.0, 21.875)


def test_from_spend_uses_the_window_rows_only() -> None:
    spend = np.array([400.0, 0.0, 100.0, 0.0])  # adstocked 400, 200, 200, 100
    curve = ResponseCurve.from_spend(
        spend, GeometricAdstock(0.5), coef=1.0, alpha=1.0, gamma=0.5, window=slice(2, 4)
    )
    assert curve.inflexion == pytest.approx(0.5 * 200)  # max of the window's adstocked
    assert curve.mean_carryover == pytest.approx((100 + 100) / 2)


def test_weibull_pdf_carryover_excludes_the_same_period_part() -> None:
    """Robyn's immediate part of Weibull PDF adstock is ``w_0 x`` (w_0 < 1 for a lagged peak)."""
    adstock = WeibullPDFAdstock(shape=3.0, scale=0.2, windlen=20)
    spend = np.r_[np.full(10, 100.0), np.zeros(10)]
    w0 = adstock.decay_weights(1)[0]
    assert 0 < w0 < 1
    curve = ResponseCurve.from_spend(spend, adstock, coef=1.0, alpha=1.0, gamma=0.3)
    expected = (adstock.apply(spend) - w0 * spend).mean()
    assert curve.mean_carryover == pytest.approx(expected)
