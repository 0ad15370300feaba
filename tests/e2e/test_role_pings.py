"""Role pings: a subscription may ping exactly one role, in the first message only."""

from __future__ import annotations

from pathlib import Path

import discord
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


def message_requests(env: simcord.Env, channel_id: int) -> list[simcord.HttpLogEntry]:
    return [
        r
        for r in env.http_requests
        if r.method == "POST" and r.path == f"/channels/{channel_id}/messages"
    ]


async def test_the_first_message_pings_exactly_the_chosen_role(world: World) -> None:
    readers = world.guild.create_role("Readers", mentionable=True)
    # Briefing text that tries to ping everyone must still ping no one.
    world.edit_seed("米露間の接触は活発化", "米露間の接触は活発化 @everyone")
    await world.reload()
    result = await world.staff.slash(
        world.channel,
        "digest subscribe",
        channel=world.channel,
        schedule="daily 09:00",
        timezone="UTC",
        mention=readers,
    )
    assert result.ephemeral
    subscription = await world.subscription()
    assert subscription is not None
    assert subscription.mention_role_id == readers.id

    report = await world.bot.digests.deliver_due(NINE)
    assert report.sent == 1
    messages = posted(world.channel)
    assert messages[0].content.startswith(f"<@&{readers.id}> ")
    requests = message_requests(world.env, world.channel.id)
    assert requests[0].json is not None
    assert requests[0].json["allowed_mentions"] == {"parse": [], "roles": [str(readers.id)]}
    assert all(
        r.json is not None and r.json["allowed_mentions"] == {"parse": []} for r in requests[1:]
    )
    assert "@everyone" in "".join(
        (f.value or "") for m in messages for e in m.embeds for f in e.fields
    ) or "@everyone" in "".join((e.description or "") for m in messages for e in m.embeds)
    assert not any(m.mention_everyone for m in messages)

    # A preview shows the digest but pings nobody.
    world.edit_seed("米露間の接触は活発化 @everyone", "米露間の接触が続く")
    await world.reload()
    preview = await world.staff.slash(world.channel, "digest preview", channel=world.channel)
    assert preview.ephemeral
    assert f"<@&{readers.id}>" not in (preview.response.content or "")


async def test_a_role_the_bot_cannot_ping_is_refused_at_subscribe_time(world: World) -> None:
    quiet = world.guild.create_role("Quiet", mentionable=False)
    bot_user = world.bot.user
    assert bot_user is not None
    plain = world.guild.create_text_channel(
        "plain", overwrites={bot_user: discord.PermissionOverwrite(mention_everyone=False)}
    )
    allowed = await world.staff.slash(
        plain, "digest subscribe", channel=world.channel, mention=quiet
    )
    assert allowed.ephemeral  # where the bot may mention every role, an unmentionable one is fine
    await world.bot.digests.unsubscribe(world.guild.id, world.channel.id)
    result = await world.staff.slash(plain, "digest subscribe", channel=plain, mention=quiet)
    assert result.ephemeral
    assert "not mentionable" in result.response.content
    assert await world.subscription(plain) is None
    everyone = await world.staff.slash(
        plain, "digest subscribe", channel=plain, mention=world.guild.default_role
    )
    assert "not @everyone" in everyone.response.content
    assert [type(getattr(e, "original", e)).__name__ for e in world.env.errors] == [
        "RoleNotMentionable",
        "EveryoneNotAllowed",
    ]


async def test_the_list_says_which_role_a_subscription_pings(world: World) -> None:
    readers = world.guild.create_role("Readers", mentionable=True)
    await world.staff.slash(
        world.channel, "digest subscribe", channel=world.channel, mention=readers
    )
    listed = await world.staff.slash(world.channel, "digest list")
    text = "".join(f.value or "" for e in listed.response.embeds for f in e.fields)
    assert f"Pings <@&{readers.id}> in the first message of each digest" in text
