"""A faster drop-in for nevergrad's Pareto-front filter, with the same result.

In a multi-objective search nevergrad's differential evolution asks for the current Pareto
front before every candidate, and ``ParetoFront._filter_pareto_front`` removes the dominated
points point by point in Python. On the engine's searches that filter took about a fifth of
each trial. :func:`filter_front` keeps exactly the same points in the same order, computed
in one pass over a comparison matrix:

    point ``i`` is dropped when some other point ``j`` is at most as large in every loss and
    either smaller in one of them or equal in all and earlier in the list

(nevergrad's loop drops every point that is at least as large in every loss as a point it
keeps, keeping the first of equal points). The candidates asked, hence every model and the
result document, are identical with and without it (``tests/engine/test_nevergrad_front.py``
compares it with nevergrad's own filter, ties included).
"""

from __future__ import annotations

import numpy as np
from nevergrad.optimization.multiobjective import core

NEVERGRAD_FILTER = core.ParetoFront._filter_pareto_front


def dominated(losses: np.ndarray) -> np.ndarray:
    """Mask of the rows of ``losses`` (points x objectives) nevergrad's filter removes."""
    no_larger = (losses[:, None, :] <= losses[None, :, :]).all(axis=2)  # [j, i]: j <= i
    smaller_once = (losses[:, None, :] < losses[None, :, :]).any(axis=2)
    earlier = np.triu(np.ones((len(losses), len(losses)), dtype=bool), k=1)  # [j, i]: j < i
    return (no_larger & (smaller_once | earlier)).any(axis=0)


def filter_front(front: core.ParetoFront) -> None:
    """Replacement for ``ParetoFront._filter_pareto_front`` (same points, same order)."""
    points = front._pareto
    if points:
        drop = dominated(np.array([point.losses for point in points]))
        front._pareto = [point for point, out in zip(points, drop, strict=True) if not out]
    front._pareto_needs_filtering = False


def install() -> None:
    """Use :func:`filter_front` in every nevergrad optimizer of this process."""
    core.ParetoFront._filter_pareto_front = filter_front
