"""The delivery ledger in SQLite: one row per digest and due time, claimed, sent, settled.

A claim advances the subscription's due time and writes the pending row in one
transaction, so no due time is ever claimed twice; the stored digest (payload and
snapshot blobs) is written before the first send.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence

import bot.store.sqlite.claims as claiming
from bot.digests.records import Blob, Delivery, DigestClaim, Subscription
from bot.store.pending import check_claims
from bot.store.sqlite.database import SqliteDatabase
from bot.store.sqlite.rows import (
    DELIVERY_COLUMNS,
    SUBSCRIPTION_COLUMNS,
    SUBSCRIPTION_WIDTH,
    UNFINISHED,
    delivery_from_row,
    subscription_from_row,
    to_epoch,
)


class SqliteLedger:
    """Digests claimed for sending, their progress, and the blobs they are stored in."""

    def __init__(self, database: SqliteDatabase) -> None:
        self._sql = database

    async def of_channel(self, guild_id: int, channel_id: int) -> list[Delivery]:
        """The ledger of one guild's channel subscription, oldest due time first."""
        rows = await self._sql.rows(
            f"SELECT {DELIVERY_COLUMNS} FROM deliveries d"
            " JOIN subscriptions s ON s.id = d.subscription_id"
            " WHERE s.guild_id = ? AND s.channel_id = ? ORDER BY d.due_at",
            (guild_id, channel_id),
        )
        return [delivery_from_row(row) for row in rows]

    async def unfinished(self) -> list[tuple[Subscription, Delivery]]:
        """Ledger rows not yet sent whose subscription is active, oldest first."""
        rows = await self._sql.rows(
            f"SELECT {SUBSCRIPTION_COLUMNS}, {DELIVERY_COLUMNS}"
            " FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id"
            f" WHERE d.status IN {UNFINISHED} AND s.state = 'active'"
            " ORDER BY d.due_at, s.id",
        )
        return [
            (subscription_from_row(row), delivery_from_row(row[SUBSCRIPTION_WIDTH:]))
            for row in rows
        ]

    async def get(self, subscription_id: int, due_at: dt.datetime) -> Delivery | None:
        """One ledger row."""
        rows = await self._sql.rows(
            f"SELECT {DELIVERY_COLUMNS} FROM deliveries d"
            " WHERE d.subscription_id = ? AND d.due_at = ?",
            (subscription_id, to_epoch(due_at)),
        )
        return delivery_from_row(rows[0]) if rows else None

    async def blobs(self, hashes: Iterable[str]) -> dict[str, str]:
        """The stored texts with these hashes (missing ones are left out)."""
        wanted = sorted(set(hashes))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            for row in await self._sql.rows(
                f"SELECT hash, body FROM digest_blobs WHERE hash IN ({marks})", chunk
            ):
                found[str(row[0])] = str(row[1])
        return found

    async def claim_scheduled(
        self, claims: Sequence[DigestClaim], now: dt.datetime
    ) -> list[Delivery]:
        """Advance due subscriptions and write their pending ledger rows, atomically.

        A claim only applies if the subscription is still active and still due at the
        time it was read, so two ticks can never both claim one due time. A claim that
        posts is also a compare-and-set on the subscription's `claim_version`: if any
        other claim (`/digest send`, another process) posted since the digest was
        composed, this one posts nothing. Returns the ledger rows written, ready to send.
        However many claims there are, this takes a fixed number of database trips.
        """
        check_claims(claims)
        if not claims:
            return []
        return await claiming.claim_scheduled(self._sql, claims, now)

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
            self._sql, subscription, due_at, blobs, message_count, now
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
        await self._sql.write(
            "UPDATE deliveries SET message_ids = ?, attempts = attempts + ?, updated_at = ?"
            " WHERE subscription_id = ? AND due_at = ?",
            (
                json.dumps(list(message_ids)),
                attempts,
                to_epoch(now),
                subscription_id,
                to_epoch(due_at),
            ),
        )

    async def mark_thread_opening(
        self, subscription_id: int, due_at: dt.datetime, now: dt.datetime
    ) -> None:
        """Note, before asking Discord for it, that this digest is opening its thread."""
        await self._sql.write(
            "UPDATE deliveries SET thread_opening_at = ?, updated_at = ?"
            " WHERE subscription_id = ? AND due_at = ?",
            (to_epoch(now), to_epoch(now), subscription_id, to_epoch(due_at)),
        )

    async def record_thread(
        self, subscription_id: int, due_at: dt.datetime, thread_id: int, now: dt.datetime
    ) -> None:
        """Remember the forum post or thread this digest opened."""
        await self._sql.write(
            "UPDATE deliveries SET thread_id = ?, updated_at = ?"
            " WHERE subscription_id = ? AND due_at = ?",
            (thread_id, to_epoch(now), subscription_id, to_epoch(due_at)),
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
        """
        await self._sql.write(
            "UPDATE deliveries SET status = 'sent', message_ids = ?,"
            " attempts = attempts + ?, last_error = NULL, updated_at = ?"
            " WHERE subscription_id = ? AND due_at = ? AND status != 'sent'"
            " AND EXISTS (SELECT 1 FROM subscriptions WHERE id = ? AND guild_id = ?)",
            (
                json.dumps(list(message_ids)),
                attempts,
                to_epoch(now),
                delivery.subscription_id,
                to_epoch(delivery.due_at),
                subscription.id,
                subscription.guild_id,
            ),
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
        await self._sql.write(
            "UPDATE deliveries SET status = 'failed', message_ids = ?,"
            " attempts = attempts + ?, last_error = ?, updated_at = ?"
            " WHERE subscription_id = ? AND due_at = ? AND status != 'sent'",
            (
                json.dumps(list(message_ids)),
                attempts,
                error,
                to_epoch(now),
                subscription_id,
                to_epoch(due_at),
            ),
        )

    async def expire(
        self, subscription: Subscription, delivery: Delivery, now: dt.datetime
    ) -> None:
        """Give up on a ledger row that is too late to send, and record the skip."""
        async with self._sql.transaction():
            await self._sql.run(
                "UPDATE deliveries SET status = 'expired', updated_at = ?"
                " WHERE subscription_id = ? AND due_at = ? AND status != 'sent'",
                (to_epoch(now), delivery.subscription_id, to_epoch(delivery.due_at)),
            )
            await self._sql.run(
                "UPDATE subscriptions SET missed_from = ?, missed_until = ?"
                " WHERE id = ? AND guild_id = ?",
                (
                    to_epoch(delivery.due_at),
                    to_epoch(delivery.due_at),
                    subscription.id,
                    subscription.guild_id,
                ),
            )

    async def prune(self, before: dt.datetime) -> int:
        """Forget finished ledger rows due before `before`, and blobs nothing refers to."""
        async with self._sql.transaction():
            removed = await self._sql.run(
                "DELETE FROM deliveries WHERE due_at < ? AND status IN ('sent', 'expired')",
                (to_epoch(before),),
            )
            await self._sql.run(
                "DELETE FROM digest_blobs WHERE hash NOT IN"
                " (SELECT payload_hash FROM deliveries UNION SELECT snapshot_hash FROM deliveries"
                "  UNION SELECT snapshot_hash FROM subscriptions"
                "  WHERE snapshot_hash IS NOT NULL)"
            )
        return removed
