"""All SQL lives here: one SQLite database, reached through intent-named async methods."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

import aiosqlite

from bot.library import Library

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5_000


def to_epoch(moment: dt.datetime) -> int:
    """Seconds since the epoch for an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return int(moment.timestamp())


def from_epoch(seconds: int) -> dt.datetime:
    """An aware UTC datetime from seconds since the epoch."""
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def migrations() -> list[tuple[int, str]]:
    """The numbered migration scripts shipped with the package, in order."""
    folder = resources.files("bot") / "migrations"
    scripts = []
    for entry in folder.iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:3].isdigit():
            scripts.append((int(name[:3]), entry.read_text(encoding="utf-8")))
    return sorted(scripts)


class Repository:
    """The bot's database: subscriptions, section history, deliveries and command sync."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: aiosqlite.Connection | None = None

    @property
    def db(self) -> aiosqlite.Connection:
        """The open connection; `open()` must have been awaited."""
        if self._db is None:
            raise RuntimeError("the repository is not open")
        return self._db

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
        ):
            # Close each cursor: a pragma that returns a row would otherwise keep its
            # statement open and block the migration's COMMIT.
            async with self._db.execute(pragma):
                pass
        await self._migrate()

    async def close(self) -> None:
        """Close the connection, if open."""
        if self._db is not None:
            await self._db.close()
            self._db = None

    async def schema_version(self) -> int:
        """The number of the last migration applied."""
        async with self.db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def _migrate(self) -> None:
        current = await self.schema_version()
        pending = [(number, sql) for number, sql in migrations() if number > current]
        if not pending:
            return
        await self.db.execute("BEGIN IMMEDIATE")
        try:
            for number, sql in pending:
                for statement in _statements(sql):
                    await self.db.execute(statement)
                await self.db.execute(f"PRAGMA user_version = {number}")
                log.info("applied database migration %03d", number)
            await self.db.execute("COMMIT")
        except BaseException:
            await self.db.execute("ROLLBACK")
            raise

    async def command_tree_hash(self, scope: str) -> str | None:
        """The hash of the command tree last synced to this scope, if any."""
        async with self.db.execute(
            "SELECT payload_hash FROM command_sync WHERE scope = ?", (scope,)
        ) as cursor:
            row = await cursor.fetchone()
        return str(row[0]) if row else None

    async def remember_command_tree(self, scope: str, payload_hash: str, now: dt.datetime) -> None:
        """Record that the command tree with this hash was synced to the scope."""
        await self.db.execute(
            "INSERT INTO command_sync (scope, payload_hash, synced_at) VALUES (?, ?, ?) "
            "ON CONFLICT (scope) DO UPDATE SET payload_hash = excluded.payload_hash, "
            "synced_at = excluded.synced_at",
            (scope, payload_hash, to_epoch(now)),
        )

    async def record_section_versions(self, library: Library, now: dt.datetime) -> int:
        """Record every section's current content hash; returns how many were new."""
        rows = [
            (b.id, s.id, s.content_hash, s.heading, to_epoch(now))
            for b in library
            for s in b.sections
        ]
        before = self.db.total_changes
        await self.db.execute("BEGIN")
        try:
            await self.db.executemany(
                "INSERT OR IGNORE INTO section_versions"
                " (briefing_id, section_id, content_hash, heading, first_seen)"
                " VALUES (?, ?, ?, ?, ?)",
                rows,
            )
            await self.db.execute("COMMIT")
        except BaseException:
            await self.db.execute("ROLLBACK")
            raise
        return self.db.total_changes - before

    async def section_first_seen(
        self, briefing_id: str, section_id: str, content_hash: str
    ) -> dt.datetime | None:
        """When this version of a section was first loaded, if ever."""
        async with self.db.execute(
            "SELECT first_seen FROM section_versions "
            "WHERE briefing_id = ? AND section_id = ? AND content_hash = ?",
            (briefing_id, section_id, content_hash),
        ) as cursor:
            row = await cursor.fetchone()
        return from_epoch(int(row[0])) if row else None


def _statements(sql: str) -> Iterable[str]:
    """Split a migration script into statements (scripts contain no semicolons in strings)."""
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    for statement in "\n".join(lines).split(";"):
        if statement.strip():
            yield statement.strip()
