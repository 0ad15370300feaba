"""The bot's own state in SQLite: the last command tree synced, and the cluster's processes."""

from __future__ import annotations

import datetime as dt
import json

from bot.store.interface import ClusterProcess
from bot.store.sqlite.database import SqliteDatabase
from bot.store.sqlite.rows import from_epoch, to_epoch


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

    async def heartbeat(self, process: ClusterProcess) -> None:
        """Record that a process is alive, with its shards and whether it leads."""
        shards = None if process.shard_ids is None else json.dumps(list(process.shard_ids))
        await self._sql.write(
            "INSERT INTO cluster_processes (process_id, shard_ids, shard_count, leads,"
            " started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (process_id) DO UPDATE SET shard_ids = excluded.shard_ids,"
            " shard_count = excluded.shard_count, leads = excluded.leads,"
            " heartbeat_at = excluded.heartbeat_at",
            (
                process.process_id,
                shards,
                process.shard_count,
                int(process.leading),
                to_epoch(process.started_at),
                to_epoch(process.heartbeat_at),
            ),
        )

    async def cluster(self, alive_since: dt.datetime) -> list[ClusterProcess]:
        """The processes whose last heartbeat is not older than `alive_since`, by id."""
        rows = await self._sql.rows(
            "SELECT process_id, shard_ids, shard_count, leads, started_at, heartbeat_at"
            " FROM cluster_processes WHERE heartbeat_at >= ? ORDER BY process_id",
            (to_epoch(alive_since),),
        )
        return [
            ClusterProcess(
                process_id=str(row[0]),
                shard_ids=None if row[1] is None else tuple(json.loads(row[1])),
                shard_count=None if row[2] is None else int(row[2]),
                leading=bool(row[3]),
                started_at=from_epoch(int(row[4])),
                heartbeat_at=from_epoch(int(row[5])),
            )
            for row in rows
        ]

    async def forget_process(self, process_id: str) -> None:
        """Remove a process that stopped cleanly."""
        await self._sql.write("DELETE FROM cluster_processes WHERE process_id = ?", (process_id,))
