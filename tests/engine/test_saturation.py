from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kiri_core.engine.adstock import GeometricAdstock
from kiri_core.engine.features import window_slice
from kiri_core.engine.saturation import hill, inflexion_from_gamma


@pytest.mark.parametrize("alpha", [0.5, 1.0, 2.7])
def test_hill_is_half_at_the_inflexion(alpha):
    assert hill(1234.5, alpha, 1234.5) == pytest.approx(0.5)


def test_hill_hand_values_and_shape():
    assert hill(0.0, 2.0, 10.0) == 0.0
    assert hill(20.0, 2.0, 10.0) == pytest.approx(400 / 500)
    curve = hill(np.linspace(0, 100, 50), 1.5, 30.0)
    assert np.all(np.diff(curve) > 0) and curve[-1] < 1


def test_inflexion_is_gamma_times_the_window_maximum():
    # Robyn 3.12: inflexion <- max(x) * gamma (the minimum plays no part)
    assert inflexion_from_gamma(np.array([10.0, 50.0, 30.0]), 0.25) == pytest.approx(12.5)
    assert inflexion_from_gamma(np.array([0.0, 80.0]), 0.3) == pytest.approx(24.0)


@pytest.mark.shared
def test_inflexion_matches_robyn_model_1_846_1(robyn_demo, robyn_r_outputs):
    """Robyn's inflexions of its chosen model, from its own outputs (spend-modelled media
    and the organic newsletter; ooh_S and newsletter have a window minimum far from 0, so
    they tell ``gamma * max`` from the older min-max interpolation)."""
    params = pd.read_csv(robyn_r_outputs / "pareto_hyperparameters.csv")
    row = params[params.solID == "1_846_1"].iloc[0]
    dates = pd.DatetimeIndex(pd.to_datetime(robyn_demo.DATE))
    window = window_slice(dates, "2016-01-01", "2018-12-31")
    for channel in ("tv_S", "ooh_S", "print_S", "newsletter"):
        adstocked = GeometricAdstock(row[f"{channel}_thetas"]).apply(robyn_demo[channel])
        ours = inflexion_from_gamma(adstocked[window], row[f"{channel}_gammas"])
        assert ours == pytest.approx(row[f"{channel}_inflexion"], rel=1e-9)
