"""`DigestService`: scheduled digests as the bot starts, stops and commands them.

It wires the parts of this package to the narrow ports it is given (the store, the
send queue, a clock, the current library, a payload writer, notice channels) and
offers the one API the cogs use. Each part lives in its own module: the run
(`run`), sending one digest (`sending`), stored payloads (`payloads`), the scheduler
(`scheduler`) and subscription management (`subscriptions`).
"""

from __future__ import annotations

import datetime as dt

from bot.delivery.follows import FollowService
from bot.delivery.payloads import DigestPayloads
from bot.delivery.planning import SubscriptionLocks
from bot.delivery.ports import (
    Clock,
    CurrentLibrary,
    DeliveryPolicy,
    MemoryRelease,
    NoticeChannels,
    PayloadWriter,
    keep_freed_memory,
)
from bot.delivery.queue import DeliveryQueue, OutgoingMessage
from bot.delivery.reports import DeliveryReport, Explanation, SendOutcome
from bot.delivery.run import DeliveryRun
from bot.delivery.scheduler import DigestScheduler
from bot.delivery.sending import LedgerSender
from bot.delivery.subscriptions import SubscriptionService
from bot.digests.records import Subscription, SubscriptionRequest
from bot.store.interface import Store


class DigestService:
    """Delivers digests to subscribed channels at their due times, and manages them."""

    def __init__(
        self,
        *,
        store: Store,
        queue: DeliveryQueue,
        clock: Clock,
        library: CurrentLibrary,
        write_payload: PayloadWriter,
        notices: NoticeChannels,
        policy: DeliveryPolicy,
        release_memory: MemoryRelease = keep_freed_memory,
    ) -> None:
        self.delivery = queue
        self.policy = policy
        locks = SubscriptionLocks()
        payloads = DigestPayloads(store.ledger, write_payload)
        sender = LedgerSender(store, queue, payloads, notices)
        self.run = DeliveryRun(
            store,
            library,
            payloads,
            sender,
            locks,
            policy,
            lambda: store.leadership.leading,
            release_memory,
        )
        self.scheduler = DigestScheduler(self.run, store, queue, clock, policy)
        self.manage = SubscriptionService(
            store, library, self.run, payloads, locks, policy, self.scheduler.rearm
        )
        self.follows = FollowService(store, library, policy, self.scheduler.rearm, self.manage)

    @property
    def window(self) -> dt.timedelta:
        """How late a due time may be and still be delivered: catch-up hours plus one tick."""
        return self.policy.window

    @property
    def leading(self) -> bool:
        """Whether this process delivers scheduled digests (one process of a deployment does)."""
        return self.scheduler.leading

    @property
    def current_run(self) -> DeliveryReport | None:
        """The report of the run in progress, filled in as it goes (None between runs)."""
        return self.run.current_run

    async def start(self) -> None:
        """Catch up on digests missed while down, then start the scheduler."""
        await self.scheduler.start()

    async def stop(self) -> None:
        """Finish in-flight sends and stop the scheduler."""
        await self.scheduler.stop()

    async def drain(self) -> None:
        """Wait until the background runs started so far (such as the catch-up) are done."""
        await self.scheduler.drain()

    async def deliver_due(self, now: dt.datetime) -> DeliveryReport:
        """Deliver every digest due at `now` (and retry unfinished ones); report what happened."""
        return await self.run.deliver_due(now)

    async def subscribe(
        self,
        guild_id: int,
        channel_id: int,
        request: SubscriptionRequest,
        *,
        user_id: int | None,
        now: dt.datetime,
    ) -> tuple[Subscription, bool]:
        """Check and save a subscription (new or updated); True if it is new."""
        return await self.manage.subscribe(guild_id, channel_id, request, user_id=user_id, now=now)

    async def subscriptions(self, guild_id: int) -> list[Subscription]:
        """This guild's subscriptions."""
        return await self.manage.of_guild(guild_id)

    async def subscription(self, guild_id: int, channel_id: int) -> Subscription:
        """One channel's subscription in this guild; raises NotSubscribed."""
        return await self.manage.get(guild_id, channel_id)

    async def unsubscribe(self, guild_id: int, channel_id: int) -> None:
        """Remove a channel's subscription; raises NotSubscribed."""
        await self.manage.unsubscribe(guild_id, channel_id)

    async def pause(
        self, guild_id: int, channel_id: int, now: dt.datetime, *, by: int | None = None
    ) -> Subscription:
        """Pause a channel's digests (`by` the member who asked); raises NotSubscribed."""
        return await self.manage.pause(guild_id, channel_id, now, by=by)

    async def resume(self, guild_id: int, channel_id: int, now: dt.datetime) -> Subscription:
        """Resume a paused or failing channel from its next due time; raises NotSubscribed."""
        return await self.manage.resume(guild_id, channel_id, now)

    async def preview(
        self, guild_id: int, channel_id: int, now: dt.datetime
    ) -> list[OutgoingMessage]:
        """Exactly what the channel's next digest would post at `now` (nothing if unchanged)."""
        return await self.manage.preview(guild_id, channel_id, now)

    async def explain(self, guild_id: int, channel_id: int, now: dt.datetime) -> Explanation:
        """Why the channel got what it got; raises NotSubscribed."""
        return await self.manage.explain(guild_id, channel_id, now)

    async def send_now(self, guild_id: int, channel_id: int, now: dt.datetime) -> SendOutcome:
        """Deliver a channel's digest now, through the same ledger and queue as a scheduled one."""
        subscription = await self.manage.get(guild_id, channel_id)
        return await self.run.deliver_now(subscription, now)
