"""Embargo and expiry end to end through simcord: commands, autocomplete, search, admin
status and a scheduled digest, before, during and after, with the bot's clock moved by hand.

The briefings are tests/fixtures/embargo/ next to the seed (see tests/briefings/
test_visibility.py for what is embargoed until when). Nothing is reloaded between moments:
visibility follows the clock.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import discord
import pytest
import simcord

from bot.config import Settings
from bot.digests.records import SubscriptionRequest
from bot.discord.client import BriefBot, create_bot
from bot.errors import SectionNotFound, TopicNotFound
from tests.support.digest_world import digest_settings, field_names, posted

from .briefing_world import World, fields, response

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "embargo"
BEFORE = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)
DURING = dt.datetime(2026, 1, 2, 12, tzinfo=dt.UTC)
AFTER = dt.datetime(2026, 1, 3, 12, tzinfo=dt.UTC)


class Clock:
    """The bot's clock, set by the test."""

    def __init__(self) -> None:
        self.now = BEFORE

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings(tmp_path: Path, briefings_dir: Path) -> Settings:
    for fixture in FIXTURES.glob("*.yaml"):
        shutil.copy(fixture, briefings_dir / fixture.name)
    return digest_settings(tmp_path, briefings_dir)


@pytest.fixture
def simcord_bot(settings: Settings, clock: Clock) -> BriefBot:
    return create_bot(settings, clock=clock)


@pytest.fixture
def world(simcord_env: simcord.Env) -> World:
    return World(simcord_env)


async def reply_text(world: World, command: str, **options: object) -> str:
    reply = response(await world.slash(command, **options))
    return reply.content or ""


async def topic_values(world: World, typed: str) -> list[str]:
    return [choice["value"] for choice in await world.choices("show", "topic", typed)]


async def search_lines(world: World, query: str) -> list[tuple[str, str]]:
    [embed] = response(await world.slash("search", query=query)).embeds
    return fields(embed)


async def test_an_embargoed_briefing_appears_and_an_expired_section_goes(
    world: World, clock: Clock
) -> None:
    clock.now = BEFORE
    assert await reply_text(world, "show", topic="lighthouse") == (
        "No briefing is called “lighthouse”."
    )
    simcord.assert_error(world.env, TopicNotFound)
    assert "lighthouse" not in await topic_values(world, "light")
    assert not any("zeppelin" in value for _, value in await search_lines(world, "zeppelin"))
    listing = response(await world.slash("list")).embeds
    assert "lighthouse" not in "".join(v for e in listing for _, v in fields(e))
    section_choices = await world.choices("section", "section", "", topic="harbour-ferry")
    assert [c["value"] for c in section_choices] == ["what-changes", "old-fares"]
    assert await reply_text(world, "section", topic="harbour-ferry", section="night-bus") == (
        "Briefing `harbour-ferry` has no section “night-bus”."
    )
    simcord.assert_error(world.env, SectionNotFound)

    clock.now = DURING  # no reload: the clock alone moves
    shown = response(await world.slash("show", topic="lighthouse"))
    assert shown.embeds[0].title == "Lighthouse reopening"
    assert (await topic_values(world, "light"))[0] == "lighthouse"
    found = await search_lines(world, "gondola")
    assert any("gondola" in value.lower() for _, value in found), found
    section = response(await world.slash("section", topic="harbour-ferry", section="night-bus"))
    assert section.embeds[0].title == "2. The night bus replacement"

    clock.now = AFTER
    section_choices = await world.choices("section", "section", "", topic="harbour-ferry")
    assert [c["value"] for c in section_choices] == ["what-changes", "night-bus"]
    assert await reply_text(world, "section", topic="harbour-ferry", section="old-fares") == (
        "Briefing `harbour-ferry` has no section “old-fares”."
    )
    simcord.assert_error(world.env, SectionNotFound)
    assert not any("pelican" in value.lower() for _, value in await search_lines(world, "pelican"))


async def test_admin_status_marks_what_members_cannot_see(world: World, clock: Clock) -> None:
    staff = world.guild.create_role("Staff", permissions=discord.Permissions(manage_guild=True))
    admin = world.guild.add_member(world.env.create_user("admin"), roles=[staff])

    clock.now = BEFORE
    result = await admin.slash(world.channel, "briefing-admin status")
    [hidden] = [
        e
        for e in response(result).embeds
        if e.title == "Hidden from members (embargoed or expired)"
    ]
    assert hidden.description == (
        "`harbour-ferry` › `night-bus` The night bus replacement · embargoed until "
        "2026-01-02T09:00:00+00:00\n"
        "`lighthouse` · embargoed until 2026-01-02T09:00:00+09:00"
    )

    clock.now = DURING
    result = await admin.slash(world.channel, "briefing-admin status")
    assert all(
        e.title != "Hidden from members (embargoed or expired)" for e in response(result).embeds
    )


async def test_a_digest_announces_what_appears_and_lists_what_expires(
    world: World, clock: Clock
) -> None:
    digests = world.bot.digests
    await digests.subscribe(
        world.guild.id,
        world.channel.id,
        SubscriptionRequest(
            language="en",
            topics="harbour-ferry",
            schedule="daily 09:00",
            timezone="UTC",
            mode="changes",
        ),
        user_id=None,
        now=BEFORE - dt.timedelta(hours=6),
    )
    first_due = dt.datetime(2026, 1, 2, 9, tzinfo=dt.UTC) - dt.timedelta(days=1)

    await digests.deliver_due(first_due)  # before night-bus is published
    [first] = posted(world.channel)
    assert field_names(first) == [
        "🆕 New · What changes",
        "🆕 New · Old fares until January",
    ]

    await digests.deliver_due(first_due + dt.timedelta(days=1))  # night-bus published at 09:00
    second = posted(world.channel)[-1]
    assert field_names(second) == ["🆕 New · The night bus replacement"]

    await digests.deliver_due(first_due + dt.timedelta(days=2))  # old-fares expired at 09:00
    third = posted(world.channel)[-1]
    assert field_names(third) == ["🗑️ Removed"]
    assert third.embeds[0].fields[0].value == "• ~~Old fares until January~~"

    await digests.deliver_due(first_due + dt.timedelta(days=3))  # nothing moved
    assert len(posted(world.channel)) == 3
