"""Subscriptions in PostgreSQL: what one guild's commands see and change, and what is due.

Every method that serves a guild's command takes that guild's id and filters on it, so
one guild can never read or change another guild's subscriptions. The scheduler's
methods work across guilds by subscription id, and still check the guild id whenever
they change a subscription. Each change is one statement, so it is atomic however many
processes share the database.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

from bot.digests.records import NewSubscription, StateCounts, Subscription
from bot.store.postgres.database import PostgresDatabase
from bot.store.postgres.rows import (
    SUBSCRIPTION_COLUMNS,
    SUBSCRIPTION_WIDTH,
    UNFINISHED,
    count_of,
    maybe_utc,
    subscription_from_row,
    to_db,
)

INSERT_COLUMNS = (
    "guild_id, channel_id, topics, schedule, timezone, mode, language, next_due,"
    " created_by, created_at, updated_at, mention_role_id, publish, target, forum_tags"
)

# A batch of new subscriptions as parallel arrays. Topics and forum tags travel as JSON
# text, because an array of arrays of different lengths is not a PostgreSQL value.
ADD_MANY = (
    f"INSERT INTO subscriptions ({INSERT_COLUMNS})"
    " SELECT n.guild_id, n.channel_id,"
    "   CASE WHEN n.topics IS NULL THEN NULL ELSE ARRAY("
    "     SELECT t.value FROM jsonb_array_elements_text(n.topics::jsonb)"
    "       WITH ORDINALITY AS t(value, position) ORDER BY t.position) END,"
    "   n.schedule, n.timezone, n.mode, n.language, n.next_due, n.created_by, $14, $14,"
    "   n.mention_role_id, n.publish, n.target,"
    "   CASE WHEN n.forum_tags IS NULL THEN NULL ELSE ARRAY("
    "     SELECT t.value::bigint FROM jsonb_array_elements_text(n.forum_tags::jsonb)"
    "       WITH ORDINALITY AS t(value, position) ORDER BY t.position) END"
    " FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[],"
    "   $6::text[], $7::text[], $8::timestamptz[], $9::bigint[], $10::bigint[],"
    "   $11::boolean[], $12::text[], $13::text[])"
    "   AS n(guild_id, channel_id, topics, schedule, timezone, mode, language, next_due,"
    "        created_by, mention_role_id, publish, target, forum_tags)"
    " ON CONFLICT (channel_id) DO NOTHING"
)


class PostgresSubscriptions:
    """Channel subscriptions, by guild for commands and by id for the scheduler."""

    def __init__(self, database: PostgresDatabase) -> None:
        self._db = database

    async def save(self, entry: NewSubscription, now: dt.datetime) -> tuple[Subscription, bool]:
        """Subscribe a guild's channel, or update its subscription; True if it is new.

        Updating keeps what the last digest covered, a pause and who subscribed, and
        clears a failure. Raises PermissionError if the channel's subscription belongs
        to another guild. One upsert: whether it inserted is read from the row it returns.
        """
        stamp = to_db(now)
        row = await self._db.pool.fetchrow(
            f"INSERT INTO subscriptions AS s ({INSERT_COLUMNS})"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12, $13, $14)"
            " ON CONFLICT (channel_id) DO UPDATE SET topics = excluded.topics,"
            " mention_role_id = excluded.mention_role_id, publish = excluded.publish,"
            " target = excluded.target, forum_tags = excluded.forum_tags,"
            " schedule = excluded.schedule, timezone = excluded.timezone,"
            " mode = excluded.mode, language = excluded.language,"
            " next_due = excluded.next_due, updated_at = excluded.updated_at,"
            " state = CASE WHEN s.state = 'failing' THEN 'active' ELSE s.state END,"
            " failure_code = NULL, failure_reason = NULL, failure_notified = false"
            " WHERE s.guild_id = excluded.guild_id"
            f" RETURNING {SUBSCRIPTION_COLUMNS}, (s.xmax = 0) AS inserted",
            entry.guild_id,
            entry.channel_id,
            None if entry.topics is None else list(entry.topics),
            entry.schedule,
            entry.timezone,
            entry.mode,
            entry.language,
            to_db(entry.next_due),
            entry.created_by,
            stamp,
            entry.mention_role_id,
            entry.publish,
            entry.target,
            [int(tag) for tag in entry.forum_tags] or None,
        )
        if row is None:
            raise PermissionError("that channel's subscription belongs to another guild")
        return subscription_from_row(row), bool(row["inserted"])

    async def add_many(self, entries: Iterable[NewSubscription], now: dt.datetime) -> int:
        """Add many new subscriptions in one statement; returns how many were added.

        A channel that already has a subscription keeps it unchanged (whichever guild
        owns it), so importing the same list twice adds nothing the second time. Rows
        go in by channel (a stable sort: the first entry for a channel still wins), so
        two imports at once wait for each other's channels in one order, never in a cycle.
        """
        batch = sorted(entries, key=lambda entry: entry.channel_id)
        if not batch:
            return 0
        status = await self._db.pool.execute(
            ADD_MANY,
            [e.guild_id for e in batch],
            [e.channel_id for e in batch],
            [None if e.topics is None else json.dumps(list(e.topics)) for e in batch],
            [e.schedule for e in batch],
            [e.timezone for e in batch],
            [e.mode for e in batch],
            [e.language for e in batch],
            [to_db(e.next_due) for e in batch],
            [e.created_by for e in batch],
            [e.mention_role_id for e in batch],
            [e.publish for e in batch],
            [e.target for e in batch],
            [json.dumps([int(t) for t in e.forum_tags]) if e.forum_tags else None for e in batch],
            to_db(now),
        )
        return count_of(status)

    async def of_guild(self, guild_id: int) -> list[Subscription]:
        """Every subscription of one guild, by channel, with any delivery being retried."""
        rows = await self._db.pool.fetch(
            f"SELECT {SUBSCRIPTION_COLUMNS},"
            " (SELECT d.last_error FROM deliveries d WHERE d.subscription_id = s.id"
            f"   AND d.status IN {UNFINISHED} ORDER BY d.due_at LIMIT 1)"
            " FROM subscriptions s WHERE s.guild_id = $1 ORDER BY s.channel_id",
            guild_id,
        )
        return [subscription_from_row(row, row[SUBSCRIPTION_WIDTH]) for row in rows]

    async def in_channel(self, guild_id: int, channel_id: int) -> Subscription | None:
        """One guild's subscription for a channel, if it has one."""
        row = await self._db.pool.fetchrow(
            f"SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions s"
            " WHERE s.guild_id = $1 AND s.channel_id = $2",
            guild_id,
            channel_id,
        )
        return None if row is None else subscription_from_row(row)

    async def delete(self, guild_id: int, channel_id: int) -> bool:
        """Unsubscribe one guild's channel, dropping its ledger; False if not subscribed."""
        status = await self._db.pool.execute(
            "DELETE FROM subscriptions WHERE guild_id = $1 AND channel_id = $2",
            guild_id,
            channel_id,
        )
        return count_of(status) > 0

    async def pause(
        self, guild_id: int, channel_id: int, now: dt.datetime, by: int | None = None
    ) -> Subscription | None:
        """Pause one guild's channel subscription (by a member); None if it has none."""
        row = await self._db.pool.fetchrow(
            "UPDATE subscriptions AS s SET state = 'paused', paused_by = $4, updated_at = $1"
            f" WHERE s.guild_id = $2 AND s.channel_id = $3 RETURNING {SUBSCRIPTION_COLUMNS}",
            to_db(now),
            guild_id,
            channel_id,
            by,
        )
        return None if row is None else subscription_from_row(row)

    async def resume(
        self, guild_id: int, channel_id: int, next_due: dt.datetime, now: dt.datetime
    ) -> Subscription | None:
        """Make a paused or failing subscription active again from `next_due`."""
        row = await self._db.pool.fetchrow(
            "UPDATE subscriptions AS s SET state = 'active', next_due = $1,"
            " failure_code = NULL, failure_reason = NULL, failure_notified = false,"
            " paused_by = NULL, updated_at = $2"
            f" WHERE s.guild_id = $3 AND s.channel_id = $4 RETURNING {SUBSCRIPTION_COLUMNS}",
            to_db(next_due),
            to_db(now),
            guild_id,
            channel_id,
        )
        return None if row is None else subscription_from_row(row)

    async def due(self, now: dt.datetime) -> list[Subscription]:
        """Active subscriptions due at `now` with no earlier digest still unfinished."""
        rows = await self._db.pool.fetch(
            f"SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions s"
            " WHERE s.state = 'active' AND s.next_due <= $1"
            " AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.subscription_id = s.id"
            f"   AND d.status IN {UNFINISHED})"
            " ORDER BY s.next_due, s.id",
            to_db(now),
        )
        return [subscription_from_row(row) for row in rows]

    async def earliest_due(self) -> dt.datetime | None:
        """The earliest due time of any active subscription."""
        return maybe_utc(
            await self._db.pool.fetchval(
                "SELECT MIN(next_due) FROM subscriptions WHERE state = 'active'"
            )
        )

    async def state_counts(self, guild_id: int | None = None) -> StateCounts:
        """How many of a guild's subscriptions are active, paused and failing (None: all)."""
        if guild_id is None:
            rows = await self._db.pool.fetch(
                "SELECT state, COUNT(*), MIN(next_due) FROM subscriptions GROUP BY state"
            )
        else:
            rows = await self._db.pool.fetch(
                "SELECT state, COUNT(*), MIN(next_due) FROM subscriptions"
                " WHERE guild_id = $1 GROUP BY state",
                guild_id,
            )
        counts = {str(row[0]): (int(row[1]), row[2]) for row in rows}
        active, earliest = counts.get("active", (0, None))
        return StateCounts(
            active=active,
            paused=counts.get("paused", (0, None))[0],
            failing=counts.get("failing", (0, None))[0],
            next_due=maybe_utc(earliest),
        )

    async def mark_failing(
        self, subscription: Subscription, code: int | None, reason: str, now: dt.datetime
    ) -> bool:
        """Pause a subscription as failing with Discord's reason; True if it was active."""
        status = await self._db.pool.execute(
            "UPDATE subscriptions SET state = 'failing', failure_code = $1,"
            " failure_reason = $2, paused_by = NULL, updated_at = $3"
            " WHERE id = $4 AND guild_id = $5 AND state = 'active'",
            code,
            reason,
            to_db(now),
            subscription.id,
            subscription.guild_id,
        )
        return count_of(status) > 0

    async def claim_failure_notice(self, subscription: Subscription) -> bool:
        """Reserve the one notice about a failing subscription; False if already sent."""
        status = await self._db.pool.execute(
            "UPDATE subscriptions SET failure_notified = true"
            " WHERE id = $1 AND guild_id = $2 AND state = 'failing' AND NOT failure_notified",
            subscription.id,
            subscription.guild_id,
        )
        return count_of(status) > 0

    async def remove(self, subscription: Subscription) -> bool:
        """Delete a subscription whose channel is gone, with its ledger."""
        status = await self._db.pool.execute(
            "DELETE FROM subscriptions WHERE id = $1 AND guild_id = $2",
            subscription.id,
            subscription.guild_id,
        )
        return count_of(status) > 0
