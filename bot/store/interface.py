"""The storage interface: what the rest of the bot may ask of a store, by intent.

Grouped by what is stored: subscriptions, the delivery ledger, run history, section
history and the bot's own state. Both implementations (`bot.store.sqlite` and
`bot.store.postgres`) pass the same test suite. Methods that serve a guild's command take
that guild's id and filter on it; every datetime in and out is timezone-aware.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.briefings.library import Library
from bot.digests.records import (
    Blob,
    Delivery,
    DigestClaim,
    DigestRun,
    NewSubscription,
    StateCounts,
    Subscription,
)


@dataclass(frozen=True)
class ClusterProcess:
    """One running process of a deployment, as its last heartbeat recorded it."""

    process_id: str
    shard_ids: tuple[int, ...] | None  # None: every shard
    shard_count: int | None  # None: Discord's recommendation
    leading: bool
    started_at: dt.datetime
    heartbeat_at: dt.datetime


class SubscriptionStore(Protocol):
    """Channel subscriptions: by guild for commands, by id for the scheduler."""

    async def save(self, entry: NewSubscription, now: dt.datetime) -> tuple[Subscription, bool]:
        """Subscribe a guild's channel, or update its subscription; True if it is new.

        Updating keeps what the last digest covered, a pause and who subscribed, and
        clears a failure. Raises PermissionError if the channel's subscription belongs
        to another guild.
        """
        ...

    async def add_many(self, entries: Iterable[NewSubscription], now: dt.datetime) -> int:
        """Add many new subscriptions in one transaction; returns how many were added."""
        ...

    async def of_guild(self, guild_id: int) -> list[Subscription]:
        """Every subscription of one guild, by channel, with any delivery being retried."""
        ...

    async def in_channel(self, guild_id: int, channel_id: int) -> Subscription | None:
        """One guild's subscription for a channel, if it has one."""
        ...

    async def delete(self, guild_id: int, channel_id: int) -> bool:
        """Unsubscribe one guild's channel, dropping its ledger; False if not subscribed."""
        ...

    async def pause(
        self, guild_id: int, channel_id: int, now: dt.datetime, by: int | None = None
    ) -> Subscription | None:
        """Pause one guild's channel subscription (by a member); None if it has none."""
        ...

    async def resume(
        self, guild_id: int, channel_id: int, next_due: dt.datetime, now: dt.datetime
    ) -> Subscription | None:
        """Make a paused or failing subscription active again from `next_due`."""
        ...

    async def due(self, now: dt.datetime) -> list[Subscription]:
        """Active subscriptions due at `now` with no earlier digest still unfinished."""
        ...

    async def earliest_due(self) -> dt.datetime | None:
        """The earliest due time of any active subscription."""
        ...

    async def state_counts(self, guild_id: int | None = None) -> StateCounts:
        """How many of a guild's subscriptions are active, paused and failing (None: all)."""
        ...

    async def mark_failing(
        self, subscription: Subscription, code: int | None, reason: str, now: dt.datetime
    ) -> bool:
        """Pause a subscription as failing with Discord's reason; True if it was active."""
        ...

    async def claim_failure_notice(self, subscription: Subscription) -> bool:
        """Reserve the one notice about a failing subscription; False if already sent."""
        ...

    async def remove(self, subscription: Subscription) -> bool:
        """Delete a subscription whose channel is gone, with its ledger."""
        ...


