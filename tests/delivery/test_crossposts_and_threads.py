"""Crossposts and archived threads, against the loopback Discord.

simcord has no crosspost limit and lets anyone post in an archived thread, so the
crosspost limit (10 per channel an hour, then a 429 for that route) and locked archived
threads (400, 50083) are tested here with discord.py's real HTTP client over real HTTP.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import discord
import pytest
import pytest_asyncio

from benchmarks.loopback_channels import ANNOUNCEMENT, CROSSPOSTS_PER_HOUR, PUBLIC_THREAD
from benchmarks.loopback_discord import Fault, LoopbackDiscord
from bot.delivery.queue import Backoff, DeliveryQueue, DeliveryRejected, OutgoingMessage

NEWS_ID, TEXT_ID = 200, 100


@pytest.fixture
def server() -> LoopbackDiscord:
    server = LoopbackDiscord(global_limit=500)
    server.channels[NEWS_ID] = {"type": ANNOUNCEMENT, "name": "news"}
    return server


@pytest.fixture
def api(server: LoopbackDiscord, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with server.in_thread() as url:
        monkeypatch.setattr(discord.http.Route, "BASE", url)
        yield url


@pytest_asyncio.fixture
async def client(api: str) -> AsyncIterator[discord.Client]:
    bot = discord.Client(intents=discord.Intents.none())
    await bot.login("loopback-token")
    try:
        yield bot
    finally:
        await bot.close()


async def test_past_the_hourly_limit_publishing_is_skipped_and_sending_goes_on(
    client: discord.Client, server: LoopbackDiscord
) -> None:
    queue = DeliveryQueue(client, rate=200)
    queue.crosspost_wait = 0.5  # discord.py would wait out the hour-long 429
    posted = [
        await queue.send(NEWS_ID, OutgoingMessage(f"digest {n}"), nonce=f"n{n}")
        for n in range(CROSSPOSTS_PER_HOUR + 2)
    ]
    published = [await queue.crosspost(NEWS_ID, sent.message_id) for sent in posted]

    assert published == [True] * CROSSPOSTS_PER_HOUR + [False, False]
    assert server.stats.crossposts[NEWS_ID] == CROSSPOSTS_PER_HOUR
    assert server.stats.rate_limited == 0  # the route's limit, never the global one
    # The messages themselves all went out, and a later one still sends.
    later = await queue.send(NEWS_ID, OutgoingMessage("after"), nonce="after")
    assert later.message_id not in {sent.message_id for sent in posted}


async def test_publishing_again_after_a_restart_counts_as_published(
    client: discord.Client, server: LoopbackDiscord
) -> None:
    queue = DeliveryQueue(client, rate=200)
    sent = await queue.send(NEWS_ID, OutgoingMessage("digest"), nonce="once")
    assert await queue.crosspost(NEWS_ID, sent.message_id)
    again = await queue.send(NEWS_ID, OutgoingMessage("digest"), nonce="once")  # same nonce
    assert again.message_id == sent.message_id
    assert await queue.crosspost(NEWS_ID, again.message_id)  # Discord: already crossposted
    assert server.stats.crossposts[NEWS_ID] == 1


async def test_a_channel_that_cannot_publish_does_not_stop_the_digest(
    client: discord.Client, server: LoopbackDiscord
) -> None:
    queue = DeliveryQueue(client, rate=200)
    sent = await queue.send(TEXT_ID, OutgoingMessage("plain"), nonce="plain")
    assert not await queue.crosspost(TEXT_ID, sent.message_id)  # 50024: not announcement


# --- Archived threads ------------------------------------------------------------------------

THREAD_ID = 700


async def test_a_locked_archived_thread_is_reopened_and_gets_its_digest(
    client: discord.Client, server: LoopbackDiscord
) -> None:
    server.channels[THREAD_ID] = {
        "type": PUBLIC_THREAD,
        "parent_id": TEXT_ID,
        "thread_metadata": {"archived": True, "locked": True},
    }
    queue = DeliveryQueue(client, rate=200, backoff=Backoff(base=0))
    sent = await queue.send(THREAD_ID, OutgoingMessage("digest"), nonce="thread")
    assert sent.attempts == 2  # refused (50083), reopened, posted
    metadata = server.channel(THREAD_ID)["thread_metadata"]
    assert (metadata["archived"], metadata["locked"]) == (False, False)


async def test_a_thread_the_bot_may_not_reopen_is_refused_with_discords_reason(
    client: discord.Client, server: LoopbackDiscord
) -> None:
    server.channels[THREAD_ID] = {
        "type": PUBLIC_THREAD,
        "parent_id": TEXT_ID,
        "thread_metadata": {"archived": True, "locked": True},
    }
    server.add_fault(
        Fault(
            "PATCH",
            f"*/channels/{THREAD_ID}",
            status=403,
            code=50013,
            message="Missing Permissions",
        )
    )
    queue = DeliveryQueue(client, rate=200, backoff=Backoff(base=0))
    with pytest.raises(DeliveryRejected) as refused:
        await queue.send(THREAD_ID, OutgoingMessage("digest"), nonce="thread")
    assert refused.value.code == 50083
    assert server.channel(THREAD_ID)["thread_metadata"]["locked"] is True
