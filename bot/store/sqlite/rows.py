"""Rows and values as SQLite stores them: epoch seconds, JSON lists, column lists."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from bot.digests.records import Delivery, Mode, State, Subscription
from bot.store.pending import whole_seconds

to_epoch = whole_seconds  # seconds since the epoch for an aware datetime


def from_epoch(seconds: int) -> dt.datetime:
    """An aware UTC datetime from seconds since the epoch."""
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def maybe_epoch(seconds: Any) -> dt.datetime | None:
    """`from_epoch`, passing None through."""
    return None if seconds is None else from_epoch(int(seconds))


SUBSCRIPTION_COLUMNS = (
    "s.id, s.guild_id, s.channel_id, s.topics, s.schedule, s.timezone, s.mode, s.language, "
    "s.state, s.next_due, s.failure_code, s.failure_reason, s.failure_notified, "
    "s.last_digest_at, s.snapshot_hash, s.missed_from, s.missed_until, s.claim_version,"
    " s.mention_role_id, s.publish, s.target, s.forum_tags, s.paused_by"
)

DELIVERY_COLUMNS = (
    "d.subscription_id, d.due_at, d.kind, d.status, d.payload_hash, d.snapshot_hash, "
    "d.message_count, d.message_ids, d.attempts, d.last_error, d.thread_id, d.thread_opening_at"
)

SUBSCRIPTION_WIDTH = 23

INSERT_COLUMNS = (
    "guild_id, channel_id, topics, schedule, timezone, mode, language, next_due,"
    " created_by, created_at, updated_at, mention_role_id, publish, target, forum_tags"
)

INSERT_MARKS = ", ".join("?" * 15)

UNFINISHED = "('pending', 'failed')"


def subscription_from_row(row: Sequence[Any], retry_error: str | None = None) -> Subscription:
    """A subscription from the `SUBSCRIPTION_COLUMNS` of a row."""
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
        last_digest_at=maybe_epoch(row[13]),
        snapshot_hash=row[14],
        missed_from=maybe_epoch(row[15]),
        missed_until=maybe_epoch(row[16]),
        claim_version=int(row[17]),
        mention_role_id=None if row[18] is None else int(row[18]),
        publish=bool(row[19]),
        target=row[20],
        forum_tags=() if row[21] is None else tuple(int(tag) for tag in json.loads(row[21])),
        paused_by=None if row[22] is None else int(row[22]),
        retry_error=retry_error,
    )


def delivery_from_row(row: Sequence[Any]) -> Delivery:
    """A ledger row from the `DELIVERY_COLUMNS` of a row."""
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
        thread_id=None if row[10] is None else int(row[10]),
        thread_opening_at=maybe_epoch(row[11]),
    )
