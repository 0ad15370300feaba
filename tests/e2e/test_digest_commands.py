"""`/digest` end to end through simcord: who may use it, what it saves, what it answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import discord
import pytest
import simcord
import simcord.builders
from discord import app_commands

from bot.config import Settings
from bot.discord.client import BriefBot, create_bot
from bot.errors import (
    BotMissingPermission,
    ChannelNotInGuild,
    InvalidSchedule,
    InvalidTimezone,
    InvalidTopics,
    NotAllowed,
    NotSubscribed,
)
from tests.support.digest_world import (
    SEED_ID,
    TOKYO_NINE,
    World,
    digest_settings,
    fast_retries,
    field_names,
    posted,
    utc,
)


@pytest.fixture
def settings(tmp_path: Path, briefings_dir: Path) -> Settings:
    return digest_settings(tmp_path, briefings_dir, default_timezone="Asia/Tokyo")


@pytest.fixture
def simcord_bot(settings: Settings) -> BriefBot:
    return fast_retries(create_bot(settings))


@pytest.fixture
def world(simcord_env: simcord.Env) -> World:
    return World(simcord_env)


def reply(result: simcord.InteractionResult) -> str:
    assert result.response is not None, "the bot did not answer"
    assert result.response.ephemeral, "digest replies are private"
    return result.response.content or ""


async def saved(world: World) -> list[Any]:
    return await world.bot.store.subscriptions.of_guild(world.guild.id)


# --- Who may use /digest -------------------------------------------------------------------


async def test_members_without_manage_channels_do_not_see_the_commands(world: World) -> None:
    assert not any(
        name.startswith("digest") for name in world.reader.available_commands(world.channel)
    )
    assert "digest subscribe" in world.staff.available_commands(world.channel)
    with pytest.raises(simcord.SetupError, match="default-member-permissions"):
        await world.reader.slash(world.channel, "digest list")
    with pytest.raises(simcord.SetupError, match="context"):
        await world.reader.user.slash("digest list")  # guild only: not in DMs
    assert world.env.errors == []


async def test_manage_channels_in_another_channel_only_is_refused_at_run_time(
    world: World,
) -> None:
    # Manage Channels in #digests only: the command shows there, but not for #general.
    local = world.guild.add_member(world.env.create_user("local-mod"))
    mod_channel = world.guild.create_text_channel(
        "mod-corner", overwrites={local: discord.PermissionOverwrite(manage_channels=True)}
    )
    assert "digest subscribe" in local.available_commands(mod_channel)
    result = await local.slash(mod_channel, "digest subscribe", channel=world.system)
    assert reply(result) == "You need the Manage Channels permission to do that."
    simcord.assert_error(world.env, NotAllowed)
    assert await saved(world) == []
    # ... while naming the channel it may manage works.
    result = await local.slash(mod_channel, "digest subscribe", channel=mod_channel)
    assert reply(result).startswith(f"Subscribed <#{mod_channel.id}>")


async def test_an_explicit_command_permission_does_not_bypass_the_run_time_check(
    world: World,
) -> None:
    [digest] = [c for c in await world.bot.tree.fetch_commands() if c.name == "digest"]
    world.guild.set_command_permissions(digest.id, {world.reader: True})
    assert "digest list" in world.reader.available_commands(world.channel)
    result = await world.reader.slash(world.channel, "digest subscribe", channel=world.channel)
    assert "Manage Channels" in reply(result)
    simcord.assert_error(world.env, NotAllowed)
    result = await world.reader.slash(world.channel, "digest list")
    assert "Manage Channels" in reply(result)
    simcord.assert_error(world.env, NotAllowed)
    assert await saved(world) == []


async def test_a_channel_of_another_server_is_refused(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = world.env.create_guild("Elsewhere")
    foreign = other.create_text_channel("their-news")
    mods = other.create_role("Mods", permissions=discord.Permissions(manage_channels=True))
    other.add_member(world.staff.user, roles=[mods])
    # Discord's client never offers another server's channel; forge the interaction.
    original = simcord.builders._require_handle

    def lenient(env: Any, handle: Any, *, guild_id: int | None = None) -> None:
        original(env, handle)

    monkeypatch.setattr(simcord.builders, "_require_handle", lenient)
    result = await world.digest("subscribe", channel=foreign)
    assert reply(result) == "That channel is not a text channel of this server."
    error = simcord.assert_error(world.env, app_commands.TransformerError)
    assert isinstance(error.__cause__, ChannelNotInGuild)
    assert await saved(world) == []
    assert await world.bot.store.subscriptions.of_guild(other.id) == []


@pytest.mark.parametrize(
    ("denied", "named"),
    [
        ("embed_links", "Embed Links"),
        ("send_messages", "Send Messages"),
        ("view_channel", "View Channel"),
    ],
)
async def test_subscribing_checks_the_bots_own_permissions(
    world: World, denied: str, named: str
) -> None:
    bot_user = world.bot.user
    assert bot_user is not None
    locked = world.guild.create_text_channel(
        "locked", overwrites={bot_user: discord.PermissionOverwrite(**{denied: False})}
    )
    result = await world.digest("subscribe", channel=locked)
    assert reply(result) == (
        f"I need the {named} permission in <#{locked.id}> to post digests there."
    )
    simcord.assert_error(world.env, BotMissingPermission)
    assert await saved(world) == []


# --- Subscribing -----------------------------------------------------------------------------


async def test_subscribe_with_defaults_then_again_to_update(world: World) -> None:
    result = await world.digest("subscribe", channel=world.channel)
    due = int(TOKYO_NINE.timestamp())
    assert reply(result) == (
        f"Subscribed <#{world.channel.id}> to all topics: `daily 09:00` (Asia/Tokyo), "
        f"changes only. Next digest <t:{due}:f>."
    )
    [subscription] = await saved(world)
    assert (subscription.topics, subscription.schedule, subscription.timezone) == (
        None,
        "daily 09:00",
        "Asia/Tokyo",
    )
    assert (subscription.mode, subscription.next_due, subscription.language) == (
        "changes",
        TOKYO_NINE,
        "en",
    )

    result = await world.digest(
        "subscribe",
        channel=world.channel,
        topics="ukraine",
        schedule="Weekly Mon 7:05",
        timezone="america/new_york",
        mode="full",
    )
    assert reply(result).startswith(
        f"Updated the digest for <#{world.channel.id}>: `{SEED_ID}`, `weekly mon 07:05` "
        "(America/New_York), full summary."
    )
    [updated] = await saved(world)
    assert updated.id == subscription.id
    assert (updated.topics, updated.schedule, updated.timezone, updated.mode) == (
        (SEED_ID,),
        "weekly mon 07:05",
        "America/New_York",
        "full",
    )
    assert updated.next_due == utc(2026, 1, 5, 12, 5)  # Monday 07:05 EST


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        (
            {"schedule": "every day at nine"},
            InvalidSchedule,
            "“every day at nine” is not a schedule I understand. Use daily HH:MM, "
            "weekdays HH:MM, weekly mon HH:MM, or a 5-field cron expression.",
        ),
        ({"schedule": "61 * * * *"}, InvalidSchedule, "weekly mon HH:MM"),
        ({"timezone": "Mars/Olympus"}, InvalidTimezone, "Use an IANA name such as Asia/Tokyo"),
        (
            {"topics": "ukraine, moon-base"},
            InvalidTopics,
            "Unknown topics: `moon-base`. Use topic ids from /briefing list",
        ),
    ],
)
async def test_bad_input_says_what_is_accepted_and_saves_nothing(
    world: World, options: dict[str, str], error: type[Exception], message: str
) -> None:
    result = await world.digest("subscribe", channel=world.channel, **options)
    assert message in reply(result)
    simcord.assert_error(world.env, error)
    assert await saved(world) == []


async def test_topic_schedule_and_timezone_autocomplete(world: World) -> None:
    async def complete(option: str, typed: str) -> list[str]:
        choices = await world.staff.autocomplete(
            world.channel, "digest subscribe", option, typed, channel=world.channel
        )
        return [choice["value"] for choice in choices]

    assert await complete("topics", "") == ["all", SEED_ID]
    assert await complete("topics", "ukr") == [SEED_ID]
    assert await complete("topics", "停戦") == [SEED_ID]
    assert await complete("topics", f"{SEED_ID}, uk") == [f"{SEED_ID}, {SEED_ID}"]
    assert "weekdays 08:30" in await complete("schedule", "week")
    assert (await complete("schedule", "daily 07:15"))[0] == "daily 07:15"
    assert (await complete("timezone", "america/new"))[0] == "America/New_York"
    assert await complete("timezone", "") == ["Asia/Tokyo", "UTC"]


# --- list, preview, send, pause, resume, unsubscribe -------------------------------------------


async def test_list_shows_each_subscription_with_state_and_next_due(world: World) -> None:
    result = await world.digest("list")
    assert result.response is not None
    [empty] = result.response.embeds
    assert "No channel in this server gets digests yet" in (empty.description or "")

    await world.digest("subscribe", channel=world.channel)
    await world.digest("subscribe", channel=world.system, schedule="weekdays 08:30")
    await world.digest("pause", channel=world.system)
    result = await world.digest("list")
    assert result.response is not None
    assert result.response.ephemeral
    [embed] = result.response.embeds
    assert embed.title == "Digest subscriptions"
    fields = {f.name: f.value or "" for f in embed.fields}
    assert set(fields) == {"#digests", "#general"}
    due = int(TOKYO_NINE.timestamp())
    assert fields["#digests"].splitlines() == [
        "✅ Active",
        "Topics: all topics",
        "Schedule: `daily 09:00` (Asia/Tokyo) · changes only",
        f"Next digest: <t:{due}:f> (<t:{due}:R>)",
    ]
    assert fields["#general"].splitlines()[0] == "⏸️ Paused"


async def test_a_failing_subscription_shows_why_in_the_list(world: World) -> None:
    await world.digest("subscribe", channel=world.channel)
    world.env.inject_error(
        "POST",
        f"/channels/{world.channel.id}/messages",
        status=403,
        code=50013,
        message="Missing Permissions",
    )
    await world.bot.digests.deliver_due(TOKYO_NINE)
    result = await world.digest("list")
    assert result.response is not None
    [embed] = result.response.embeds
    assert (embed.fields[0].value or "").splitlines()[0] == (
        "⚠️ Failing: I may not post there (Send Messages or Embed Links)"
    )


async def test_preview_is_a_private_copy_of_the_next_digest(world: World) -> None:
    await world.digest("subscribe", channel=world.channel)
    result = await world.digest("preview", channel=world.channel)
    assert result.response is not None
    assert result.response.ephemeral
    assert result.response.content == (
        f"Preview of what <#{world.channel.id}> would get now (only you can see this):\n"
        "**Digest: what changed**"
    )
    previewed = [e.to_dict() for e in result.response.embeds]
    assert posted(world.channel) == []  # nothing was posted

    await world.bot.digests.deliver_due(TOKYO_NINE)
    [message] = posted(world.channel)
    assert [e.to_dict() for e in message.embeds] == previewed

    again = await world.digest("preview", channel=world.channel)
    assert reply(again) == (
        f"Nothing has changed since <#{world.channel.id}>'s last digest: the next digest "
        "would post nothing right now."
    )


async def test_send_delivers_now_through_the_same_ledger(world: World) -> None:
    await world.digest("subscribe", channel=world.channel)
    result = await world.digest("send", channel=world.channel)
    assert reply(result) == f"Sent the digest to <#{world.channel.id}> (1 message(s))."
    [message] = posted(world.channel)
    assert len(field_names(message)) == 3
    [row] = await world.bot.store.ledger.of_channel(world.guild.id, world.channel.id)
    assert (row.kind, row.status, row.message_ids) == ("manual", "sent", (message.id,))

    # The scheduled digest that follows has nothing new to say.
    report = await world.bot.digests.deliver_due(TOKYO_NINE)
    assert (report.sent, report.unchanged) == (0, 1)
    result = await world.digest("send", channel=world.channel)
    assert reply(result) == (
        f"Nothing has changed in <#{world.channel.id}>'s topics since its last digest, "
        "so nothing was posted."
    )
    assert len(posted(world.channel)) == 1


async def test_send_reports_a_delivery_failure(world: World) -> None:
    await world.digest("subscribe", channel=world.channel)
    world.env.inject_error(
        "POST",
        f"/channels/{world.channel.id}/messages",
        status=403,
        code=50001,
        message="Missing Access",
    )
    result = await world.digest("send", channel=world.channel)
    assert result.response is not None
    assert result.response.content == (
        f"The digest for <#{world.channel.id}> could not be delivered: Missing Access (403, 50001)"
    )
    [subscription] = await saved(world)
    assert subscription.state == "failing"


async def test_pause_resume_and_unsubscribe(world: World) -> None:
    await world.digest("subscribe", channel=world.channel)
    assert reply(await world.digest("pause", channel=world.channel)) == (
        f"Digests for <#{world.channel.id}> are paused. Use /digest resume to restart them."
    )
    assert not await world.bot.digests.deliver_due(TOKYO_NINE + dt.timedelta(days=3))
    assert posted(world.channel) == []

    resumed = reply(await world.digest("resume", channel=world.channel))
    assert resumed == (
        f"Digests for <#{world.channel.id}> are back on. "
        f"Next digest <t:{int(TOKYO_NINE.timestamp())}:f>."
    )
    assert (await world.bot.digests.deliver_due(TOKYO_NINE)).sent == 1

    assert reply(await world.digest("unsubscribe", channel=world.channel)) == (
        f"<#{world.channel.id}> no longer gets digests."
    )
    assert await saved(world) == []
    assert not await world.bot.digests.deliver_due(TOKYO_NINE + dt.timedelta(days=1))
    result = await world.digest("unsubscribe", channel=world.channel)
    assert reply(result) == (
        f"<#{world.channel.id}> has no digest subscription. Use /digest subscribe first."
    )
    simcord.assert_error(world.env, NotSubscribed)
    for command in ("pause", "resume", "preview", "send"):
        await world.digest(command, channel=world.channel)
        simcord.assert_error(world.env, NotSubscribed)


async def test_servers_never_see_each_others_subscriptions(world: World) -> None:
    await world.digest("subscribe", channel=world.channel)
    other = world.env.create_guild("Elsewhere")
    their_channel = other.create_text_channel("news")
    mods = other.create_role("Mods", permissions=discord.Permissions(manage_channels=True))
    their_mod = other.add_member(world.env.create_user("their-mod"), roles=[mods])
    result = await their_mod.slash(their_channel, "digest list")
    assert result.response is not None
    [embed] = result.response.embeds
    assert embed.fields == []
    result = await their_mod.slash(their_channel, "digest subscribe", channel=their_channel)
    assert reply(result).startswith(f"Subscribed <#{their_channel.id}>")
    assert [s.channel_id for s in await saved(world)] == [world.channel.id]


async def test_replies_and_digests_follow_the_language(
    world: World, interaction_locale: Callable[[str], None]
) -> None:
    interaction_locale("ja")
    result = await world.digest("subscribe", channel=world.channel, mode="full")
    assert reply(result).startswith(f"<#{world.channel.id}> に すべてのトピック のダイジェストを")
    await world.bot.digests.deliver_due(TOKYO_NINE)
    [message] = posted(world.channel)
    assert message.content == "**ダイジェスト**"
    assert message.embeds[-1].footer.text == "全文は /briefing show で読めます"
