"""Personal follows through simcord: `/briefing follow`, digests in DMs, and their pauses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


def reply(result: Any) -> Any:
    assert result.response is not None, "the bot did not answer"
    return result.response


def bot_messages(channel: Any) -> list[Any]:
    return [m for m in posted(channel) if m.author.bot]


async def topic_id(world: World) -> str:
    [topic] = world.bot.library.visible(NINE).briefings  # keyed by topic id
    return str(topic)


async def test_a_member_follows_in_a_server_and_gets_digests_in_dms(world: World) -> None:
    topic = await topic_id(world)
    followed = reply(
        await world.reader.slash(
            world.channel, "briefing follow", topic=topic, timezone="Asia/Tokyo"
        )
    )
    assert followed.ephemeral
    assert "in your direct messages: `daily 09:00` (Asia/Tokyo)" in followed.content
    follow = await world.bot.digests.follows.of_member(world.reader.id)
    assert follow is not None
    assert follow.target == "dm"
    assert follow.topics == (topic,)

    assert follow.next_due == utc(2026, 1, 2, 0)  # 09:00 in Tokyo, after the clock's now
    await world.bot.digests.deliver_due(follow.next_due)
    dm = world.env.backend.get_dm_channel(world.reader.id)
    messages = bot_messages(simcord.builders.ChannelHandle(world.env, None, dm))
    assert messages, "no digest in the member's DMs"
    assert messages[0].content == "**Digest: what changed**"
    assert bot_messages(world.channel) == []  # nothing in any server channel

    following = reply(await world.reader.slash(world.channel, "briefing following"))
    assert following.ephemeral
    [card, *_] = following.embeds
    assert topic in (card.title or "") or any(topic in (f.value or "") for f in card.fields)
    runs = next(f.value or "" for f in card.fields if f.name == "Last runs")
    assert "sent the digest due" in runs

    unfollowed = reply(await world.reader.slash(world.channel, "briefing unfollow", topic=topic))
    assert "that was your last follow" in unfollowed.content
    assert await world.bot.digests.follows.of_member(world.reader.id) is None
    none = reply(await world.reader.slash(world.channel, "briefing following"))
    assert none.content.startswith("You follow no topic.")


async def test_unfollowing_a_topic_not_followed_says_so(world: World) -> None:
    refused = reply(await world.reader.slash(world.channel, "briefing unfollow", topic="nope"))
    assert refused.ephemeral
    assert "You don't follow" in refused.content
    world.env.errors.clear()


async def test_a_dm_discord_refuses_pauses_the_follow_and_is_told_once(world: World) -> None:
    topic = await topic_id(world)
    await world.reader.slash(world.channel, "briefing follow", topic=topic, timezone="UTC")
    dm = world.env.backend.get_dm_channel(world.reader.id)
    world.env.inject_error(
        "POST",
        f"/channels/{dm.id}/messages",
        status=403,
        code=50007,
        message="Cannot send messages to this user",
        times=None,
    )
    await world.bot.digests.deliver_due(NINE)
    follow = await world.bot.digests.follows.of_member(world.reader.id)
    assert follow is not None
    assert follow.state == "failing"
    assert follow.failure_code == 50007

    await world.bot.digests.deliver_due(utc(2026, 1, 2, 9))  # paused: not tried again
    posts = [r for r in world.env.http_requests if r.method == "POST" and str(dm.id) in r.path]
    assert len(posts) == 1

    listed = await world.reader.slash(world.channel, "briefing list")
    notices = [m for m in listed.followups if "paused" in (m.content or "")]
    assert len(notices) == 1
    assert notices[0].ephemeral
    again = await world.reader.slash(world.channel, "briefing list")
    assert [m for m in again.followups if "paused" in (m.content or "")] == []
    world.env.errors.clear()

    resumed = reply(
        await world.reader.slash(world.channel, "briefing follow", topic=topic, timezone="UTC")
    )
    assert resumed.content.startswith("Your follows:")
    follow = await world.bot.digests.follows.of_member(world.reader.id)
    assert follow is not None
    assert follow.state == "active"


async def test_where_external_apps_are_off_every_reply_is_private(
    world: World, external_apps_disabled: None
) -> None:
    topic = await topic_id(world)
    shown = reply(await world.reader.slash(world.channel, "briefing show", topic=topic))
    assert shown.ephemeral
    listed = reply(await world.reader.slash(world.channel, "briefing list", private=False))
    assert listed.ephemeral


async def test_a_user_with_no_shared_server_follows_from_the_bots_dms(world: World) -> None:
    topic = await topic_id(world)
    traveller = world.env.create_user("traveller")
    assert "briefing follow" in traveller.available_commands()
    followed = reply(await traveller.slash("briefing follow", topic=topic, timezone="UTC"))
    assert followed.content.startswith("You follow ")
    shown = reply(await traveller.slash("briefing show", topic=topic))
    assert shown.embeds
    follow = await world.bot.digests.follows.of_member(traveller.id)
    assert follow is not None
    await world.bot.digests.deliver_due(follow.next_due)
    assert bot_messages(traveller.dm_channel)[-1].content == "**Digest: what changed**"
