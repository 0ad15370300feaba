"""Section history in PostgreSQL: when each version of each section was first loaded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from bot.briefings.library import Library
from bot.store.postgres.database import PostgresDatabase
from bot.store.postgres.rows import count_of, maybe_utc, to_db


class PostgresSectionHistory:
    """Every section version ever served, recorded once per content hash."""

    def __init__(self, database: PostgresDatabase) -> None:
        self._db = database

    async def record_versions(
        self, library: Library, now: dt.datetime, *, only: Collection[str] | None = None
    ) -> int:
        """Record each section's current content hash; returns how many were new.

        With `only`, just the sections of those briefings (the ones a reload added or
        changed; the others' versions are stored already). One statement, idempotent:
        every process reloads the same files, and the first to record a version wins.
        """
        briefings = library if only is None else (library.briefings[i] for i in only)
        rows = [(b.id, s.id, s.content_hash, s.heading) for b in briefings for s in b.sections]
        if not rows:
            return 0
        status = await self._db.pool.execute(
            "INSERT INTO section_versions"
            " (briefing_id, section_id, content_hash, heading, first_seen)"
            " SELECT v.briefing_id, v.section_id, v.content_hash, v.heading, $5"
            " FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])"
            "   AS v(briefing_id, section_id, content_hash, heading)"
            " ON CONFLICT DO NOTHING",
            [row[0] for row in rows],
            [row[1] for row in rows],
            [row[2] for row in rows],
            [row[3] for row in rows],
            to_db(now),
        )
        return count_of(status)

    async def first_seen(
        self, briefing_id: str, section_id: str, content_hash: str
    ) -> dt.datetime | None:
        """When this version of a section was first loaded, if ever."""
        return maybe_utc(
            await self._db.pool.fetchval(
                "SELECT first_seen FROM section_versions"
                " WHERE briefing_id = $1 AND section_id = $2 AND content_hash = $3",
                briefing_id,
                section_id,
                content_hash,
            )
        )
