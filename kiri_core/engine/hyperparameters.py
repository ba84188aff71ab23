"""The hyperparameters of a model: which each adstock has, and their bounds.

A small module of constants (no numeric imports), so that checking a config (the CLI, the
run form) does not load the search machinery. ``DEFAULT_BOUNDS`` are Robyn-like defaults per
channel (override per channel and parameter in ``hyperparameter_bounds``);
``VALID_RANGES`` are what any override must stay within.
"""

from __future__ import annotations

ADSTOCK_PARAMS = {
    "geometric": ("theta",),
    "weibull_cdf": ("shape", "scale"),
    "weibull_pdf": ("shape", "scale"),
}
DEFAULT_BOUNDS: dict[str, dict[str, tuple[float, float]]] = {
    "geometric": {"alpha": (0.5, 3.0), "gamma": (0.01, 1.0), "theta": (0.0, 0.8)},
    "weibull_cdf": {
        "alpha": (0.5, 3.0),
        "gamma": (0.01, 1.0),
        "shape": (0.0001, 2.0),
        "scale": (0.0, 0.1),
    },
    "weibull_pdf": {
        "alpha": (0.5, 3.0),
        "gamma": (0.01, 1.0),
        "shape": (0.0001, 10.0),
        "scale": (0.0, 0.1),
    },
}
GLOBAL_BOUNDS = {"lambda": (0.0, 1.0), "train_size": (0.5, 0.8)}
VALID_RANGES = {
    "alpha": (1e-6, 10.0),
    "gamma": (1e-6, 1.0),
    "theta": (0.0, 0.999),
    "shape": (0.0, 20.0),
    "scale": (0.0, 1.0),
    "lambda": (0.0, 1.0),
    "train_size": (0.1, 0.95),
}
