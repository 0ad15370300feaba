"""`SqliteStore`: the bot's storage in one SQLite file, grouped by what it stores."""

from __future__ import annotations

from pathlib import Path

import aiosqlite

from bot.store.sqlite.database import SqliteDatabase
from bot.store.sqlite.history import SqliteRunHistory
from bot.store.sqlite.leadership import FileLockLeadership
from bot.store.sqlite.ledger import SqliteLedger
from bot.store.sqlite.sections import SqliteSectionHistory
from bot.store.sqlite.state import SqliteBotState
from bot.store.sqlite.subscriptions import SqliteSubscriptions


class SqliteStore:
    """Subscriptions, the delivery ledger, section history and bot state in one file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._sql = SqliteDatabase(path)
        self.subscriptions = SqliteSubscriptions(self._sql)
        self.ledger = SqliteLedger(self._sql)
        self.sections = SqliteSectionHistory(self._sql)
        self.history = SqliteRunHistory(self._sql)
        self.state = SqliteBotState(self._sql)
        self.leadership = FileLockLeadership(path)

    @property
    def connection(self) -> aiosqlite.Connection:
        """The open connection (for tests and diagnostics); `open()` must have been awaited."""
        return self._sql.connection

    @property
    def is_open(self) -> bool:
        """Whether `open()` has been awaited and `close()` has not."""
        return self._sql.is_open

    async def open(self) -> None:
        """Open the database, creating its folder, and apply pending migrations."""
        await self._sql.open()

    async def close(self) -> None:
        """Step down as leader and close the connection, if open."""
        await self.leadership.step_down()
        await self._sql.close()

    async def checkpoint(self) -> int:
        """Copy the write-ahead log into the database file; how many pages it had to leave."""
        return await self._sql.checkpoint()

    async def schema_version(self) -> int:
        """The number of the last migration applied."""
        return await self._sql.schema_version()
