"""A real, small fitted run for the results, planner and report tests.

``fitted_run()`` fits the engine once per test process on generated data with known truth
(104 weeks, a short search), so every test reads a genuine result document.
``finished_run(...)`` puts a generated dataset and a succeeded run into a database through
the real services and job code. ``carry_over_counted_in(...)`` gives a plan as the planner
saved it before plan responses were incremental.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterator
from dataclasses import dataclass, fields, replace

import pandas as pd
import pytest
import sqlalchemy as sa
from migrated import migrated_sqlite
from sqlalchemy.orm import Session

from kiri_core import generator, jobs
from kiri_core.db.models import Client, Dataset, ModelRun, User
from kiri_core.db.session import get_engine, session_factory, upgrade_database
from kiri_core.engine.allocator import allocate
from kiri_core.engine.fit import fit_model
from kiri_core.engine.response import ResponseCurve
from kiri_core.results import model_by_id
from kiri_core.services import auth, clients, datasets, runs, users

WEEKS, SEED = 104, 5
PASSWORD = "correct horse 1"
ITERATIONS = 200


@dataclass(frozen=True)
class Fitted:
    result: dict
    truth: dict
    data: pd.DataFrame
    plan: dict


def fit_config(spend_columns: list[str], context_columns: list[str]) -> dict:
    return {"date_column": "date", "revenue_column": "revenue", "spend_columns": spend_columns,
            "context_columns": context_columns, "iterations": ITERATIONS, "trials": 1,
            "seed": 2}


@functools.cache
def fitted_run() -> Fitted:
    """The fitted result, its truth, the data and a max-response plan over 4 weeks."""
    data, truth = generator.generate(WEEKS, SEED)
    result = fit_model(data, fit_config(list(generator.CHANNELS), ["promo_flag"]), workers=1)
    budget = 4 * sum(c["mean_spend"] for c in result["channels"].values())
    plan = allocate(result, scenario="max_response", weeks=4, total_budget=budget)
    return Fitted(result, truth, data, plan)


def carry_over_counted_in(result: dict, plan: dict) -> dict:
    """``plan`` as saved before responses were incremental: each channel's responses hold the
    carry-over level ``weeks x r(0)``, its ROAS and the totals count it (an inflated ROAS),
    and there is no ``current_mix_response`` yet."""
    old = copy.deepcopy(plan)
    channels = model_by_id(result, plan["model_id"])["channels"]
    for column, ch in old["channels"].items():
        level = plan["weeks"] * float(
            ResponseCurve.from_dict(channels[column]["response"]).response(0.0))
        ch["current_response"] += level
        ch["optimized_response"] += level
        ch["current_roas"] = ch["current_response"] / ch["current_spend"]
        ch["optimized_roas"] = ch["optimized_response"] / ch["optimized_spend"]
    t = old["totals"]
    del t["current_mix_response"]
    for key in ("current_response", "optimized_response"):
        t[key] = sum(ch[key] for ch in old["channels"].values())
    t["current_roas"] = t["current_response"] / t["current_spend"]
    t["optimized_roas"] = t["optimized_response"] / t["optimized_spend"]
    t["uplift"] = t["optimized_response"] / t["current_response"] - 1
    return old


ORDER_VALUE = 450.0  # kronor per order: turns generated revenue into a count of orders


def finished_run(session: Session, analyst, client_id: int,
                 dep_var_type: str = "revenue") -> ModelRun:
    """A generated dataset of the client (the one saved before, if any) and a succeeded run on
    it, fitted by the job code; with ``"conversion"`` the data's revenue is counted in
    orders (:func:`orders_dataset`)."""
    source = "generated" if dep_var_type == "revenue" else ORDERS_SOURCE
    dataset = next((d for d in datasets.list_datasets(session, analyst, client_id)
                    if d.source == source), None) or (
        datasets.generate_dataset(session, analyst, client_id, WEEKS, SEED)
        if dep_var_type == "revenue" else orders_dataset(session, analyst, client_id))
    config = {**runs.default_config(dataset), "iterations": ITERATIONS, "trials": 1, "seed": 2,
              "dep_var_type": dep_var_type}
    run = ModelRun(client_id=client_id, dataset_id=dataset.id, config=config,
                   created_by_id=analyst.id)
    session.add(run)
    session.commit()
    assert jobs.execute_run(run.id) == "succeeded"
    session.expire_all()
    return session.get(ModelRun, run.id)


ORDERS_SOURCE = "upload:orders.csv"


def orders_dataset(session: Session, analyst, client_id: int) -> Dataset:
    """Generated data whose outcome is a count: column ``orders``, revenue / ORDER_VALUE."""
    frame, _ = generator.generate(WEEKS, SEED)
    frame = frame.assign(revenue=(frame["revenue"] / ORDER_VALUE).round()).rename(
        columns={"revenue": "orders"})
    return datasets.save_dataset(session, analyst, client_id, frame,
                                 datasets.suggest_mapping(frame), name="Orders",
                                 source=ORDERS_SOURCE)


@dataclass
class Workspace:
    """A migrated database with a client, its team and one finished run."""

    url: str
    admin: User
    analyst: User
    viewer: User
    outsider: User
    client: Client
    run: ModelRun

    def session(self) -> Session:
        return session_factory(self.url)()

    def bound(self, session: Session) -> Workspace:
        """The same workspace with its users, client and run loaded in ``session``."""
        loaded = {f.name: session.get(type(value), value.id) for f in fields(self)
                  if hasattr(value := getattr(self, f.name), "id")}
        return replace(self, **loaded)


def _empty_postgres(url: str) -> None:
    with get_engine(url).begin() as conn:
        tables = [t for t in sa.inspect(conn).get_table_names() if t != "alembic_version"]
        conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


@pytest.fixture(scope="module", name="workspace",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def workspace_fixture(request, tmp_path_factory) -> Iterator[Workspace]:
    """Module-wide: database (SQLite file or the real PostgreSQL), storage in a temporary
    folder, no Redis; an admin, an analyst and a viewer of "Acme AB", an outsider, and a run
    fitted by the job code."""
    folder = tmp_path_factory.mktemp("workspace")
    if request.param == "sqlite":
        url = migrated_sqlite(folder / "kiri.db")
    else:
        url = request.getfixturevalue("postgres_url")
        upgrade_database(url)
        _empty_postgres(url)
    patch = pytest.MonkeyPatch()
    patch.setenv("DATABASE_URL", url)
    patch.setenv("KIRI_DATA_DIR", str(folder / "data"))
    patch.setenv("KIRI_STORAGE_URL", str(folder / "artifacts"))
    patch.delenv("REDIS_URL", raising=False)
    patch.setenv("KIRI_ALLOWED_SIGNUP_DOMAINS", "agency.se")
    try:
        with session_factory(url)() as session:
            admin = auth.register_user(session, "boss@agency.se", "Boss", PASSWORD)
            analyst = auth.register_user(session, "ann@agency.se", "Ann", PASSWORD)
            viewer = auth.register_user(session, "vic@agency.se", "Vic", PASSWORD)
            outsider = auth.register_user(session, "otto@agency.se", "Otto", PASSWORD)
            client = clients.create_client(session, admin, "Acme AB", "Retail", "SEK")
            users.grant_access(session, admin, analyst.id, client.id, "analyst")
            users.grant_access(session, admin, viewer.id, client.id, "viewer")
            run = finished_run(session, analyst, client.id)
            for loaded in (admin, analyst, viewer, outsider, client, run):
                session.refresh(loaded)  # usable after the session closes
        yield Workspace(url, admin, analyst, viewer, outsider, client, run)
    finally:
        patch.undo()
