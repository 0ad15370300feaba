"""A pool of PostgreSQL connections for one process: numbered migrations, transactions.

Migrations are the numbered `migrations/NNN_*.sql` scripts, applied at open inside one
transaction and recorded in the `schema_migrations` table. That transaction first takes
a transaction-level advisory lock, so when several processes start together exactly
one migrates; the others wait for its commit, then find nothing left to apply.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

import asyncpg

from bot.store.urls import redacted_url

log = logging.getLogger(__name__)

# Advisory lock keys, one 64-bit number each: "brbf" in the high half, a small number below.
LOCK_NAMESPACE = 0x62726266 << 32
MIGRATION_LOCK = LOCK_NAMESPACE | 1  # exclusive while migrating
BLOB_LOCK = LOCK_NAMESPACE | 2  # shared while writing blobs, exclusive while pruning them
LEADER_LOCK = LOCK_NAMESPACE | 3  # held for as long as a process leads (session-level)

MIGRATIONS_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version integer PRIMARY KEY,"
    " name text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())"
)

# Every session: no JIT (it costs more than it saves on the store's short queries) and a
# name that shows in pg_stat_activity.
SERVER_SETTINGS = {"jit": "off", "application_name": "briefbot"}


def migrations() -> list[tuple[int, str, str]]:
    """The numbered migration scripts shipped with the package: (number, name, SQL)."""
    folder = resources.files("bot.store.postgres") / "migrations"
    scripts = []
    for entry in folder.iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:3].isdigit():
            scripts.append((int(name[:3]), name.removesuffix(".sql"), entry.read_text("utf-8")))
    return sorted(scripts)


class PostgresDatabase:
    """The connection pool and the migrations of one PostgreSQL database."""

    def __init__(self, url: str, *, min_size: int = 1, max_size: int = 10) -> None:
        self._url = url
        self._min_size = min_size
        self._max_size = max_size
        self._pool: Any = None

    @property
    def display_url(self) -> str:
        """The database URL with any password hidden."""
        return redacted_url(self._url)

    @property
    def pool(self) -> Any:
        """The open `asyncpg.Pool`; `open()` must have been awaited."""
        if self._pool is None:
            raise RuntimeError("the database is not open")
        return self._pool

    @property
    def is_open(self) -> bool:
        """Whether `open()` has been awaited and `close()` has not."""
        return self._pool is not None

    async def open(self) -> None:
        """Create the pool and apply pending migrations; on failure nothing stays open."""
        if self._pool is not None:
            return
        pool = await asyncpg.create_pool(
            self._url,
            min_size=self._min_size,
            max_size=self._max_size,
            server_settings=SERVER_SETTINGS,
            reset=end_transaction,
        )
        try:
            async with pool.acquire() as connection:
                await migrate(connection)
        except BaseException:
            await pool.close()
            raise
        self._pool = pool
        log.info("connected to PostgreSQL at %s", self.display_url)

    async def connect(self) -> Any:
        """A connection of its own, outside the pool, with the pool's session settings."""
        return await asyncpg.connect(self._url, server_settings=SERVER_SETTINGS)

    async def close(self) -> None:
        """Close every connection of the pool, if open."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()

    async def schema_version(self) -> int:
        """The number of the last migration applied."""
        return await latest_migration(self.pool)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Any]:
        """One connection from the pool inside one transaction (READ COMMITTED)."""
        async with self.pool.acquire() as connection, connection.transaction():
            yield connection


async def end_transaction(connection: Any) -> None:
    """Ready a pooled connection for its next user: roll back what was left open.

    asyncpg's default reset also unlocks session advisory locks, closes cursors, stops
    listening and resets settings: a round trip on every release. Pooled connections
    here use none of those (the leader's session lock has a connection of its own), so
    only an unfinished transaction needs undoing.
    """
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


async def latest_migration(connection: Any) -> int:
    """The highest migration number recorded (0 for a database never migrated)."""
    exists = await connection.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
    if not exists:
        return 0
    return int(await connection.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"))


async def migrate(connection: Any) -> list[int]:
    """Apply pending migrations in one transaction under the migration lock; their numbers.

    The lock is transaction-level: it is released by the commit (or the rollback of a
    failed migration), never held by an idle connection.
    """
    applied: list[int] = []
    async with connection.transaction():
        await connection.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
        await connection.execute(MIGRATIONS_TABLE)
        current = await latest_migration(connection)
        for number, name, sql in migrations():
            if number <= current:
                continue
            await connection.execute(sql)  # a whole script: the simple query protocol
            await connection.execute(
                "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", number, name
            )
            applied.append(number)
    for number in applied:
        log.info("applied database migration %03d", number)
    return applied
