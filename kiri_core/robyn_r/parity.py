"""Parity of the two engines: Kiri's Python engine and Robyn in R on the same dataset.

For each paid channel (by spend column) of the two recommended models: ROAS, contribution
and effect share side by side, with the relative difference of Kiri from Robyn
(``kiri / robyn - 1``). The two runs must model the same spend: a channel whose spend in the
window differs by more than ``SPEND_TOLERANCE`` means different data or windows, and is
reported as a warning.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

SPEND_TOLERANCE = 0.005
MEASURES = ("roas", "contribution", "effect_share")
COLUMNS = ("channel", "spend", *(f"{m}_{side}" for m in MEASURES for side in ("kiri", "robyn")),
           "roas_difference", "contribution_difference")


@dataclass(frozen=True)
class Parity:
    """The side-by-side table (one row per shared channel) and what makes it less comparable."""

    table: pd.DataFrame
    warnings: list[str]


def engine_parity(kiri_result: dict, robyn_result: dict) -> Parity:
    """Compare a ``"kiri"`` result with a ``"robyn-r"`` result channel by channel.

    Raises
    ------
    ValueError
        A result of the wrong engine, or no paid channel in common.
    """
    _require_engine(kiri_result, "kiri", "Kiri (Python)")
    _require_engine(robyn_result, "robyn-r", "Robyn (R)")
    kiri, robyn = kiri_result["channels"], robyn_result["channels"]
    shared = [c for c in kiri_result["spend_columns"] if c in robyn]
    if not shared:
        raise ValueError("The two runs have no paid channel in common; compare runs on the "
                         "same dataset.")
    warnings = [f"{c} is only in the {side} run." for side, mine, other in
                (("Kiri", kiri, robyn), ("Robyn", robyn, kiri)) for c in mine if c not in other]
    warnings += _window_warnings(kiri_result, robyn_result)
    rows = []
    for channel in shared:
        k, r = kiri[channel], robyn[channel]
        if abs(k["spend"] - r["spend"]) > SPEND_TOLERANCE * max(abs(r["spend"]), 1.0):
            warnings.append(f"{channel}: spend differs ({k['spend']:,.0f} in Kiri, "
                            f"{r['spend']:,.0f} in Robyn): different data or window.")
        rows.append({
            "channel": channel,
            "spend": r["spend"],
            **{f"{m}_{side}": values[m] for m in MEASURES
               for side, values in (("kiri", k), ("robyn", r))},
            "roas_difference": _relative(k["roas"], r["roas"]),
            "contribution_difference": _relative(k["contribution"], r["contribution"]),
        })
    return Parity(pd.DataFrame(rows, columns=list(COLUMNS)), warnings)


def _require_engine(result: dict, engine: str, label: str) -> None:
    if result.get("engine") != engine:
        raise ValueError(f"Expected a {label} run, got engine {result.get('engine')!r}.")


def _window_warnings(kiri_result: dict, robyn_result: dict) -> list[str]:
    kiri_window, robyn_window = kiri_result["window"], robyn_result["window"]
    if (kiri_window["start"], kiri_window["end"]) == (robyn_window["start"], robyn_window["end"]):
        return []
    return [f"The modelling windows differ: Kiri {kiri_window['start']} to {kiri_window['end']}, "
            f"Robyn {robyn_window['start']} to {robyn_window['end']}."]


def _relative(value: float | None, reference: float | None) -> float | None:
    if value is None or reference is None or reference == 0:
        return None
    return value / reference - 1.0
