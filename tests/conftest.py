"""Fixtures shared by every test module: ``../shared`` read in place, and a store on a file."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings
from pytest_httpserver import HTTPServer
from telegram import Bot

from bot.store import AsyncStore, Store
from tests.support.pipeline_env import FeedServer

if TYPE_CHECKING:  # imported by pytest as a plugin (below), so that its asserts are rewritten
    from tests.support.botapi import FakeBotAPI

pytest_plugins = [
    "tests.support.botapi",
    "tests.support.telegram_app",
    "tests.support.news_search",
]

# Property tests check behaviour, not speed: a busy CI machine must not fail them on time.
settings.register_profile(
    "topic-alert", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("topic-alert")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "feeds"
SAMPLE_ARTICLE = SHARED / "samples" / "jpost-herzog-azerbaijan-2023-05-28.txt"


def _require(path: Path) -> Path:
    if not path.exists():
        pytest.skip(
            f"{path} is absent: tests that read ../shared need the shared folder beside the repo"
        )
    return path


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The real-world feed corpus, read in place (never copied into the project)."""
    return _require(CORPUS)


@pytest.fixture(scope="session")
def sample_article_text() -> str:
    """The text of the page this project started from; `Israel + Azerbaijan` must find it."""
    return _require(SAMPLE_ARTICLE).read_text(encoding="utf-8")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Where the test's database file goes (created by whoever opens it first)."""
    return tmp_path / "bot.db"


@pytest.fixture
def server(httpserver: HTTPServer) -> FeedServer:
    """Feeds the test publishes on the local server, answering conditional GETs as a site does."""
    return FeedServer(httpserver)


@pytest.fixture
async def astore(tmp_path: Path) -> AsyncIterator[AsyncStore]:
    """A fresh SQLite file behind the async store the bot uses; ``astore.sync`` to inspect."""
    store = AsyncStore(Store.open(tmp_path / "bot.db"))
    yield store
    await store.aclose()


@pytest.fixture
async def bot(botapi: FakeBotAPI) -> AsyncIterator[Bot]:
    """A python-telegram-bot ``Bot`` that talks to the fake Bot API over HTTP."""
    async with Bot(botapi.token, base_url=botapi.base_url) as bot:
        yield bot


@pytest.fixture
def threaded_server() -> Iterator[HTTPServer]:
    """A local server that answers requests in parallel (pytest-httpserver's default is one at
    a time), so a slow response holds up nobody else and the client's own limits bind."""
    server = HTTPServer(threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder another user can reach (pytest's own are private to their owner)."""
    folder = Path(tempfile.mkdtemp(prefix="topic-alert-"))
    folder.chmod(0o755)
    yield folder
    for path in (folder, *folder.rglob("*")):
        path.chmod(0o777 if path.is_dir() else 0o666)
    shutil.rmtree(folder)
