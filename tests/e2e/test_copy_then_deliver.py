"""`db copy` mid-delivery: a real bot's SQLite file moved to PostgreSQL, then delivery resumes.

A first bot, on SQLite, takes subscriptions in two guilds through `/digest subscribe`,
starts the nine o'clock run and is stopped part-way through it: each guild's long digest
has some of its messages posted (their ids in the ledger), the short ones may be done.
Its file is copied with the real `copy_database` into an empty PostgreSQL database, and
a second bot on that database, attached to the same simcord world, finishes the run.
Every channel must then hold exactly the messages its digest previews, each posted once:
simcord ignores nonces, so any message sent again would show up twice.

simcord's clock does not move APScheduler 3, so the runs are driven with explicit times.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import discord
import pytest
import simcord
from pydantic import SecretStr

from bot.config import Settings
from bot.delivery.queue import OutgoingMessage
from bot.discord.client import BriefBot, create_bot
from bot.store.copy import copy_database
from bot.store.postgres import PostgresStore
from tests.support.digest_world import SEED_ID, World, digest_settings, fast_retries, posted, utc

NINE = utc(2026, 1, 1, 9)
LONG_TOPIC = "long-read"
SENT_BEFORE_THE_STOP = 2  # messages of each long digest posted before the first bot stops
POLLS = 1000  # 10 s of 10 ms polls at most, for the first bot to get that far


@pytest.fixture
def settings(tmp_path: Path, briefings_dir: Path) -> Settings:
    """The first bot's settings: digests on a SQLite file in the test's folder."""
    return digest_settings(tmp_path, briefings_dir)


@pytest.fixture
def simcord_bot(settings: Settings) -> BriefBot:
    """The first bot, built by the production factory."""
    return fast_retries(create_bot(settings))


@pytest.fixture
def world(simcord_env: simcord.Env) -> World:
    """The newsroom guild of the digest tests around the first bot."""
    return World(simcord_env)


def write_long_briefing(briefings_dir: Path) -> None:
    """A briefing whose first digest needs several messages."""
    answer = "This answer is long on purpose. " * 30
    sections = "\n".join(
        f"  - id: part-{n}\n    heading: Part {n} of a long briefing\n"
        f"    answer: {answer}\n"
        f"    sources:\n      - name: Source {n}\n        url: https://example.com/{n}\n"
        for n in range(40)
    )
    (briefings_dir / f"{LONG_TOPIC}.yaml").write_text(
        f"title: A long read\nsummary: Many sections.\nupdated: 2026-01-01\nsections:\n{sections}",
        encoding="utf-8",
    )


def add_bureau(env: simcord.Env) -> tuple[Any, Any]:
    """A second guild with its own staff member (Manage Channels); returns both."""
    guild = env.create_guild("Bureau")
    staff = guild.create_role("Desk", permissions=discord.Permissions(manage_channels=True))
    editor = guild.add_member(env.create_user("bureau-editor"), roles=[staff])
    return guild, editor


async def subscribe_by_command(editor: Any, channel: Any, **options: str) -> None:
    """`/digest subscribe` for `channel`, typed by `editor` in that channel, daily at 09:00."""
    result = await editor.slash(
        channel, "digest subscribe", channel=channel, schedule="daily 09:00", **options
    )
    assert result.response is not None, "the bot did not answer"
    assert (result.response.content or "").startswith(f"Subscribed <#{channel.id}>")


def as_text(content: str | None, embeds: list[discord.Embed]) -> str:
    """A message's content and every visible part of its embeds, as one text."""
    parts = [content or ""]
    for embed in embeds:
        parts += [embed.title or "", embed.description or "", embed.footer.text or ""]
        parts += [f"{field.name}\n{field.value}" for field in embed.fields]
    return "\n".join(parts)


def expected_text(message: OutgoingMessage) -> str:
    """What a digest message the bot means to post reads like."""
    return as_text(message.content, message.discord_embeds())


def posted_text(message: discord.Message) -> str:
    """What a message simcord holds reads like."""
    return as_text(message.content, list(message.embeds))


def digest_posts(requests: list[simcord.HttpLogEntry], channel_id: int) -> list[dict[str, Any]]:
    """The bodies of the message posts to one channel among these requests."""
    return [
        r.json or {}
        for r in requests
        if r.method == "POST" and r.path == f"/channels/{channel_id}/messages"
    ]


async def stop_part_way(bot: BriefBot, long_digests: list[tuple[int, int]]) -> None:
    """Run the nine o'clock digests; stop the bot once each long one is partly recorded.

    `long_digests` are (guild id, channel id) pairs; the stop comes when the ledger row
    of each holds at least `SENT_BEFORE_THE_STOP` message ids.
    """
    bot.digests.delivery.rate = 5  # slow enough that the stop lands between two messages
    run = asyncio.create_task(bot.digests.deliver_due(NINE))
    for _ in range(POLLS):
        progress = [await bot.store.ledger.of_channel(*where) for where in long_digests]
        if all(rows and len(rows[0].message_ids) >= SENT_BEFORE_THE_STOP for rows in progress):
            break
        assert not run.done(), "the run ended before every long digest was part-way"
        await asyncio.sleep(0.01)
    else:
        pytest.fail("the long digests never got part-way")
    await bot.digests.stop()
    report = await run
    assert report.failed == 0


