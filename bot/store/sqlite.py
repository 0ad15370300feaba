"""All SQL lives here: one SQLite database, reached through intent-named async methods.

Every method that serves a guild's command takes that guild's id and filters on it, so
one guild can never read or change another guild's subscriptions. The scheduler's
methods work across guilds by subscription id, and still check the guild id whenever
they change a subscription.

One connection serves the whole bot; writes are serialised with a lock so a
transaction from one task never swallows another task's statement.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import sqlite3
from collections.abc import AsyncIterator, Collection, Iterable, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from bot.briefings.library import Library
from bot.digests.records import (
    Blob,
    Delivery,
    DigestClaim,
    Mode,
    NewSubscription,
    State,
    StateCounts,
    Subscription,
)

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5_000
WAL_AUTOCHECKPOINT_PAGES = 16_384  # about 64 MB of write-ahead log


def to_epoch(moment: dt.datetime) -> int:
    """Seconds since the epoch for an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return int(moment.timestamp())


def from_epoch(seconds: int) -> dt.datetime:
    """An aware UTC datetime from seconds since the epoch."""
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def _maybe_epoch(seconds: Any) -> dt.datetime | None:
    return None if seconds is None else from_epoch(int(seconds))


def migrations() -> list[tuple[int, str]]:
    """The numbered migration scripts shipped with the package, in order."""
    folder = resources.files("bot.store") / "migrations"
    scripts = []
    for entry in folder.iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:3].isdigit():
            scripts.append((int(name[:3]), entry.read_text(encoding="utf-8")))
    return sorted(scripts)


_SUBSCRIPTION_COLUMNS = (
    "s.id, s.guild_id, s.channel_id, s.topics, s.schedule, s.timezone, s.mode, s.language, "
    "s.state, s.next_due, s.failure_code, s.failure_reason, s.failure_notified, "
    "s.last_digest_at, s.snapshot_hash, s.missed_from, s.missed_until"
)
_DELIVERY_COLUMNS = (
    "d.subscription_id, d.due_at, d.kind, d.status, d.payload_hash, d.snapshot_hash, "
    "d.message_count, d.message_ids, d.attempts, d.last_error"
)
_SUBSCRIPTION_WIDTH = 17
_INSERT_COLUMNS = (
    "guild_id, channel_id, topics, schedule, timezone, mode, language, next_due,"
    " created_by, created_at, updated_at"
)
_INSERT_MARKS = ", ".join("?" * 11)
_UNFINISHED = "('pending', 'failed')"


def _subscription(row: Sequence[Any], retry_error: str | None = None) -> Subscription:
    topics = None if row[3] is None else tuple(json.loads(row[3]))
    mode: Mode = "full" if row[6] == "full" else "changes"
    state: State = row[8]
    return Subscription(
        id=int(row[0]),
        guild_id=int(row[1]),
        channel_id=int(row[2]),
        topics=topics,
        schedule=str(row[4]),
        timezone=str(row[5]),
        mode=mode,
        language=str(row[7]),
        state=state,
        next_due=from_epoch(int(row[9])),
        failure_code=None if row[10] is None else int(row[10]),
        failure_reason=row[11],
        failure_notified=bool(row[12]),
        last_digest_at=_maybe_epoch(row[13]),
        snapshot_hash=row[14],
        missed_from=_maybe_epoch(row[15]),
        missed_until=_maybe_epoch(row[16]),
        retry_error=retry_error,
    )


def _delivery(row: Sequence[Any]) -> Delivery:
    return Delivery(
        subscription_id=int(row[0]),
        due_at=from_epoch(int(row[1])),
        kind=row[2],
        status=row[3],
        payload_hash=str(row[4]),
        snapshot_hash=str(row[5]),
        message_count=int(row[6]),
        message_ids=tuple(int(i) for i in json.loads(row[7])),
        attempts=int(row[8]),
        last_error=row[9],
    )


