"""Hostile input end to end: 5,000-character option values on every command that takes text.

Each gets a complete, private reply within Discord's 2,000 characters that still says
what is accepted; autocomplete stays within Discord's limits; the largest briefing the
loader allows is shown, and its last section is reachable through the page controls.
"""

from __future__ import annotations

import re
from typing import Any

import discord
import pytest
import simcord

from bot.config import Settings
from bot.discord.client import BriefBot, create_bot
from bot.errors import (
    InvalidSchedule,
    InvalidTimezone,
    InvalidTopics,
    SectionNotFound,
    TopicNotFound,
)
from bot.text.cards import escape_markdown
from tests.support.big_briefings import many_sections_yaml

from .briefing_world import SEED_ID, component, embed_text, response

LONG = "hostile " * 625  # 5,000 characters, words and spaces
WORD = "x" * 5000
MARKDOWN = "**bold** @everyone <@123> `code` " * 151  # 5,000 characters of markup and mentions
VALUES = [LONG, WORD, MARKDOWN]
VALUE_IDS = ["words", "one-word", "markup"]
MANY_TOPICS = ",".join(f"t{index}" for index in range(800))  # 3,689 characters, 800 names
CONTENT_LIMIT = 2000
CHOICE_LIMIT = 25
CHOICE_TEXT_LIMIT = 100
BIGGEST = "biggest"  # a briefing with as many sections as the loader allows
TOPICS_GUIDANCE = "Use topic ids from /briefing list, separated by commas, or `all`."
SCHEDULE_GUIDANCE = "Use daily HH:MM, weekdays HH:MM, weekly mon HH:MM, or a 5-field cron"
TIMEZONE_GUIDANCE = "Use an IANA name such as Asia/Tokyo, America/New_York or UTC."


class World:
    """A newsroom: a channel, a reader, and an editor who may manage digests."""

    def __init__(self, env: simcord.Env) -> None:
        self.env = env
        self.guild = env.create_guild("Newsroom")
        self.channel = self.guild.create_text_channel("briefings")
        self.reader = self.guild.add_member(env.create_user("reader"))
        staff = self.guild.create_role(
            "Staff", permissions=discord.Permissions(manage_channels=True)
        )
        self.editor = self.guild.add_member(env.create_user("editor"), roles=[staff])

    async def briefing(self, name: str, **options: Any) -> simcord.InteractionResult:
        return await self.reader.slash(self.channel, f"briefing {name}", **options)

    async def subscribe(self, **options: Any) -> simcord.InteractionResult:
        return await self.editor.slash(
            self.channel, "digest subscribe", channel=self.channel, **options
        )


@pytest.fixture
def simcord_bot(settings: Settings) -> BriefBot:
    biggest = many_sections_yaml(250).replace("title: Harbour ferry timetable", "title: Biggest")
    (settings.briefings_dir / f"{BIGGEST}.yaml").write_text(biggest, encoding="utf-8")
    return create_bot(settings)


@pytest.fixture
def world(simcord_env: simcord.Env) -> World:
    return World(simcord_env)


def private_reply(result: simcord.InteractionResult) -> str:
    """The reply's text, which must be private, complete and within Discord's limit."""
    reply = response(result)
    assert reply.ephemeral, "an error reply is private"
    assert reply.embeds == []
    assert 0 < len(reply.content) <= CONTENT_LIMIT
    assert not reply.message.mention_everyone
    assert reply.message.mentions == []
    return reply.content


def quoted(text: str) -> str:
    """What the reply quotes between “ and ”."""
    match = re.search("“(.*)”", text)
    assert match is not None, text
    return match.group(1)


# --- /briefing -------------------------------------------------------------------------


