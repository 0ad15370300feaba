"""Run history in SQLite: what each delivery run did for each subscription."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from bot.digests.records import KEEP_RUNS, DigestRun, RunOutcome
from bot.store.sqlite.database import SqliteDatabase
from bot.store.sqlite.rows import from_epoch, to_epoch

_COLUMNS = "subscription_id, at, outcome, due_at, channel_id, message_id, code, reason, detail"


class SqliteRunHistory:
    """The newest `KEEP_RUNS` runs of each subscription."""

    def __init__(self, database: SqliteDatabase) -> None:
        self._sql = database

    async def record(self, runs: Sequence[DigestRun]) -> None:
        """Add these runs, dropping each subscription's runs beyond the newest `KEEP_RUNS`."""
        if not runs:
            return
        rows = [
            (
                run.subscription_id,
                to_epoch(run.at),
                run.outcome,
                None if run.due_at is None else to_epoch(run.due_at),
                run.channel_id,
                run.message_id,
                run.code,
                run.reason,
                run.detail,
            )
            for run in runs
        ]
        touched = sorted({run.subscription_id for run in runs})
        async with self._sql.transaction():
            # A subscription removed meanwhile has no history to keep.
            await self._sql.connection.executemany(
                f"INSERT INTO digest_runs ({_COLUMNS})"
                " SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?"
                " WHERE EXISTS (SELECT 1 FROM subscriptions WHERE id = ?)",
                [(*row, row[0]) for row in rows],
            )
            await self._sql.connection.executemany(
                "DELETE FROM digest_runs WHERE subscription_id = ? AND id <= ("
                " SELECT id FROM digest_runs WHERE subscription_id = ?"
                " ORDER BY id DESC LIMIT 1 OFFSET ?)",
                [(sub, sub, KEEP_RUNS) for sub in touched],
            )

    async def recent(self, subscription_id: int, limit: int = 5) -> list[DigestRun]:
        """The subscription's newest runs, newest first."""
        rows = await self._sql.rows(
            f"SELECT {_COLUMNS} FROM digest_runs WHERE subscription_id = ?"
            " ORDER BY id DESC LIMIT ?",
            (subscription_id, limit),
        )
        return [
            DigestRun(
                subscription_id=int(row[0]),
                at=from_epoch(int(row[1])),
                outcome=cast(RunOutcome, row[2]),
                due_at=None if row[3] is None else from_epoch(int(row[3])),
                channel_id=row[4],
                message_id=row[5],
                code=row[6],
                reason=row[7],
                detail=row[8],
            )
            for row in rows
        ]
