"""Live editing end to end: reload, last known good, admin commands and the admin channel."""

from __future__ import annotations

from pathlib import Path

import discord
import pytest
import simcord

from bot.discord.client import BriefBot
from bot.store.sqlite.leadership import FileLockLeadership

SEED_NAME = "ukraine-ceasefire.yaml"
OLD_ANSWER = "米露間の接触は活発化、プーチン大統領が立場説明へ。"
NEW_ANSWER = "米露の接触が続き、首脳会談の準備が進む。"

EXTRA = """\
# yaml-language-server: $schema=briefing.schema.json
title: Moon base logistics
summary: How supplies reach the (fictional) moon base.
language: en
updated: 2026-11-01
sections:
  - id: cargo
    heading: Cargo runs
    answer: Two cargo runs a month keep the base supplied.
    published: 2026-11-01
"""


class World:
    """One guild with a text channel, an admin and an ordinary member."""

    def __init__(self, env: simcord.Env) -> None:
        self.env = env
        self.bot: BriefBot = env.bot
        self.guild = env.create_guild("Newsroom")
        self.channel = self.guild.create_text_channel("briefings")
        self.admin_channel = self.guild.create_text_channel("bot-admin")
        staff = self.guild.create_role("Staff", permissions=discord.Permissions(manage_guild=True))
        self.admin = self.guild.add_member(env.create_user("editor"), roles=[staff])
        self.member = self.guild.add_member(env.create_user("reader"))

    @property
    def seed(self) -> Path:
        return self.bot.settings.briefings_dir / SEED_NAME

    def edit_seed(self, old: str, new: str) -> None:
        text = self.seed.read_text(encoding="utf-8")
        assert old in text
        self.seed.write_text(text.replace(old, new, 1), encoding="utf-8")

    async def section_text(self, section: str = "us-russia-talks") -> str:
        result = await self.member.slash(
            self.channel, "briefing section", topic="ukraine-ceasefire", section=section
        )
        assert result.response is not None
        return "\n".join(
            f"{e.description}\n" + "\n".join(f.value or "" for f in e.fields)
            for e in result.response.embeds
        )

    async def topic_choices(self, typed: str) -> list[str]:
        choices = await self.member.autocomplete(self.channel, "briefing show", "topic", typed)
        return [choice["value"] for choice in choices]


@pytest.fixture
def world(simcord_env: simcord.Env) -> World:
    return World(simcord_env)


def bump_mtime(path: Path) -> None:
    """Make sure the reload sees the write even within one file-system clock tick."""
    stat = path.stat()
    import os

    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))


async def test_an_edited_answer_shows_after_reload(world: World) -> None:
    assert OLD_ANSWER in await world.section_text()
    world.edit_seed(OLD_ANSWER, NEW_ANSWER)
    bump_mtime(world.seed)
    report = await world.bot.reload_briefings()
    assert report.changed == ("ukraine-ceasefire",)
    text = await world.section_text()
    assert NEW_ANSWER in text
    assert OLD_ANSWER not in text


async def test_a_broken_edit_keeps_serving_the_old_text_and_reports_file_and_line(
    world: World,
) -> None:
    world.edit_seed("url: https://www.jiji.com", "url: ftp://www.jiji.com")
    world.edit_seed(OLD_ANSWER, NEW_ANSWER)
    bump_mtime(world.seed)
    report = await world.bot.reload_briefings()
    [error] = report.errors
    assert error.path == "sections[0].sources[0].url"
    assert error.message == "must be an http:// or https:// URL"
    assert error.line == 28
    assert OLD_ANSWER in await world.section_text()

    status = await world.admin.slash(world.channel, "briefing-admin status")
    assert status.ephemeral
    shown = "\n".join(
        (e.description or "") + "".join(f.value or "" for f in e.fields)
        for e in status.response.embeds
    )
    assert f"{SEED_NAME}:28` sections[0].sources[0].url: must be an http" in shown


async def test_an_unknown_key_is_reported_and_fixing_it_clears_the_error(world: World) -> None:
    world.edit_seed("    commentary: |-", "    comentary: |-")
    bump_mtime(world.seed)
    report = await world.bot.reload_briefings()
    [error] = report.errors
    assert error.message == "unknown key 'comentary'; did you mean 'commentary'?"
    assert (error.line, error.column) == (29, 5)

    world.edit_seed("    comentary: |-", "    commentary: |-")
    bump_mtime(world.seed)
    report = await world.bot.reload_briefings()
    assert report.errors == ()
    reloaded = await world.admin.slash(world.channel, "briefing-admin reload")
    assert reloaded.ephemeral
    assert reloaded.response.embeds[0].title == "Briefings reloaded"


