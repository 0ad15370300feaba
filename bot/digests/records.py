"""Subscriptions and the delivery ledger as plain data: what the store keeps and returns.

Every datetime is timezone-aware. The store (`bot.store`) reads and writes these; the
composition and the delivery run pass them around. Nothing here does any work.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

Mode = Literal["changes", "full"]
State = Literal["active", "paused", "failing"]
DeliveryStatus = Literal["pending", "sent", "failed", "expired"]
DeliveryKind = Literal["scheduled", "manual"]
RunOutcome = Literal["sent", "unchanged", "skipped", "failed", "paused", "retrying"]
# Where a subscription's digests go: messages in a channel or existing thread, a new
# forum post each, a new thread each (opened by the first message), or a member's DMs.
Target = Literal["channel", "forum", "new_thread", "dm"]
TARGETS: tuple[Target, ...] = ("channel", "forum", "new_thread", "dm")
DM_GUILD = 0  # the guild id of a member's personal follow; its channel id is the member's
KEEP_RUNS = 50  # runs of history kept per subscription, for `/digest why`
UNPUBLISHED = "unpublished:"  # a sent run's detail: how many messages were not published
MODES: tuple[Mode, ...] = ("changes", "full")
# Discord error codes a failing subscription may carry.
MISSING_ACCESS = 50001
MISSING_PERMISSIONS = 50013
THREAD_ARCHIVED = 50083  # an archived thread that is locked and the bot may not reopen
DMS_CLOSED = 50007  # Discord will not deliver a DM to this member


@dataclass(frozen=True)
class Subscription:
    """A channel's digest subscription, as stored."""

    id: int
    guild_id: int
    channel_id: int
    topics: tuple[str, ...] | None  # None: every topic
    schedule: str
    timezone: str
    mode: Mode
    language: str
    state: State
    next_due: dt.datetime
    failure_code: int | None = None
    failure_reason: str | None = None
    failure_notified: bool = False
    last_digest_at: dt.datetime | None = None
    snapshot_hash: str | None = None
    missed_from: dt.datetime | None = None
    missed_until: dt.datetime | None = None
    retry_error: str | None = None  # the last error of a delivery still being retried
    claim_version: int = 0  # bumped by every claim that posts: the compare-and-set key
    mention_role_id: int | None = None  # pinged in the first message of each digest
    publish: bool = False  # crosspost each message to the servers following the channel
    target: Target = "channel"
    forum_tags: tuple[int, ...] = ()  # tags applied to each forum post
    paused_by: int | None = None  # the member who paused it (None: the bot, or nobody)

    @property
    def is_follow(self) -> bool:
        """Whether this is a member's personal follow, delivered to their DMs."""
        return self.target == "dm"


@dataclass(frozen=True)
class Blob:
    """Text stored once under its hash."""

    hash: str
    body: str


@dataclass(frozen=True)
class Delivery:
    """One row of the delivery ledger: a digest for one subscription and due time."""

    subscription_id: int
    due_at: dt.datetime
    kind: DeliveryKind
    status: DeliveryStatus
    payload_hash: str
    snapshot_hash: str
    message_count: int
    message_ids: tuple[int, ...] = ()
    attempts: int = 0
    last_error: str | None = None
    thread_id: int | None = None  # the forum post or thread this digest opened
    thread_opening_at: dt.datetime | None = None  # set just before asking for that thread


@dataclass(frozen=True)
class DigestClaim:
    """What to record when a due subscription is handled at one tick.

    The subscription's next due time moves from `subscription.next_due` to `next_due`
    (only if nobody moved it meanwhile). With `due_at`, a pending ledger row for that
    due time is written in the same transaction; `missed` records skipped due times.
    """

    subscription: Subscription
    next_due: dt.datetime
    due_at: dt.datetime | None = None
    payload: Blob | None = None
    snapshot: Blob | None = None
    message_count: int = 0
    missed: tuple[dt.datetime, dt.datetime] | None = None


@dataclass(frozen=True)
class NewSubscription:
    """A subscription checked and ready to store: `save` writes one (new or updated),
    `add_many` adds many new ones at once (see `add_subscriptions`)."""

    guild_id: int
    channel_id: int
    topics: tuple[str, ...] | None
    schedule: str
    timezone: str
    mode: Mode
    language: str
    next_due: dt.datetime
    created_by: int | None = None  # who subscribed (kept when a subscription is updated)
    mention_role_id: int | None = None
    publish: bool = False
    target: Target = "channel"
    forum_tags: tuple[int, ...] = ()


@dataclass(frozen=True, kw_only=True)
class SubscriptionRequest:
    """What staff ask `/digest subscribe` for, as typed; checked before anything is saved.

    None for topics means every topic; None for the schedule or zone, the defaults.
    """

    language: str  # of the digests
    topics: str | None = None  # topic ids or aliases, separated by commas
    schedule: str | None = None
    timezone: str | None = None
    mode: str = "changes"
    mention_role_id: int | None = None
    publish: bool = False
    target: Target = "channel"
    forum_tags: tuple[int, ...] = ()


@dataclass(frozen=True)
class StateCounts:
    """How many subscriptions are in each state, and the earliest active due time."""

    active: int = 0
    paused: int = 0
    failing: int = 0
    next_due: dt.datetime | None = None


@dataclass(frozen=True)
class DigestRun:
    """What one delivery run did for one subscription, as `/digest why` shows it."""

    subscription_id: int
    at: dt.datetime
    outcome: RunOutcome
    due_at: dt.datetime | None = None  # the due time the run was about
    channel_id: int | None = None  # where the first message went
    message_id: int | None = None  # the first message, for a jump link
    code: int | None = None  # Discord's error code
    reason: str | None = None  # Discord's reason, or why the bot paused it
    detail: str | None = None  # e.g. the end of a range of skipped due times
