"""Claims of digests in PostgreSQL, safe with any number of processes on one database.

A scheduled batch locks its subscriptions' rows (`SELECT ... ORDER BY id FOR UPDATE`:
always in id order, so two processes claiming overlapping batches wait for each other
instead of deadlocking), decides from what it locked which claims still apply, exactly
as the SQLite store applies them one by one, and writes the result with one guarded
`UPDATE ... FROM unnest(...) RETURNING`. Only the rows that update returns get ledger
rows. A claim that lost the race finds the due time or the `claim_version` moved and
posts nothing. A batch takes at most five round trips (begin, lock, update, blobs with
ledger rows, commit), however many claims it has; one that only moves due times
takes four.
A manual claim is one compare-and-set `UPDATE ... WHERE claim_version = $n`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from bot.digests.records import Blob, Delivery, DigestClaim, Subscription
from bot.store.pending import pending_rows
from bot.store.postgres.database import BLOB_LOCK, PostgresDatabase
from bot.store.postgres.rows import epoch, to_db

# With each locked row, which of the batch's due times its ledger already has: every
# ledger row is written under its subscription's row lock, so this cannot go stale.
# Times travel as epoch seconds (`bigint`): a batch's arrays hold thousands of them, and
# integers cost asyncpg a fraction of what datetimes do on the way in and out.
LOCK_SUBSCRIPTIONS = (
    "SELECT s.id, s.guild_id, extract(epoch FROM s.next_due)::bigint AS next_due, s.state,"
    " s.claim_version, extract(epoch FROM s.missed_from)::bigint AS missed_from,"
    " extract(epoch FROM s.missed_until)::bigint AS missed_until,"
    " ARRAY(SELECT extract(epoch FROM d.due_at)::bigint FROM deliveries d"
    "   WHERE d.subscription_id = s.id"
    "   AND d.due_at = ANY(ARRAY(SELECT to_timestamp(t) FROM unnest($2::bigint[]) AS t)))"
    "   AS claimed"
    " FROM subscriptions s WHERE s.id = ANY($1::bigint[]) ORDER BY s.id FOR UPDATE OF s"
)

# The guard repeats what was checked under the lock: nothing can pass it that did not.
MOVE_SUBSCRIPTIONS = (
    "UPDATE subscriptions AS s SET next_due = to_timestamp(c.next_due),"
    " claim_version = c.claim_version, missed_from = to_timestamp(c.missed_from),"
    " missed_until = to_timestamp(c.missed_until)"
    " FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[],"
    "   $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[])"
    "   AS c(id, guild_id, old_due, old_version, next_due, claim_version, missed_from,"
    "        missed_until)"
    " WHERE s.id = c.id AND s.guild_id = c.guild_id AND s.next_due = to_timestamp(c.old_due)"
    " AND s.claim_version = c.old_version AND s.state = 'active'"
    " RETURNING s.id"
)

INSERT_BLOBS = (
    "INSERT INTO digest_blobs (hash, body) SELECT * FROM unnest($1::text[], $2::text[])"
    " ON CONFLICT (hash) DO NOTHING"
)

# The blobs and the ledger rows in one statement (one round trip): the blob lock is
# taken before any blob is written, since every blob row joins the lock's one row, and
# the ledger rows' references see blobs the same statement inserts.
INSERT_PENDING = (
    "WITH blob_lock AS (SELECT pg_advisory_xact_lock_shared($7) AS taken),"
    " blobs AS (INSERT INTO digest_blobs (hash, body)"
    "   SELECT b.hash, b.body FROM blob_lock, unnest($8::text[], $9::text[]) AS b(hash, body)"
    "   ON CONFLICT (hash) DO NOTHING)"
    " INSERT INTO deliveries (subscription_id, due_at, kind, status, payload_hash,"
    " snapshot_hash, message_count, created_at, updated_at)"
    " SELECT c.id, to_timestamp(c.due_at), 'scheduled', 'pending', c.payload_hash,"
    "   c.snapshot_hash, c.message_count, $6, $6"
    " FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::integer[])"
    "   AS c(id, due_at, payload_hash, snapshot_hash, message_count)"
    " ON CONFLICT (subscription_id, due_at) DO NOTHING"
    " RETURNING subscription_id"
)


@dataclass
class Locked:
    """A subscription's claim-relevant columns as locked, then as the claims leave them.

    Times are epoch seconds, as the statements above pass them.
    """

    guild_id: int
    next_due: int
    active: bool
    claim_version: int
    missed_from: int | None
    missed_until: int | None


@dataclass(frozen=True)
class ClaimPlan:
    """Which claims apply, and each changed subscription's values before and after."""

    moving: list[DigestClaim]  # claims that post, at most one per subscription
    before: dict[int, Locked]
    after: dict[int, Locked]