class DeliveryLedger(Protocol):
    """Digests claimed for sending, their progress and the blobs they are stored in."""

    async def of_channel(self, guild_id: int, channel_id: int) -> list[Delivery]:
        """The ledger of one guild's channel subscription, oldest due time first."""
        ...

    async def unfinished(self) -> list[tuple[Subscription, Delivery]]:
        """Ledger rows not yet sent whose subscription is active, oldest first."""
        ...

    async def get(self, subscription_id: int, due_at: dt.datetime) -> Delivery | None:
        """One ledger row."""
        ...

    async def blobs(self, hashes: Iterable[str]) -> dict[str, str]:
        """The stored texts with these hashes (missing ones are left out)."""
        ...

    async def claim_scheduled(
        self, claims: Sequence[DigestClaim], now: dt.datetime
    ) -> list[Delivery]:
        """Advance due subscriptions and write their pending ledger rows, atomically."""
        ...

    async def claim_manual(
        self,
        subscription: Subscription,
        due_at: dt.datetime,
        payload: Blob,
        snapshot: Blob,
        message_count: int,
        now: dt.datetime,
    ) -> Delivery | None:
        """The pending ledger row of a digest sent on request; None if another claim won."""
        ...

    async def record_progress(
        self,
        subscription_id: int,
        due_at: dt.datetime,
        message_ids: Sequence[int],
        attempts: int,
        now: dt.datetime,
    ) -> None:
        """Remember which messages of a multi-message digest are already sent."""
        ...

    async def mark_thread_opening(
        self, subscription_id: int, due_at: dt.datetime, now: dt.datetime
    ) -> None:
        """Note, before asking Discord for it, that this digest is opening its thread."""
        ...

    async def record_thread(
        self, subscription_id: int, due_at: dt.datetime, thread_id: int, now: dt.datetime
    ) -> None:
        """Remember the forum post or thread this digest opened."""
        ...

    async def mark_sent(
        self,
        subscription: Subscription,
        delivery: Delivery,
        message_ids: Sequence[int],
        attempts: int,
        now: dt.datetime,
    ) -> None:
        """Mark a ledger row sent and move the subscription's snapshot to what it covered."""
        ...

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
        ...

    async def expire(
        self, subscription: Subscription, delivery: Delivery, now: dt.datetime
    ) -> None:
        """Give up on a ledger row that is too late to send, and record the skip."""
        ...

    async def prune(self, before: dt.datetime) -> int:
        """Forget finished ledger rows due before `before`, and blobs nothing refers to."""
        ...


class SectionHistory(Protocol):
    """When each version of each section was first loaded."""

    async def record_versions(
        self, library: Library, now: dt.datetime, *, only: Collection[str] | None = None
    ) -> int:
        """Record each section's current content hash; returns how many were new."""
        ...

    async def first_seen(
        self, briefing_id: str, section_id: str, content_hash: str
    ) -> dt.datetime | None:
        """When this version of a section was first loaded, if ever."""
        ...


class RunHistory(Protocol):
    """What each delivery run did for each subscription: the newest `KEEP_RUNS` of them."""

    async def record(self, runs: Sequence[DigestRun]) -> None:
        """Add these runs, dropping each subscription's runs beyond the newest `KEEP_RUNS`."""
        ...

    async def recent(self, subscription_id: int, limit: int = 5) -> list[DigestRun]:
        """The subscription's newest runs, newest first."""
        ...


class BotState(Protocol):
    """Small facts the bot remembers about itself across restarts."""

    async def command_tree_hash(self, scope: str) -> str | None:
        """The hash of the command tree last synced to this scope, if any."""
        ...

    async def remember_command_tree(self, scope: str, payload_hash: str, now: dt.datetime) -> None:
        """Record that the command tree with this hash was synced to the scope."""
        ...

    async def heartbeat(self, process: ClusterProcess) -> None:
        """Record that a process is alive, with its shards and whether it leads."""
        ...

    async def cluster(self, alive_since: dt.datetime) -> list[ClusterProcess]:
        """The processes whose last heartbeat is not older than `alive_since`, by id."""
        ...

    async def forget_process(self, process_id: str) -> None:
        """Remove a process that stopped cleanly."""
        ...


class Leadership(Protocol):
    """Which process of a deployment delivers digests: at most one at a time."""

    @property
    def leading(self) -> bool:
        """Whether this process leads now (False at once when its hold is lost)."""
        ...

    @property
    def confirm_while_leading(self) -> bool:
        """Whether the leader must keep confirming its hold (a lock that can be lost)."""
        ...

    async def try_lead(self) -> bool:
        """Become the leader if nobody is, or confirm this process still is; True if it leads."""
        ...

    async def step_down(self) -> None:
        """Stop leading, so that a standby can take over."""
        ...


class Store(Protocol):
    """A whole store: its groups of tables, opened and closed together."""

    @property
    def subscriptions(self) -> SubscriptionStore:
        """Channel subscriptions."""
        ...

    @property
    def ledger(self) -> DeliveryLedger:
        """The delivery ledger."""
        ...

    @property
    def sections(self) -> SectionHistory:
        """Section history."""
        ...

    @property
    def history(self) -> RunHistory:
        """What each delivery run did, per subscription."""
        ...

    @property
    def state(self) -> BotState:
        """The bot's own state."""
        ...

    @property
    def leadership(self) -> Leadership:
        """Who delivers digests in a deployment of several processes."""
        ...

    async def open(self) -> None:
        """Connect and apply pending migrations."""
        ...

    async def close(self) -> None:
        """Disconnect, if connected."""
        ...

    async def checkpoint(self) -> int:
        """Tidy the store's write-ahead storage between runs; what it had to leave."""
        ...

    async def schema_version(self) -> int:
        """The number of the last migration applied."""
        ...
