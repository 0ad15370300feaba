"""One SQLite connection for the whole bot: pragmas, numbered migrations, transactions.

Writes are serialised with a lock so a transaction from one task never swallows another
task's statement. Migrations are the numbered `migrations/NNN_*.sql` scripts, applied at
open inside one transaction and recorded in `PRAGMA user_version`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5_000
WAL_AUTOCHECKPOINT_PAGES = 16_384  # about 64 MB of write-ahead log
ROWS_PER_STATEMENT = 1_000  # keeps a multi-row statement's text to tens of kilobytes


@functools.cache
def _variable_limit() -> int:
    """How many parameters one statement may bind, as this SQLite library was built."""
    with contextlib.closing(sqlite3.connect(":memory:")) as probe:
        return probe.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


def migrations() -> list[tuple[int, str]]:
    """The numbered migration scripts shipped with the package, in order."""
    folder = resources.files("bot.store.sqlite") / "migrations"
    scripts = []
    for entry in folder.iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:3].isdigit():
            scripts.append((int(name[:3]), entry.read_text(encoding="utf-8")))
    return sorted(scripts)


class SqliteDatabase:
    """The open connection, the write lock and the migrations of one database file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()
        self._variable_limit = _variable_limit()

    @property
    def connection(self) -> aiosqlite.Connection:
        """The open connection; `open()` must have been awaited."""
        if self._db is None:
            raise RuntimeError("the database is not open")
        return self._db

    @property
    def is_open(self) -> bool:
        """Whether `open()` has been awaited and `close()` has not."""
        return self._db is not None

    async def open(self) -> None:
        """Open the database, creating its folder, and apply pending migrations."""
        if self._db is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = await aiosqlite.connect(self.path, isolation_level=None)
        for pragma in (
            f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
            "PRAGMA journal_mode = WAL",
            "PRAGMA foreign_keys = ON",
            "PRAGMA synchronous = NORMAL",
            # Checkpoints run after each digest run (`checkpoint`), not inside the claim
            # that happens to fill the log; this is only the safety net.
            f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}",
        ):
            # Close each cursor: a pragma that returns a row would otherwise keep its
            # statement open and block the migration's COMMIT.
            async with self._db.execute(pragma):
                pass
        await self._migrate()

    async def close(self) -> None:
        """Close the connection, if open."""
        if self._db is not None:
            db, self._db = self._db, None
            async with self._write_lock:
                await db.close()

    async def checkpoint(self) -> int:
        """Copy the write-ahead log into the database file; how many pages it had to leave.

        PASSIVE: it never waits for, or blocks, readers and writers, so pages a reader
        still needs stay in the log for the next checkpoint.
        """
        rows = await self.rows("PRAGMA wal_checkpoint(PASSIVE)")
        _, in_log, copied = (int(value) for value in rows[0])
        return max(in_log - copied, 0)

    async def schema_version(self) -> int:
        """The number of the last migration applied."""
        async with self.connection.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def _migrate(self) -> None:
        current = await self.schema_version()
        pending = [(number, sql) for number, sql in migrations() if number > current]
        if not pending:
            return
        async with self.transaction():
            for number, sql in pending:
                for statement in _statements(sql):
                    await self.run(statement)
                await self.run(f"PRAGMA user_version = {number}")
                log.info("applied database migration %03d", number)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """One write transaction; no other write runs on the connection meanwhile."""
        async with self._write_lock:
            await self.run("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                await self.run("ROLLBACK")
                raise
            await self.run("COMMIT")

    async def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Execute one statement that returns no rows; how many rows it changed.

        One trip to the database thread (a cursor used as a context manager costs three).
        """
        cursor = await self.connection.execute(sql, params)
        return max(cursor.rowcount, 0)

    async def write(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Execute one write statement on its own, outside any other transaction."""
        async with self._write_lock:
            return await self.run(sql, params)

    async def run_for_rows(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Execute `sql` for many rows of parameters, its `{values}` standing for the rows.

        The rows go in as multi-row `VALUES`, as few statements as the parameter limit
        allows. `executemany` steps once per row, and every step hands the GIL to and
        back from the event loop's thread: while that thread is busy, each hand-back
        waits, and a few hundred rows took five times as long.
        """
        if not rows:
            return
        width = len(rows[0])
        placeholder = "(" + ", ".join("?" * width) + ")"
        per_statement = max(min(self._variable_limit // width, ROWS_PER_STATEMENT), 1)
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            values = ", ".join([placeholder] * len(chunk))
            await self.run(sql.format(values=values), [value for row in chunk for value in row])

    async def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """Every row of a query, in one trip to the database thread."""
        return list(await self.connection.execute_fetchall(sql, params))


def _statements(sql: str) -> Iterable[str]:
    """Split a migration script into complete statements (triggers included)."""
    buffer = ""
    for line in sql.splitlines(keepends=True):
        if not buffer.strip() and line.strip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer.strip()
            buffer = ""
    if buffer.strip():
        raise ValueError(f"incomplete SQL statement at the end of a migration: {buffer!r}")
