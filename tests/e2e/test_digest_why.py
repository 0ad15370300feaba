"""`/digest why` end to end through simcord: each outcome of a run, as staff read it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import discord
import pytest
import simcord

from bot.config import Settings
from bot.digests.records import KEEP_RUNS
from bot.discord.client import BriefBot, create_bot
from bot.errors import NotSubscribed
from tests.support.digest_world import (
    TOKYO_NINE,
    World,
    digest_settings,
    fast_retries,
    posted,
)

DAY = dt.timedelta(days=1)


@pytest.fixture
def settings(tmp_path: Path, briefings_dir: Path) -> Settings:
    return digest_settings(tmp_path, briefings_dir, default_timezone="Asia/Tokyo")


@pytest.fixture
def simcord_bot(settings: Settings) -> BriefBot:
    return fast_retries(create_bot(settings))


@pytest.fixture
def world(simcord_env: simcord.Env) -> World:
    return World(simcord_env)


async def why(world: World) -> dict[str, list[str]]:
    """`/digest why` for the digest channel: the card's description and fields, as lines."""
    result = await world.digest("why", channel=world.channel)
    assert result.response is not None, "the bot did not answer"
    assert result.response.ephemeral
    [embed] = result.response.embeds
    assert embed.title == "Why #digests got what it got"
    card = {"": (embed.description or "").splitlines()}
    card.update({field.name or "": (field.value or "").splitlines() for field in embed.fields})
    return card


def refuse_posts(world: World, status: int, **fault: Any) -> None:
    """Make Discord answer the bot's next post in the digest channel with this error."""
    world.env.inject_error("POST", f"/channels/{world.channel.id}/messages", status=status, **fault)


def at(moment: dt.datetime) -> str:
    """A Discord timestamp as the card writes it."""
    return f"<t:{int(moment.timestamp())}:f>"


async def test_before_any_run_it_says_so_and_what_would_be_sent(world: World) -> None:
    await world.digest("subscribe", channel=world.channel)
    card = await why(world)
    assert card[""][0] == "✅ Active"
    assert f"Next digest: {at(TOKYO_NINE)} (<t:{int(TOKYO_NINE.timestamp())}:R>)" in card[""]
    assert card["Last runs"] == ["No run has handled this subscription yet."]
    [waiting] = card["If it were due now"]
    assert waiting.startswith("3 new, 0 changed, 0 removed section(s): ")


async def test_a_sent_digest_links_to_its_message_then_unchanged_runs_follow(
    world: World,
) -> None:
    await world.digest("subscribe", channel=world.channel)
    await world.bot.digests.deliver_due(TOKYO_NINE)
    [message] = posted(world.channel)
    await world.bot.digests.deliver_due(TOKYO_NINE + DAY)

    card = await why(world)
    link = f"https://discord.com/channels/{world.guild.id}/{world.channel.id}/{message.id}"
    assert card["Last runs"] == [
        f"{at(TOKYO_NINE + DAY)}: nothing had changed; nothing posted (due {at(TOKYO_NINE + DAY)})",
        f"{at(TOKYO_NINE)}: sent the digest due {at(TOKYO_NINE)} {link}",
    ]
    assert card["If it were due now"] == ["Nothing new: no digest would be posted."]


async def test_due_times_too_late_to_send_are_listed_as_skipped(world: World) -> None:
    await world.digest("subscribe", channel=world.channel)
    late = TOKYO_NINE + 3 * DAY  # the bot was down: three due times are past the window
    await world.bot.digests.deliver_due(late)
    card = await why(world)
    assert card["Last runs"] == [
        f"{at(late)}: sent the digest due {at(late)} "
        f"https://discord.com/channels/{world.guild.id}/{world.channel.id}/"
        f"{posted(world.channel)[0].id}",
        f"{at(late)}: skipped the digest due {at(TOKYO_NINE)}: too late to send",
    ]


async def test_a_403_pauses_and_says_which_permission_is_missing(world: World) -> None:
    await world.digest("subscribe", channel=world.channel)
    refuse_posts(world, 403, code=50013, message="Missing Permissions")
    await world.bot.digests.deliver_due(TOKYO_NINE)
    card = await why(world)
    reason = "I may not post there (Send Messages or Embed Links)"
    assert card[""][0] == f"⚠️ Failing: {reason}"
    assert card["Last runs"] == [f"{at(TOKYO_NINE)}: paused (50013): {reason}"]


