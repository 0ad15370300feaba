"""Where each message of a digest goes: a channel, a new forum post, a new thread, a DM.

* `channel`: every message in the channel (text, announcement, voice) or existing thread.
* `forum`: the first message opens a post in the forum or media channel, with the
  subscription's tags; the rest go into that post.
* `new_thread`: the first message goes in the channel and opens a thread; the rest go
  into the thread (whose id is the first message's, as on Discord).
* `dm`: every message in the member's direct messages.

Messages keep their nonces, so a resend after a crash returns the message Discord made.
Opening a forum post takes no nonce, so the ledger row is marked just before the
request (`thread_opening_at`), and a restart that finds the mark (with no post recorded)
looks for the post among the guild's active threads before it opens another; a retry
after a failed attempt looks too. A thread opened from a message cannot be opened twice:
Discord answers 160004, which means it is there already.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import discord
from discord.http import MultipartParameters

from bot.delivery.queue import (
    DeliveryQueue,
    DeliveryRejected,
    OutgoingMessage,
    Sent,
    despite_cancellation,
)
from bot.digests.posts import POST_ARCHIVE_MINUTES, find_opened_thread, post_title
from bot.digests.records import Delivery, Subscription
from bot.store.interface import DeliveryLedger

log = logging.getLogger(__name__)

THREAD_EXISTS = 160004  # a thread has already been created for this message
DM_CHANNELS_KEPT = 50_000  # members' DM channel ids remembered between digests


@dataclass
class Placement:
    """Where one digest's messages have gone so far (the ledger row's thread, if any)."""

    thread_id: int | None = None
    first_message_id: int | None = None
    first_channel_id: int | None = None  # where the first message is, for a jump link

    def first_channel(self, subscription: Subscription) -> int:
        """Where the digest's first message is: the channel, its forum post, or the DM."""
        if self.first_channel_id:
            return self.first_channel_id
        if subscription.target == "forum" and self.thread_id is not None:
            return self.thread_id
        return subscription.channel_id

    @classmethod
    def of(cls, row: Delivery) -> Placement:
        """The placement a ledger row records."""
        first = row.message_ids[0] if row.message_ids else None
        return cls(thread_id=row.thread_id, first_message_id=first)


