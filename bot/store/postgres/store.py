"""`PostgresStore`: the bot's storage in one PostgreSQL database, shared by its processes."""

from __future__ import annotations

from typing import Any

from bot.store.postgres.database import PostgresDatabase
from bot.store.postgres.history import PostgresRunHistory
from bot.store.postgres.leadership import AdvisoryLockLeadership
from bot.store.postgres.ledger import PostgresLedger
from bot.store.postgres.sections import PostgresSectionHistory
from bot.store.postgres.state import PostgresBotState
from bot.store.postgres.subscriptions import PostgresSubscriptions


class PostgresStore:
    """Subscriptions, the delivery ledger, section history and bot state in PostgreSQL."""

    def __init__(self, url: str, *, min_size: int = 1, max_size: int = 10) -> None:
        self._db = PostgresDatabase(url, min_size=min_size, max_size=max_size)
        self.subscriptions = PostgresSubscriptions(self._db)
        self.ledger = PostgresLedger(self._db)
        self.sections = PostgresSectionHistory(self._db)
        self.history = PostgresRunHistory(self._db)
        self.state = PostgresBotState(self._db)
        self.leadership = AdvisoryLockLeadership(self._db)

    def __repr__(self) -> str:
        return f"PostgresStore({self.display_url!r})"

    @property
    def display_url(self) -> str:
        """The database URL with any password hidden, for logs."""
        return self._db.display_url

    @property
    def pool(self) -> Any:
        """The open `asyncpg.Pool` (for tests and diagnostics); `open()` must have been awaited."""
        return self._db.pool

    @property
    def is_open(self) -> bool:
        """Whether `open()` has been awaited and `close()` has not."""
        return self._db.is_open

    async def open(self) -> None:
        """Create the connection pool and apply pending migrations under the migration lock."""
        await self._db.open()

    async def close(self) -> None:
        """Step down as leader and close the connection pool, if open."""
        try:
            await self.leadership.step_down()
        finally:
            await self._db.close()

    async def checkpoint(self) -> int:
        """Nothing to do: PostgreSQL checkpoints its write-ahead log itself. Always 0."""
        return 0

    async def schema_version(self) -> int:
        """The number of the last migration applied."""
        return await self._db.schema_version()