@pytest.mark.parametrize("value", VALUES, ids=VALUE_IDS)
async def test_show_of_a_5000_character_topic_is_refused_completely(
    world: World, value: str
) -> None:
    text = private_reply(await world.briefing("show", topic=value))
    first = text.split("\n")[0]
    assert first.startswith("No briefing is called “")
    assert first.endswith("”.")
    assert len(quoted(text)) <= 200  # 100 characters, each escaped at most once
    simcord.assert_error(world.env, TopicNotFound)


@pytest.mark.parametrize("value", VALUES, ids=VALUE_IDS)
async def test_section_and_sources_of_a_5000_character_topic_are_refused_completely(
    world: World, value: str
) -> None:
    for command, options in [
        ("section", {"topic": value, "section": "1"}),
        ("sources", {"topic": value}),
        ("sources", {"topic": value, "section": value}),
    ]:
        text = private_reply(await world.briefing(command, **options))
        assert text.split("\n")[0].startswith("No briefing is called “"), command
        assert text.split("\n")[0].endswith("”.")
        simcord.assert_error(world.env, TopicNotFound)


@pytest.mark.parametrize("value", VALUES, ids=VALUE_IDS)
async def test_a_5000_character_section_is_refused_completely(world: World, value: str) -> None:
    for command in ("section", "sources"):
        text = private_reply(await world.briefing(command, topic=SEED_ID, section=value))
        first = text.split("\n")[0]
        assert first.startswith(f"Briefing `{SEED_ID}` has no section “"), command
        assert first.endswith("”.")
        assert len(quoted(first)) <= 200
        simcord.assert_error(world.env, SectionNotFound)


async def test_search_refuses_more_than_100_characters_before_the_bot_sees_them(
    world: World,
) -> None:
    # The option is declared with max_length 100: Discord's client will not send more.
    with pytest.raises(simcord.OptionError, match="at most 100 characters"):
        await world.briefing("search", query=WORD)
    assert world.env.errors == []


@pytest.mark.parametrize("value", VALUES, ids=VALUE_IDS)
async def test_search_for_the_longest_query_allowed_answers_completely(
    world: World, value: str
) -> None:
    query = value[:100]
    reply = response(await world.briefing("search", query=query, private=True))
    assert reply.ephemeral
    [embed] = reply.embeds
    text = embed_text(embed)
    # The whole query is quoted, markdown shown literally, and what to do next follows it.
    said = f"Nothing matches “{escape_markdown(' '.join(query.split()))}”."
    assert said in text
    assert text.index(said) + len(said) < len(text.rstrip())
    assert len(text) <= 6000
    assert not reply.message.mention_everyone
    assert world.env.errors == []


async def test_list_takes_no_text_so_there_is_nothing_hostile_to_send(world: World) -> None:
    [sync] = [
        r for r in world.env.http_requests if r.method == "PUT" and r.path.endswith("/commands")
    ]
    assert isinstance(sync.json, list)
    [group] = [c for c in sync.json if c["name"] == "briefing"]
    [listing] = [c for c in group["options"] if c["name"] == "list"]
    assert [option["name"] for option in listing.get("options", [])] == ["private"]
    reply = response(await world.briefing("list", private=True))
    assert reply.ephemeral
    [embed] = reply.embeds
    assert f"`{BIGGEST}` · " in embed_text(embed)
    assert f"`{SEED_ID}` · " in embed_text(embed)


@pytest.mark.parametrize("value", VALUES, ids=VALUE_IDS)
async def test_autocomplete_of_5000_characters_stays_within_discords_limits(
    world: World, value: str
) -> None:
    for command in ("show", "section", "sources"):
        choices = await world.reader.autocomplete(
            world.channel, f"briefing {command}", "topic", value
        )
        assert len(choices) <= CHOICE_LIMIT
        assert all(len(choice["name"]) <= CHOICE_TEXT_LIMIT for choice in choices)
    for topic in (SEED_ID, BIGGEST, value):
        choices = await world.reader.autocomplete(
            world.channel, "briefing section", "section", value, topic=topic
        )
        assert len(choices) <= CHOICE_LIMIT
        assert all(len(choice["name"]) <= CHOICE_TEXT_LIMIT for choice in choices)
    assert world.env.errors == []


