"""Claims of digests in SQLite: one transaction each, in a fixed number of trips.

A scheduled batch reads its subscriptions by id (with the due times the ledger already
has), keeps the claims whose subscription is still active, due at the time it was read
and at the `claim_version` it was composed from (the first such claim of each), moves
every due time with guarded `UPDATE ... FROM` statements, and writes the blobs and the
pending ledger rows. A manual claim is a compare-and-set on `claim_version`. SQLite
allows one writer at a time, so no other claim runs in between.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from bot.digests.records import Blob, Delivery, DigestClaim, Subscription
from bot.store.pending import pending_rows
from bot.store.sqlite.database import SqliteDatabase
from bot.store.sqlite.rows import to_epoch


async def claim_scheduled(
    database: SqliteDatabase, claims: Sequence[DigestClaim], now: dt.datetime
) -> list[Delivery]:
    """Advance due subscriptions and write their pending ledger rows, in one transaction."""
    stamp = to_epoch(now)
    delivering = [claim for claim in claims if claim.due_at is not None]
    advancing = [claim for claim in claims if claim.due_at is None]
    ids = json.dumps(sorted({claim.subscription.id for claim in delivering}))
    async with database.transaction():
        moving: list[DigestClaim] = []
        existing: set[tuple[int, int]] = set()
        if delivering:
            # By id alone, so SQLite looks each one up instead of scanning the active
            # ones; with the due times already in the ledger, in the same one trip.
            still_due: set[tuple[int, int, int, int]] = set()
            for row in await _aggregated(
                database,
                "SELECT json_group_array(json_array(id, guild_id, next_due, state,"
                " claim_version, json((SELECT json_group_array(due_at) FROM deliveries"
                " WHERE subscription_id = subscriptions.id))))"
                " FROM subscriptions WHERE id IN (SELECT value FROM json_each(?))",
                ids,
            ):
                existing.update((int(row[0]), int(due)) for due in row[5])
                if row[3] == "active":
                    still_due.add((int(row[0]), int(row[1]), int(row[2]), int(row[4])))
            for claim in delivering:
                sub = claim.subscription
                key = (sub.id, sub.guild_id, to_epoch(sub.next_due), sub.claim_version)
                if key in still_due:
                    still_due.discard(key)  # a second claim of the same due time loses
                    moving.append(claim)
        # Claims without a digest need not know whether they applied: the condition
        # in the statement is the whole check. Claims that post bump the version.
        posting = {id(claim) for claim in moving}
        # One statement per round: an UPDATE ... FROM applies one arbitrary row of
        # several for the same subscription, so a subscription's second claim in the
        # call goes in the next round, applying after the first as if one by one.
        rounds: list[list[tuple[Any, ...]]] = []
        seen: dict[int, int] = {}
        for claim in (*moving, *advancing):
            sub = claim.subscription
            turn = seen[sub.id] = seen.get(sub.id, -1) + 1
            if turn == len(rounds):
                rounds.append([])
            rounds[turn].append(
                (
                    to_epoch(claim.next_due),
                    1 if id(claim) in posting else 0,
                    *(
                        (None, None)
                        if claim.missed is None
                        else (to_epoch(claim.missed[0]), to_epoch(claim.missed[1]))
                    ),
                    sub.id,
                    sub.guild_id,
                    to_epoch(sub.next_due),
                )
            )
        for values in rounds:
            await database.run_for_rows(
                "WITH claim (next_due, bump, missed_from, missed_until, id, guild_id, due)"
                " AS (VALUES {values})"
                " UPDATE subscriptions SET next_due = claim.next_due,"
                " claim_version = claim_version + claim.bump,"
                " missed_from = COALESCE(claim.missed_from, subscriptions.missed_from),"
                " missed_until = COALESCE(claim.missed_until, subscriptions.missed_until)"
                " FROM claim WHERE subscriptions.id = claim.id"
                " AND subscriptions.guild_id = claim.guild_id"
                " AND subscriptions.next_due = claim.due AND subscriptions.state = 'active'",
                values,
            )
        if not moving:
            return []
        written, blobs = pending_rows(moving, existing)
        await database.run_for_rows(
            "INSERT OR IGNORE INTO digest_blobs (hash, body) VALUES {values}",
            list(blobs.items()),
        )
        await database.run_for_rows(
            "INSERT INTO deliveries (subscription_id, due_at, kind, status,"
            " payload_hash, snapshot_hash, message_count, created_at, updated_at)"
            " VALUES {values}",
            [
                (
                    row.subscription_id,
                    to_epoch(row.due_at),
                    row.kind,
                    row.status,
                    row.payload_hash,
                    row.snapshot_hash,
                    row.message_count,
                    stamp,
                    stamp,
                )
                for row in written
            ],
        )
    return written


async def _aggregated(database: SqliteDatabase, sql: str, ids: str) -> list[list[Any]]:
    """The rows a query folds into one JSON array: one step, however many rows.

    Inside a claim every stepped row hands the GIL over while the event loop
    composes the next batch, so hundreds of rows come back as one value instead.
    """
    rows = await database.rows(sql, (ids,))
    result: list[list[Any]] = json.loads(rows[0][0]) if rows and rows[0][0] else []
    return result


async def claim_manual(
    database: SqliteDatabase,
    subscription: Subscription,
    due_at: dt.datetime,
    blobs: tuple[Blob, Blob],
    message_count: int,
    now: dt.datetime,
) -> bool:
    """The compare-and-set of a digest sent on request: whether it applied (False: beaten).

    Its ledger row is written (or was there already) when it did."""
    payload, snapshot = blobs
    async with database.transaction():
        rows = await database.rows(
            "SELECT claim_version FROM subscriptions WHERE id = ? AND guild_id = ?",
            (subscription.id, subscription.guild_id),
        )
        if not rows:
            raise LookupError("the subscription no longer exists")
        if int(rows[0][0]) != subscription.claim_version:
            return False
        await database.run(
            "UPDATE subscriptions SET claim_version = claim_version + 1 WHERE id = ?",
            (subscription.id,),
        )
        stamp = to_epoch(now)
        await database.connection.executemany(
            "INSERT OR IGNORE INTO digest_blobs (hash, body) VALUES (?, ?)",
            [(blob.hash, blob.body) for blob in (payload, snapshot)],
        )
        await database.run(
            "INSERT OR IGNORE INTO deliveries (subscription_id, due_at, kind, status,"
            " payload_hash, snapshot_hash, message_count, created_at, updated_at)"
            " VALUES (?, ?, 'manual', 'pending', ?, ?, ?, ?, ?)",
            (
                subscription.id,
                to_epoch(due_at),
                payload.hash,
                snapshot.hash,
                message_count,
                stamp,
                stamp,
            ),
        )
    return True
