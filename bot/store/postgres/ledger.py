"""The delivery ledger in PostgreSQL: one row per digest and due time, claimed, sent, settled.

Claims (in `claims`) lock the subscriptions they advance, so no due time is claimed
twice, however many processes claim at once. Progress and settling are one guarded
statement each; marking a row sent moves the subscription's snapshot in the same
statement through the `deliveries_sent` trigger.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import bot.store.postgres.claims as claiming
from bot.digests.records import Blob, Delivery, DigestClaim, Subscription
from bot.store.pending import check_claims
from bot.store.postgres.database import BLOB_LOCK, PostgresDatabase
from bot.store.postgres.rows import (
    DELIVERY_COLUMNS,
    SUBSCRIPTION_COLUMNS,
    SUBSCRIPTION_WIDTH,
    UNFINISHED,
    count_of,
    delivery_from_row,
    subscription_from_row,
    to_db,
)


class PostgresLedger:
    """Digests claimed for sending, their progress, and the blobs they are stored in."""

    def __init__(self, database: PostgresDatabase) -> None:
        self._db = database

    async def of_channel(self, guild_id: int, channel_id: int) -> list[Delivery]:
        """The ledger of one guild's channel subscription, oldest due time first."""
        rows = await self._db.pool.fetch(
            f"SELECT {DELIVERY_COLUMNS} FROM deliveries d"
            " JOIN subscriptions s ON s.id = d.subscription_id"
            " WHERE s.guild_id = $1 AND s.channel_id = $2 ORDER BY d.due_at",
            guild_id,
            channel_id,
        )
        return [delivery_from_row(row) for row in rows]

    async def unfinished(self) -> list[tuple[Subscription, Delivery]]:
        """Ledger rows not yet sent whose subscription is active, oldest first."""
        rows = await self._db.pool.fetch(
            f"SELECT {SUBSCRIPTION_COLUMNS}, {DELIVERY_COLUMNS}"
            " FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id"
            f" WHERE d.status IN {UNFINISHED} AND s.state = 'active'"
            " ORDER BY d.due_at, s.id",
        )
        return [
            (subscription_from_row(row), delivery_from_row(tuple(row)[SUBSCRIPTION_WIDTH:]))
            for row in rows
        ]

    async def get(self, subscription_id: int, due_at: dt.datetime) -> Delivery | None:
        """One ledger row."""
        row = await self._db.pool.fetchrow(
            f"SELECT {DELIVERY_COLUMNS} FROM deliveries d"
            " WHERE d.subscription_id = $1 AND d.due_at = $2",
            subscription_id,
            to_db(due_at),
        )
        return None if row is None else delivery_from_row(row)

    async def blobs(self, hashes: Iterable[str]) -> dict[str, str]:
        """The stored texts with these hashes (missing ones are left out)."""
        wanted = sorted(set(hashes))
        if not wanted:
            return {}
        rows = await self._db.pool.fetch(
            "SELECT hash, body FROM digest_blobs WHERE hash = ANY($1::text[])", wanted
        )
        return {str(row[0]): str(row[1]) for row in rows}

    async def claim_scheduled(
        self, claims: Sequence[DigestClaim], now: dt.datetime
    ) -> list[Delivery]:
        """Advance due subscriptions and write their pending ledger rows, atomically.

        A claim only applies if the subscription is still active and still due at the
        time it was read, so two ticks (or two processes) can never both claim one due
        time. A claim that posts is also a compare-and-set on the subscription's
        `claim_version`: if any other claim posted since the digest was composed, this
        one posts nothing. Returns the ledger rows written, ready to send. However many
        claims there are, this takes a fixed number of database trips.
        """
        check_claims(claims)
        if not claims:
            return []
        return await claiming.claim_scheduled(self._db, claims, now)

    async def claim_manual(
        self,
        subscription: Subscription,
        due_at: dt.datetime,
        payload: Blob,
        snapshot: Blob,
        message_count: int,
        now: dt.datetime,
    ) -> Delivery | None:
        """Write the pending ledger row of a digest sent on request (or find the one there).

        A compare-and-set on `claim_version`, like a scheduled claim: None when another
        claim posted since `subscription` was read, so the digest is not posted twice.
        """
        blobs = (payload, snapshot)
        if not await claiming.claim_manual(
            self._db, subscription, due_at, blobs, message_count, now
        ):
            return None
        found = await self.get(subscription.id, due_at)
        assert found is not None
        return found

    async def record_progress(
        self,
        subscription_id: int,
        due_at: dt.datetime,
        message_ids: Sequence[int],
        attempts: int,
        now: dt.datetime,
    ) -> None:
        """Remember which messages of a multi-message digest are already sent."""
        await self._db.pool.execute(
            "UPDATE deliveries SET message_ids = $1, attempts = attempts + $2, updated_at = $3"
            " WHERE subscription_id = $4 AND due_at = $5",
            list(message_ids),
            attempts,
            to_db(now),
            subscription_id,
            to_db(due_at),
        )

    async def mark_thread_opening(
        self, subscription_id: int, due_at: dt.datetime, now: dt.datetime
    ) -> None:
        """Note, before asking Discord for it, that this digest is opening its thread."""
        await self._db.pool.execute(
            "UPDATE deliveries SET thread_opening_at = $1, updated_at = $1"
            " WHERE subscription_id = $2 AND due_at = $3",
            to_db(now),
            subscription_id,
            to_db(due_at),
        )

    async def record_thread(
        self, subscription_id: int, due_at: dt.datetime, thread_id: int, now: dt.datetime
    ) -> None:
        """Remember the forum post or thread this digest opened."""
        await self._db.pool.execute(
            "UPDATE deliveries SET thread_id = $1, updated_at = $2"
            " WHERE subscription_id = $3 AND due_at = $4",
            thread_id,
            to_db(now),
            subscription_id,
            to_db(due_at),
        )

    async def mark_sent(
        self,
        subscription: Subscription,
        delivery: Delivery,
        message_ids: Sequence[int],
        attempts: int,
        now: dt.datetime,
    ) -> None:
        """Mark a ledger row sent and move the subscription's snapshot to what it covered.

        One statement: the `deliveries_sent` trigger moves the snapshot atomically with it.
        The guard locks the subscription before the ledger row, the order in which
        deleting a subscription (and, by cascade, its ledger) takes them, so the two never
        wait for each other.
        """
        await self._db.pool.execute(
            "UPDATE deliveries SET status = 'sent', message_ids = $1,"
            " attempts = attempts + $2, last_error = NULL, updated_at = $3"
            " WHERE subscription_id = $4 AND due_at = $5 AND status <> 'sent'"
            " AND EXISTS (SELECT 1 FROM subscriptions WHERE id = $6 AND guild_id = $7"
            "   FOR NO KEY UPDATE)",
            list(message_ids),
            attempts,
            to_db(now),
            delivery.subscription_id,
            to_db(delivery.due_at),
            subscription.id,
            subscription.guild_id,
        )

    async def record_failure(
        self,
        subscription_id: int,
        due_at: dt.datetime,
        message_ids: Sequence[int],
        attempts: int,
        error: str,
        now: dt.datetime,
    ) -> None:
        """Mark a ledger row failed after its attempts ran out; the next tick retries it."""
        await self._db.pool.execute(
            "UPDATE deliveries SET status = 'failed', message_ids = $1,"
            " attempts = attempts + $2, last_error = $3, updated_at = $4"
            " WHERE subscription_id = $5 AND due_at = $6 AND status <> 'sent'",
            list(message_ids),
            attempts,
            error,
            to_db(now),
            subscription_id,
            to_db(due_at),
        )

    async def expire(
        self, subscription: Subscription, delivery: Delivery, now: dt.datetime
    ) -> None:
        """Give up on a ledger row that is too late to send, and record the skip.

        The subscription first, then its ledger row: the order every writer takes them in.
        """
        due_at = to_db(delivery.due_at)
        async with self._db.transaction() as connection:
            await connection.execute(
                "UPDATE subscriptions SET missed_from = $1, missed_until = $1"
                " WHERE id = $2 AND guild_id = $3",
                due_at,
                subscription.id,
                subscription.guild_id,
            )
            await connection.execute(
                "UPDATE deliveries SET status = 'expired', updated_at = $1"
                " WHERE subscription_id = $2 AND due_at = $3 AND status <> 'sent'",
                to_db(now),
                delivery.subscription_id,
                due_at,
            )

    async def prune(self, before: dt.datetime) -> int:
        """Forget finished ledger rows due before `before`, and blobs nothing refers to.

        Holds the blob lock exclusively, so no claim is storing a blob it is about to
        refer to while the unreferenced ones are deleted. It takes that lock before any
        row, so it never holds a row that a claim waiting for the lock needs.
        """
        async with self._db.transaction() as connection:
            await connection.execute("SELECT pg_advisory_xact_lock($1)", BLOB_LOCK)
            removed = count_of(
                await connection.execute(
                    "DELETE FROM deliveries WHERE due_at < $1 AND status IN ('sent', 'expired')",
                    to_db(before),
                )
            )
            await connection.execute(
                "DELETE FROM digest_blobs b"
                " WHERE NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.payload_hash = b.hash)"
                " AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.snapshot_hash = b.hash)"
                " AND NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.snapshot_hash = b.hash)"
            )
        return removed
