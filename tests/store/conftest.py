"""Store fixtures: every store test runs on SQLite and on a real PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.store.factory import store_for_url
from bot.store.interface import Store

KINDS = ("sqlite", "postgres")


@pytest.fixture(params=KINDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL for an empty store of each kind: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'test.sqlite3'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest_asyncio.fixture
async def repo(store_url: str) -> AsyncIterator[Store]:
    """An open store of each kind, from the same factory the bot uses."""
    store = store_for_url(store_url)
    await store.open()
    try:
        yield store
    finally:
        await store.close()
