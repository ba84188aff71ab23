"""Fit-config validation: every problem with a ``config.json`` at once, before a run.

Used by the CLI and the run page; the engine's own vocabulary (adstock kinds, prophet
terms, valid hyperparameter ranges) is imported from the engine so the two never differ.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from kiri_core.data.validation import (
    MIN_SPEND_COLUMNS,
    ColumnMapping,
    Problem,
    channel_name_problems,
)
from kiri_core.engine.features import PROPHET_TERMS
from kiri_core.engine.hyperparameters import ADSTOCK_PARAMS, GLOBAL_BOUNDS, VALID_RANGES

DEP_VAR_TYPES = ("revenue", "conversion")
MIN_ITERATIONS = 10  # the engine's own minimum (kiri_core.engine.fit)


@dataclass(frozen=True)
class _ConfigCheck:
    config: Mapping
    columns: frozenset[str] | None
    problems: list[Problem] = field(default_factory=list)

    def add(self, message: str, column: str | None = None) -> None:
        self.problems.append(Problem(f"config: {message}", column=column))


def validate_fit_config(config: Mapping, columns: Iterable[str] | None = None) -> list[Problem]:
    """Every problem with a fit config (``config.json``), [] if none.

    Checks that every key is known and lists are lists and switches true or false, the
    required keys, the choices (adstock, dependent-variable type, prophet terms, algorithm,
    selection), iterations and trials, and ``hyperparameter_bounds`` in the engine's format:
    keyed by spend column (``{"spend_meta": {"alpha": [0.5, 3], "theta": 0.2}}``, Robyn's
    plural names such as ``alphas`` accepted) plus ``lambda`` and ``train_size``; a value
    is ``[low, high]`` or one fixed number within the engine's valid ranges
    (``kiri_core.engine.hyperparameters.VALID_RANGES``). With ``columns`` (the data's), the named
    columns must exist.
    """
    check = _ConfigCheck(config, frozenset(columns) if columns is not None else None)
    _check_keys(check)
    _check_types(check)
    _check_required(check)
    _check_choices(check)
    _check_counts(check)
    _check_bounds(check)
    return check.problems


def _check_required(check: _ConfigCheck) -> None:
    for key in ("date_column", "revenue_column"):
        if not isinstance(check.config.get(key), str):
            check.add(f"{key!r} is required (a column name)")
    spend = check.config.get("spend_columns")
    if not isinstance(spend, list) or len(spend) < MIN_SPEND_COLUMNS:
        check.add(f"'spend_columns' must list at least {MIN_SPEND_COLUMNS} spend columns")
    _check_roles(check)
    _check_channel_names(check)
    if check.columns is None:
        return
    for column in ColumnMapping.from_config(check.config).columns():
        if column not in check.columns:
            check.add(f"column {column!r} is not in the data", column=column)


KNOWN_KEYS = ("date_column", "revenue_column", "spend_columns", "context_columns",
              "organic_columns", "iterations", "trials", "seed", "adstock", "prophet_vars",
              "prophet_country", "window_start", "window_end", "dep_var_type",
              "hyperparameter_bounds", "calibration", "ts_validation", "algorithm", "selection",
              "quick", "exposure_columns")
LIST_KEYS = ("context_columns", "organic_columns", "prophet_vars")
SWITCH_KEYS = ("quick", "ts_validation")


def _check_keys(check: _ConfigCheck) -> None:
    """A misspelt key would otherwise be ignored and its default used without a word."""
    for key in check.config:
        if key not in KNOWN_KEYS:
            check.add(f"unknown key {key!r}; the keys are {', '.join(KNOWN_KEYS)}")


def _check_types(check: _ConfigCheck) -> None:
    """Lists are lists (a bare "promo_flag" is not read letter by letter) and switches are
    true or false (the text "false" is not taken as on)."""
    for key in LIST_KEYS:
        value = check.config.get(key)
        if value is not None and not (isinstance(value, list)
                                      and all(isinstance(v, str) for v in value)):
            example = f", e.g. [{value!r}]" if isinstance(value, str) else ""
            check.add(f"{key!r} must be a list of names{example}, got {value!r}")
    if not isinstance(check.config.get("calibration") or [], list):
        check.add("'calibration' must be a list of lift studies")
    for key in SWITCH_KEYS:
        value = check.config.get(key)
        if value is not None and not isinstance(value, bool):
            check.add(f"{key!r} must be true or false, got {value!r}")


ROLES = {"date_column": "date", "revenue_column": "revenue", "spend_columns": "spend",
         "context_columns": "context", "organic_columns": "organic"}


def _check_roles(check: _ConfigCheck) -> None:
    """A column has one role: it cannot be, say, both a spend and a context column."""
    roles: dict[str, list[str]] = {}
    for key, role in ROLES.items():
        named = check.config.get(key)
        for column in [named] if isinstance(named, str) else named or ():
            if isinstance(column, str):
                roles.setdefault(column, []).append(role)
    for column, given in roles.items():
        if len(given) > 1:
            check.add(f"column {column!r} is chosen as {' and as '.join(given)}; give each "
                      "column one role", column=column)


def _check_channel_names(check: _ConfigCheck) -> None:
    """Spend columns reading as one channel (a data set saved before uploads checked it)."""
    spend = check.config.get("spend_columns")
    names = [c for c in spend if isinstance(c, str)] if isinstance(spend, list) else []
    for problem in channel_name_problems(names):
        check.add(problem.message, column=problem.column)


def _check_choices(check: _ConfigCheck) -> None:
    choices = {"adstock": tuple(ADSTOCK_PARAMS), "dep_var_type": DEP_VAR_TYPES}
    for key, allowed in choices.items():
        value = check.config.get(key)
        if value is not None and value not in allowed:
            check.add(f"unknown {key} {value!r}; choose one of {', '.join(allowed)}")
    algorithm = check.config.get("algorithm")
    if algorithm is not None and algorithm not in _optimizers():
        check.add(f"unknown algorithm {algorithm!r}; use one of nevergrad's optimizers, "
                  "such as TwoPointsDE (the default)")
    selection = check.config.get("selection")
    if selection is not None and selection not in (rules := _selection_rules()):
        check.add(f"unknown selection {selection!r}; choose one of {', '.join(rules)}")
    prophet_vars = check.config.get("prophet_vars")
    for term in prophet_vars if isinstance(prophet_vars, list) else ():
        if term not in PROPHET_TERMS:
            check.add(f"unknown prophet_vars term {term!r}; choose from {', '.join(PROPHET_TERMS)}")


def _optimizers() -> Iterable[str]:
    import nevergrad as ng  # only when a config names one: nevergrad takes a second to import

    return ng.optimizers.registry


def _selection_rules() -> tuple[str, ...]:
    from kiri_core.engine.selection import RULES  # as slow to import (scikit-learn)

    return RULES


def _check_counts(check: _ConfigCheck) -> None:
    for key, least in (("iterations", MIN_ITERATIONS), ("trials", 1)):
        value = check.config.get(key)
        whole = isinstance(value, int) and not isinstance(value, bool)
        if value is not None and (not whole or value < least):
            check.add(f"{key!r} must be a whole number of at least {least}, got {value!r}")


def _check_bounds(check: _ConfigCheck) -> None:
    bounds = check.config.get("hyperparameter_bounds") or {}
    if not isinstance(bounds, Mapping):
        check.add("'hyperparameter_bounds' must be an object keyed by spend column")
        return
    spend = set(check.config.get("spend_columns") or ())
    adstock = check.config.get("adstock") or "geometric"
    allowed = ("alpha", "gamma", *ADSTOCK_PARAMS.get(adstock, ("theta", "shape", "scale")))
    for key, value in bounds.items():
        if key in GLOBAL_BOUNDS:
            _check_bound(check, key, value)
        elif key in spend and isinstance(value, Mapping):
            for name, bound in value.items():
                singular = name[:-1] if name[:-1] in VALID_RANGES else name
                if singular in allowed:
                    _check_bound(check, f"{key}.{singular}", bound)
                else:
                    check.add(
                        f"hyperparameter_bounds {key}: {name!r} is not a hyperparameter of "
                        f"{adstock} adstock (use {', '.join(allowed)})"
                    )
        else:
            check.add(
                f"hyperparameter_bounds: {key!r} is not a spend column of this config "
                f"(nor {' or '.join(GLOBAL_BOUNDS)})"
            )


def _check_bound(check: _ConfigCheck, label: str, bound: object) -> None:
    values = [bound] if _is_number(bound) else bound
    if not (isinstance(values, list) and len(values) in (1, 2) and all(map(_is_number, values))):
        check.add(
            f"hyperparameter_bounds {label}: expected [low, high] or one number, got {bound!r}"
        )
        return
    if len(values) == 2 and values[0] > values[1]:
        check.add(f"hyperparameter_bounds {label}: low {values[0]} is above high {values[1]}")
    low, high = VALID_RANGES[label.rsplit(".", 1)[-1]]
    for value in values:
        if not low <= value <= high:
            check.add(f"hyperparameter_bounds {label}: {value} is out of range [{low:g}, {high:g}]")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
