"""The bot's own state in PostgreSQL: the last command tree synced, and the cluster's processes."""

from __future__ import annotations

import datetime as dt

from bot.store.interface import ClusterProcess
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

    async def heartbeat(self, process: ClusterProcess) -> None:
        """Record that a process is alive, with its shards and whether it leads."""
        await self._db.pool.execute(
            "INSERT INTO cluster_processes (process_id, shard_ids, shard_count, leads,"
            " started_at, heartbeat_at) VALUES ($1, $2, $3, $4, $5, $6)"
            " ON CONFLICT (process_id) DO UPDATE SET shard_ids = excluded.shard_ids,"
            " shard_count = excluded.shard_count, leads = excluded.leads,"
            " heartbeat_at = excluded.heartbeat_at",
            process.process_id,
            None if process.shard_ids is None else list(process.shard_ids),
            process.shard_count,
            process.leading,
            to_db(process.started_at),
            to_db(process.heartbeat_at),
        )

    async def cluster(self, alive_since: dt.datetime) -> list[ClusterProcess]:
        """The processes whose last heartbeat is not older than `alive_since`, by id."""
        rows = await self._db.pool.fetch(
            "SELECT process_id, shard_ids, shard_count, leads, started_at, heartbeat_at"
            " FROM cluster_processes WHERE heartbeat_at >= $1 ORDER BY process_id",
            to_db(alive_since),
        )
        return [
            ClusterProcess(
                process_id=row["process_id"],
                shard_ids=None if row["shard_ids"] is None else tuple(row["shard_ids"]),
                shard_count=row["shard_count"],
                leading=row["leads"],
                started_at=row["started_at"],
                heartbeat_at=row["heartbeat_at"],
            )
            for row in rows
        ]

    async def forget_process(self, process_id: str) -> None:
        """Remove a process that stopped cleanly."""
        await self._db.pool.execute(
            "DELETE FROM cluster_processes WHERE process_id = $1", process_id
        )
