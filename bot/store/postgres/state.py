"""The bot's own state in PostgreSQL: which command tree was last synced where."""

from __future__ import annotations

import datetime as dt

from bot.store.postgres.database import PostgresDatabase
from bot.store.postgres.rows import to_db


class PostgresBotState:
    """Small facts the bot remembers about itself across restarts."""

    def __init__(self, database: PostgresDatabase) -> None:
        self._db = database

    async def command_tree_hash(self, scope: str) -> str | None:
        """The hash of the command tree last synced to this scope, if any."""
        value = await self._db.pool.fetchval(
            "SELECT payload_hash FROM command_sync WHERE scope = $1", scope
        )
        return None if value is None else str(value)

    async def remember_command_tree(self, scope: str, payload_hash: str, now: dt.datetime) -> None:
        """Record that the command tree with this hash was synced to the scope."""
        await self._db.pool.execute(
            "INSERT INTO command_sync (scope, payload_hash, synced_at) VALUES ($1, $2, $3)"
            " ON CONFLICT (scope) DO UPDATE SET payload_hash = excluded.payload_hash,"
            " synced_at = excluded.synced_at",
            scope,
            payload_hash,
            to_db(now),
        )
