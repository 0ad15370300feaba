"""The bot's own state in SQLite: which command tree was last synced where."""

from __future__ import annotations

import datetime as dt

from bot.store.sqlite.database import SqliteDatabase
from bot.store.sqlite.rows import to_epoch


class SqliteBotState:
    """Small facts the bot remembers about itself across restarts."""

    def __init__(self, database: SqliteDatabase) -> None:
        self._sql = database

    async def command_tree_hash(self, scope: str) -> str | None:
        """The hash of the command tree last synced to this scope, if any."""
        rows = await self._sql.rows(
            "SELECT payload_hash FROM command_sync WHERE scope = ?", (scope,)
        )
        return str(rows[0][0]) if rows else None

    async def remember_command_tree(self, scope: str, payload_hash: str, now: dt.datetime) -> None:
        """Record that the command tree with this hash was synced to the scope."""
        await self._sql.write(
            "INSERT INTO command_sync (scope, payload_hash, synced_at) VALUES (?, ?, ?) "
            "ON CONFLICT (scope) DO UPDATE SET payload_hash = excluded.payload_hash, "
            "synced_at = excluded.synced_at",
            (scope, payload_hash, to_epoch(now)),
        )
