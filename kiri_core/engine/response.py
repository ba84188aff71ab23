"""The one response definition: what a period's spend on a channel is expected to return.

Shared by the engine's curves, the allocator, the what-if sliders and the PDF
(``docs/result-format.md``). It is Robyn 3.12's allocator response:

.. math::

    r(s) = \\beta \\, \\frac{x^{\\alpha}}{x^{\\alpha} + \\kappa^{\\alpha}}, \\qquad
    x = s + \\bar c, \\qquad
    r'(s) = \\beta \\, \\frac{\\alpha \\, x^{\\alpha - 1} \\kappa^{\\alpha}}
            {(x^{\\alpha} + \\kappa^{\\alpha})^2}

with coefficient :math:`\\beta`, Hill shape :math:`\\alpha`, inflexion :math:`\\kappa`
(Robyn's gamma rule on the adstocked series of the modelling window) and mean carry-over
:math:`\\bar c` (mean over the window of the adstocked series minus its same-period part).

:math:`r(0) > 0` when there is carry-over: that level comes from past spend and is there
whatever is spent now. What a plan's spend adds is the incremental response
:math:`r(s) - r(0)` (:meth:`ResponseCurve.incremental`); plans, their ROAS / CPA and the
what-if count only that, while the curves and marginal ROAS use :math:`r` itself
(:math:`r'` is the same for both).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import numpy as np

from kiri_core.engine.saturation import hill, inflexion_from_gamma

if TYPE_CHECKING:
    from kiri_core.engine.adstock import Adstock

ArrayLike = np.ndarray | float | list[float]
GRID_POINTS = 101


@dataclass(frozen=True)
class ResponseCurve:
    """A channel's per-period response to spend (the ``response`` block of a channel)."""

    coef: float
    alpha: float
    inflexion: float
    mean_carryover: float = 0.0

    @classmethod
    def from_dict(cls, block: Mapping[str, float]) -> ResponseCurve:
        """From a result document's ``channels[c]["response"]``."""
        return cls(
            coef=float(block["coef"]),
            alpha=float(block["alpha"]),
            inflexion=float(block["inflexion"]),
            mean_carryover=float(block.get("mean_carryover", 0.0)),
        )

    @classmethod
    def from_spend(
        cls,
        spend: np.ndarray,
        adstock: Adstock,
        *,
        coef: float,
        alpha: float,
        gamma: float,
        window: slice = slice(None),
    ) -> ResponseCurve:
        """The curve of a fitted channel: adstock over all rows, inflexion and carry-over
        over the window rows."""
        spend = np.asarray(spend, dtype=float)
        adstocked = adstock.apply(spend)
        carryover = adstocked - adstock.immediate(spend)
        return cls(
            coef=float(coef),
            alpha=float(alpha),
            inflexion=inflexion_from_gamma(adstocked[window], gamma),
            mean_carryover=float(carryover[window].mean()),
        )

    def to_dict(self) -> dict[str, float]:
        return {key: float(value) for key, value in asdict(self).items()}

    @property
    def has_effect(self) -> bool:
        """False when spend cannot change the response (zero coefficient)."""
        return self.coef > 0 and np.isfinite(self.coef)

    def response(self, spend: ArrayLike) -> np.ndarray:
        """Expected response per period to spending ``spend`` per period."""
        return self.coef * hill(self._x(spend), self.alpha, self.inflexion)

    def incremental(self, spend: ArrayLike) -> np.ndarray:
        """What spending ``spend`` per period adds per period: ``response(spend) - response(0)``.

        The carry-over-only level ``response(0)`` is there whatever is spent, so a plan's
        response, ROAS and CPA count only this; zero at zero spend and without effect.
        """
        if not self.has_effect:
            return np.zeros_like(np.asarray(spend, dtype=float))
        return self.response(spend) - self.response(0.0)

    def marginal(self, spend: ArrayLike) -> np.ndarray:
        """``d response / d spend`` per period at ``spend``.

        At ``x = 0`` with ``alpha < 1`` the slope is unbounded; ``x`` is floored at
        ``1e-9 * inflexion`` there so the value stays finite.
        """
        if self.inflexion <= 0 or not self.has_effect:
            return np.zeros_like(np.asarray(spend, dtype=float))
        x = np.maximum(self._x(spend), 1e-9 * self.inflexion)
        xa, ka = x**self.alpha, self.inflexion**self.alpha
        return self.coef * self.alpha * xa * ka / (x * (xa + ka) ** 2)

    def grid(self, max_spend: float, points: int = GRID_POINTS) -> dict[str, list[float]]:
        """The curve on ``points`` evenly spaced per-period spends from 0 to ``max_spend``."""
        spend = np.linspace(0.0, max(float(max_spend), 0.0), points)
        return {"spend": spend.tolist(), "response": self.response(spend).tolist()}

    def _x(self, spend: ArrayLike) -> np.ndarray:
        return np.maximum(np.asarray(spend, dtype=float), 0.0) + self.mean_carryover