async def test_new_and_deleted_files_change_autocomplete(world: World) -> None:
    assert "moon-base" not in await world.topic_choices("moon")
    (world.bot.settings.briefings_dir / "moon-base.yaml").write_text(EXTRA, encoding="utf-8")
    report = await world.bot.reload_briefings()
    assert report.added == ("moon-base",)
    assert await world.topic_choices("moon") == ["moon-base"]

    world.seed.unlink()
    report = await world.bot.reload_briefings()
    assert report.removed == ("ukraine-ceasefire",)
    assert "ukraine-ceasefire" not in await world.topic_choices("ukraine")


async def test_admin_commands_are_refused_to_ordinary_members(world: World) -> None:
    for command in ("briefing-admin status", "briefing-admin reload"):
        result = await world.member.slash(world.channel, command)
        assert result.ephemeral
        assert "Manage Server" in result.response.content
    errors = world.env.errors
    assert [type(getattr(e, "original", e)).__name__ for e in errors] == ["AdminOnly"] * 2


async def test_configured_admin_users_may_use_admin_commands(world: World) -> None:
    world.bot.settings = world.bot.settings.model_copy(
        update={"admin_user_ids": (world.member.id,)}
    )
    result = await world.member.slash(world.channel, "briefing-admin status")
    assert result.response.embeds[0].title == "briefbot status"


async def test_the_admin_channel_hears_each_new_error_and_fix_once(world: World) -> None:
    world.bot.settings = world.bot.settings.model_copy(
        update={"admin_channel_id": world.admin_channel.id}
    )
    world.edit_seed("    commentary: |-", "    comentary: |-")
    bump_mtime(world.seed)
    await world.bot.reload_briefings()
    await world.env.settle()
    first = list(world.admin_channel.history())
    assert len(first) == 1
    assert "comentary" in "".join(f.value or "" for f in first[0].embeds[0].fields)

    await world.bot.reload_briefings(force=True)
    await world.env.settle()
    assert len(list(world.admin_channel.history())) == 1  # the same error is not posted again

    world.edit_seed("    comentary: |-", "    commentary: |-")
    bump_mtime(world.seed)
    await world.bot.reload_briefings()
    await world.env.settle()
    messages = list(world.admin_channel.history())
    assert len(messages) == 2
    fixed = messages[-1].embeds[0]
    assert any(f.name == "Fixed" and "comentary" in (f.value or "") for f in fixed.fields)


async def test_an_open_reader_keeps_the_snapshot_they_started_with(world: World) -> None:
    opened = await world.member.slash(world.channel, "briefing show", topic="ukraine")
    world.edit_seed(OLD_ANSWER, NEW_ANSWER)
    bump_mtime(world.seed)
    await world.bot.reload_briefings()
    await world.member.click(opened.response, custom_id="pages:next")
    page = opened.response.embeds[0]
    assert OLD_ANSWER in (page.description or "")
    assert NEW_ANSWER in await world.section_text()


async def test_sighup_reloads_through_the_same_coroutine(world: World) -> None:
    import asyncio
    import os
    import signal

    from bot.discord.runner import install_signal_handlers

    uninstall = install_signal_handlers(world.bot)
    try:
        world.edit_seed(OLD_ANSWER, NEW_ANSWER)
        bump_mtime(world.seed)
        before = world.bot.last_reload
        os.kill(os.getpid(), signal.SIGHUP)
        for _ in range(100):
            await asyncio.sleep(0.02)
            await world.env.settle()
            if world.bot.last_reload is not before:
                break
        assert world.bot.last_reload is not before
        assert world.bot.last_reload.changed == ("ukraine-ceasefire",)
        assert NEW_ANSWER in await world.section_text()
    finally:
        uninstall()


async def test_only_the_delivery_leader_posts_reload_notices(world: World) -> None:
    bot = world.bot
    bot.settings = bot.settings.model_copy(update={"admin_channel_id": world.admin_channel.id})
    await bot.digests.stop()  # steps down; another process of the deployment leads
    other_process = FileLockLeadership(bot.settings.database_path)
    assert await other_process.try_lead()
    await bot.digests.start()
    world.edit_seed("    commentary: |-", "    comentary: |-")
    bump_mtime(world.seed)
    await bot.reload_briefings()
    await world.env.settle()
    assert list(world.admin_channel.history()) == []  # the leader speaks for everyone

    await other_process.step_down()
    await bot.digests.scheduler.contend()
    await bot.reload_briefings(force=True)
    await world.env.settle()
    [notice] = list(world.admin_channel.history())  # now it leads: posted, once
    assert "comentary" in "".join(f.value or "" for f in notice.embeds[0].fields)
