"""The loopback Discord's channels, threads, crossposts and DMs, through discord.py's own client.

The server runs in a thread; discord.py's real `HTTPClient` (and, where it parses the
answers, a logged-in `discord.Client`) talks to it over HTTP with `Route.BASE` patched.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import discord
import pytest
import pytest_asyncio
from discord.http import HTTPClient, MultipartParameters, handle_message_parameters

from benchmarks.loopback_channels import (
    ANNOUNCEMENT,
    ANNOUNCEMENT_THREAD,
    DM,
    FORUM,
    GUILD_ID,
    MEDIA,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    REQUIRE_TAG,
)
from benchmarks.loopback_discord import Fault, LoopbackDiscord, configure, fetch_stats

TOKEN = "loopback-token"
TEXT_ID, NEWS_ID, FORUM_ID, MEDIA_ID = 100, 200, 300, 400
TAGS = [{"id": 31, "name": "news"}, {"id": 32, "name": "analysis"}]


@pytest.fixture
def server() -> LoopbackDiscord:
    server = LoopbackDiscord(global_limit=1000)
    server.channels[NEWS_ID] = {"type": ANNOUNCEMENT, "name": "news"}
    server.channels[FORUM_ID] = {"type": FORUM, "available_tags": TAGS, "flags": REQUIRE_TAG}
    server.channels[MEDIA_ID] = {"type": MEDIA, "available_tags": TAGS}
    return server


@pytest.fixture
def api(server: LoopbackDiscord, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with server.in_thread() as url:
        monkeypatch.setattr(discord.http.Route, "BASE", url)
        yield url


@pytest_asyncio.fixture
async def client(api: str) -> AsyncIterator[discord.Client]:
    """A logged-in client: its HTTP client raises instead of sleeping out a long 429."""
    bot = discord.Client(intents=discord.Intents.none(), max_ratelimit_timeout=30)
    await bot.login(TOKEN)
    try:
        yield bot
    finally:
        await bot.close()


@pytest.fixture
def http(client: discord.Client) -> HTTPClient:
    return client.http


def text(content: str, **extra: object) -> MultipartParameters:
    return MultipartParameters({"content": content, **extra}, None, None)


def forum_post(name: str, content: str, tags: list[int]) -> MultipartParameters:
    params = handle_message_parameters(content=content, allowed_mentions=None)
    message = params.payload or {}
    payload = {"name": name, "auto_archive_duration": 1440, "applied_tags": tags}
    return MultipartParameters({**payload, "message": message}, None, None)


# --- Channel objects ------------------------------------------------------------------------


async def test_channels_are_text_unless_told_and_parse_as_discord_py_objects(
    client: discord.Client, server: LoopbackDiscord
) -> None:
    plain = await client.fetch_channel(TEXT_ID)
    assert isinstance(plain, discord.TextChannel)
    assert plain.guild.id == GUILD_ID
    news = await client.fetch_channel(NEWS_ID)
    assert isinstance(news, discord.TextChannel)
    assert news.is_news()
    forum = await client.fetch_channel(FORUM_ID)
    assert isinstance(forum, discord.ForumChannel)
    assert forum.flags.require_tag
    assert [(tag.id, tag.name) for tag in forum.available_tags] == [
        (31, "news"),
        (32, "analysis"),
    ]
    media = await client.fetch_channel(MEDIA_ID)
    assert isinstance(media, discord.ForumChannel)
    assert media.is_media()
    server.channels[500] = {
        "type": PUBLIC_THREAD,
        "parent_id": TEXT_ID,
        "thread_metadata": {"archived": True, "locked": True},
    }
    thread = await client.fetch_channel(500)
    assert isinstance(thread, discord.Thread)
    assert (thread.parent_id, thread.archived, thread.locked) == (TEXT_ID, True, True)


async def test_new_endpoints_pass_the_global_limit_and_faults(
    http: HTTPClient, server: LoopbackDiscord
) -> None:
    server.add_fault(Fault("GET", f"/channels/{TEXT_ID}", 404, 10003, "Unknown Channel"))
    with pytest.raises(discord.NotFound) as gone:
        await http.get_channel(TEXT_ID)
    assert gone.value.code == 10003
    server.global_limit, server.window = 1, 60.0  # nothing more for a minute
    with pytest.raises(discord.RateLimited):  # a global 429, longer than 30 s
        await http.start_private_message(42)
    assert server.stats.rate_limited == 1


# --- Forum and media posts ------------------------------------------------------------------


async def test_a_forum_post_is_a_thread_with_its_first_message(
    client: discord.Client, http: HTTPClient, server: LoopbackDiscord
) -> None:
    forum = await client.fetch_channel(FORUM_ID)
    assert isinstance(forum, discord.ForumChannel)
    tag = forum.get_tag(31)
    assert tag is not None
    created = await forum.create_thread(
        name="Ceasefire, day 3", content="Digest", applied_tags=[tag]
    )
    thread, first = created.thread, created.message
    assert (thread.type, thread.parent_id, thread.name) == (
        discord.ChannelType.public_thread,
        FORUM_ID,
        "Ceasefire, day 3",
    )
    assert first.id == thread.id
    assert first.content == "Digest"
    await http.send_message(thread.id, params=text("a second message"))
    assert server.stats.per_channel[thread.id] == 2
    assert server.stats.threads == [
        {
            "id": str(thread.id),
            "name": "Ceasefire, day 3",
            "type": PUBLIC_THREAD,
            "parent_id": str(FORUM_ID),
            "applied_tags": ["31"],
        }
    ]
    fetched = await client.fetch_channel(thread.id)
    assert isinstance(fetched, discord.Thread)
    assert fetched.message_count == 2


async def test_forum_rules_tags_and_no_messages_of_its_own(
    http: HTTPClient, server: LoopbackDiscord
) -> None:
    with pytest.raises(discord.HTTPException) as untagged:
        await http.start_thread_in_forum(FORUM_ID, params=forum_post("Post", "body", []))
    assert (untagged.value.status, untagged.value.code) == (400, 40067)
    with pytest.raises(discord.HTTPException) as unknown:
        await http.start_thread_in_forum(FORUM_ID, params=forum_post("Post", "body", [99]))
    assert unknown.value.code == 50035
    with pytest.raises(discord.HTTPException) as direct:
        await http.send_message(FORUM_ID, params=text("straight into the forum"))
    assert (direct.value.status, direct.value.code) == (400, 50008)
    # A media channel without REQUIRE_TAG takes an untagged post.
    post = await http.start_thread_in_forum(MEDIA_ID, params=forum_post("Clip", "body", []))
    assert post["parent_id"] == str(MEDIA_ID)
    assert server.stats.created == 1


async def test_a_forum_post_sent_twice_is_two_threads_and_a_duplicate(
    http: HTTPClient, server: LoopbackDiscord
) -> None:
    # Discord takes no nonce for a post: a retry creates another thread.
    params = forum_post("Post", "body", [31])
    assert params.payload is not None
    params.payload["message"]["nonce"] = "post-nonce"
    first = await http.start_thread_in_forum(FORUM_ID, params=params)
    second = await http.start_thread_in_forum(FORUM_ID, params=params)
    assert first["id"] != second["id"]
    assert len(server.stats.threads) == 2
    assert server.stats.duplicates == 1


# --- Threads in text channels -----------------------------------------------------------------


async def test_a_thread_started_from_a_message_has_its_id(
    http: HTTPClient, server: LoopbackDiscord
) -> None:
    message = await http.send_message(TEXT_ID, params=text("start here"))
    thread = await http.start_thread_with_message(
        TEXT_ID, message["id"], name="Discussion", auto_archive_duration=60
    )
    assert (thread["id"], thread["type"], thread["parent_id"]) == (
        message["id"],
        PUBLIC_THREAD,
        str(TEXT_ID),
    )
    assert thread["thread_metadata"]["auto_archive_duration"] == 60
    with pytest.raises(discord.HTTPException) as again:
        await http.start_thread_with_message(
            TEXT_ID, message["id"], name="Again", auto_archive_duration=60
        )
    assert again.value.code == 160004
    with pytest.raises(discord.NotFound) as unknown:
        await http.start_thread_with_message(TEXT_ID, 1, name="x", auto_archive_duration=60)
    assert unknown.value.code == 10008
    news = await http.send_message(NEWS_ID, params=text("announcement"))
    in_news = await http.start_thread_with_message(
        NEWS_ID, news["id"], name="Replies", auto_archive_duration=1440
    )
    assert in_news["type"] == ANNOUNCEMENT_THREAD


async def test_a_thread_without_a_message_public_or_private(
    http: HTTPClient, server: LoopbackDiscord
) -> None:
    private = await http.start_thread_without_message(
        TEXT_ID, name="Staff", auto_archive_duration=1440, type=PRIVATE_THREAD, invitable=False
    )
    public = await http.start_thread_without_message(
        TEXT_ID, name="Open", auto_archive_duration=1440, type=PUBLIC_THREAD
    )
    assert (private["type"], private["thread_metadata"]["invitable"]) == (PRIVATE_THREAD, False)
    assert public["type"] == PUBLIC_THREAD
    with pytest.raises(discord.HTTPException) as in_forum:
        await http.start_thread_without_message(
            FORUM_ID, name="No message", auto_archive_duration=1440, type=PUBLIC_THREAD
        )
    assert in_forum.value.code == 50035
    await http.send_message(int(public["id"]), params=text("in the thread"))
    assert server.stats.per_channel[int(public["id"])] == 1
    assert [t["name"] for t in server.stats.threads] == ["Staff", "Open"]


async def test_archived_threads_are_found_unarchived_and_reopened_by_a_message(
    http: HTTPClient, server: LoopbackDiscord
) -> None:
    thread = await http.start_thread_without_message(
        TEXT_ID, name="Weekly", auto_archive_duration=10080, type=PUBLIC_THREAD
    )
    thread_id = int(thread["id"])
    active = await http.get_active_threads(GUILD_ID)
    assert [t["id"] for t in active["threads"]] == [thread["id"]]
    archived = await http.edit_channel(thread_id, archived=True)
    assert archived["thread_metadata"]["archived"] is True
    assert (await http.get_active_threads(GUILD_ID))["threads"] == []
    # A bot that lost track of it (a crash) finds it among the archived ones.
    page = await http.get_public_archived_threads(TEXT_ID)
    assert [(t["id"], t["name"]) for t in page["threads"]] == [(thread["id"], "Weekly")]
    assert page["has_more"] is False
    assert (await http.get_public_archived_threads(NEWS_ID))["threads"] == []
    reopened = await http.edit_channel(thread_id, archived=False)
    assert reopened["thread_metadata"]["archived"] is False
    await http.edit_channel(thread_id, archived=True)
    await http.send_message(thread_id, params=text("posting unarchives it"))
    assert (await http.get_channel(thread_id))["thread_metadata"]["archived"] is False
    await http.edit_channel(thread_id, archived=True, locked=True)
    with pytest.raises(discord.HTTPException) as locked:
        await http.send_message(thread_id, params=text("locked out"))
    assert locked.value.code == 50083
    assert server.stats.per_channel[thread_id] == 1


# --- Crossposts -------------------------------------------------------------------------------


async def test_ten_crossposts_per_channel_per_hour_then_a_429_for_that_route(
    http: HTTPClient, server: LoopbackDiscord
) -> None:
    posted = [await http.send_message(NEWS_ID, params=text(f"news {n}")) for n in range(11)]
    for message in posted[:10]:
        crossposted = await http.publish_message(NEWS_ID, message["id"])
        assert crossposted["flags"] & 1  # CROSSPOSTED
    with pytest.raises(discord.RateLimited) as limited:
        await http.publish_message(NEWS_ID, posted[10]["id"])
    assert limited.value.retry_after > 3500
    assert (server.stats.route_limited, server.stats.rate_limited) == (1, 0)  # not global
    assert server.stats.crossposts[NEWS_ID] == 10
    other = await http.send_message(201, params=text("elsewhere"))
    server.channels[201] = {"type": ANNOUNCEMENT}
    await http.publish_message(201, other["id"])  # the limit is per channel
    with pytest.raises(discord.HTTPException) as twice:
        await http.publish_message(201, other["id"])
    assert twice.value.code == 40033
    plain = await http.send_message(TEXT_ID, params=text("not news"))
    with pytest.raises(discord.HTTPException) as not_news:
        await http.publish_message(TEXT_ID, plain["id"])
    assert not_news.value.code == 50024


# --- Direct messages ------------------------------------------------------------------------


async def test_dm_channels_are_stable_per_recipient_and_closed_dms_refuse(
    client: discord.Client, http: HTTPClient, server: LoopbackDiscord
) -> None:
    first = await http.start_private_message(42)
    again = await http.start_private_message(42)
    other = await http.start_private_message(43)
    assert first["id"] == again["id"] != other["id"]
    assert (first["type"], first["recipients"][0]["id"]) == (DM, "42")
    await http.send_message(int(first["id"]), params=text("hello"))
    server.closed_dms.add(43)
    with pytest.raises(discord.Forbidden) as closed:
        await http.send_message(int(other["id"]), params=text("hello"))
    assert closed.value.code == 50007
    dm = await client.create_dm(discord.Object(id=42))  # type: ignore[arg-type]
    assert dm.id == int(first["id"])
    assert server.stats.per_channel[int(first["id"])] == 1


# --- Configuring and reading stats over HTTP --------------------------------------------------


async def test_a_server_in_another_process_is_configured_and_read_over_http(
    http: HTTPClient, server: LoopbackDiscord, api: str
) -> None:
    await configure(api, channels={700: {"type": FORUM, "available_tags": TAGS}}, closed_dms=[9])
    post = await http.start_thread_in_forum(700, params=forum_post("Post", "body", [32]))
    dm = await http.start_private_message(9)
    with pytest.raises(discord.Forbidden):
        await http.send_message(int(dm["id"]), params=text("closed"))
    news = await http.send_message(NEWS_ID, params=text("news"))
    await http.publish_message(NEWS_ID, news["id"])
    stats = await fetch_stats(api)
    assert stats["per_channel"] == {post["id"]: 1, str(NEWS_ID): 1}
    assert stats["threads"] == [
        {
            "id": post["id"],
            "name": "Post",
            "type": PUBLIC_THREAD,
            "parent_id": "700",
            "applied_tags": ["32"],
        }
    ]
    assert stats["crossposts"] == {str(NEWS_ID): 1}
    assert (stats["duplicates"], stats["rate_limited"], stats["route_limited"]) == (0, 0, 0)
    server.reset()
    assert server.channels == {}
    assert server.closed_dms == set()
