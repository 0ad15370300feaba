"""Digests to forum channels (a post per digest, with tags) and a new thread per digest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import discord
import pytest
import simcord

from bot.config import Settings
from bot.discord.client import BriefBot, create_bot
from tests.support.digest_world import World, digest_settings, fast_retries, posted, utc

NINE = utc(2026, 1, 1, 9)
REQUIRE_TAG = 1 << 4  # a forum channel flag: every post needs a tag
TAGS = [
    {"id": "9001", "name": "News", "moderated": False, "emoji_id": None, "emoji_name": None},
    {"id": "9002", "name": "解説", "moderated": False, "emoji_id": None, "emoji_name": None},
    {"id": "9003", "name": "Archive", "moderated": False, "emoji_id": None, "emoji_name": None},
]


@pytest.fixture
def settings(tmp_path: Path, briefings_dir: Path) -> Settings:
    return digest_settings(tmp_path, briefings_dir)


@pytest.fixture
def simcord_bot(settings: Settings) -> BriefBot:
    return fast_retries(create_bot(settings))


@pytest.fixture
def world(simcord_env: simcord.Env) -> World:
    return World(simcord_env)


async def make_forum(world: World, *, require_tag: bool = False) -> Any:
    """A forum with three tags, announced to the bot as Discord would after an edit."""
    forum = world.guild.create_forum_channel("briefings")
    backend = world.env.backend
    backend.channels[forum.id].available_tags = [dict(tag) for tag in TAGS]
    payload: dict[str, Any] = dict(
        simcord.backend.serializers.channel_payload(backend, backend.channels[forum.id])
    )
    payload["flags"] = REQUIRE_TAG if require_tag else 0
    backend.emit("CHANNEL_UPDATE", payload)
    await world.env.settle()
    return forum


def content(result: Any) -> str:
    assert result.response is not None
    return str(result.response.content)


def forum_posts(world: World, forum: Any) -> list[Any]:
    return list(forum.threads)


async def test_tags_are_offered_from_the_forum_and_each_digest_opens_a_tagged_post(
    world: World,
) -> None:
    forum = await make_forum(world)
    offered = await world.staff.autocomplete(
        world.channel, "digest subscribe", "tags", "", channel=forum
    )
    assert [choice["name"] for choice in offered] == ["News", "解説", "Archive"]
    typed = await world.staff.autocomplete(
        world.channel, "digest subscribe", "tags", "News, 解", channel=forum
    )
    assert [choice["value"] for choice in typed] == ["News, 解説"]

    result = await world.staff.slash(
        world.channel, "digest subscribe", channel=forum, tags="news, 解説", timezone="UTC"
    )
    assert content(result).startswith(f"Subscribed <#{forum.id}>")
    assert "Each digest opens a new post (tags: News, 解説)." in content(result)
    subscription = await world.subscription(forum)
    assert subscription is not None
    assert subscription.target == "forum"
    assert subscription.forum_tags == (9001, 9002)

    await world.bot.digests.deliver_due(NINE)
    [post] = forum_posts(world, forum)
    thread = world.env.backend.channels[post.id]
    assert thread.name == "Digest: what changed · 2026-01-01 09:00"
    assert thread.applied_tags == [9001, 9002]
    [message] = posted(post)
    assert message.content == "**Digest: what changed**"
    assert message.mentions == []
    assert message.role_mentions == []
    creates = [
        r
        for r in world.env.http_requests
        if r.method == "POST" and r.path == f"/channels/{forum.id}/threads"
    ]
    assert len(creates) == 1

    why = await world.staff.slash(world.channel, "digest why", channel=forum)
    assert why.response is not None
    runs = next(f.value or "" for f in why.response.embeds[0].fields if f.name == "Last runs")
    # On Discord a post's first message has the post's id (simcord numbers it apart).
    assert f"https://discord.com/channels/{world.guild.id}/{post.id}/{post.id}" in runs

    await world.bot.digests.deliver_due(utc(2026, 1, 2, 9))  # nothing changed: no new post
    assert len(forum_posts(world, forum)) == 1


async def test_a_forum_that_requires_a_tag_refuses_a_subscription_without_one(
    world: World,
) -> None:
    forum = await make_forum(world, require_tag=True)
    refused = await world.staff.slash(world.channel, "digest subscribe", channel=forum)
    assert refused.response is not None
    assert refused.response.ephemeral
    assert f"<#{forum.id}> requires a tag" in content(refused)
    assert await world.subscription(forum) is None
    world.env.errors.clear()

    unknown = await world.staff.slash(
        world.channel, "digest subscribe", channel=forum, tags="Sports"
    )
    assert "Sports" in content(unknown)
    assert "News, 解説, Archive" in content(unknown)
    assert await world.subscription(forum) is None
    world.env.errors.clear()

    accepted = await world.staff.slash(
        world.channel, "digest subscribe", channel=forum, tags="Archive"
    )
    assert content(accepted).startswith(f"Subscribed <#{forum.id}>")


async def test_tags_and_new_threads_are_refused_where_they_do_not_fit(world: World) -> None:
    forum = await make_forum(world)
    tags_in_text = await world.staff.slash(
        world.channel, "digest subscribe", channel=world.channel, tags="News"
    )
    assert "tags" in content(tags_in_text).casefold()
    thread_in_forum = await world.staff.slash(
        world.channel, "digest subscribe", channel=forum, thread="new"
    )
    assert "thread: new" in content(thread_in_forum)
    assert await world.subscription(forum) is None
    assert await world.subscription(world.channel) is None
    world.env.errors.clear()


async def test_a_new_thread_per_digest_holds_every_message_after_the_first(
    world: World,
) -> None:
    result = await world.staff.slash(
        world.channel, "digest subscribe", channel=world.channel, thread="new", mode="full"
    )
    assert "Each digest opens a new thread from its first message." in content(result)

    await world.bot.digests.deliver_due(NINE)
    [first] = [m for m in posted(world.channel) if m.type is discord.MessageType.default]
    [thread] = world.channel.threads
    assert thread.id == first.id  # a thread opened from a message takes the message's id
    assert world.env.backend.channels[thread.id].name == "Digest · 2026-01-01 09:00"
    rest = posted(thread)
    row = (await world.bot.store.ledger.of_channel(world.guild.id, world.channel.id))[0]
    assert row.thread_id == thread.id
    assert [first.id, *(m.id for m in rest)] == list(row.message_ids)
