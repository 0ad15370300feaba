"""Announcement channels: `publish: true` crossposts each digest message, through simcord."""

from __future__ import annotations

from pathlib import Path

import discord
import pytest
import simcord

from bot.config import Settings
from bot.discord.client import BriefBot, create_bot
from bot.errors import NotAnnouncementChannel
from tests.support.digest_world import World, digest_settings, fast_retries, posted, utc

NINE = utc(2026, 1, 1, 9)
# simcord 3.2.1 marks a published message with bit 1 (discord.py's `is_crossposted`)
# where Discord uses bit 0 (`crossposted`); either bit means "published" here.
PUBLISHED_BITS = 0b11


def published(message: discord.Message) -> bool:
    """Whether the message was published to the servers following its channel."""
    return bool(message.flags.value & PUBLISHED_BITS)


@pytest.fixture
def settings(tmp_path: Path, briefings_dir: Path) -> Settings:
    return digest_settings(tmp_path, briefings_dir)


@pytest.fixture
def simcord_bot(settings: Settings) -> BriefBot:
    return fast_retries(create_bot(settings))


@pytest.fixture
def world(simcord_env: simcord.Env) -> World:
    return World(simcord_env)


def crosspost_requests(env: simcord.Env, channel_id: int) -> list[str]:
    """The paths of the crosspost requests the bot made in a channel."""
    return [
        r.path
        for r in env.http_requests
        if r.method == "POST"
        and r.path.startswith(f"/channels/{channel_id}/messages/")
        and r.path.endswith("/crosspost")
    ]


async def test_each_digest_message_is_published_once(world: World) -> None:
    news = world.guild.create_news_channel("announcements")
    result = await world.staff.slash(news, "digest subscribe", channel=news, publish=True)
    assert result.response is not None
    assert "Subscribed" in (result.response.content or "")

    await world.bot.digests.deliver_due(NINE)
    messages = posted(news)
    assert messages, "the digest was posted"
    assert all(published(message) for message in messages)
    assert crosspost_requests(world.env, news.id) == [
        f"/channels/{news.id}/messages/{message.id}/crosspost" for message in messages
    ]
    listing = await world.staff.slash(news, "digest list")
    assert listing.response is not None
    [embed] = listing.response.embeds
    lines = (embed.fields[0].value or "").splitlines()
    assert "Publishes each message to the servers following the channel" in lines


async def test_without_publish_nothing_is_crossposted(world: World) -> None:
    news = world.guild.create_news_channel("announcements")
    await world.staff.slash(news, "digest subscribe", channel=news)
    await world.bot.digests.deliver_due(NINE)
    assert posted(news)
    assert not any(published(message) for message in posted(news))
    assert crosspost_requests(world.env, news.id) == []


async def test_publish_in_a_plain_text_channel_is_refused_and_saves_nothing(
    world: World,
) -> None:
    result = await world.staff.slash(
        world.channel, "digest subscribe", channel=world.channel, publish=True
    )
    assert result.response is not None
    assert result.response.ephemeral
    assert result.response.content == (
        f"<#{world.channel.id}> is not an announcement channel, so its digests cannot be "
        "published to following servers. Leave publish off, or choose an announcement channel."
    )
    assert await world.bot.store.subscriptions.of_guild(world.guild.id) == []
    assert any(
        isinstance(getattr(error, "original", error), NotAnnouncementChannel)
        for error in world.env.errors
    )
