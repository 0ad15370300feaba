"""Rows and values as PostgreSQL stores them: whole-second timestamptz, arrays, columns.

Times are truncated to whole seconds on the way in, exactly as the SQLite store's epoch
seconds are, so both stores hand back the same values and `briefbot db copy` loses
nothing. asyncpg returns timestamptz as aware UTC datetimes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from bot.digests.records import Delivery, Mode, State, Subscription
from bot.store.pending import whole_seconds


def to_db(moment: dt.datetime) -> dt.datetime:
    """An aware datetime as stored: UTC, truncated to the whole second."""
    if moment.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return dt.datetime.fromtimestamp(epoch(moment), dt.UTC)


epoch = whole_seconds  # an aware datetime as whole seconds (what `to_db` keeps of it)


def maybe_db(moment: dt.datetime | None) -> dt.datetime | None:
    """`to_db`, passing None through."""
    return None if moment is None else to_db(moment)


def utc(value: Any) -> dt.datetime:
    """A timestamptz from asyncpg as an aware UTC datetime."""
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise TypeError(f"expected an aware datetime from the database, got {value!r}")
    return value.astimezone(dt.UTC)


def maybe_utc(value: Any) -> dt.datetime | None:
    """`utc`, passing None through."""
    return None if value is None else utc(value)


def count_of(status: str) -> int:
    """How many rows a command changed, from its status tag ("UPDATE 3", "INSERT 0 3")."""
    return int(status.rsplit(" ", 1)[-1])


SUBSCRIPTION_FIELDS = (
    "id, guild_id, channel_id, topics, schedule, timezone, mode, language, state, next_due,"
    " failure_code, failure_reason, failure_notified, last_digest_at, snapshot_hash,"
    " missed_from, missed_until, claim_version, mention_role_id, publish, target, forum_tags,"
    " paused_by"
)
SUBSCRIPTION_COLUMNS = ", ".join(f"s.{name.strip()}" for name in SUBSCRIPTION_FIELDS.split(","))

DELIVERY_COLUMNS = (
    "d.subscription_id, d.due_at, d.kind, d.status, d.payload_hash, d.snapshot_hash,"
    " d.message_count, d.message_ids, d.attempts, d.last_error, d.thread_id, d.thread_opening_at"
)

SUBSCRIPTION_WIDTH = 23

UNFINISHED = "('pending', 'failed')"


def subscription_from_row(row: Sequence[Any], retry_error: str | None = None) -> Subscription:
    """A subscription from the `SUBSCRIPTION_COLUMNS` of a row."""
    topics = None if row[3] is None else tuple(str(topic) for topic in row[3])
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
        next_due=utc(row[9]),
        failure_code=None if row[10] is None else int(row[10]),
        failure_reason=row[11],
        failure_notified=bool(row[12]),
        last_digest_at=maybe_utc(row[13]),
        snapshot_hash=row[14],
        missed_from=maybe_utc(row[15]),
        missed_until=maybe_utc(row[16]),
        claim_version=int(row[17]),
        mention_role_id=None if row[18] is None else int(row[18]),
        publish=bool(row[19]),
        target=row[20],
        forum_tags=() if row[21] is None else tuple(int(tag) for tag in row[21]),
        paused_by=None if row[22] is None else int(row[22]),
        retry_error=retry_error,
    )


def delivery_from_row(row: Sequence[Any]) -> Delivery:
    """A ledger row from the `DELIVERY_COLUMNS` of a row."""
    return Delivery(
        subscription_id=int(row[0]),
        due_at=utc(row[1]),
        kind=row[2],
        status=row[3],
        payload_hash=str(row[4]),
        snapshot_hash=str(row[5]),
        message_count=int(row[6]),
        message_ids=tuple(int(i) for i in row[7]),
        attempts=int(row[8]),
        last_error=row[9],
        thread_id=None if row[10] is None else int(row[10]),
        thread_opening_at=maybe_utc(row[11]),
    )
