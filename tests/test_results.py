"""Result helpers the pages share: model labels, the recommendation in the client's number
format, the what-if slider's spend choices."""

from __future__ import annotations

import pytest
from fitted import fitted_run

from kiri_core import formatting as fmt
from kiri_core.results import model_label, recommendation_reason, what_if_steps


def test_model_labels_say_which_is_recommended_which_wins_a_cluster_and_how_well_it_fits(
) -> None:
    result = fitted_run().result
    by_kind = {
        "recommended": result["model_id"],
        "winner": next(m["model_id"] for m in result["models"]
                       if m["is_cluster_winner"] and not m["recommended"]),
        "member": next(m["model_id"] for m in result["models"] if not m["is_cluster_winner"]),
    }
    labels = {kind: model_label(result, model_id, "SEK") for kind, model_id in by_kind.items()}
    models = {m["model_id"]: m for m in result["models"]}
    for kind, model_id in by_kind.items():
        metrics = models[model_id]["metrics"]
        assert labels[kind].startswith(f"{model_id} · ")  # the Robyn id stays first
        assert f"R² {fmt.number(metrics['rsq'], 'SEK', 2)}" in labels[kind]
        assert f"NRMSE {fmt.number(metrics['nrmse'], 'SEK', 3)}" in labels[kind]
    assert " · recommended · " in labels["recommended"]
    winner, member = models[by_kind["winner"]], models[by_kind["member"]]
    assert f" · best of cluster {winner['cluster']} · " in labels["winner"]
    assert f" · cluster {member['cluster']} · " in labels["member"]
    assert "best of" not in labels["member"]


def test_the_recommendation_reads_in_the_clients_number_format() -> None:
    result = {**fitted_run().result, "recommendation_reason":
              "the 23 best (DECOMP.RSSD weighted 0.2 against 1; holdout NRMSE 0.1626)."}
    assert recommendation_reason(result, "SEK") == (
        "the 23 best (DECOMP.RSSD weighted 0,2 against 1; holdout NRMSE 0,1626).")
    assert recommendation_reason(result, "USD") == result["recommendation_reason"]


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
