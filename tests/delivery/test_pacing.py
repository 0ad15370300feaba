"""The token's budget: every REST request takes a pacer slot, interaction replies none.

discord.py's real HTTP client talks to a loopback Discord (benchmarks.loopback_discord)
in a thread; its global limit counts what reaches it, over real HTTP. Nothing here is
timed: the tests count slots, requests and 429s.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import discord
import pytest
import pytest_asyncio

from benchmarks.bench_fanout import run_fanout
from benchmarks.loopback_discord import Fault, LoopbackDiscord
from bot.config import Settings
from bot.delivery.pacing import Pacer, counts_against_global_limit, request_pacing
from bot.delivery.queue import DeliveryQueue, OutgoingMessage
from bot.discord.client import create_bot
from tests.delivery.test_queue import FakeTime
from tests.support.interactions import slash_command

TOKEN = "loopback-token"
MESSAGE = OutgoingMessage("hello")
LIMIT = 100  # the loopback's global limit per second, and the budget's rate


# --- Which requests count (pure) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "counts"),
    [
        ("/api/v10/channels/1/messages", True),
        ("/api/v10/channels/1", True),
        ("/api/v10/channels/1/threads", True),
        ("/api/v10/channels/1/messages/2/crosspost", True),
        ("/api/v10/users/@me/channels", True),
        ("/api/v10/applications/3/commands", True),
        ("/api/v10/webhooks/4", True),  # a webhook by id: the bot's token
        ("/api/v9/gateway/bot", True),
        ("/api/users/@me", True),
        ("/api/v10/interactions/5/tok/callback", False),
        ("/api/v10/webhooks/3/tok", False),  # a followup
        ("/api/v10/webhooks/3/tok/messages/@original", False),
        ("/avatars/1/abc.png", False),  # the CDN
        ("/", False),  # the gateway's websocket
    ],
)
def test_only_api_requests_outside_interactions_count(path: str, counts: bool) -> None:
    assert counts_against_global_limit(path) is counts


async def test_a_held_slot_serves_one_request_and_only_of_its_own_pacer() -> None:
    fake = FakeTime()
    pacer = Pacer(10, margin=0.0, clock=fake.clock, sleep=fake.sleep)
    other = Pacer(10, margin=0.0, clock=fake.clock, sleep=fake.sleep)
    await pacer.acquire()
    with pacer.holding_slot():
        await pacer.pace()  # the slot taken above
        assert pacer.granted == 1
        await other.pace()  # another budget's request takes its own
        await pacer.pace()  # a second request in the same block takes a new one
    await pacer.pace()
    assert (pacer.granted, other.granted) == (3, 1)
    assert fake.now == pytest.approx(100.2)


async def test_bulk_callers_give_way_to_other_requests() -> None:
    fake = FakeTime()
    pacer = Pacer(10, margin=0.0, clock=fake.clock, sleep=fake.sleep)
    sends = [asyncio.create_task(pacer.acquire(bulk=True)) for _ in range(20)]
    for _ in range(3):
        await asyncio.sleep(0)  # twenty sends queue up, the first few reserve
    arrived = fake.now
    other = await pacer.acquire()  # behind twenty queued sends
    starts = await asyncio.gather(*sends)
    # It waited two slots at most, not behind every queued send.
    assert other - arrived <= 2 * pacer.interval + 1e-9
    assert sorted([*starts, other]) == pytest.approx([100.0 + n / 10 for n in range(21)])
    assert pacer.granted == 21  # every slot was used: 21 of them, 0.1 s apart


# --- Through discord.py's HTTP client -------------------------------------------------------


@pytest.fixture
def server() -> LoopbackDiscord:
    return LoopbackDiscord(global_limit=LIMIT)


@pytest.fixture
def api(server: LoopbackDiscord, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with server.in_thread() as url:
        monkeypatch.setattr(discord.http.Route, "BASE", url)
        yield url


@pytest.fixture
def budget() -> Pacer:
    return Pacer(LIMIT)


@pytest_asyncio.fixture
async def paced(api: str, budget: Pacer) -> AsyncIterator[discord.Client]:
    """A client whose every API request takes a slot of `budget`."""
    client = discord.Client(intents=discord.Intents.none(), http_trace=request_pacing(budget))
    await client.login(TOKEN)
    try:
        yield client
    finally:
        await client.close()


@pytest_asyncio.fixture
async def unpaced(api: str) -> AsyncIterator[discord.Client]:
    client = discord.Client(intents=discord.Intents.none())
    await client.login(TOKEN)
    try:
        yield client
    finally:
        await client.close()


async def sends_and_other_requests(client: discord.Client, queue: DeliveryQueue) -> None:
    """150 digest sends, with 50 channel look-ups and 10 DM channels asked for at once."""
    http = client.http
    await asyncio.gather(
        *(queue.send(2000 + n, MESSAGE, nonce=f"s{n}") for n in range(150)),
        *(http.get_channel(3000 + n) for n in range(50)),
        *(http.start_private_message(4000 + n) for n in range(10)),
    )


async def test_sends_and_other_requests_share_one_budget_under_the_limit(
    paced: discord.Client, server: LoopbackDiscord, budget: Pacer
) -> None:
    queue = DeliveryQueue(paced, pacer=budget)
    granted, requests = budget.granted, server.stats.requests
    await sends_and_other_requests(paced, queue)
    assert server.stats.rate_limited == 0
    assert server.stats.max_in_window <= LIMIT
    assert server.stats.created == 150
    assert set(server.stats.per_channel.values()) == {1}
    # One slot per request: the 150 sends are not counted twice.
    assert budget.granted - granted == 210
    assert server.stats.requests - requests == 210


async def test_without_the_shared_budget_the_same_requests_draw_429s(
    unpaced: discord.Client, server: LoopbackDiscord
) -> None:
    # The control: the queue alone paced at the limit, the other requests unpaced.
    await sends_and_other_requests(unpaced, DeliveryQueue(unpaced, rate=LIMIT))
    assert server.stats.rate_limited > 0
    assert server.stats.created == 150  # discord.py's 429 handling, the fallback, recovers


async def test_a_retry_is_a_request_of_its_own(
    paced: discord.Client, server: LoopbackDiscord, budget: Pacer
) -> None:
    server.add_fault(Fault("GET", "/channels/9", status=500))
    granted = budget.granted
    await paced.http.get_channel(9)  # discord.py retries the 500 once by itself
    assert budget.granted - granted == 2
    assert server.stats.faults == 1


async def test_interaction_responses_and_followups_take_no_slot(
    paced: discord.Client, server: LoopbackDiscord, budget: Pacer
) -> None:
    granted, requests = budget.granted, server.stats.requests
    interaction = slash_command(paced)
    await interaction.response.send_message("hello", ephemeral=True)
    await interaction.followup.send("more")
    await interaction.edit_original_response(content="edited")
    assert server.stats.interaction_responses == 3
    assert budget.granted == granted
    assert server.stats.requests == requests  # outside the loopback's global limit too
    await paced.http.get_channel(9)
    assert budget.granted == granted + 1


async def test_interaction_responses_go_out_while_the_budget_is_spent(
    api: str, server: LoopbackDiscord
) -> None:
    held_up, spent = False, asyncio.Event()

    async def sleep(seconds: float) -> None:
        await (spent.wait() if held_up else asyncio.sleep(seconds))

    # A budget whose next slot, once held up, only comes when the test says so.
    budget = Pacer(LIMIT, sleep=sleep)
    client = discord.Client(intents=discord.Intents.none(), http_trace=request_pacing(budget))
    await client.login(TOKEN)
    try:
        budget.rate = 0.01  # a slot every 104 s
        await client.http.get_channel(8)  # takes the next slot; the one after is far off
        held_up = True
        look_up = asyncio.create_task(client.http.get_channel(9))
        interaction = slash_command(client)
        await interaction.response.send_message("hello")
        await interaction.followup.send("more")
        assert not look_up.done()  # still waiting for its slot
        assert server.stats.interaction_responses == 2
        spent.set()
        await look_up
    finally:
        await client.close()


# --- The bot -------------------------------------------------------------------------------


async def test_the_bot_paces_every_request_with_the_delivery_queue_s_budget(
    settings: Settings, server: LoopbackDiscord, api: str
) -> None:
    bot = create_bot(settings)
    budget = bot.digests.delivery.pacer
    assert budget.rate == 45  # the default delivery.rate_per_second
    try:
        await bot.login(TOKEN)  # GET /users/@me, the application, command sync
        assert budget.granted == server.stats.requests > 0
        await bot.fetch_channel(9)
        channel = await bot.fetch_channel(10)
        assert isinstance(channel, discord.TextChannel)
        assert budget.granted == server.stats.requests
    finally:
        await bot.close()


async def test_the_fan_out_benchmark_with_other_requests_in_small(
    tmp_path: Path, server: LoopbackDiscord, api: str
) -> None:
    # The benchmark's own code path: 300 channels at 200/s against a limit of 250/s,
    # with 20 channel look-ups a second through the same HTTP client meanwhile.
    server.global_limit = 250
    measured = await run_fanout(api, 300, 200, tmp_path, scenario="small", others=20)
    rows = {row.metric.removeprefix("fanout small: "): row.value for row in measured}
    assert rows["messages_sent"] == 300
    assert rows["other_requests"] > 0
    assert rows["other_failed"] == 0
    assert rows["lost"] == 0
    assert rows["duplicates"] == 0
    assert rows["http_429"] == 0
    assert rows["ledger_unsent"] == 0
    assert rows["max_requests_in_a_second"] <= 200  # sends and look-ups together
