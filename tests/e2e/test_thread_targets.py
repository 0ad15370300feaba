"""Digests in an existing thread, through simcord: subscribe, deliver, `/digest why`."""

from __future__ import annotations

from pathlib import Path

import pytest
import simcord

from bot.config import Settings
from bot.discord.client import BriefBot, create_bot
from tests.support.digest_world import World, digest_settings, fast_retries, posted, utc

NINE = utc(2026, 1, 1, 9)


@pytest.fixture
def settings(tmp_path: Path, briefings_dir: Path) -> Settings:
    return digest_settings(tmp_path, briefings_dir)


@pytest.fixture
def simcord_bot(settings: Settings) -> BriefBot:
    return fast_retries(create_bot(settings))


@pytest.fixture
def world(simcord_env: simcord.Env) -> World:
    return World(simcord_env)


def open_thread(world: World, name: str) -> simcord.builders.ChannelHandle:
    """A public thread in the digest channel, started by a member of staff."""
    backend = world.env.backend
    thread = backend.create_thread(world.channel.id, name, world.staff.id)
    return next(t for t in world.channel.threads if t.id == thread.id)


async def test_a_thread_gets_the_digest_and_its_parent_does_not(world: World) -> None:
    thread = open_thread(world, "Weekly briefing")
    result = await world.staff.slash(world.channel, "digest subscribe", channel=thread)
    assert result.response is not None
    assert result.response.content is not None
    assert result.response.content.startswith(f"Subscribed <#{thread.id}>")

    await world.bot.digests.deliver_due(NINE)
    [message] = posted(thread)
    assert message.content == "**Digest: what changed**"
    assert [m for m in posted(world.channel) if m.author.bot] == []  # none in the parent

    why = await world.staff.slash(world.channel, "digest why", channel=thread)
    assert why.response is not None
    [embed] = why.response.embeds
    assert embed.title == "Why #Weekly briefing got what it got"
    runs = next(f.value or "" for f in embed.fields if f.name == "Last runs")
    link = f"https://discord.com/channels/{world.guild.id}/{thread.id}/{message.id}"
    assert runs.endswith(link)
