"""Page fixtures: the embedded default (SQLite + local storage) and AppTest per page file."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from migrated import migrated_sqlite
from PIL import ImageFont
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Dataframe

from kiri_core.db.session import session_factory
from kiri_core.report.render import FONT_DIR
from kiri_core.services import auth, clients, users

REPO_ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse 1"


@pytest.fixture
def session(tmp_path: Path, monkeypatch) -> Iterator[Session]:
    url = migrated_sqlite(tmp_path / "kiri.db")
    for name, value in {"DATABASE_URL": url, "KIRI_DATA_DIR": str(tmp_path / "data"),
                        "KIRI_STORAGE_URL": str(tmp_path / "artifacts"),
                        "KIRI_ALLOWED_SIGNUP_DOMAINS": "agency.se", "KIRI_BCRYPT_ROUNDS": "4",
                        "KIRI_DEV_MODE": "1"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("REDIS_URL", raising=False)
    with session_factory(url)() as session:
        yield session


@pytest.fixture
def team(session: Session) -> SimpleNamespace:
    """Admin; analyst and viewer of Acme AB; an outsider who is analyst of Other AB only."""
    people = {role: auth.register_user(session, f"{role}@agency.se", role.title(), PASSWORD)
              for role in ("admin", "analyst", "viewer", "outsider")}
    acme = clients.create_client(session, people["admin"], "Acme AB", "Retail", "SEK")
    other = clients.create_client(session, people["admin"], "Other AB", "Travel", "EUR")
    users.grant_access(session, people["admin"], people["analyst"].id, acme.id, "analyst")
    users.grant_access(session, people["admin"], people["viewer"].id, acme.id, "viewer")
    users.grant_access(session, people["admin"], people["outsider"].id, other.id, "analyst")
    return SimpleNamespace(**people, client=acme, other_client=other)


@pytest.fixture
def open_page() -> Callable[..., AppTest]:
    """Run a page file as ``user`` with ``client`` selected (ids put in session state) and
    ``query`` in the page's address."""

    def run(page: str, user=None, client=None, query: dict | None = None, **state) -> AppTest:
        app = AppTest.from_file(str(REPO_ROOT / page), default_timeout=60)
        for key, value in (query or {}).items():
            app.query_params[key] = value
        if user is not None:
            app.session_state["user_id"] = user.id
        if client is not None:
            app.session_state["client_id"] = client.id
        for key, value in state.items():
            app.session_state[key] = value
        return app.run()

    return run


@pytest.fixture
def text_of() -> Callable[[AppTest], str]:
    """Every title, message, caption and markdown of a page run as one string."""

    def text(app: AppTest) -> str:
        parts = [*app.title, *app.subheader, *app.markdown, *app.caption, *app.info,
                 *app.success, *app.warning, *app.error]
        return "\n".join(str(p.value) for p in parts)

    return text


#: Streamlit's named column widths (px).
NAMED_WIDTHS = {"small": 75, "medium": 200, "large": 400}
CELL_PADDING = 17  # px around a table cell's text in Chromium: 8 each side and a 1 px rule


@pytest.fixture
def text_width() -> Callable[[str], float]:
    """How wide a text is drawn in the app's tables and boxes (14 px Inter), in px."""
    return ImageFont.truetype(str(FONT_DIR / "Inter-Regular.otf"), 14).getlength


@pytest.fixture
def table_width(text_width) -> Callable[[Dataframe], float]:
    """How wide a page's table (``st.dataframe`` without its index) is drawn, in px: each
    column as wide as its column config sets, else as its header or longest cell."""

    def width(table: Dataframe) -> float:
        config, frame = json.loads(table.proto.columns or "{}"), table.value
        widths = [config.get(name, {}).get("width") for name in frame.columns]
        return sum(NAMED_WIDTHS.get(set_to, set_to) if set_to else
                   max(text_width(str(v)) for v in [name, *frame[name]]) + CELL_PADDING
                   for name, set_to in zip(frame.columns, widths, strict=True))

    return width
