"""Hill saturation with Robyn 3.12's inflexion (``saturation_hill`` in ``transformation.R``).

.. math:: h(x) = \\frac{x^{\\alpha}}{x^{\\alpha} + \\kappa^{\\alpha}}, \\qquad
          \\kappa = (1 - \\gamma) \\min_{w} a + \\gamma \\max_{w} a

where :math:`a` is the adstocked series and the min/max run over the modelling window
(Robyn: ``inflexion <- c(range(x) %*% c(1 - gamma, gamma))``). For a series whose window
minimum is 0 this is ``gamma * max``. This module is the one definition used by fitting,
decomposition, response curves and the allocator.
"""

from __future__ import annotations

import numpy as np


def hill(x: np.ndarray | float, alpha: float, inflexion: float) -> np.ndarray:
    """Hill curve ``x**alpha / (x**alpha + inflexion**alpha)``; 0.5 at ``x = inflexion``."""
    x = np.asarray(x, dtype=float)
    if inflexion <= 0:
        return (x > 0).astype(float)
    xa = np.power(np.maximum(x, 0.0), alpha)
    return xa / (xa + inflexion**alpha)


def inflexion_from_gamma(adstocked_window: np.ndarray, gamma: float) -> float:
    """Robyn's inflexion: ``(1 - gamma) * min + gamma * max`` of the window's adstocked series."""
    window = np.asarray(adstocked_window, dtype=float)
    if window.size == 0:
        raise ValueError("the modelling window holds no periods")
    return float((1.0 - gamma) * window.min() + gamma * window.max())