class Destinations:
    """Posts digest messages where their subscription's target says, opening what it needs."""

    def __init__(self, queue: DeliveryQueue, ledger: DeliveryLedger) -> None:
        self._queue = queue
        self._ledger = ledger
        self._dm_channels: dict[int, int] = {}

    async def post(
        self,
        subscription: Subscription,
        row: Delivery,
        placement: Placement,
        index: int,
        message: OutgoingMessage,
        nonce: str,
        now: dt.datetime,
    ) -> Sent:
        """Post message number `index` of a digest; raises a `DeliveryError` subclass."""
        target = subscription.target
        if target == "forum" and index == 0:
            sent = await self._open_post(subscription, row, placement, message, nonce, now)
        elif target == "dm":
            channel_id = await self.dm_channel(subscription.channel_id)
            sent = await self._queue.send(channel_id, message, nonce=nonce)
        elif target in ("forum", "new_thread") and index > 0:
            thread_id = await self.ensure_thread(subscription, row, placement, now)
            sent = await self._queue.send(thread_id, message, nonce=nonce)
        else:
            sent = await self._queue.send(subscription.channel_id, message, nonce=nonce)
        if index == 0:
            placement.first_message_id = sent.message_id
            placement.first_channel_id = sent.channel_id
        return sent

    async def ensure_thread(
        self, subscription: Subscription, row: Delivery, placement: Placement, now: dt.datetime
    ) -> int:
        """The thread holding the rest of a digest, opened from its first message if need be."""
        if placement.thread_id is not None:
            return placement.thread_id
        first = placement.first_message_id
        if subscription.target != "new_thread" or first is None:
            raise DeliveryRejected("the digest's post was never opened", attempts=0)
        name = post_title(subscription, row.due_at)
        channel_id = subscription.channel_id

        async def open_thread() -> Any:
            try:
                return await self._queue.client.http.start_thread_with_message(
                    channel_id, first, name=name, auto_archive_duration=POST_ARCHIVE_MINUTES
                )
            except discord.HTTPException as error:
                if error.code == THREAD_EXISTS:  # opened before a restart: the same id
                    return {"id": str(first)}
                raise

        answer, _ = await self._queue.request(channel_id, open_thread)
        placement.thread_id = int(answer["id"])
        await despite_cancellation(
            self._ledger.record_thread(subscription.id, row.due_at, placement.thread_id, now)
        )
        return placement.thread_id

    async def dm_channel(self, user_id: int) -> int:
        """The id of the DM channel with a member (asked of Discord once, then remembered)."""
        known = self._dm_channels.get(user_id)
        if known is not None:
            return known
        answer, _ = await self._queue.request(
            user_id, lambda: self._queue.client.http.start_private_message(user_id)
        )
        if len(self._dm_channels) >= DM_CHANNELS_KEPT:
            self._dm_channels.clear()
        channel_id = self._dm_channels[user_id] = int(answer["id"])
        return channel_id

    async def _open_post(
        self,
        subscription: Subscription,
        row: Delivery,
        placement: Placement,
        message: OutgoingMessage,
        nonce: str,
        now: dt.datetime,
    ) -> Sent:
        """Open the forum post whose first message is the digest's first, exactly once."""
        name = post_title(subscription, row.due_at)
        attempts = 0
        thread_id = placement.thread_id  # opened and recorded: only its message's progress lost
        if thread_id is None:
            if row.thread_opening_at is not None:  # a crash or a lost answer left it unsettled
                thread_id = await self._find_post(subscription, name)
                if thread_id is not None:
                    log.info("found the forum post %s opened before a restart", thread_id)
            if thread_id is None:
                thread_id, attempts = await self._request_post(
                    subscription, row, message, nonce, name, now
                )
            placement.thread_id = thread_id
            await despite_cancellation(
                self._ledger.record_thread(subscription.id, row.due_at, thread_id, now)
            )
        self._queue.sent += 1
        # A post's first message has the post's id.
        return Sent(thread_id, attempts, thread_id)

    async def _request_post(
        self,
        subscription: Subscription,
        row: Delivery,
        message: OutgoingMessage,
        nonce: str,
        name: str,
        now: dt.datetime,
    ) -> tuple[int, int]:
        """Ask Discord for the post, marked in the ledger first; its id and the attempts."""
        await despite_cancellation(
            self._ledger.mark_thread_opening(subscription.id, row.due_at, now)
        )
        body: dict[str, Any] = {
            "name": name,
            "auto_archive_duration": POST_ARCHIVE_MINUTES,
            "message": message.payload(nonce),
        }
        if subscription.forum_tags:
            body["applied_tags"] = [str(tag) for tag in subscription.forum_tags]
        params = MultipartParameters(body, None, None)
        forum_id = subscription.channel_id

        async def find() -> Any:  # did a failed attempt open it after all?
            found = await self._find_post(subscription, name)
            return None if found is None else {"id": str(found)}

        answer, attempts = await self._queue.request(
            forum_id,
            lambda: self._queue.client.http.start_thread_in_forum(forum_id, params=params),
            recover=find,
        )
        return int(answer["id"]), attempts

    async def _find_post(self, subscription: Subscription, name: str) -> int | None:
        """The forum post this digest opened, among the guild's active threads, if any."""
        guild_id = subscription.guild_id
        answer, _ = await self._queue.request(
            subscription.channel_id,
            lambda: self._queue.client.http.get_active_threads(guild_id),
        )
        user = self._queue.client.user
        return find_opened_thread(
            answer.get("threads") or [],
            subscription.channel_id,
            name,
            None if user is None else user.id,
        )