async def test_a_server_error_is_retried_and_says_so(world: World) -> None:
    await world.digest("subscribe", channel=world.channel)
    refuse_posts(world, 500, times=None)
    await world.bot.digests.deliver_due(TOKYO_NINE)
    card = await why(world)
    [line] = card["Last runs"]
    assert line.startswith(f"{at(TOKYO_NINE)}: failed (500), retried next tick: ")
    assert "500" in line.split("retried next tick: ")[1]
    # Still being delivered: nothing else is waiting behind it.
    assert card["If it were due now"] == ["Nothing new: no digest would be posted."]


async def test_a_rejected_digest_fails_with_discords_reason(world: World) -> None:
    await world.digest("subscribe", channel=world.channel)
    refuse_posts(world, 400, code=50035, message="Invalid Form Body")
    await world.bot.digests.deliver_due(TOKYO_NINE)
    [line] = (await why(world))["Last runs"]
    assert line.startswith(f"{at(TOKYO_NINE)}: paused (50035): ")
    assert "Invalid Form Body" in line


async def test_a_deleted_channel_removes_the_subscription(world: World) -> None:
    await world.digest("subscribe", channel=world.channel)
    refuse_posts(world, 404, code=10003, message="Unknown Channel")
    report = await world.bot.digests.deliver_due(TOKYO_NINE)
    assert report.removed == 1
    result = await world.digest("why", channel=world.channel)
    assert result.response is not None
    assert result.response.content == (
        f"<#{world.channel.id}> has no digest subscription. Use /digest subscribe first."
    )
    assert any(isinstance(error, NotSubscribed) for error in _unwrapped(world.env.errors))


async def test_paused_by_staff_shows_in_the_state(world: World) -> None:
    await world.digest("subscribe", channel=world.channel)
    await world.digest("pause", channel=world.channel)
    assert (await why(world))[""][0] == "⏸️ Paused"


async def test_only_the_newest_runs_are_kept(world: World) -> None:
    await world.digest("subscribe", channel=world.channel)
    for day in range(KEEP_RUNS + 5):
        await world.bot.digests.deliver_due(TOKYO_NINE + day * DAY)
    [subscription] = await world.bot.store.subscriptions.of_guild(world.guild.id)
    runs = await world.bot.store.history.recent(subscription.id, limit=1000)
    assert len(runs) == KEEP_RUNS
    assert runs[0].at == TOKYO_NINE + (KEEP_RUNS + 4) * DAY
    assert len((await why(world))["Last runs"]) == 5


def _unwrapped(errors: list[BaseException]) -> list[BaseException]:
    """The errors simcord recorded, with discord.py's command wrappers taken off."""
    found: list[BaseException] = []
    for error in errors:
        while isinstance(error, discord.app_commands.CommandInvokeError):
            error = error.original
        found.append(error)
    return found


async def test_repeated_server_errors_warn_once_then_pause(world: World) -> None:
    await world.use_system_channel()
    await world.digest("subscribe", channel=world.channel)
    refuse_posts(world, 500, times=None)
    for minutes in range(5):  # five ticks, all failing
        await world.bot.digests.deliver_due(TOKYO_NINE + dt.timedelta(minutes=minutes))
        subscription = await world.subscription()
        assert subscription is not None
        assert subscription.state == ("failing" if minutes == 4 else "active"), minutes
        warnings = [m for m in posted(world.system) if "times in a row" in m.content]
        assert len(warnings) == (1 if minutes >= 2 else 0), minutes
    [warning] = warnings
    assert warning.content.startswith(f"The digest for <#{world.channel.id}> has failed 3 times")
    assert "After 2 more failure(s) it will be paused." in warning.content
    assert warning.mentions == []
    assert warning.role_mentions == []
    notices = [m for m in posted(world.system) if "could not post the scheduled" in m.content]
    assert len(notices) == 1
    card = await why(world)
    assert card["Last runs"][0].startswith(f"{at(TOKYO_NINE + dt.timedelta(minutes=4))}: paused")
    assert "5 failures in a row" in card["Last runs"][0]
    assert sum("retried next tick" in line for line in card["Last runs"]) == 4
