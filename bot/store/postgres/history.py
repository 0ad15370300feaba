"""Run history in PostgreSQL: what each delivery run did for each subscription."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from bot.digests.records import KEEP_RUNS, DigestRun, RunOutcome
from bot.store.postgres.database import PostgresDatabase
from bot.store.postgres.rows import maybe_db, maybe_utc, to_db, utc

_COLUMNS = "subscription_id, at, outcome, due_at, channel_id, message_id, code, reason, detail"
_FROM_R = ", ".join(f"r.{column}" for column in _COLUMNS.split(", "))


class PostgresRunHistory:
    """The newest `KEEP_RUNS` runs of each subscription."""

    def __init__(self, database: PostgresDatabase) -> None:
        self._db = database

    async def record(self, runs: Sequence[DigestRun]) -> None:
        """Add these runs, dropping each subscription's runs beyond the newest `KEEP_RUNS`.

        Two statements in one transaction, whatever the number of runs: the insert skips
        subscriptions removed meanwhile, the delete keeps each touched one's newest rows.
        """
        if not runs:
            return
        async with self._db.pool.acquire() as connection, connection.transaction():
            await connection.execute(
                f"INSERT INTO digest_runs ({_COLUMNS})"
                f" SELECT {_FROM_R} FROM unnest($1::bigint[], $2::timestamptz[], $3::text[],"
                "   $4::timestamptz[], $5::bigint[], $6::bigint[], $7::int[], $8::text[],"
                "   $9::text[]) WITH ORDINALITY"
                f"   AS r({_COLUMNS}, n)"
                " JOIN subscriptions s ON s.id = r.subscription_id ORDER BY r.n",
                [run.subscription_id for run in runs],
                [to_db(run.at) for run in runs],
                [run.outcome for run in runs],
                [maybe_db(run.due_at) for run in runs],
                [run.channel_id for run in runs],
                [run.message_id for run in runs],
                [run.code for run in runs],
                [run.reason for run in runs],
                [run.detail for run in runs],
            )
            await connection.execute(
                "DELETE FROM digest_runs d USING ("
                "  SELECT id, row_number() OVER (PARTITION BY subscription_id ORDER BY id DESC)"
                "  AS newest FROM digest_runs WHERE subscription_id = ANY($1::bigint[])"
                ") old WHERE d.id = old.id AND old.newest > $2",
                sorted({run.subscription_id for run in runs}),
                KEEP_RUNS,
            )

    async def recent(self, subscription_id: int, limit: int = 5) -> list[DigestRun]:
        """The subscription's newest runs, newest first."""
        rows = await self._db.pool.fetch(
            f"SELECT {_COLUMNS} FROM digest_runs WHERE subscription_id = $1"
            " ORDER BY id DESC LIMIT $2",
            subscription_id,
            limit,
        )
        return [
            DigestRun(
                subscription_id=int(row[0]),
                at=utc(row[1]),
                outcome=cast(RunOutcome, row[2]),
                due_at=maybe_utc(row[3]),
                channel_id=row[4],
                message_id=row[5],
                code=row[6],
                reason=row[7],
                detail=row[8],
            )
            for row in rows
        ]
