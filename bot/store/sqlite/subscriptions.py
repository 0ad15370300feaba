"""Subscriptions in SQLite: what one guild's commands see and change, and what is due.

Every method that serves a guild's command takes that guild's id and filters on it, so
one guild can never read or change another guild's subscriptions. The scheduler's
methods work across guilds by subscription id, and still check the guild id whenever
they change a subscription.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

from bot.digests.records import NewSubscription, StateCounts, Subscription
from bot.store.sqlite.database import SqliteDatabase
from bot.store.sqlite.rows import (
    INSERT_COLUMNS,
    INSERT_MARKS,
    SUBSCRIPTION_COLUMNS,
    SUBSCRIPTION_WIDTH,
    UNFINISHED,
    maybe_epoch,
    subscription_from_row,
    to_epoch,
)


def _insert_row(entry: NewSubscription, stamp: int) -> tuple[object, ...]:
    """A new subscription's values in `INSERT_COLUMNS` order, created and updated at `stamp`."""
    return (
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
        entry.mention_role_id,
        int(entry.publish),
        entry.target,
        json.dumps([int(tag) for tag in entry.forum_tags]) if entry.forum_tags else None,
    )


class SqliteSubscriptions:
    """Channel subscriptions, by guild for commands and by id for the scheduler."""

    def __init__(self, database: SqliteDatabase) -> None:
        self._sql = database

    async def save(self, entry: NewSubscription, now: dt.datetime) -> tuple[Subscription, bool]:
        """Subscribe a guild's channel, or update its subscription; True if it is new.

        Updating keeps what the last digest covered, a pause and who subscribed, and
        clears a failure. Raises PermissionError if the channel's subscription belongs
        to another guild.
        """
        async with self._sql.transaction():
            existing = await self._sql.rows(
                "SELECT guild_id FROM subscriptions WHERE channel_id = ?", (entry.channel_id,)
            )
            if existing and int(existing[0][0]) != entry.guild_id:
                raise PermissionError("that channel's subscription belongs to another guild")
            await self._sql.run(
                f"INSERT INTO subscriptions ({INSERT_COLUMNS}) VALUES ({INSERT_MARKS})"
                " ON CONFLICT (channel_id) DO UPDATE SET topics = excluded.topics,"
                " mention_role_id = excluded.mention_role_id, publish = excluded.publish,"
                " target = excluded.target, forum_tags = excluded.forum_tags,"
                " schedule = excluded.schedule, timezone = excluded.timezone,"
                " mode = excluded.mode, language = excluded.language,"
                " next_due = excluded.next_due, updated_at = excluded.updated_at,"
                " state = CASE WHEN subscriptions.state = 'failing' THEN 'active'"
                "   ELSE subscriptions.state END,"
                " failure_code = NULL, failure_reason = NULL, failure_notified = 0"
                " WHERE subscriptions.guild_id = excluded.guild_id",
                _insert_row(entry, to_epoch(now)),
            )
        saved = await self.in_channel(entry.guild_id, entry.channel_id)
        assert saved is not None
        return saved, not existing

    async def add_many(self, entries: Iterable[NewSubscription], now: dt.datetime) -> int:
        """Add many new subscriptions in one transaction; returns how many were added.

        A channel that already has a subscription keeps it unchanged (whichever guild
        owns it), so importing the same list twice adds nothing the second time.
        """
        stamp = to_epoch(now)
        rows = [_insert_row(entry, stamp) for entry in entries]
        async with self._sql.transaction():
            before = self._sql.connection.total_changes
            await self._sql.connection.executemany(
                f"INSERT INTO subscriptions ({INSERT_COLUMNS}) VALUES ({INSERT_MARKS})"
                " ON CONFLICT (channel_id) DO NOTHING",
                rows,
            )
            return self._sql.connection.total_changes - before

    async def of_guild(self, guild_id: int) -> list[Subscription]:
        """Every subscription of one guild, by channel, with any delivery being retried."""
        rows = await self._sql.rows(
            f"SELECT {SUBSCRIPTION_COLUMNS},"
            " (SELECT d.last_error FROM deliveries d WHERE d.subscription_id = s.id"
            f"   AND d.status IN {UNFINISHED} ORDER BY d.due_at LIMIT 1)"
            " FROM subscriptions s WHERE s.guild_id = ? ORDER BY s.channel_id",
            (guild_id,),
        )
        return [subscription_from_row(row, row[SUBSCRIPTION_WIDTH]) for row in rows]

    async def in_channel(self, guild_id: int, channel_id: int) -> Subscription | None:
        """One guild's subscription for a channel, if it has one."""
        rows = await self._sql.rows(
            f"SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions s"
            " WHERE s.guild_id = ? AND s.channel_id = ?",
            (guild_id, channel_id),
        )
        return subscription_from_row(rows[0]) if rows else None

    async def delete(self, guild_id: int, channel_id: int) -> bool:
        """Unsubscribe one guild's channel, dropping its ledger; False if not subscribed."""
        return (
            await self._sql.write(
                "DELETE FROM subscriptions WHERE guild_id = ? AND channel_id = ?",
                (guild_id, channel_id),
            )
            > 0
        )

    async def pause(
        self, guild_id: int, channel_id: int, now: dt.datetime, by: int | None = None
    ) -> Subscription | None:
        """Pause one guild's channel subscription (by a member); None if it has none."""
        await self._sql.write(
            "UPDATE subscriptions SET state = 'paused', paused_by = ?, updated_at = ?"
            " WHERE guild_id = ? AND channel_id = ?",
            (by, to_epoch(now), guild_id, channel_id),
        )
        return await self.in_channel(guild_id, channel_id)

    async def resume(
        self, guild_id: int, channel_id: int, next_due: dt.datetime, now: dt.datetime
    ) -> Subscription | None:
        """Make a paused or failing subscription active again from `next_due`."""
        await self._sql.write(
            "UPDATE subscriptions SET state = 'active', next_due = ?, failure_code = NULL,"
            " failure_reason = NULL, failure_notified = 0, paused_by = NULL, updated_at = ?"
            " WHERE guild_id = ? AND channel_id = ?",
            (to_epoch(next_due), to_epoch(now), guild_id, channel_id),
        )
        return await self.in_channel(guild_id, channel_id)

    async def due(self, now: dt.datetime) -> list[Subscription]:
        """Active subscriptions due at `now` with no earlier digest still unfinished."""
        rows = await self._sql.rows(
            f"SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions s"
            " WHERE s.state = 'active' AND s.next_due <= ?"
            " AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.subscription_id = s.id"
            f"   AND d.status IN {UNFINISHED})"
            " ORDER BY s.next_due, s.id",
            (to_epoch(now),),
        )
        return [subscription_from_row(row) for row in rows]

    async def earliest_due(self) -> dt.datetime | None:
        """The earliest due time of any active subscription."""
        rows = await self._sql.rows(
            "SELECT MIN(next_due) FROM subscriptions WHERE state = 'active'"
        )
        return maybe_epoch(rows[0][0]) if rows else None

    async def state_counts(self, guild_id: int | None = None) -> StateCounts:
        """How many of a guild's subscriptions are active, paused and failing (None: all)."""
        if guild_id is None:
            rows = await self._sql.rows(
                "SELECT state, COUNT(*), MIN(next_due) FROM subscriptions GROUP BY state"
            )
        else:
            rows = await self._sql.rows(
                "SELECT state, COUNT(*), MIN(next_due) FROM subscriptions"
                " WHERE guild_id = ? GROUP BY state",
                (guild_id,),
            )
        counts = {str(row[0]): (int(row[1]), row[2]) for row in rows}
        active, earliest = counts.get("active", (0, None))
        return StateCounts(
            active=active,
            paused=counts.get("paused", (0, None))[0],
            failing=counts.get("failing", (0, None))[0],
            next_due=maybe_epoch(earliest),
        )

    async def mark_failing(
        self, subscription: Subscription, code: int | None, reason: str, now: dt.datetime
    ) -> bool:
        """Pause a subscription as failing with Discord's reason; True if it was active."""
        return (
            await self._sql.write(
                "UPDATE subscriptions SET state = 'failing', failure_code = ?,"
                " failure_reason = ?, paused_by = NULL, updated_at = ?"
                " WHERE id = ? AND guild_id = ? AND state = 'active'",
                (code, reason, to_epoch(now), subscription.id, subscription.guild_id),
            )
            > 0
        )

    async def claim_failure_notice(self, subscription: Subscription) -> bool:
        """Reserve the one notice about a failing subscription; False if already sent."""
        return (
            await self._sql.write(
                "UPDATE subscriptions SET failure_notified = 1"
                " WHERE id = ? AND guild_id = ? AND state = 'failing' AND failure_notified = 0",
                (subscription.id, subscription.guild_id),
            )
            > 0
        )

    async def remove(self, subscription: Subscription) -> bool:
        """Delete a subscription whose channel is gone, with its ledger."""
        return (
            await self._sql.write(
                "DELETE FROM subscriptions WHERE id = ? AND guild_id = ?",
                (subscription.id, subscription.guild_id),
            )
            > 0
        )
