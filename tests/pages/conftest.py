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
from ui.layout import PAGE_AT_1024

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


#: How wide a page is (px) in a window 1024 or 1440 px wide: at 1440 beside a 300 px sidebar
#: within 80 px margins (measured in Chromium).
PAGES = {1024: PAGE_AT_1024, 1440: 1440 - 300 - 2 * 80}
#: Streamlit's named column widths (px).
NAMED_WIDTHS = {"small": 75, "medium": 200, "large": 400}
CELL_PADDING = 17  # px around a table cell's text in Chromium: 8 each side and a 1 px rule


@pytest.fixture
def text_width() -> Callable[[str], float]:
    """How wide a text is drawn in the app's tables and boxes (14 px Inter), in px."""
    return ImageFont.truetype(str(FONT_DIR / "Inter-Regular.otf"), 14).getlength


@pytest.fixture
def column_widths(text_width) -> Callable[..., dict[str, float]]:
    """How wide each column of a page's table (``st.dataframe`` without its index) is drawn,
    in px: as wide as its column config sets, else as its header or longest cell; in a
    ``window`` (1024 or 1440 px wide) with the table as wide as the page, the room left over
    shared out equally among the columns that are not pinned, as Streamlit does."""

    def widths(table: Dataframe, window: int | None = None) -> dict[str, float]:
        config, frame = json.loads(table.proto.columns or "{}"), table.value
        drawn = {name: NAMED_WIDTHS.get(set_to, set_to) if (
                     set_to := config.get(name, {}).get("width")) else
                 max(text_width(str(v)) for v in [name, *frame[name]]) + CELL_PADDING
                 for name in frame.columns}
        growing = [name for name in frame.columns if not config.get(name, {}).get("pinned")]
        room = PAGES.get(window, 0) - sum(drawn.values())
        share = max(0, room) / len(growing) if growing else 0
        return {name: width + share * (name in growing) for name, width in drawn.items()}

    return widths


@pytest.fixture
def cut_cells(column_widths, text_width) -> Callable[..., list[str]]:
    """The cells (and headers) of ``columns`` of a page's table that are drawn cut short in
    a ``window`` 1024 or 1440 px wide (:func:`column_widths`)."""

    def cut(table: Dataframe, window: int, columns: list[str]) -> list[str]:
        widths = column_widths(table, window)
        return [text for name in columns for text in map(str, [name, *table.value[name]])
                if text_width(text) + CELL_PADDING > widths[name] + 0.5]

    return cut


@pytest.fixture
def table_width(column_widths) -> Callable[[Dataframe], float]:
    """How wide a page's table (``st.dataframe`` without its index) is drawn at its
    narrowest, in px (:func:`column_widths`)."""
    return lambda table: sum(column_widths(table).values())


