"""The delivery queue: pacing, retries and error classes, through discord.py's real HTTP client.

A loopback Discord (benchmarks.loopback_discord) runs in a thread; `Route.BASE` points
discord.py's own HTTP client at it, so rate limits, 429s and nonces go over real HTTP.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import discord
import pytest
import pytest_asyncio

from benchmarks.bench_fanout import run_fanout
from benchmarks.loopback_discord import Fault, LoopbackDiscord
from bot.config import Settings
from bot.delivery.queue import (
    Backoff,
    ChannelForbidden,
    ChannelGone,
    DeliveryFailed,
    DeliveryQueue,
    DeliveryRejected,
    OutgoingMessage,
    Pacer,
    QueueClosed,
)
from bot.digests.nonces import delivery_nonce
from bot.digests.records import SubscriptionRequest
from bot.discord.client import BriefBot, create_bot

RUNNABLE_TICKS = 8  # loop turns FakeTime lets pass before it wakes the next sleeper
TOKEN = "loopback-token-must-never-be-logged"
MESSAGE = OutgoingMessage("hello", (discord.Embed(title="Digest", description="body").to_dict(),))


class FakeTime:
    """A clock that only moves when the code under test sleeps (or the test says so).

    Sleepers wake one at a time in order of their wake-up times (then of their calls),
    each once everything runnable has run; `late` makes the next wake-ups that much
    late, as when the event loop stalls.
    """

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []
        self.late: list[float] = []
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._waker: asyncio.Task[None] | None = None

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        wake = self.now + seconds + (self.late.pop(0) if self.late else 0.0)
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (wake, next(self._order), woken))
        if self._waker is None or self._waker.done():
            self._waker = asyncio.create_task(self._wake_in_order())
        await woken

    async def _wake_in_order(self) -> None:
        while self._sleepers:
            for _ in range(RUNNABLE_TICKS):  # everything runnable runs and may sleep
                await asyncio.sleep(0)
            wake, _, woken = heapq.heappop(self._sleepers)
            self.now = max(self.now, wake)
            if not woken.done():
                woken.set_result(None)


# --- The pacer and backoff (pure) -------------------------------------------------------


async def test_the_pacer_spaces_starts_evenly() -> None:
    fake = FakeTime()
    pacer = Pacer(10, margin=0.0, clock=fake.clock, sleep=fake.sleep)
    starts = [await pacer.acquire() for _ in range(5)]
    assert starts == pytest.approx([100.0, 100.1, 100.2, 100.3, 100.4])
    assert fake.now == pytest.approx(100.4)  # it really waited


async def test_the_pacer_keeps_a_safety_margin_under_the_rate() -> None:
    fake = FakeTime()
    pacer = Pacer(50, margin=0.03, clock=fake.clock, sleep=fake.sleep)
    starts = [await pacer.acquire() for _ in range(51)]
    in_one_second = [s for s in starts if s < starts[0] + 1.0]
    assert len(in_one_second) == 49
    assert pacer.interval == pytest.approx(1.03 / 50)


async def test_the_pacer_never_bursts_to_catch_up_after_a_stall() -> None:
    fake = FakeTime()
    pacer = Pacer(10, margin=0.0, clock=fake.clock, sleep=fake.sleep)
    await pacer.acquire()
    fake.now += 5.0  # the loop was busy, or the queue idle
    after = [await pacer.acquire() for _ in range(3)]
    assert after == pytest.approx([105.0, 105.1, 105.2])


async def test_the_pacer_serves_concurrent_callers_at_the_rate() -> None:
    fake = FakeTime()
    pacer = Pacer(20, margin=0.0, clock=fake.clock, sleep=fake.sleep)
    starts = await asyncio.gather(*(pacer.acquire() for _ in range(10)))
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert gaps == pytest.approx([0.05] * 9)
    assert fake.now == pytest.approx(starts[-1])


async def test_a_caller_woken_late_takes_a_new_slot_instead_of_bursting() -> None:
    fake = FakeTime()
    pacer = Pacer(10, margin=0.03, clock=fake.clock, sleep=fake.sleep)
    assert await pacer.acquire() == 100.0
    fake.late = [2.0]  # the loop stalls: this caller wakes two seconds after its slot
    late = await pacer.acquire()
    on_time = await pacer.acquire()
    assert late == pytest.approx(102.103)  # a fresh slot, not the stale 100.103
    assert on_time - late == pytest.approx(0.103)
    fake.late = [0.01]  # within half the margin: send in the slot it woke for
    kept = await pacer.acquire()
    assert kept == pytest.approx(on_time + 0.103)
    # Later than half the margin (the rest is for the way to Discord): the next slot.
    fake.late = [0.02]
    assert await pacer.acquire() == pytest.approx(kept + 2 * 0.103)
    # Callers that keep waking late still go after one fresh slot each (no livelock).
    fake.late = [1.0] * 20
    slept = len(fake.sleeps)
    starts = await asyncio.gather(*(pacer.acquire() for _ in range(5)))
    assert len(set(starts)) == 5
    assert len(fake.sleeps) - slept <= 10


def test_pacer_and_backoff_settings() -> None:
    with pytest.raises(ValueError, match="positive"):
        Pacer(0)
    with pytest.raises(ValueError, match="margin"):
        Pacer(1, margin=-0.1)
    backoff = Backoff(base=0.5, factor=3, cap=10)
    assert [backoff.delay(n) for n in (1, 2, 3, 4)] == [0.5, 1.5, 4.5, 10]


# --- Through discord.py's HTTP client ------------------------------------------------------


@pytest.fixture
def server() -> LoopbackDiscord:
    return LoopbackDiscord(global_limit=500)


@pytest.fixture
def api(server: LoopbackDiscord, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with server.in_thread() as url:
        monkeypatch.setattr(discord.http.Route, "BASE", url)
        yield url


@pytest_asyncio.fixture
async def client(api: str) -> AsyncIterator[discord.Client]:
    bot = discord.Client(intents=discord.Intents.none())
    await bot.login(TOKEN)
    try:
        yield bot
    finally:
        await bot.close()


def queue(client: discord.Client, fake: FakeTime | None = None, **options: object) -> DeliveryQueue:
    sleep = fake.sleep if fake else asyncio.sleep
    return DeliveryQueue(client, sleep=sleep, **options)  # type: ignore[arg-type]


async def test_fan_out_to_200_channels_at_a_high_rate(
    client: discord.Client, server: LoopbackDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    delivery = queue(client, rate=400)
    channels = range(1000, 1200)
    started = time.monotonic()
    results = await asyncio.gather(*(delivery.send(c, MESSAGE, nonce=f"n{c}") for c in channels))
    elapsed = time.monotonic() - started
    stats = server.stats
    assert stats.rate_limited == 0
    assert stats.deduplicated == 0
    assert dict(stats.per_channel) == dict.fromkeys(channels, 1)  # none lost, none twice
    assert {r.attempts for r in results} == {1}
    assert len({r.message_id for r in results}) == 200
    assert elapsed >= 199 * 1.03 / 400 * 0.99  # paced, not bursted
    sent = server.messages[1000][0]
    assert sent["nonce"] == "n1000"
    assert sent["allowed_mentions"] == {"parse": []}
    assert sent["embeds"][0]["title"] == "Digest"
    assert TOKEN not in caplog.text


async def test_pacing_keeps_every_one_second_window_under_the_limit(
    client: discord.Client, server: LoopbackDiscord
) -> None:
    server.global_limit = 300
    delivery = queue(client, rate=300)  # exactly the server's limit
    await asyncio.gather(*(delivery.send(c, MESSAGE, nonce=f"w{c}") for c in range(400)))
    assert server.stats.rate_limited == 0
    assert server.stats.max_in_window <= 300
    assert server.stats.created == 400


async def test_discord_py_handles_429s_as_the_fallback(
    client: discord.Client, server: LoopbackDiscord
) -> None:
    server.global_limit, server.window = 5, 0.1  # 50 requests per second
    delivery = queue(client, rate=500, margin=0.0)  # ten times too fast, on purpose
    await asyncio.gather(*(delivery.send(c, MESSAGE, nonce=f"f{c}") for c in range(40)))
    assert server.stats.rate_limited > 0
    assert server.stats.created == 40
    assert server.stats.per_channel.most_common(1)[0][1] == 1


async def test_server_errors_are_retried_with_backoff(
    client: discord.Client, server: LoopbackDiscord
) -> None:
    fake = FakeTime()
    server.add_fault(Fault("POST", "/channels/7/messages", status=503, times=2))
    delivery = queue(client, fake, rate=1000, backoff=Backoff(base=2, factor=3))
    sent = await delivery.send(7, MESSAGE, nonce="retry")
    assert sent.attempts == 3
    assert fake.sleeps == [2, 6]
    assert server.stats.per_channel[7] == 1


async def test_server_errors_give_up_after_max_attempts(
    client: discord.Client, server: LoopbackDiscord
) -> None:
    fake = FakeTime()
    server.add_fault(Fault("POST", "/channels/7/messages", status=503, times=None))
    delivery = queue(client, fake, rate=1000, max_attempts=4)
    with pytest.raises(DeliveryFailed) as caught:
        await delivery.send(7, MESSAGE, nonce="never")
    assert caught.value.attempts == 4
    assert caught.value.status == 503
    assert len(fake.sleeps) == 3
    assert server.stats.created == 0


async def test_missing_access_and_permissions_are_forbidden(
    client: discord.Client, server: LoopbackDiscord
) -> None:
    server.add_fault(Fault("POST", "/channels/8/messages", 403, 50013, "Missing Permissions"))
    server.add_fault(Fault("POST", "/channels/9/messages", 403, 50001, "Missing Access"))
    delivery = queue(client, rate=1000)
    with pytest.raises(ChannelForbidden) as first:
        await delivery.send(8, MESSAGE, nonce="a")
    with pytest.raises(ChannelForbidden) as second:
        await delivery.send(9, MESSAGE, nonce="b")
    assert (first.value.code, first.value.reason) == (50013, "Missing Permissions (403, 50013)")
    assert (second.value.code, second.value.attempts) == (50001, 1)


async def test_an_unknown_channel_is_gone_but_other_404s_are_retried(
    client: discord.Client, server: LoopbackDiscord
) -> None:
    fake = FakeTime()
    server.add_fault(Fault("POST", "/channels/5/messages", 404, 10003, "Unknown Channel"))
    server.add_fault(Fault("POST", "/channels/6/messages", 404, 0, "404: Not Found"))
    delivery = queue(client, fake, rate=1000)
    with pytest.raises(ChannelGone) as gone:
        await delivery.send(5, MESSAGE, nonce="gone")
    assert gone.value.code == 10003
    assert (await delivery.send(6, MESSAGE, nonce="flaky")).attempts == 2


async def test_a_message_discord_refuses_is_not_retried(
    client: discord.Client, server: LoopbackDiscord
) -> None:
    server.add_fault(Fault("POST", "/channels/4/messages", 400, 50035, "Invalid Form Body"))
    delivery = queue(client, rate=1000)
    with pytest.raises(DeliveryRejected) as caught:
        await delivery.send(4, MESSAGE, nonce="bad")
    assert (caught.value.status, caught.value.code, caught.value.attempts) == (400, 50035, 1)


async def test_a_lost_answer_is_retried_with_the_same_nonce_and_posts_once(
    client: discord.Client, server: LoopbackDiscord
) -> None:
    fake = FakeTime()
    server.add_fault(Fault("POST", "/channels/3/messages", drop=True))
    delivery = queue(client, fake, rate=1000)
    sent = await delivery.send(3, MESSAGE, nonce="same-nonce")
    assert sent.attempts == 2
    assert server.stats.deduplicated == 1
    [only] = server.messages[3]
    assert int(only["id"]) == sent.message_id


async def test_a_slow_answer_times_out_and_is_retried(
    client: discord.Client, server: LoopbackDiscord
) -> None:
    fake = FakeTime()
    server.latency = 0.5
    delivery = queue(client, fake, rate=1000, timeout=0.05, max_attempts=2)
    with pytest.raises(DeliveryFailed) as caught:
        await delivery.send(2, MESSAGE, nonce="slow")
    assert caught.value.attempts == 2
    assert "TimeoutError" in caught.value.reason


async def test_closing_finishes_sends_on_the_wire_and_refuses_new_ones(
    client: discord.Client, server: LoopbackDiscord
) -> None:
    server.latency = 0.2
    delivery = queue(client, rate=1000)
    on_the_wire = asyncio.create_task(delivery.send(1, MESSAGE, nonce="wire"))
    await asyncio.sleep(0.05)
    await delivery.close()
    assert on_the_wire.done()
    assert (await on_the_wire).attempts == 1
    with pytest.raises(QueueClosed):
        await delivery.send(1, MESSAGE, nonce="late")
    assert server.stats.created == 1


# --- The whole bot over the loopback server --------------------------------------------------


async def logged_in_bot(settings: Settings) -> BriefBot:
    bot = create_bot(settings)
    await bot.login(TOKEN)  # runs setup_hook: database, briefings, commands, digests
    return bot


async def test_a_pending_row_retried_after_a_crash_posts_once(
    settings: Settings, server: LoopbackDiscord, api: str
) -> None:
    channel_id = 424242
    first = await logged_in_bot(settings)
    first.digests.delivery.backoff = Backoff(base=60)  # the crash comes during this wait
    subscription, _ = await first.digests.subscribe(
        1,
        channel_id,
        SubscriptionRequest(
            language="en", topics=None, schedule="daily 09:00", timezone="UTC", mode="changes"
        ),
        user_id=None,
        now=first.clock(),
    )
    due = subscription.next_due
    # Discord creates the message, but the answer is lost; the bot dies before retrying.
    server.add_fault(Fault("POST", f"/channels/{channel_id}/messages", drop=True))
    run = asyncio.create_task(first.digests.deliver_due(due))
    for _ in range(200):
        if server.stats.created and first.digests.delivery.retries:
            break
        await asyncio.sleep(0.01)
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    [pending] = await first.store.ledger.of_channel(1, channel_id)
    assert (pending.status, pending.message_ids) == ("pending", ())
    await first.close()

    second = await logged_in_bot(settings)  # a new process on the same database
    try:
        await second.digests.drain()  # the start-up catch-up retries the pending row
        [row] = await second.store.ledger.of_channel(1, channel_id)
        [message] = server.messages[channel_id]
        assert server.stats.per_channel[channel_id] == 1
        assert server.stats.deduplicated == 1
        assert row.status == "sent"
        assert row.message_ids == (int(message["id"]),)
        assert message["nonce"] == delivery_nonce(subscription.id, due, 0)
        assert (await second.digests.deliver_due(due)).sent == 0
        assert server.stats.per_channel[channel_id] == 1
    finally:
        await second.close()


async def test_the_fan_out_benchmark_in_small_no_loss_no_duplicates_no_429(
    tmp_path: Path, server: LoopbackDiscord, api: str
) -> None:
    # The benchmark's own code path: the real bot, 200 channels, one due time, at a high
    # rate just under the server's global limit.
    server.global_limit = 500
    measured = await run_fanout(api, 200, 450, tmp_path, scenario="small")
    rows = {row.metric.removeprefix("fanout small: "): row.value for row in measured}
    assert rows["messages_sent"] == 200
    assert rows["lost"] == 0
    assert rows["duplicates"] == 0
    assert rows["http_429"] == 0
    assert rows["ledger_unsent"] == 0
    assert rows["failed"] == 0
    assert rows["max_requests_in_a_second"] <= 450
