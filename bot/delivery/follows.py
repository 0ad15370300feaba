"""Members' personal follows: a topic's digests in their direct messages.

A member has at most one follow subscription (guild `DM_GUILD`, channel id the member's
id, target `dm`); following another topic adds it to that subscription's topics, so one
digest a schedule covers every topic the member follows. Follows are delivered by the
same run, ledger and paced queue as channel digests. A follow that Discord refuses to
deliver (DMs closed) is paused as failing, and the member is told once, at the next
command they use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.delivery.ports import CurrentLibrary, DeliveryPolicy
from bot.delivery.reports import Explanation
from bot.delivery.subscriptions import DEFAULT_SCHEDULE, SubscriptionService
from bot.digests.records import DM_GUILD, NewSubscription, Subscription
from bot.digests.schedule import next_due, parse_schedule, parse_timezone
from bot.errors import NotFollowing, NotSubscribed
from bot.store.interface import Store


@dataclass(frozen=True)
class Unfollowed:
    """What `/briefing unfollow` left: the topic dropped and the follow that remains, if any."""

    topic: str
    remaining: Subscription | None


class FollowService:
    """Members' follows, as `/briefing follow`, `unfollow` and `following` manage them."""

    def __init__(
        self,
        store: Store,
        library: CurrentLibrary,
        policy: DeliveryPolicy,
        rearm: Callable[[], Awaitable[None]],
        manage: SubscriptionService,
    ) -> None:
        self._store = store
        self._library = library
        self._policy = policy
        self._rearm = rearm
        self._manage = manage

    async def of_member(self, user_id: int) -> Subscription | None:
        """The member's follow subscription, if they follow anything."""
        return await self._store.subscriptions.in_channel(DM_GUILD, user_id)

    async def follow(
        self,
        user_id: int,
        topic: str,
        *,
        schedule: str | None,
        timezone: str | None,
        language: str,
        now: dt.datetime,
    ) -> tuple[Subscription, bool]:
        """Add a topic to the member's follows (schedule and zone kept unless given).

        Following again restarts a follow paused because Discord refused a DM.
        Raises TopicNotFound, InvalidSchedule or InvalidTimezone, saving nothing.
        """
        briefing = self._library().visible(now).find_topic(topic)
        current = await self.of_member(user_id)
        topics = list(current.topics or ()) if current is not None else []
        if briefing.id not in topics:
            topics.append(briefing.id)
        parsed = parse_schedule(
            schedule or (current.schedule if current is not None else DEFAULT_SCHEDULE)
        )
        zone = parse_timezone(
            timezone or (current.timezone if current is not None else self._policy.default_timezone)
        )
        follow = NewSubscription(
            DM_GUILD,
            user_id,
            tuple(topics),
            parsed.expression,
            zone.key,
            "changes",
            language,
            next_due(parsed, zone, now),
            created_by=user_id,
            target="dm",
        )
        saved, created = await self._store.subscriptions.save(follow, now)
        if saved.state == "paused":  # a follow has no pause command: following resumes it
            resumed = await self._store.subscriptions.resume(DM_GUILD, user_id, saved.next_due, now)
            saved = resumed or saved
        await self._rearm()
        return saved, created

    async def unfollow(self, user_id: int, topic: str, now: dt.datetime) -> Unfollowed:
        """Drop a topic from the member's follows (the last one ends them); raises NotFollowing."""
        current = await self.of_member(user_id)
        followed = list(current.topics or ()) if current is not None else []
        library = self._library()
        briefing = library.get(topic)
        topic_id = briefing.id if briefing is not None and briefing.id in followed else topic
        if current is None or topic_id not in followed:
            raise NotFollowing(topic=topic)
        followed.remove(topic_id)
        if not followed:
            await self._store.subscriptions.delete(DM_GUILD, user_id)
            return Unfollowed(topic_id, None)
        fewer = NewSubscription(
            DM_GUILD,
            user_id,
            tuple(followed),
            current.schedule,
            current.timezone,
            current.mode,
            current.language,
            current.next_due,
            created_by=user_id,
            target="dm",
        )
        saved, _ = await self._store.subscriptions.save(fewer, now)
        return Unfollowed(topic_id, saved)

    async def explain(self, user_id: int, now: dt.datetime) -> Explanation | None:
        """The member's follow with its last runs and what waits; None if they follow nothing."""
        try:
            return await self._manage.explain(DM_GUILD, user_id, now)
        except NotSubscribed:
            return None

    async def unheard_pause(self, user_id: int) -> Subscription | None:
        """The member's follow if Discord's refusal paused it and they have not been told.

        Claims the one notice, so a member hears of a pause once.
        """
        current = await self.of_member(user_id)
        if current is None or current.state != "failing" or current.failure_notified:
            return None
        if not await self._store.subscriptions.claim_failure_notice(current):
            return None
        return current
