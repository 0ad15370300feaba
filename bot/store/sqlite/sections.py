"""Section history in SQLite: when each version of each section was first loaded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from bot.briefings.library import Library
from bot.store.sqlite.database import SqliteDatabase
from bot.store.sqlite.rows import from_epoch, to_epoch


class SqliteSectionHistory:
    """Every section version ever served, recorded once per content hash."""

    def __init__(self, database: SqliteDatabase) -> None:
        self._sql = database

    async def record_versions(
        self, library: Library, now: dt.datetime, *, only: Collection[str] | None = None
    ) -> int:
        """Record each section's current content hash; returns how many were new.

        With `only`, just the sections of those briefings (the ones a reload added or
        changed; the others' versions are stored already).
        """
        briefings = library if only is None else (library.briefings[i] for i in only)
        rows = [
            (b.id, s.id, s.content_hash, s.heading, to_epoch(now))
            for b in briefings
            for s in b.sections
        ]
        if not rows:
            return 0
        async with self._sql.transaction():
            before = self._sql.connection.total_changes
            await self._sql.connection.executemany(
                "INSERT OR IGNORE INTO section_versions"
                " (briefing_id, section_id, content_hash, heading, first_seen)"
                " VALUES (?, ?, ?, ?, ?)",
                rows,
            )
            added = self._sql.connection.total_changes - before
        return added

    async def first_seen(
        self, briefing_id: str, section_id: str, content_hash: str
    ) -> dt.datetime | None:
        """When this version of a section was first loaded, if ever."""
        rows = await self._sql.rows(
            "SELECT first_seen FROM section_versions "
            "WHERE briefing_id = ? AND section_id = ? AND content_hash = ?",
            (briefing_id, section_id, content_hash),
        )
        return from_epoch(int(rows[0][0])) if rows else None
