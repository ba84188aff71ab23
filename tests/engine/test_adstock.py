from __future__ import annotations

import numpy as np
import pytest

from kiri_core.engine.adstock import (
    ADSTOCKS,
    GeometricAdstock,
    WeibullCDFAdstock,
    WeibullPDFAdstock,
    make_adstock,
)

SPEND = np.array([100.0, 0, 30, 0, 0, 50, 10, 0, 0, 0])
# Robyn 3.12's adstock_weibull() run in R 4 (base pweibull/dweibull) on SPEND.
R_CDF_05_05 = [
    100.0,
    66.48137914037839,
    67.32157681657606,
    38.34651478386959,
    19.32978539912604,
    58.78510002920822,
    46.88161457152901,
    26.69604778824295,
    13.42200040592552,
    6.06696170823121,
]
R_CDF_12_015 = [
    100.0,
    64.708651151635237,
    53.804982424621386,
    24.092076538282381,
    7.611877050061705,
    51.427197574462340,
    42.495996566764973,
    18.380368493545820,
    4.720405758742284,
    0.703141141014524,
]
R_PDF_25_03 = [
    30.3252042890251,
    74.2293385575746,
    109.0975612867075,
    114.4530879793679,
    91.0257992429515,
    72.0459677253592,
    68.5035007400774,
    68.6181234997946,
    59.4822190583059,
    40.4593579867468,
]
R_PDF_WEIGHTS_25_03 = [
    0.30325204289025148,
    0.74229338557574576,
    1.0,
    0.92184286412095551,
    0.61025799242951528,
    0.29228079657218009,
    0.10048571259502156,
    0.02426765746871703,
    0.00375504474407503,
    0.0,
]

ALL = [GeometricAdstock(0.6), WeibullCDFAdstock(1.5, 0.3), WeibullPDFAdstock(3.0, 0.2)]


@pytest.mark.parametrize("adstock", ALL, ids=lambda a: a.kind)
def test_adstock_of_zero_spend_is_zero(adstock):
    assert np.array_equal(adstock.apply(np.zeros(30)), np.zeros(30))


@pytest.mark.parametrize("adstock", ALL, ids=lambda a: a.kind)
def test_adstock_keeps_length_and_is_linear(adstock):
    a, b = np.arange(20.0), np.linspace(5, 0, 20)
    assert adstock.apply(a).shape == (20,)
    np.testing.assert_allclose(adstock.apply(2 * a + b), 2 * adstock.apply(a) + adstock.apply(b))


@pytest.mark.parametrize("theta", [0.0, 0.3, 0.85])
def test_geometric_equals_its_recursion(theta):
    expected, carry = [], 0.0
    for x in SPEND:
        carry = x + theta * carry
        expected.append(carry)
    np.testing.assert_allclose(GeometricAdstock(theta).apply(SPEND), expected)
    np.testing.assert_allclose(GeometricAdstock(theta).decay_weights(4), theta ** np.arange(4))


def test_geometric_hand_case():
    np.testing.assert_allclose(
        GeometricAdstock(0.5).apply([100.0, 0, 0, 50, 0]), [100, 50, 25, 62.5, 31.25]
    )


@pytest.mark.parametrize(
    ("adstock", "expected"),
    [
        (WeibullCDFAdstock(0.5, 0.5), R_CDF_05_05),
        (WeibullCDFAdstock(1.2, 0.15), R_CDF_12_015),
        (WeibullPDFAdstock(2.5, 0.3), R_PDF_25_03),
    ],
    ids=["cdf-0.5-0.5", "cdf-1.2-0.15", "pdf-2.5-0.3"],
)
def test_weibull_matches_robyn_in_r(adstock, expected):
    np.testing.assert_allclose(adstock.apply(SPEND), expected, rtol=1e-12)


def test_weibull_pdf_weights_match_robyn_and_allow_a_lagged_peak():
    weights = WeibullPDFAdstock(2.5, 0.3).decay_weights(10)
    np.testing.assert_allclose(weights, R_PDF_WEIGHTS_25_03, rtol=1e-12, atol=1e-15)
    assert weights.argmax() == 2


def test_weibull_scale_is_a_quantile_of_the_series_length():
    # Robyn: round(quantile(1:windlen, scale)) = round(1 + scale * (windlen - 1))
    assert WeibullCDFAdstock(1.0, 0.1).scale_in_lags(157) == 17.0
    assert WeibullCDFAdstock(1.0, 0.0).scale_in_lags(157) == 1.0
    longer = WeibullCDFAdstock(1.0, 0.1, windlen=208).decay_weights(10)
    assert not np.allclose(longer, WeibullCDFAdstock(1.0, 0.1).decay_weights(10))


def test_weibull_zero_scale_returns_the_raw_series():
    np.testing.assert_array_equal(WeibullPDFAdstock(2.0, 0.0).apply(SPEND), SPEND)


def test_registry_and_factory():
    assert set(ADSTOCKS) == {"geometric", "weibull_cdf", "weibull_pdf"}
    assert make_adstock("weibull_pdf", shape=2.0, scale=0.1).kind == "weibull_pdf"
    with pytest.raises(ValueError, match="unknown adstock 'delay'"):
        make_adstock("delay", theta=0.1)
    with pytest.raises(ValueError, match="theta must be in"):
        make_adstock("geometric", theta=1.2)


def test_immediate_part_is_the_lag_zero_weight():
    np.testing.assert_array_equal(GeometricAdstock(0.4).immediate(SPEND), SPEND)
    pdf = WeibullPDFAdstock(2.5, 0.3)
    np.testing.assert_allclose(pdf.immediate(SPEND), SPEND * R_PDF_WEIGHTS_25_03[0])