# --- /digest subscribe -----------------------------------------------------------------


@pytest.mark.parametrize("value", VALUES, ids=VALUE_IDS)
async def test_a_5000_character_topic_list_keeps_its_guidance(world: World, value: str) -> None:
    text = private_reply(await world.subscribe(topics=value))
    assert text.startswith("Unknown topics: `")
    assert text.split("\n")[0].endswith(f"`. {TOPICS_GUIDANCE}")
    simcord.assert_error(world.env, InvalidTopics)


async def test_800_unknown_topics_are_counted_not_listed(world: World) -> None:
    text = private_reply(await world.subscribe(topics=MANY_TOPICS))
    shown = ", ".join(f"`t{index}`" for index in range(16))
    assert text.split("\n")[0] == f"Unknown topics: {shown} and 784 more. {TOPICS_GUIDANCE}"
    simcord.assert_error(world.env, InvalidTopics)


@pytest.mark.parametrize("value", VALUES, ids=VALUE_IDS)
async def test_a_5000_character_schedule_keeps_its_guidance(world: World, value: str) -> None:
    text = private_reply(await world.subscribe(schedule=value))
    assert text.startswith("“")
    assert f"” is not a schedule I understand. {SCHEDULE_GUIDANCE}" in text
    assert len(quoted(text)) <= 200
    simcord.assert_error(world.env, InvalidSchedule)


@pytest.mark.parametrize("value", VALUES, ids=VALUE_IDS)
async def test_a_5000_character_timezone_keeps_its_guidance(world: World, value: str) -> None:
    text = private_reply(await world.subscribe(timezone=value))
    assert text.endswith(f"” is not a time zone I know. {TIMEZONE_GUIDANCE}")
    assert len(quoted(text)) <= 200
    simcord.assert_error(world.env, InvalidTimezone)


@pytest.mark.parametrize("option", ["topics", "schedule", "timezone"])
async def test_digest_autocomplete_of_5000_characters_stays_within_discords_limits(
    world: World, option: str
) -> None:
    for value in VALUES:
        choices = await world.editor.autocomplete(
            world.channel, "digest subscribe", option, value, channel=world.channel
        )
        assert len(choices) <= CHOICE_LIMIT
        assert all(len(choice["name"]) <= CHOICE_TEXT_LIMIT for choice in choices)
        assert all(len(str(choice["value"])) <= CHOICE_TEXT_LIMIT for choice in choices)
    assert world.env.errors == []


async def test_nothing_was_saved_from_hostile_input(world: World) -> None:
    for options in ({"topics": WORD}, {"schedule": WORD}, {"timezone": WORD}):
        private_reply(await world.subscribe(**options))
    assert len(world.env.errors) == 3
    listing = response(await world.editor.slash(world.channel, "digest list"))
    assert "No channel in this server gets digests yet." in listing.content + "".join(
        embed_text(embed) for embed in listing.embeds
    )


# --- The largest briefing allowed ------------------------------------------------------


async def test_the_largest_briefing_allowed_is_shown_and_its_last_section_reached(
    world: World,
) -> None:
    reply = response(await world.briefing("show", topic=BIGGEST))
    assert reply.embeds[0].title == "Biggest"
    jumps = 0
    while True:
        options = component(reply, "pages:jump")["options"]
        assert len(options) <= CHOICE_LIMIT
        last = options[-1]["value"]
        await world.reader.select(reply, [last], custom_id="pages:jump")
        jumps += 1
        if last == "part-250":
            break
        assert jumps < 30, "the menu does not reach the last section"
    assert reply.embeds[0].title == "250. Round 250"
    assert jumps == 22  # from the overview, each choice moves the menu on by 11 sections
    assert world.env.errors == []
