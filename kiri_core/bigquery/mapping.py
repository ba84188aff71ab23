"""Column mapping of a BigQuery source onto Kiri's data format.

Kiri's format (the CSV upload's): ``date`` (week start), ``revenue``, ``spend_*`` columns and
optional context columns such as ``promo_flag``. A :class:`SourceMapping` names, for each of
these product columns, the BigQuery column it is read from; :meth:`SourceMapping.apply`
renames and orders the BigQuery rows into that format.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kiri_core.data.validation import DATE_NAMES, DEP_VAR_NAMES, is_spend_name
from kiri_core.formatting import channel_name

PRODUCT_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
DATE_TYPES = ("DATE", "DATETIME", "TIMESTAMP")
NUMBER_TYPES = ("INTEGER", "INT64", "FLOAT", "FLOAT64", "NUMERIC", "BIGNUMERIC")
FLAG_WORDS = ("flag", "promo", "holiday", "event")


@dataclass(frozen=True)
class SourceMapping:
    """Product column -> BigQuery column, by role.

    ``spend`` keys are product names starting with ``spend_``; ``context`` keys are any other
    product names (``promo_flag``); values are BigQuery column names.
    """

    date: str
    revenue: str
    spend: dict[str, str]
    context: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SourceMapping:
        return cls(
            date=str(data.get("date") or ""),
            revenue=str(data.get("revenue") or ""),
            spend=dict(data.get("spend") or {}),
            context=dict(data.get("context") or {}),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.date,
            "revenue": self.revenue,
            "spend": dict(self.spend),
            "context": dict(self.context),
        }

    def renames(self) -> dict[str, str]:
        """Product column -> BigQuery column, in the product's column order."""
        return {"date": self.date, "revenue": self.revenue, **self.spend, **self.context}

    def problems(self) -> list[str]:
        """Every problem with the mapping itself (before any data is read)."""
        found = []
        if not self.date:
            found.append("Choose the BigQuery column that holds the week's date.")
        if not self.revenue:
            found.append("Choose the BigQuery column that holds revenue.")
        for name in self.spend:
            if not name.startswith("spend_") or not PRODUCT_NAME.match(name):
                found.append(
                    f"Spend column name '{name}' must start with spend_ and use only lower-case "
                    "letters, digits and _ (e.g. spend_tv)."
                )
        for name in self.context:
            if name in ("date", "revenue") or name.startswith("spend_"):
                found.append(f"Context column name '{name}' is reserved; choose another name.")
            elif not PRODUCT_NAME.match(name):
                found.append(
                    f"Context column name '{name}' may use only lower-case letters, digits and _."
                )
        return found

    def missing_columns(self, available: list[str]) -> list[str]:
        """Messages for mapped BigQuery columns that the data does not have."""
        columns = ", ".join(available)
        return [
            f"Column '{source}' (mapped to {product}) is not in the BigQuery data; its columns "
            f"are: {columns}."
            for product, source in self.renames().items()
            if source not in available
        ]

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The mapped columns renamed to Kiri's names; dates as ``YYYY-MM-DD``, flags as 0/1."""
        out = pd.DataFrame({product: frame[source] for product, source in self.renames().items()})
        out["date"] = out["date"].map(iso_date)
        for name in self.context:
            out[name] = out[name].map(flag_as_number)
        return out

    def product_mapping(self) -> dict[str, Any]:
        """The mapping of the renamed frame, as the datasets service takes it."""
        return {
            "date": "date",
            "revenue": "revenue",
            "spend": list(self.spend),
            "context": list(self.context),
        }


def mapping_from_columns(
    date: str,
    revenue: str,
    spend: list[str],
    context: list[str],
    keep: SourceMapping | None = None,
) -> SourceMapping:
    """A mapping from chosen BigQuery columns, named the Kiri way (``tv_cost`` ->
    ``spend_tv``, ``Promo`` -> ``promo``) unless ``keep`` already names them (so a saved
    ``promo_flag`` stays ``promo_flag`` and later datasets keep their column names)."""
    known_spend = {column: name for name, column in keep.spend.items()} if keep else {}
    known_context = {column: name for name, column in keep.context.items()} if keep else {}
    return SourceMapping(
        date=date,
        revenue=revenue,
        spend=_named(spend, lambda c: known_spend.get(c, spend_name(c))),
        context=_named(context, lambda c: known_context.get(c, context_name(c))),
    )


def _named(columns: list[str], name: Callable[[str], str]) -> dict[str, str]:
    """``{Kiri name: column}`` with every column kept: a name two columns would share
    (``tv_cost`` and ``tv_spend`` both ``spend_tv``) gets ``_2``, ``_3``, ... after the first."""
    out: dict[str, str] = {}
    for column in columns:
        base = unique = name(column)
        count = 1
        while unique in out:
            count += 1
            unique = f"{base}_{count}"
        out[unique] = column
    return out


def iso_date(value: Any) -> Any:
    """A DATE / DATETIME / TIMESTAMP value as ``YYYY-MM-DD``; other values unchanged."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def flag_as_number(value: Any) -> Any:
    """BOOLEAN true/false as 1/0 (Kiri's flag columns); other values unchanged."""
    return int(value) if isinstance(value, bool | np.bool_) else value


def spend_name(column: str) -> str:
    """A BigQuery spend column's Kiri name, its channel's: ``tv_cost`` -> ``spend_tv``,
    ``Kostnad Meta`` -> ``spend_meta``."""
    return f"spend_{context_name(channel_name(column))}"


def context_name(column: str) -> str:
    """A BigQuery column name as a Kiri context column name (``Promo Week`` -> ``promo_week``)."""
    return re.sub(r"[^a-z0-9_]", "_", column.lower())


def suggest_mapping(column_types: Mapping[str, str]) -> SourceMapping:
    """A first guess from BigQuery column names and types, for the user to correct.

    The names are read as a CSV upload's are (:mod:`kiri_core.data.validation`): the date is
    the first DATE column (or one named like ``week``), revenue the first column whose name
    holds a revenue word (``revenue``, ``sales``, ``omsättning``, ...), spend every number
    column whose name says spend (``meta_cost``, ``Kostnad Meta``, ``Google Ads``, ``tv_S``),
    context every BOOLEAN column and any named like ``promo``.
    """
    names = list(column_types)
    lower = {name.lower(): name for name in names}
    date = next((n for n in names if column_types[n] in DATE_TYPES), None)
    date = date or next((lower[n] for n in DATE_NAMES if n in lower), "")
    revenue = next((n for w in DEP_VAR_NAMES for n in names if w in n.lower()), "")
    spend = [n for n in names if n not in (date, revenue) and column_types[n] in NUMBER_TYPES
             and is_spend_name(n)]
    taken = {date, revenue, *spend}
    context = [
        n
        for n in names
        if n not in taken
        and (column_types[n] == "BOOLEAN" or any(w in n.lower() for w in FLAG_WORDS))
    ]
    return mapping_from_columns(date, revenue, spend, context)
