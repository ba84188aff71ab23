"""Adstock transforms with Robyn 3.12's exact definitions (``transformation.R``).

Each transform is a small class with ``apply`` (the adstocked series) and
``decay_weights`` (the weight of spend ``k`` periods ago, lag 0 first). The adstocked
series is the convolution of the spend with those weights:

.. math:: a_t = \\sum_{k=0}^{t} w_k \\, x_{t-k}
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np
from scipy.signal import lfilter


class Adstock(ABC):
    """A carry-over transform of a spend series."""

    kind: ClassVar[str]
    param_names: ClassVar[tuple[str, ...]]

    @abstractmethod
    def decay_weights(self, n_lags: int) -> np.ndarray:
        """Weight of spend ``k`` periods ago for ``k = 0 .. n_lags - 1``."""

    def apply(self, x: np.ndarray) -> np.ndarray:
        """Adstocked series of ``x`` (same length): ``a_t = sum_k w_k x_{t-k}``."""
        x = np.asarray(x, dtype=float)
        return np.convolve(x, self.decay_weights(len(x)))[: len(x)]

    def immediate(self, x: np.ndarray) -> np.ndarray:
        """The part of ``apply(x)`` caused by same-period spend: ``w_0 x_t``."""
        x = np.asarray(x, dtype=float)
        return x * self.decay_weights(len(x))[0] if len(x) else x

    def params(self) -> dict[str, float]:
        return {name: float(getattr(self, name)) for name in self.param_names}


class GeometricAdstock(Adstock):
    """Geometric adstock: fixed decay rate ``theta``.

    .. math:: a_t = x_t + \\theta a_{t-1}, \\qquad w_k = \\theta^k
    """

    kind = "geometric"
    param_names = ("theta",)

    def __init__(self, theta: float) -> None:
        if not 0.0 <= theta < 1.0:
            raise ValueError(f"geometric theta must be in [0, 1), got {theta}")
        self.theta = float(theta)

    def decay_weights(self, n_lags: int) -> np.ndarray:
        return self.theta ** np.arange(n_lags, dtype=float)

    def apply(self, x: np.ndarray) -> np.ndarray:
        return lfilter([1.0], [1.0, -self.theta], np.asarray(x, dtype=float))


class _WeibullAdstock(Adstock):
    """Shared Weibull machinery: Robyn's window-quantile scale.

    Robyn rescales ``scale`` (a share of the series length) to lags:
    ``scaleTrans = round(quantile(1:windlen, scale))`` = ``round(1 + scale (windlen - 1))``
    (R's round-half-to-even, as numpy's). ``windlen`` is the series length unless given.
    """

    param_names = ("shape", "scale")

    def __init__(self, shape: float, scale: float, windlen: int | None = None) -> None:
        if shape < 0 or not 0.0 <= scale <= 1.0:
            raise ValueError(f"weibull needs shape >= 0 and scale in [0, 1], got {shape}, {scale}")
        self.shape = float(shape)
        self.scale = float(scale)
        self.windlen = windlen

    def scale_in_lags(self, windlen: int) -> float:
        return float(np.round(1.0 + self.scale * (windlen - 1)))

    def decay_weights(self, n_lags: int) -> np.ndarray:
        windlen = self.windlen or n_lags
        if self.shape == 0 or self.scale == 0:
            weights = np.zeros(windlen)
            weights[0] = 1.0  # Robyn returns the raw series: no carry-over
        else:
            bins = np.arange(1, windlen + 1, dtype=float)
            weights = self._weights(bins, self.scale_in_lags(windlen))
        out = np.zeros(n_lags)
        out[: min(n_lags, windlen)] = weights[:n_lags]
        return out

    @abstractmethod
    def _weights(self, bins: np.ndarray, lam: float) -> np.ndarray: ...


class WeibullCDFAdstock(_WeibullAdstock):
    """Weibull CDF adstock: flexible, monotone decay.

    .. math:: w_0 = 1, \\qquad w_k = \\prod_{j=1}^{k} \\bigl(1 - F(j; k_s, \\lambda)\\bigr),
              \\qquad F(j) = 1 - e^{-(j/\\lambda)^{k_s}}

    with shape :math:`k_s` and :math:`\\lambda` = the scale in lags.
    """

    kind = "weibull_cdf"

    def _weights(self, bins: np.ndarray, lam: float) -> np.ndarray:
        survival = np.exp(-((bins[:-1] / lam) ** self.shape))
        return np.cumprod(np.concatenate(([1.0], survival)))


class WeibullPDFAdstock(_WeibullAdstock):
    """Weibull PDF adstock: allows a lagged peak (shape > 1).

    .. math:: w_{k} = \\mathrm{normalize}\\bigl(f(k + 1; k_s, \\lambda)\\bigr),
              \\qquad f(j) = \\frac{k_s}{\\lambda}\\Bigl(\\frac{j}{\\lambda}\\Bigr)^{k_s-1}
              e^{-(j/\\lambda)^{k_s}}

    where normalize is min-max scaling to [0, 1] (Robyn's ``.normalize``; a constant
    vector becomes ``1, 0, 0, ...``).
    """

    kind = "weibull_pdf"

    def _weights(self, bins: np.ndarray, lam: float) -> np.ndarray:
        z = bins / lam
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            density = (self.shape / lam) * z ** (self.shape - 1) * np.exp(-(z**self.shape))
        density = np.nan_to_num(density, nan=0.0, posinf=0.0)
        span = density.max() - density.min()
        if span == 0:
            out = np.zeros_like(density)
            out[0] = 1.0
            return out
        return (density - density.min()) / span


ADSTOCKS: dict[str, type[Adstock]] = {
    cls.kind: cls for cls in (GeometricAdstock, WeibullCDFAdstock, WeibullPDFAdstock)
}


def make_adstock(kind: str, **params: float) -> Adstock:
    """Build the adstock transform ``kind`` ("geometric", "weibull_cdf", "weibull_pdf")."""
    if kind not in ADSTOCKS:
        raise ValueError(f"unknown adstock {kind!r}; choose one of {', '.join(ADSTOCKS)}")
    return ADSTOCKS[kind](**params)
