"""Result helpers the pages share: the what-if slider's spend choices."""

from __future__ import annotations

import pytest

from kiri_core.results import what_if_steps


@pytest.mark.parametrize(("current", "top"), [(12_345.6, 40_000.0), (0.0, 1.0), (500.0, 500.0)])
def test_what_if_steps_run_from_zero_to_top_and_hold_the_current_spend(
    current: float, top: float
) -> None:
    steps = what_if_steps(current, top)
    assert steps[0] == 0 and steps[-1] == top
    assert current in steps
    assert steps == sorted(set(steps))


def test_what_if_steps_are_even_whole_amounts_around_the_current_spend() -> None:
    steps = what_if_steps(1_234.5, 20_000.0, steps=200)
    grid = [s for s in steps if s != 1_234.5]
    assert len(grid) == 201
    assert all(s == round(s) for s in grid)
    assert {b - a for a, b in zip(grid, grid[1:], strict=False)} == {100}
