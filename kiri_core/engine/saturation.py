"""Hill saturation with Robyn 3.12's inflexion (``saturation_hill`` in ``transformation.R``).

.. math:: h(x) = \\frac{x^{\\alpha}}{x^{\\alpha} + \\kappa^{\\alpha}}, \\qquad
          \\kappa = \\gamma \\max_{w} a

where :math:`a` is the adstocked series and the maximum runs over the modelling window
(Robyn 3.12: ``inflexion <- max(x) * gamma``; older releases interpolated between the
window's minimum and maximum). Robyn 3.12.1's own outputs for its demo confirm it: the
inflexions of model 1_846_1 equal ``gamma * max`` to all printed digits. This module is the
one definition used by fitting, decomposition, response curves and the allocator.
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
    """Robyn 3.12's inflexion: ``gamma * max`` of the window's adstocked series."""
    window = np.asarray(adstocked_window, dtype=float)
    if window.size == 0:
        raise ValueError("the modelling window holds no periods")
    return float(gamma * window.max())
