"""Robyn's demo set-up as a Kiri fit config.

Robyn ships a simulated weekly data set (``robyn_dt_simulated_weekly.csv``) and a demo
script; these are that demo's settings, the ones behind the Robyn 3.12 reference outputs the
engine is compared with (benchmarks and parity tests).
"""

from __future__ import annotations

PAID = ["tv_S", "ooh_S", "print_S", "facebook_S", "search_S"]
# Robyn's demo models facebook and search on these exposure columns.
EXPOSURES = {"facebook_S": "facebook_I", "search_S": "search_clicks_P"}
BOUNDS = {
    "facebook_S": {"alpha": [0.5, 3], "gamma": [0.3, 1], "theta": [0, 0.3]},
    "search_S": {"alpha": [0.5, 3], "gamma": [0.3, 1], "theta": [0, 0.3]},
    "print_S": {"alpha": [0.5, 1], "gamma": [0.3, 1], "theta": [0.1, 0.4]},
    "ooh_S": {"alpha": [0.5, 1], "gamma": [0.3, 1], "theta": [0.1, 0.4]},
    "tv_S": {"alpha": [0.5, 1], "gamma": [0.3, 1], "theta": [0.3, 0.8]},
    "newsletter": {"alpha": [0.5, 3], "gamma": [0.3, 1], "theta": [0.1, 0.4]},
}


def robyn_demo_config(**changes) -> dict:
    """The demo's fit config (geometric adstock, its bounds), with ``changes`` applied."""
    config = {
        "date_column": "DATE",
        "revenue_column": "revenue",
        "dep_var_type": "revenue",
        "spend_columns": list(PAID),
        "organic_columns": ["newsletter"],
        "context_columns": ["competitor_sales_B", "events"],
        "prophet_vars": ["trend", "season", "holiday"],
        "prophet_country": "DE",
        "window_start": "2016-01-01",
        "window_end": "2018-12-31",
        "adstock": "geometric",
        "hyperparameter_bounds": {name: dict(b) for name, b in BOUNDS.items()},
    }
    config.update(changes)
    return config