class Repository:
    """The bot's database: subscriptions, section history, deliveries and command sync."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()

    @property
    def db(self) -> aiosqlite.Connection:
        """The open connection; `open()` must have been awaited."""
        if self._db is None:
            raise RuntimeError("the repository is not open")
        return self._db

    @property
    def is_open(self) -> bool:
        """Whether `open()` has been awaited and `close()` has not."""
        return self._db is not None

    async def open(self) -> None:
        """Open the database, creating its folder, and apply pending migrations."""
        if self._db is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = await aiosqlite.connect(self.path, isolation_level=None)
        for pragma in (
            f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
            "PRAGMA journal_mode = WAL",
            "PRAGMA foreign_keys = ON",
            "PRAGMA synchronous = NORMAL",
            # Checkpoints run after each digest run (`checkpoint`), not inside the claim
            # that happens to fill the log; this is only the safety net.
            f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}",
        ):
            # Close each cursor: a pragma that returns a row would otherwise keep its
            # statement open and block the migration's COMMIT.
            async with self._db.execute(pragma):
                pass
        await self._migrate()

    async def close(self) -> None:
        """Close the connection, if open."""
        if self._db is not None:
            db, self._db = self._db, None
            async with self._write_lock:
                await db.close()

    async def checkpoint(self) -> int:
        """Copy the write-ahead log into the database file; how many pages it had to leave.

        PASSIVE: it never waits for, or blocks, readers and writers, so pages a reader
        still needs stay in the log for the next checkpoint.
        """
        rows = await self._rows("PRAGMA wal_checkpoint(PASSIVE)")
        _, in_log, copied = (int(value) for value in rows[0])
        return max(in_log - copied, 0)

    async def schema_version(self) -> int:
        """The number of the last migration applied."""
        async with self.db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def _migrate(self) -> None:
        current = await self.schema_version()
        pending = [(number, sql) for number, sql in migrations() if number > current]
        if not pending:
            return
        async with self._transaction():
            for number, sql in pending:
                for statement in _statements(sql):
                    await self._run(statement)
                await self._run(f"PRAGMA user_version = {number}")
                log.info("applied database migration %03d", number)

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[None]:
        """One write transaction; no other write runs on the connection meanwhile."""
        async with self._write_lock:
            await self._run("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                await self._run("ROLLBACK")
                raise
            await self._run("COMMIT")

    async def _run(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Execute one statement that returns no rows; how many rows it changed.

        One trip to the database thread (a cursor used as a context manager costs three).
        """
        cursor = await self.db.execute(sql, params)
        return max(cursor.rowcount, 0)

    async def _write(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Execute one write statement on its own, outside any other transaction."""
        async with self._write_lock:
            return await self._run(sql, params)

    async def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """Every row of a query, in one trip to the database thread."""
        return list(await self.db.execute_fetchall(sql, params))

    # --- Command sync ---------------------------------------------------------------

    async def command_tree_hash(self, scope: str) -> str | None:
        """The hash of the command tree last synced to this scope, if any."""
        rows = await self._rows("SELECT payload_hash FROM command_sync WHERE scope = ?", (scope,))
        return str(rows[0][0]) if rows else None

    async def remember_command_tree(self, scope: str, payload_hash: str, now: dt.datetime) -> None:
        """Record that the command tree with this hash was synced to the scope."""
        await self._write(
            "INSERT INTO command_sync (scope, payload_hash, synced_at) VALUES (?, ?, ?) "
            "ON CONFLICT (scope) DO UPDATE SET payload_hash = excluded.payload_hash, "
            "synced_at = excluded.synced_at",
            (scope, payload_hash, to_epoch(now)),
        )

    # --- Section history ------------------------------------------------------------

    async def record_section_versions(
        self, library: Library, now: dt.datetime, *, only: Collection[str] | None = None
    ) -> int:
        """Record each section's current content hash; returns how many were new.

        With `only`, just the sections of those briefings (the ones a reload added or
        changed; the others' versions are stored already).
        """
        briefings = library if only is None else (library.briefings[i] for i in only)
        rows = [
            (b.id, s.id, s.content_hash, s.heading, to_epoch(now))
            for b in briefings
            for s in b.sections
        ]
        if not rows:
            return 0
        async with self._transaction():
            before = self.db.total_changes
            await self.db.executemany(
                "INSERT OR IGNORE INTO section_versions"
                " (briefing_id, section_id, content_hash, heading, first_seen)"
                " VALUES (?, ?, ?, ?, ?)",
                rows,
            )
            added = self.db.total_changes - before
        return added

    async def section_first_seen(
        self, briefing_id: str, section_id: str, content_hash: str
    ) -> dt.datetime | None:
        """When this version of a section was first loaded, if ever."""
        rows = await self._rows(
            "SELECT first_seen FROM section_versions "
            "WHERE briefing_id = ? AND section_id = ? AND content_hash = ?",
            (briefing_id, section_id, content_hash),
        )
        return from_epoch(int(rows[0][0])) if rows else None

    # --- Subscriptions, as one guild's commands see them ------------------------------

    async def save_subscription(
        self,
        guild_id: int,
        channel_id: int,
        *,
        topics: Sequence[str] | None,
        schedule: str,
        timezone: str,
        mode: Mode,
        language: str,
        next_due: dt.datetime,
        user_id: int | None,
        now: dt.datetime,
    ) -> tuple[Subscription, bool]:
        """Subscribe a guild's channel, or update its subscription; True if it is new.

        Updating keeps what the last digest covered and a pause, and clears a failure.
        Raises PermissionError if the channel's subscription belongs to another guild.
        """
        topics_json = None if topics is None else json.dumps(list(topics))
        async with self._transaction():
            existing = await self._rows(
                "SELECT guild_id FROM subscriptions WHERE channel_id = ?", (channel_id,)
            )
            if existing and int(existing[0][0]) != guild_id:
                raise PermissionError("that channel's subscription belongs to another guild")
            await self._run(
                f"INSERT INTO subscriptions ({_INSERT_COLUMNS}) VALUES ({_INSERT_MARKS})"
                " ON CONFLICT (channel_id) DO UPDATE SET topics = excluded.topics,"
                " schedule = excluded.schedule, timezone = excluded.timezone,"
                " mode = excluded.mode, language = excluded.language,"
                " next_due = excluded.next_due, updated_at = excluded.updated_at,"
                " state = CASE WHEN subscriptions.state = 'failing' THEN 'active'"
                "   ELSE subscriptions.state END,"
                " failure_code = NULL, failure_reason = NULL, failure_notified = 0"
                " WHERE subscriptions.guild_id = excluded.guild_id",
                (
                    guild_id,
                    channel_id,
                    topics_json,
                    schedule,
                    timezone,
                    mode,
                    language,
                    to_epoch(next_due),
                    user_id,
                    to_epoch(now),
                    to_epoch(now),
                ),
            )
        saved = await self.guild_subscription(guild_id, channel_id)
        assert saved is not None
        return saved, not existing

    async def add_subscriptions(self, entries: Iterable[NewSubscription], now: dt.datetime) -> int:
        """Add many new subscriptions in one transaction; returns how many were added.

        A channel that already has a subscription keeps it unchanged (whichever guild
        owns it), so importing the same list twice adds nothing the second time.
        """
        stamp = to_epoch(now)
        rows = [
            (
                entry.guild_id,
                entry.channel_id,
                None if entry.topics is None else json.dumps(list(entry.topics)),
                entry.schedule,
                entry.timezone,
                entry.mode,
                entry.language,
                to_epoch(entry.next_due),
                entry.created_by,
                stamp,
                stamp,
            )
            for entry in entries
        ]
        async with self._transaction():
            before = self.db.total_changes
            await self.db.executemany(
                f"INSERT INTO subscriptions ({_INSERT_COLUMNS}) VALUES ({_INSERT_MARKS})"
                " ON CONFLICT (channel_id) DO NOTHING",
                rows,
            )
            return self.db.total_changes - before

    async def guild_subscriptions(self, guild_id: int) -> list[Subscription]:
        """Every subscription of one guild, by channel, with any delivery being retried."""
        rows = await self._rows(
            f"SELECT {_SUBSCRIPTION_COLUMNS},"
            " (SELECT d.last_error FROM deliveries d WHERE d.subscription_id = s.id"
            f"   AND d.status IN {_UNFINISHED} ORDER BY d.due_at LIMIT 1)"
            " FROM subscriptions s WHERE s.guild_id = ? ORDER BY s.channel_id",
            (guild_id,),
        )
        return [_subscription(row, row[_SUBSCRIPTION_WIDTH]) for row in rows]

    async def guild_subscription(self, guild_id: int, channel_id: int) -> Subscription | None:
        """One guild's subscription for a channel, if it has one."""
        rows = await self._rows(
            f"SELECT {_SUBSCRIPTION_COLUMNS} FROM subscriptions s"
            " WHERE s.guild_id = ? AND s.channel_id = ?",
            (guild_id, channel_id),
        )
        return _subscription(rows[0]) if rows else None

    async def delete_subscription(self, guild_id: int, channel_id: int) -> bool:
        """Unsubscribe one guild's channel, dropping its ledger; False if not subscribed."""
        return (
            await self._write(
                "DELETE FROM subscriptions WHERE guild_id = ? AND channel_id = ?",
                (guild_id, channel_id),
            )
            > 0
        )

    async def pause_subscription(
        self, guild_id: int, channel_id: int, now: dt.datetime
    ) -> Subscription | None:
        """Pause one guild's channel subscription; None if it has none."""
        await self._write(
            "UPDATE subscriptions SET state = 'paused', updated_at = ?"
            " WHERE guild_id = ? AND channel_id = ?",
            (to_epoch(now), guild_id, channel_id),
        )
        return await self.guild_subscription(guild_id, channel_id)

    async def resume_subscription(
        self, guild_id: int, channel_id: int, next_due: dt.datetime, now: dt.datetime
    ) -> Subscription | None:
        """Make a paused or failing subscription active again from `next_due`."""
        await self._write(
            "UPDATE subscriptions SET state = 'active', next_due = ?, failure_code = NULL,"
            " failure_reason = NULL, failure_notified = 0, updated_at = ?"
            " WHERE guild_id = ? AND channel_id = ?",
            (to_epoch(next_due), to_epoch(now), guild_id, channel_id),
        )
        return await self.guild_subscription(guild_id, channel_id)

    async def guild_deliveries(self, guild_id: int, channel_id: int) -> list[Delivery]:
        """The ledger of one guild's channel subscription, oldest due time first."""
        rows = await self._rows(
            f"SELECT {_DELIVERY_COLUMNS} FROM deliveries d"
            " JOIN subscriptions s ON s.id = d.subscription_id"
            " WHERE s.guild_id = ? AND s.channel_id = ? ORDER BY d.due_at",
            (guild_id, channel_id),
        )
        return [_delivery(row) for row in rows]

    # --- Scheduling and delivery, across guilds ----------------------------------------

    async def due_subscriptions(self, now: dt.datetime) -> list[Subscription]:
        """Active subscriptions due at `now` with no earlier digest still unfinished."""
        rows = await self._rows(
            f"SELECT {_SUBSCRIPTION_COLUMNS} FROM subscriptions s"
            " WHERE s.state = 'active' AND s.next_due <= ?"
            " AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.subscription_id = s.id"
            f"   AND d.status IN {_UNFINISHED})"
            " ORDER BY s.next_due, s.id",
            (to_epoch(now),),
        )
        return [_subscription(row) for row in rows]

    async def earliest_due(self) -> dt.datetime | None:
        """The earliest due time of any active subscription."""
        rows = await self._rows("SELECT MIN(next_due) FROM subscriptions WHERE state = 'active'")
        return _maybe_epoch(rows[0][0]) if rows else None

    async def state_counts(self) -> StateCounts:
        """How many subscriptions are active, paused and failing, across every guild."""
        rows = await self._rows(
            "SELECT state, COUNT(*), MIN(next_due) FROM subscriptions GROUP BY state"
        )
        counts = {str(row[0]): (int(row[1]), row[2]) for row in rows}
        active, earliest = counts.get("active", (0, None))
        return StateCounts(
            active=active,
            paused=counts.get("paused", (0, None))[0],
            failing=counts.get("failing", (0, None))[0],
            next_due=_maybe_epoch(earliest),
        )

    async def unfinished_deliveries(self) -> list[tuple[Subscription, Delivery]]:
        """Ledger rows not yet sent whose subscription is active, oldest first."""
        rows = await self._rows(
            f"SELECT {_SUBSCRIPTION_COLUMNS}, {_DELIVERY_COLUMNS}"
            " FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id"
            f" WHERE d.status IN {_UNFINISHED} AND s.state = 'active'"
            " ORDER BY d.due_at, s.id",
        )
        return [(_subscription(row), _delivery(row[_SUBSCRIPTION_WIDTH:])) for row in rows]

    async def delivery(self, subscription_id: int, due_at: dt.datetime) -> Delivery | None:
        """One ledger row."""
        rows = await self._rows(
            f"SELECT {_DELIVERY_COLUMNS} FROM deliveries d"
            " WHERE d.subscription_id = ? AND d.due_at = ?",
            (subscription_id, to_epoch(due_at)),
        )
        return _delivery(rows[0]) if rows else None

    async def blobs(self, hashes: Iterable[str]) -> dict[str, str]:
        """The stored texts with these hashes (missing ones are left out)."""
        wanted = sorted(set(hashes))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            for row in await self._rows(
                f"SELECT hash, body FROM digest_blobs WHERE hash IN ({marks})", chunk
            ):
                found[str(row[0])] = str(row[1])
        return found

    async def claim_scheduled_digests(
        self, claims: Sequence[DigestClaim], now: dt.datetime
    ) -> list[Delivery]:
        """Advance due subscriptions and write their pending ledger rows, atomically.

        A claim only applies if the subscription is still active and still due at the
        time it was read, so two ticks can never both claim one due time; returns the
        ledger rows written, ready to send. However many claims there are, this takes a
        fixed number of trips to the database thread.
        """
        for claim in claims:
            if claim.due_at is not None and (
                claim.payload is None or claim.snapshot is None or claim.message_count < 1
            ):
                raise ValueError("a claim that delivers needs a payload and a snapshot")
        if not claims:
            return []
        stamp = to_epoch(now)
        delivering = [claim for claim in claims if claim.due_at is not None]
        advancing = [claim for claim in claims if claim.due_at is None]
        ids = json.dumps(sorted({claim.subscription.id for claim in delivering}))
        async with self._transaction():
            moving: list[DigestClaim] = []
            if delivering:
                # By id alone, so SQLite looks each one up instead of scanning the active ones.
                still_due = {
                    (int(row[0]), int(row[1]), int(row[2]))
                    for row in await self._rows(
                        "SELECT id, guild_id, next_due, state FROM subscriptions"
                        " WHERE id IN (SELECT value FROM json_each(?))",
                        (ids,),
                    )
                    if row[3] == "active"
                }
                for claim in delivering:
                    sub = claim.subscription
                    key = (sub.id, sub.guild_id, to_epoch(sub.next_due))
                    if key in still_due:
                        still_due.discard(key)  # a second claim of the same due time loses
                        moving.append(claim)
            # Claims without a digest need not know whether they applied: the condition
            # in the statement is the whole check.
            await self.db.executemany(
                "UPDATE subscriptions SET next_due = ?,"
                " missed_from = COALESCE(?, missed_from),"
                " missed_until = COALESCE(?, missed_until)"
                " WHERE id = ? AND guild_id = ? AND next_due = ? AND state = 'active'",
                [
                    (
                        to_epoch(claim.next_due),
                        *(
                            (None, None)
                            if claim.missed is None
                            else (to_epoch(claim.missed[0]), to_epoch(claim.missed[1]))
                        ),
                        claim.subscription.id,
                        claim.subscription.guild_id,
                        to_epoch(claim.subscription.next_due),
                    )
                    for claim in (*moving, *advancing)
                ],
            )
            if not moving:
                return []
            existing = {
                (int(row[0]), int(row[1]))
                for row in await self._rows(
                    "SELECT subscription_id, due_at FROM deliveries"
                    " WHERE subscription_id IN (SELECT value FROM json_each(?))",
                    (ids,),
                )
            }
            written: list[Delivery] = []
            blobs: dict[str, str] = {}
            for claim in moving:
                if claim.due_at is None or claim.payload is None or claim.snapshot is None:
                    continue
                if (claim.subscription.id, to_epoch(claim.due_at)) in existing:
                    continue
                blobs[claim.payload.hash] = claim.payload.body
                blobs[claim.snapshot.hash] = claim.snapshot.body
                written.append(
                    Delivery(
                        subscription_id=claim.subscription.id,
                        due_at=from_epoch(to_epoch(claim.due_at)),
                        kind="scheduled",
                        status="pending",
                        payload_hash=claim.payload.hash,
                        snapshot_hash=claim.snapshot.hash,
                        message_count=claim.message_count,
                    )
                )
            await self.db.executemany(
                "INSERT OR IGNORE INTO digest_blobs (hash, body) VALUES (?, ?)", blobs.items()
            )
            await self.db.executemany(
                "INSERT INTO deliveries (subscription_id, due_at, kind, status,"
                " payload_hash, snapshot_hash, message_count, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
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

    async def claim_manual_digest(
        self,
        subscription: Subscription,
        due_at: dt.datetime,
        payload: Blob,
        snapshot: Blob,
        message_count: int,
        now: dt.datetime,
    ) -> Delivery:
        """Write the pending ledger row of a digest sent on request (or find the one there)."""
        async with self._transaction():
            rows = await self._rows(
                "SELECT 1 FROM subscriptions WHERE id = ? AND guild_id = ?",
                (subscription.id, subscription.guild_id),
            )
            if not rows:
                raise LookupError("the subscription no longer exists")
            stamp = to_epoch(now)
            await self.db.executemany(
                "INSERT OR IGNORE INTO digest_blobs (hash, body) VALUES (?, ?)",
                [(blob.hash, blob.body) for blob in (payload, snapshot)],
            )
            await self._run(
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
        found = await self.delivery(subscription.id, due_at)
        assert found is not None
        return found

    async def record_digest_progress(
        self,
        subscription_id: int,
        due_at: dt.datetime,
        message_ids: Sequence[int],
        attempts: int,
        now: dt.datetime,
    ) -> None:
        """Remember which messages of a multi-message digest are already sent."""
        await self._write(
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

    async def mark_digest_sent(
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
        await self._write(
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

    async def record_delivery_failure(
        self,
        subscription_id: int,
        due_at: dt.datetime,
        message_ids: Sequence[int],
        attempts: int,
        error: str,
        now: dt.datetime,
    ) -> None:
        """Mark a ledger row failed after its attempts ran out; the next tick retries it."""
        await self._write(
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

    async def expire_delivery(
        self, subscription: Subscription, delivery: Delivery, now: dt.datetime
    ) -> None:
        """Give up on a ledger row that is too late to send, and record the skip."""
        async with self._transaction():
            await self._run(
                "UPDATE deliveries SET status = 'expired', updated_at = ?"
                " WHERE subscription_id = ? AND due_at = ? AND status != 'sent'",
                (to_epoch(now), delivery.subscription_id, to_epoch(delivery.due_at)),
            )
            await self._run(
                "UPDATE subscriptions SET missed_from = ?, missed_until = ?"
                " WHERE id = ? AND guild_id = ?",
                (
                    to_epoch(delivery.due_at),
                    to_epoch(delivery.due_at),
                    subscription.id,
                    subscription.guild_id,
                ),
            )

    async def mark_subscription_failing(
        self, subscription: Subscription, code: int | None, reason: str, now: dt.datetime
    ) -> bool:
        """Pause a subscription as failing with Discord's reason; True if it was active."""
        return (
            await self._write(
                "UPDATE subscriptions SET state = 'failing', failure_code = ?,"
                " failure_reason = ?, updated_at = ?"
                " WHERE id = ? AND guild_id = ? AND state = 'active'",
                (code, reason, to_epoch(now), subscription.id, subscription.guild_id),
            )
            > 0
        )

    async def claim_failure_notice(self, subscription: Subscription) -> bool:
        """Reserve the one notice about a failing subscription; False if already sent."""
        return (
            await self._write(
                "UPDATE subscriptions SET failure_notified = 1"
                " WHERE id = ? AND guild_id = ? AND state = 'failing' AND failure_notified = 0",
                (subscription.id, subscription.guild_id),
            )
            > 0
        )

    async def remove_subscription(self, subscription: Subscription) -> bool:
        """Delete a subscription whose channel is gone, with its ledger."""
        return (
            await self._write(
                "DELETE FROM subscriptions WHERE id = ? AND guild_id = ?",
                (subscription.id, subscription.guild_id),
            )
            > 0
        )

    async def prune_deliveries(self, before: dt.datetime) -> int:
        """Forget finished ledger rows due before `before`, and blobs nothing refers to."""
        async with self._transaction():
            removed = await self._run(
                "DELETE FROM deliveries WHERE due_at < ? AND status IN ('sent', 'expired')",
                (to_epoch(before),),
            )
            await self._run(
                "DELETE FROM digest_blobs WHERE hash NOT IN"
                " (SELECT payload_hash FROM deliveries UNION SELECT snapshot_hash FROM deliveries"
                "  UNION SELECT snapshot_hash FROM subscriptions"
                "  WHERE snapshot_hash IS NOT NULL)"
            )
        return removed


def _statements(sql: str) -> Iterable[str]:
    """Split a migration script into complete statements (triggers included)."""
    buffer = ""
    for line in sql.splitlines(keepends=True):
        if not buffer.strip() and line.strip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer.strip()
            buffer = ""
    if buffer.strip():
        raise ValueError(f"incomplete SQL statement at the end of a migration: {buffer!r}")
