"""The wiring: command sync only when the tree changed, intents, and a token that never leaks."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import discord
import pytest
import simcord
from pydantic import SecretStr

from bot.config import ClusterSettings, Settings
from bot.discord.client import bound_rate_limit_sweeps, create_bot

SECRET = "MTIzNDU2Nzg5.secret-token-never-logged"


def command_syncs(env: simcord.Env) -> int:
    return sum(1 for r in env.http_requests if r.method == "PUT" and r.path.endswith("/commands"))


async def test_commands_sync_once_then_only_when_the_tree_changes(settings: Settings) -> None:
    first = create_bot(settings)
    async with simcord.run(first, shard_count=1) as env:
        try:
            assert command_syncs(env) == 1
            second = create_bot(settings)
            await first.store.close()
            await env.restart_bot(second)
            assert command_syncs(env) == 1  # same tree, same database: no sync
            guild = env.create_guild("G")
            channel = guild.create_text_channel("c")
            reader = guild.add_member(env.create_user("reader"))
            shown = await reader.slash(channel, "briefing list")
            assert shown.response.embeds  # the commands registered earlier still work

            third = create_bot(settings)

            @third.tree.command(name="extra")
            async def extra(interaction: discord.Interaction) -> None:
                """A command the earlier trees did not have."""

            await second.store.close()
            await env.restart_bot(third)
            assert command_syncs(env) == 2  # the tree changed
        finally:
            await env.bot.store.close()


async def test_only_the_process_holding_shard_zero_syncs_commands(settings: Settings) -> None:
    cluster = ClusterSettings(shards="1", shard_count=2)
    other = create_bot(settings.model_copy(update={"cluster": cluster}))
    assert not other.syncs_commands
    async with simcord.run(other, shard_count=2) as env:
        try:
            assert command_syncs(env) == 0
        finally:
            await other.store.close()
    first = create_bot(
        settings.model_copy(update={"cluster": ClusterSettings(shards="0", shard_count=2)})
    )
    assert first.syncs_commands
    async with simcord.run(first, shard_count=2) as env:
        try:
            assert command_syncs(env) == 1
        finally:
            await first.store.close()


def test_the_bot_asks_for_no_privileged_intents(settings: Settings) -> None:
    intents = create_bot(settings).intents
    assert intents.guilds
    assert not intents.members
    assert not intents.presences
    assert not intents.message_content


async def test_the_token_never_appears_in_logs_or_reprs(
    settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with_token = settings.model_copy(update={"discord_token": SecretStr(SECRET)})
    assert SECRET not in repr(with_token)
    assert SECRET not in str(with_token)
    assert SECRET not in with_token.model_dump_json()
    bot = create_bot(with_token)
    caplog.set_level(logging.DEBUG)
    (with_token.briefings_dir / "broken.yaml").write_text("title: [\n", encoding="utf-8")
    async with simcord.run(bot, shard_count=1) as env:
        try:
            guild = env.create_guild("G")
            channel = guild.create_text_channel("c")
            reader = guild.add_member(env.create_user("reader"))
            await reader.slash(channel, "briefing show", topic="nope")
            assert env.errors  # the handled error, acknowledged
            await bot.reload_briefings(force=True)
        finally:
            await bot.store.close()
    assert "broken.yaml" in caplog.text  # the logs did capture the bot's activity
    assert SECRET not in caplog.text


async def test_discord_rate_limit_buckets_are_swept_at_most_once_a_second() -> None:
    import asyncio

    http = discord.http.HTTPClient(asyncio.get_running_loop())
    sweeps: list[int] = []
    original = http._try_clear_expired_ratelimits

    def counted() -> None:
        sweeps.append(len(http._buckets))
        original()

    http._try_clear_expired_ratelimits = counted  # type: ignore[method-assign]
    bound_rate_limit_sweeps(http, every=60.0)
    for channel in range(300):
        http.get_ratelimit(f"POST /channels/{channel}/messages")
    assert len(http._buckets) == 300  # nothing is dropped: no bucket has expired
    assert len(sweeps) == 1  # 300 new buckets, one sweep (discord.py alone: 300)
    await http.close()


async def test_each_reload_records_the_versions_it_brings(
    settings: Settings, briefings_dir: Path
) -> None:
    moments = iter(dt.datetime(2026, 3, day, tzinfo=dt.UTC) for day in range(1, 10))
    now = next(moments)
    bot = create_bot(settings, clock=lambda: now)
    await bot.store.open()
    try:
        await bot.reload_briefings()
        before = next(iter(bot.library))
        first, second = before.sections[0], before.sections[1]
        seed = briefings_dir / f"{before.id}.yaml"
        seed.write_text(
            seed.read_text(encoding="utf-8").replace(first.answer, "答えが変わった。", 1),
            encoding="utf-8",
        )
        now = next(moments)
        await bot.reload_briefings(force=True)

        edited = next(iter(bot.library)).sections[0]
        seen = bot.store.sections.first_seen
        assert edited.content_hash != first.content_hash
        assert await seen(before.id, edited.id, edited.content_hash) == now
        assert await seen(before.id, first.id, first.content_hash) < now
        assert await seen(before.id, second.id, second.content_hash) < now
    finally:
        await bot.store.close()
