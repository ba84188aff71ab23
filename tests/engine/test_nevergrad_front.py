"""The faster Pareto-front filter keeps exactly what nevergrad's own filter keeps."""

from __future__ import annotations

import numpy as np
import pytest
from nevergrad.optimization.multiobjective.core import ParetoFront

from kiri_core.engine.nevergrad_front import NEVERGRAD_FILTER, dominated, filter_front


class Point:
    def __init__(self, losses) -> None:
        self.losses = np.asarray(losses, dtype=float)


def kept(filter_, points: list[Point]) -> list[int]:
    front = ParetoFront(seed=0)
    for point in points:
        front.add_to_pareto(point)
    filter_(front)
    return [points.index(point) for point in front.get_raw()]


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("objectives", [1, 2, 3])
def test_the_same_points_in_the_same_order_as_nevergrads_filter(seed, objectives):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 80))
    # half the cases on a coarse grid, so that ties and equal points are common
    losses = (rng.integers(0, 5, (n, objectives)) if seed % 2 else rng.random((n, objectives)))
    points = [Point(row) for row in losses]
    assert kept(filter_front, points) == kept(NEVERGRAD_FILTER, points)


@pytest.mark.parametrize(("losses", "expected"), [
    ([[1, 2], [2, 1], [2, 2]], [False, False, True]),  # [2, 2] is dominated by both
    ([[1, 1], [1, 1], [0, 3]], [False, True, False]),  # of equal points the first stays
    ([[3, 3], [1, 1], [1, 1]], [True, False, True]),
    ([[1, 2]], [False]),
])
def test_dominated_by_hand(losses, expected):
    assert dominated(np.array(losses, dtype=float)).tolist() == expected


def test_an_empty_front_stays_empty():
    assert kept(filter_front, []) == []
