"""Start-up end to end: a restart reads from the start-up cache only what changed."""

from __future__ import annotations

import logging

import pytest
import simcord

from bot.config import Settings
from bot.discord.client import create_bot

SEED_NAME = "ukraine-ceasefire.yaml"


async def start_and_ask(settings: Settings) -> tuple[int, str]:
    """Start a bot on `settings`, ask it for a section; how many files it read, and the answer."""
    bot = create_bot(settings)
    # A fresh in-memory Discord each time, while the bot remembers the commands it synced.
    env = simcord.Env(bot, shard_count=1, strict_sync=False)
    await env.start()
    try:
        guild = env.create_guild("Newsroom")
        channel = guild.create_text_channel("briefings")
        member = guild.add_member(env.create_user("reader"))
        result = await member.slash(
            channel, "briefing section", topic="ukraine-ceasefire", section="us-russia-talks"
        )
        assert result.response is not None
        assert bot.last_reload is not None
        await bot.startup_cache.finished()
        return bot.last_reload.files_read, result.response.embeds[0].description or ""
    finally:
        await env.shutdown()
        await bot.digests.stop()
        await bot.store.close()


async def test_a_restart_reads_only_the_files_changed_since(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    cache = settings.database_path.with_name("briefbot.briefings-cache")

    first_read, first_answer = await start_and_ask(settings)
    assert first_read == 1
    assert cache.is_file()
    assert "no start-up cache yet" in caplog.text

    again_read, again_answer = await start_and_ask(settings)
    assert again_read == 0
    assert again_answer == first_answer
    assert f"start-up cache {cache}: 1 file(s)" in caplog.text

    seed = settings.briefings_dir / SEED_NAME
    text = seed.read_text(encoding="utf-8")
    seed.write_text(text.replace("米露間の接触は活発化", "米露の接触が続き", 1), encoding="utf-8")
    edited_read, edited_answer = await start_and_ask(settings)
    assert edited_read == 1
    assert "米露の接触が続き" in edited_answer


async def test_without_a_writable_cache_the_bot_still_starts(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = settings.database_path.parent / "not-a-folder"
    blocked.parent.mkdir(parents=True, exist_ok=True)
    blocked.write_text("a file where the cache's folder should be", encoding="utf-8")
    settings = settings.model_copy(update={"startup_cache": blocked / "cache"})

    read, answer = await start_and_ask(settings)

    assert read == 1
    assert answer
    assert f"could not write the start-up cache {blocked / 'cache'}" in caplog.text