async def test_a_copy_made_mid_delivery_finishes_on_postgresql_with_each_message_once(
    world: World, settings: Settings, postgres_url: str
) -> None:
    first = world.bot
    write_long_briefing(settings.briefings_dir)
    await world.reload()
    bureau, bureau_editor = add_bureau(world.env)
    newsroom = [world.guild.create_text_channel(f"news-{n}") for n in range(3)]
    desks = [bureau.create_text_channel(f"desk-{n}") for n in range(3)]
    # Each guild: a long digest, a short full one and a short one of changes.
    for editor, (long, full, changes) in ((world.staff, newsroom), (bureau_editor, desks)):
        await subscribe_by_command(editor, long, topics=LONG_TOPIC)
        await subscribe_by_command(editor, full, topics=SEED_ID, mode="full")
        await subscribe_by_command(editor, changes, topics=SEED_ID)
    guild_of = {c.id: world.guild.id for c in newsroom} | {c.id: bureau.id for c in desks}
    channels = [*newsroom, *desks]
    assert len(await first.store.subscriptions.of_guild(bureau.id)) == len(desks)

    # What each channel's nine o'clock digest is, before anything is sent.
    expected = {
        c.id: [expected_text(m) for m in await first.digests.preview(guild_of[c.id], c.id, NINE)]
        for c in channels
    }
    total = sum(len(texts) for texts in expected.values())
    long_ones = [c for c in channels if len(expected[c.id]) > SENT_BEFORE_THE_STOP + 1]
    assert {c.name for c in long_ones} == {"news-0", "desk-0"}
    assert all(len(expected[c.id]) == 1 for c in channels if c not in long_ones)

    await stop_part_way(first, [(guild_of[c.id], c.id) for c in long_ones])
    sent_first = {c.id: len(posted(c)) for c in channels}
    assert 0 < sum(sent_first.values()) < total
    for channel in long_ones:  # half-delivered, in both guilds, its progress recorded
        [half] = await first.store.ledger.of_channel(guild_of[channel.id], channel.id)
        assert half.status == "pending", channel.name
        assert half.message_ids == tuple(m.id for m in posted(channel)), channel.name
        assert SENT_BEFORE_THE_STOP <= len(half.message_ids) < half.message_count, channel.name
    unfinished = await first.store.ledger.unfinished()
    assert {s.channel_id for s, _ in unfinished} >= {c.id for c in long_ones}
    await first.store.close()

    report = await copy_database(f"sqlite:///{settings.database_path}", postgres_url)
    assert {c.table: c.source for c in report.tables}["subscriptions"] == len(channels)
    copied = PostgresStore(postgres_url)
    await copied.open()
    try:
        assert await copied.ledger.unfinished() == unfinished
    finally:
        await copied.close()

    second = fast_retries(
        create_bot(settings.model_copy(update={"database_url": SecretStr(postgres_url)}))
    )
    assert isinstance(second.store, PostgresStore)
    resumed_from = len(world.env.http_requests)
    await world.env.restart_bot(second)
    await second.digests.drain()  # the start-up catch-up finishes the pending rows
    await second.digests.deliver_due(NINE)

    requests = world.env.http_requests
    for channel in channels:
        messages = posted(channel)
        assert [posted_text(m) for m in messages] == expected[channel.id], channel.name
        # The second bot posted only what the first had not: nothing was sent twice.
        resumed = digest_posts(requests[resumed_from:], channel.id)
        assert len(resumed) == len(expected[channel.id]) - sent_first[channel.id], channel.name
        every_post = digest_posts(requests, channel.id)
        assert len(every_post) == len({body["nonce"] for body in every_post}) == len(messages)
        [row] = await second.store.ledger.of_channel(guild_of[channel.id], channel.id)
        assert (row.status, row.due_at) == ("sent", NINE), channel.name
        assert row.message_ids == tuple(m.id for m in messages), channel.name
    assert sum(len(posted(c)) for c in channels) == total

    # The same moment again, on PostgreSQL: nothing is due, nothing is sent.
    before_again = len(world.env.http_requests)
    assert not await second.digests.deliver_due(NINE)
    assert sum(len(posted(c)) for c in channels) == total
    later = world.env.http_requests[before_again:]
    assert not any(digest_posts(later, c.id) for c in channels)
    for guild_id in (world.guild.id, bureau.id):
        subscriptions = await second.store.subscriptions.of_guild(guild_id)
        assert {s.next_due for s in subscriptions} == {NINE + dt.timedelta(days=1)}
