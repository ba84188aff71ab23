"""Clients of the agency: create, edit, archive, and the client home overview."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiri_core import formatting as fmt
from kiri_core.db.base import utcnow
from kiri_core.db.models import Client, Dataset, ModelRun, User
from kiri_core.planner import drop_stored_reports
from kiri_core.results import is_conversion
from kiri_core.services import audit
from kiri_core.services.access import current_actor, require_admin, require_client_role
from kiri_core.services.datasets import list_datasets
from kiri_core.services.errors import ValidationError
from kiri_core.services.runs import list_runs

INDUSTRIES = (
    "Retail", "E-commerce", "Travel", "Finance", "Telecom", "FMCG", "Media", "Automotive",
    "Health", "Other",
)


def _check_fields(session: Session, name: str, currency: str, client_id: int | None) -> str:
    name = name.strip()
    if not name:
        raise ValidationError("Please give the client a name.")
    if currency not in fmt.CURRENCIES:
        raise ValidationError(
            f"Unknown currency '{currency}'; choose one of {', '.join(fmt.CURRENCIES)}."
        )
    name = " ".join(name.split())
    # one name, however cased or spaced: "Acme AB" and "acme  ab" look alike in the sidebar
    # (compared here, not in SQL: SQLite lowers only ASCII letters, "Å" stays "Å")
    clash = next((c for c in session.scalars(select(Client).where(Client.id != (client_id or 0)))
                  if _name_key(c.name) == _name_key(name)), None)
    if clash is not None:
        raise ValidationError(f"A client named '{clash.name}' already exists"
                              f"{' (archived)' if clash.archived_at else ''}.")
    return name


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def create_client(
    session: Session, actor: User, name: str, industry: str = "", currency: str = "SEK"
) -> Client:
    """Create a client (admins only; admins see every client)."""
    admin = require_admin(current_actor(session, actor))
    name = _check_fields(session, name, currency, None)
    client = Client(name=name, industry=industry.strip(), currency=currency,
                    created_by_id=admin.id)
    session.add(client)
    session.flush()
    audit.record(session, admin, "client.create", client_id=client.id,
                 target=("client", client.id), details={"name": name})
    session.commit()
    return client


def update_client(
    session: Session, actor: User, client_id: int, *, name: str, industry: str, currency: str
) -> Client:
    """Edit name, industry and currency (analysts of the client and admins). A new name or
    currency drops the client's stored PDFs, whose cover and amounts show the old ones."""
    client = require_client_role(session, actor, client_id, "analyst")
    before = (client.name, client.currency)
    client.name = _check_fields(session, name, currency, client_id)
    client.industry = industry.strip()
    client.currency = currency
    if (client.name, client.currency) != before:
        drop_stored_reports(session, select(ModelRun.id).where(ModelRun.client_id == client_id))
    audit.record(session, actor, "client.update", client_id=client_id,
                 target=("client", client_id))
    session.commit()
    return client


def currency_change_warning(
    session: Session, actor: User, client_id: int, currency: str
) -> str | None:
    """What a new currency does to a client that has runs, for the user to confirm first;
    None when the currency stays or there is no run to show differently."""
    client = require_client_role(session, actor, client_id, "viewer")
    if currency == client.currency:
        return None
    count = session.scalar(select(func.count()).select_from(ModelRun)
                           .where(ModelRun.client_id == client_id))
    if not count:
        return None
    return (f"{client.name} has {count} run{'s' if count > 1 else ''}: "
            f"{'their' if count > 1 else 'its'} results, budget plans and PDFs will show the "
            f"same amounts in {currency} instead of {client.currency}. Nothing is converted.")


def set_archived(session: Session, actor: User, client_id: int, archived: bool) -> Client:
    """Archive (hide from pickers) or restore a client; admins only. Nothing is deleted."""
    admin = require_admin(current_actor(session, actor))
    client = require_client_role(session, admin, client_id, "analyst")
    client.archived_at = utcnow() if archived else None
    audit.record(session, admin, "client.archive" if archived else "client.restore",
                 client_id=client_id, target=("client", client_id))
    session.commit()
    return client


@dataclass(frozen=True)
class ClientOverview:
    client: Client
    datasets: list[Dataset]
    runs: list[ModelRun]
    latest_run: ModelRun | None

    @property
    def headline(self) -> dict[str, float] | None:
        """Total spend, contribution and R² of the latest finished run, and whether it
        models conversions."""
        if self.latest_run is None or not self.latest_run.channels:
            return None
        channels = self.latest_run.channels.values()
        spend = sum(c["spend"] for c in channels)
        contribution = sum(c["contribution"] for c in channels)
        return {
            "spend": spend,
            "contribution": contribution,
            "conversion": is_conversion(self.latest_run.config),
            "rsq": (self.latest_run.metrics or {}).get("rsq"),
        }


def client_overview(session: Session, actor: User, client_id: int) -> ClientOverview:
    client = require_client_role(session, actor, client_id, "viewer")
    runs = list_runs(session, actor, client_id)
    latest = next((r for r in runs if r.status == "succeeded"), None)
    return ClientOverview(client, list_datasets(session, actor, client_id), runs, latest)
