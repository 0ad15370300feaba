"""What the `/digest` commands do to subscriptions: validate, save, pause, resume, preview.

Input is validated before anything is saved (unknown topics, schedules or time zones
raise the user-facing errors of `bot.errors`), and every call is scoped to one guild.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from bot.delivery.payloads import DigestPayloads
from bot.delivery.planning import SubscriptionLocks
from bot.delivery.ports import CurrentLibrary, DeliveryPolicy
from bot.delivery.queue import OutgoingMessage
from bot.delivery.reports import Explanation
from bot.delivery.run import DeliveryRun
from bot.digests.compose import parse_topics
from bot.digests.records import MODES, Mode, NewSubscription, Subscription, SubscriptionRequest
from bot.digests.schedule import next_due, parse_schedule, parse_timezone
from bot.errors import ChannelNotInGuild, NotSubscribed
from bot.store.interface import Store

DEFAULT_SCHEDULE = "daily 09:00"
RUNS_SHOWN = 5  # runs `/digest why` lists, newest first


class SubscriptionService:
    """One guild's digest subscriptions, as its staff manage them."""

    def __init__(
        self,
        store: Store,
        library: CurrentLibrary,
        run: DeliveryRun,
        payloads: DigestPayloads,
        locks: SubscriptionLocks,
        policy: DeliveryPolicy,
        rearm: Callable[[], Awaitable[None]],
    ) -> None:
        self._store = store
        self._library = library
        self._run = run
        self._payloads = payloads
        self._locks = locks
        self._policy = policy
        self._rearm = rearm  # wake the scheduler sooner when a due time moved earlier

    async def subscribe(
        self,
        guild_id: int,
        channel_id: int,
        request: SubscriptionRequest,
        *,
        user_id: int | None,
        now: dt.datetime,
    ) -> tuple[Subscription, bool]:
        """Check and save a subscription (new or updated); True if it is new.

        Raises InvalidTopics, InvalidSchedule or InvalidTimezone, saving nothing.
        """
        topic_ids = parse_topics(request.topics, self._library())
        parsed = parse_schedule(request.schedule or DEFAULT_SCHEDULE)
        zone = parse_timezone(request.timezone or self._policy.default_timezone)
        if request.mode not in MODES:
            raise ValueError(f"unknown digest mode {request.mode!r}")
        mode: Mode = "full" if request.mode == "full" else "changes"
        entry = NewSubscription(
            guild_id,
            channel_id,
            topic_ids,
            parsed.expression,
            zone.key,
            mode,
            request.language,
            next_due(parsed, zone, now),
            created_by=user_id,
            mention_role_id=request.mention_role_id,
            publish=request.publish,
            target=request.target,
            forum_tags=request.forum_tags,
        )
        try:
            saved = await self._store.subscriptions.save(entry, now)
        except PermissionError:
            raise ChannelNotInGuild() from None
        await self._rearm()
        return saved

    async def of_guild(self, guild_id: int) -> list[Subscription]:
        """This guild's subscriptions."""
        return await self._store.subscriptions.of_guild(guild_id)

    async def get(self, guild_id: int, channel_id: int) -> Subscription:
        """One channel's subscription in this guild; raises NotSubscribed."""
        found = await self._store.subscriptions.in_channel(guild_id, channel_id)
        if found is None:
            raise NotSubscribed(channel=f"<#{channel_id}>")
        return found

    async def unsubscribe(self, guild_id: int, channel_id: int) -> None:
        """Remove a channel's subscription; raises NotSubscribed."""
        async with self._locks((await self.get(guild_id, channel_id)).id):
            if not await self._store.subscriptions.delete(guild_id, channel_id):
                raise NotSubscribed(channel=f"<#{channel_id}>")

    async def pause(
        self, guild_id: int, channel_id: int, now: dt.datetime, *, by: int | None = None
    ) -> Subscription:
        """Pause a channel's digests (`by` the member who asked); raises NotSubscribed."""
        paused = await self._store.subscriptions.pause(guild_id, channel_id, now, by=by)
        if paused is None:
            raise NotSubscribed(channel=f"<#{channel_id}>")
        return paused

    async def resume(self, guild_id: int, channel_id: int, now: dt.datetime) -> Subscription:
        """Resume a paused or failing channel from its next due time; raises NotSubscribed."""
        current = await self.get(guild_id, channel_id)
        zone = parse_timezone(current.timezone)
        due = next_due(parse_schedule(current.schedule), zone, now)
        resumed = await self._store.subscriptions.resume(guild_id, channel_id, due, now)
        if resumed is None:
            raise NotSubscribed(channel=f"<#{channel_id}>")
        await self._rearm()
        return resumed

    async def explain(self, guild_id: int, channel_id: int, now: dt.datetime) -> Explanation:
        """Why the channel got what it got: its last runs and what would be sent now."""
        subscription = await self.get(guild_id, channel_id)
        runs = await self._store.history.recent(subscription.id, RUNS_SHOWN)
        unfinished = await self._run.unfinished(subscription)
        waiting = None if unfinished else await self._run.waiting(subscription, now)
        return Explanation(subscription, runs, waiting)

    async def preview(
        self, guild_id: int, channel_id: int, now: dt.datetime
    ) -> list[OutgoingMessage]:
        """Exactly what the channel's next digest would post at `now` (nothing if unchanged)."""
        subscription = await self.get(guild_id, channel_id)
        unfinished = await self._run.unfinished(subscription)
        if unfinished:
            row = unfinished[0]
            return (await self._payloads.messages(row.payload_hash))[len(row.message_ids) :]
        rendered = await self._run.render_for(subscription, now)
        if rendered is None:
            return []
        self._payloads.remember(rendered.payload)
        return await self._payloads.messages(rendered.payload.hash)