def plan_claims(claims: Sequence[DigestClaim], locked: dict[int, Locked]) -> ClaimPlan:
    """Decide which claims apply to the locked rows, as if applied one at a time.

    A claim that posts must find its subscription active, at the due time and the claim
    version it was composed from, and be the first such claim for it in the batch; those
    apply first, bumping the version. Then claims that only move the due time apply in
    order wherever the due time is still the one they read.
    """
    moving: list[DigestClaim] = []
    taken: set[int] = set()
    for claim in claims:
        sub = claim.subscription
        row = locked.get(sub.id)
        if claim.due_at is None or row is None or sub.id in taken:
            continue
        if (
            row.active
            and row.guild_id == sub.guild_id
            and row.next_due == epoch(sub.next_due)
            and row.claim_version == sub.claim_version
        ):
            taken.add(sub.id)
            moving.append(claim)
    after: dict[int, Locked] = {}
    for claim in (*moving, *(c for c in claims if c.due_at is None)):
        sub = claim.subscription
        row = after.get(sub.id) or locked.get(sub.id)
        if row is None or not row.active or row.guild_id != sub.guild_id:
            continue
        if row.next_due != epoch(sub.next_due):
            continue
        missed_from, missed_until = (
            (row.missed_from, row.missed_until)
            if claim.missed is None
            else (epoch(claim.missed[0]), epoch(claim.missed[1]))
        )
        after[sub.id] = replace(
            row,
            next_due=epoch(claim.next_due),
            claim_version=row.claim_version + (1 if claim.due_at is not None else 0),
            missed_from=missed_from,
            missed_until=missed_until,
        )
    return ClaimPlan(moving, {i: locked[i] for i in after}, after)


def _locked(row: Any) -> Locked:
    return Locked(
        guild_id=int(row["guild_id"]),
        next_due=int(row["next_due"]),
        active=row["state"] == "active",
        claim_version=int(row["claim_version"]),
        missed_from=row["missed_from"],
        missed_until=row["missed_until"],
    )


async def write_blobs(connection: Any, blobs: Iterable[tuple[str, str]]) -> None:
    """Store blobs once each, holding the blob lock shared so pruning cannot race them.

    In hash order: a claim inserting a blob that another open claim has just inserted
    waits for that one to finish, and one order for everyone means no two ever wait
    for each other.
    """
    pairs = sorted(dict(blobs).items())
    await connection.execute("SELECT pg_advisory_xact_lock_shared($1)", BLOB_LOCK)
    await connection.execute(INSERT_BLOBS, [h for h, _ in pairs], [b for _, b in pairs])


async def claim_scheduled(
    database: PostgresDatabase, claims: Sequence[DigestClaim], now: dt.datetime
) -> list[Delivery]:
    """Advance due subscriptions and write their pending ledger rows, in one transaction."""
    stamp = to_db(now)
    ids = sorted({claim.subscription.id for claim in claims})
    due_times = sorted({epoch(claim.due_at) for claim in claims if claim.due_at is not None})
    async with database.transaction() as connection:
        rows = await connection.fetch(LOCK_SUBSCRIPTIONS, ids, due_times)
        locked = {int(row["id"]): _locked(row) for row in rows}
        existing = {(int(row["id"]), int(due)) for row in rows for due in row["claimed"]}
        plan = plan_claims(claims, locked)
        if not plan.after:
            return []
        changed = list(plan.after)
        moved = {
            int(row["id"])
            for row in await connection.fetch(
                MOVE_SUBSCRIPTIONS,
                changed,
                [plan.after[i].guild_id for i in changed],
                [plan.before[i].next_due for i in changed],
                [plan.before[i].claim_version for i in changed],
                [plan.after[i].next_due for i in changed],
                [plan.after[i].claim_version for i in changed],
                [plan.after[i].missed_from for i in changed],
                [plan.after[i].missed_until for i in changed],
            )
        }
        moving = [claim for claim in plan.moving if claim.subscription.id in moved]
        written, blobs = pending_rows(moving, existing)
        if not written:
            return []
        pairs = sorted(blobs.items())  # hash order, as in `write_blobs`
        inserted = {
            int(row["subscription_id"])
            for row in await connection.fetch(
                INSERT_PENDING,
                [row.subscription_id for row in written],
                [epoch(row.due_at) for row in written],
                [row.payload_hash for row in written],
                [row.snapshot_hash for row in written],
                [row.message_count for row in written],
                stamp,
                BLOB_LOCK,
                [h for h, _ in pairs],
                [b for _, b in pairs],
            )
        }
    return [row for row in written if row.subscription_id in inserted]


async def claim_manual(
    database: PostgresDatabase,
    subscription: Subscription,
    due_at: dt.datetime,
    blobs: tuple[Blob, Blob],
    message_count: int,
    now: dt.datetime,
) -> bool:
    """The compare-and-set of a digest sent on request: whether it applied (its ledger
    row is then written, or was there already).

    The `UPDATE ... WHERE claim_version = $n` waits for any claim holding the row and
    then re-reads it, so of two claims composed from one version only the first applies.
    """
    payload, snapshot = blobs
    stamp = to_db(now)
    async with database.transaction() as connection:
        bumped = await connection.fetchval(
            "UPDATE subscriptions SET claim_version = claim_version + 1"
            " WHERE id = $1 AND guild_id = $2 AND claim_version = $3 RETURNING id",
            subscription.id,
            subscription.guild_id,
            subscription.claim_version,
        )
        if bumped is None:
            exists = await connection.fetchval(
                "SELECT 1 FROM subscriptions WHERE id = $1 AND guild_id = $2",
                subscription.id,
                subscription.guild_id,
            )
            if exists is None:
                raise LookupError("the subscription no longer exists")
            return False
        await write_blobs(
            connection, [(payload.hash, payload.body), (snapshot.hash, snapshot.body)]
        )
        await connection.execute(
            "INSERT INTO deliveries (subscription_id, due_at, kind, status,"
            " payload_hash, snapshot_hash, message_count, created_at, updated_at)"
            " VALUES ($1, $2, 'manual', 'pending', $3, $4, $5, $6, $6)"
            " ON CONFLICT (subscription_id, due_at) DO NOTHING",
            subscription.id,
            to_db(due_at),
            payload.hash,
            snapshot.hash,
            message_count,
            stamp,
        )
    return True
