"""A crash between Discord creating a digest's post, thread or DM and the bot hearing of it.

For each target the first bot's request is carried out by the loopback Discord but its
answer is dropped, and the bot dies while waiting to retry. A second bot over the same
database finishes the digest: exactly one forum post, one thread or one DM message.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import discord
import pytest

from benchmarks.loopback_channels import FORUM, GUILD_ID
from benchmarks.loopback_discord import Fault, LoopbackDiscord
from bot.config import Settings
from bot.delivery.queue import Backoff
from bot.digests.records import DM_GUILD, Subscription, SubscriptionRequest
from bot.discord.client import BriefBot, create_bot

TOKEN = "loopback-token-must-never-be-logged"
FORUM_ID, TEXT_ID, MEMBER_ID = 4_200_000_000_000_500, 4_200_000_000_000_600, 77


@pytest.fixture
def server() -> LoopbackDiscord:
    server = LoopbackDiscord(global_limit=500)
    server.channels[FORUM_ID] = {"type": FORUM, "name": "briefings"}
    return server


@pytest.fixture
def api(server: LoopbackDiscord, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with server.in_thread() as url:
        monkeypatch.setattr(discord.http.Route, "BASE", url)
        yield url


async def logged_in_bot(settings: Settings) -> BriefBot:
    bot = create_bot(settings)
    await bot.login(TOKEN)  # runs setup_hook: database, briefings, commands, digests
    return bot


async def subscribe(bot: BriefBot, target: str) -> Subscription:
    """A digest to the forum, a new thread per digest in a text channel, or a DM follow."""
    if target == "dm":
        follow, _ = await bot.digests.follows.follow(
            MEMBER_ID,
            "ukraine-ceasefire",
            schedule=None,
            timezone="UTC",
            language="en",
            now=bot.clock(),
        )
        return follow
    subscription, _ = await bot.digests.subscribe(
        GUILD_ID,
        FORUM_ID if target == "forum" else TEXT_ID,
        SubscriptionRequest(
            language="en",
            topics=None,
            schedule="daily 09:00",
            timezone="UTC",
            mode="full",
            target="forum" if target == "forum" else "new_thread",
        ),
        user_id=None,
        now=bot.clock(),
    )
    return subscription


DROPPED = {
    "forum": Fault("POST", f"/channels/{FORUM_ID}/threads", drop=True),
    "new_thread": Fault("POST", f"/channels/{TEXT_ID}/messages/*/threads", drop=True),
    "dm": Fault("POST", "/channels/*/messages", drop=True),
}


@pytest.mark.parametrize("target", ["forum", "new_thread", "dm"])
async def test_a_crash_before_the_answer_still_gives_exactly_one(
    settings: Settings, server: LoopbackDiscord, api: str, target: str
) -> None:
    first = await logged_in_bot(settings)
    first.digests.delivery.backoff = Backoff(base=60)  # the crash comes during this wait
    subscription = await subscribe(first, target)
    server.add_fault(DROPPED[target])
    run = asyncio.create_task(first.digests.deliver_due(subscription.next_due))
    for _ in range(300):
        if server.stats.faults and first.digests.delivery.retries:
            break
        await asyncio.sleep(0.01)
    assert server.stats.faults == 1, "the dropped request never came"
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    guild = DM_GUILD if target == "dm" else GUILD_ID
    [pending] = await first.store.ledger.of_channel(guild, subscription.channel_id)
    assert pending.status == "pending"
    await first.close()

    second = await logged_in_bot(settings)  # a new process on the same database
    try:
        await second.digests.drain()  # the start-up catch-up finishes the pending row
        [row] = await second.store.ledger.of_channel(guild, subscription.channel_id)
        assert row.status == "sent"
        assert server.stats.duplicates == 0
        if target == "dm":
            assert sum(server.stats.per_channel.values()) == row.message_count
            [dm_channel] = server.stats.per_channel
            assert server.stats.per_channel[dm_channel] == row.message_count
        else:
            [thread] = server.stats.threads  # one post or thread, never a second
            assert row.thread_id == int(thread["id"])
            in_thread = server.stats.per_channel[int(thread["id"])]
            in_parent = server.stats.per_channel[subscription.channel_id]
            assert in_thread + in_parent == row.message_count
            assert in_parent == (1 if target == "new_thread" else 0)
        assert len(row.message_ids) == row.message_count
        assert (await second.digests.deliver_due(subscription.next_due)).sent == 0
        assert len(server.stats.threads) == (0 if target == "dm" else 1)
    finally:
        await second.close()
