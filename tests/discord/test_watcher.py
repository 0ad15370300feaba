"""The real file watcher: edits on disk reach the served library within seconds."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
import simcord

from bot.config import Settings
from bot.discord.client import create_bot
from bot.discord.watcher import watch_briefings

TOPIC = """\
title: Harbour works
summary: What the harbour works change.
language: en
updated: 2026-11-01
sections:
  - id: schedule
    heading: Schedule
    answer: {answer}
    published: 2026-11-01
"""
DEADLINE_SECONDS = 5.0


async def wait_until(condition, *, poll=None) -> float:  # type: ignore[no-untyped-def]
    """Seconds it took for `condition()` to hold; fails after the deadline."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > DEADLINE_SECONDS:
            pytest.fail(f"not seen within {DEADLINE_SECONDS} s")
        await asyncio.sleep(0.05)
        if poll is not None:
            await poll()
    return time.monotonic() - started


async def test_bursts_of_changes_are_debounced_into_few_reloads(tmp_path: Path) -> None:
    calls: list[float] = []

    async def on_change() -> None:
        calls.append(time.monotonic())

    stop = asyncio.Event()
    watcher = asyncio.create_task(watch_briefings(tmp_path, on_change, stop=stop, debounce_ms=300))
    await asyncio.sleep(0.3)
    for index in range(10):
        (tmp_path / f"topic-{index}.yaml").write_text("title: x\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a briefing", encoding="utf-8")
    await wait_until(lambda: bool(calls))
    await asyncio.sleep(0.8)
    stop.set()
    await asyncio.wait_for(watcher, 5)
    assert 1 <= len(calls) <= 2


async def test_non_yaml_files_do_not_trigger_a_reload(tmp_path: Path) -> None:
    calls: list[float] = []

    async def on_change() -> None:
        calls.append(time.monotonic())

    stop = asyncio.Event()
    watcher = asyncio.create_task(watch_briefings(tmp_path, on_change, stop=stop, debounce_ms=50))
    await asyncio.sleep(0.3)
    (tmp_path / "draft.txt").write_text("later", encoding="utf-8")
    (tmp_path / "README.md").write_text("notes", encoding="utf-8")
    await asyncio.sleep(0.6)
    stop.set()
    await asyncio.wait_for(watcher, 5)
    assert calls == []


async def test_the_running_bot_picks_up_a_new_and_an_edited_file(settings: Settings) -> None:
    bot = create_bot(settings.model_copy(update={"watch": True}))
    env = simcord.Env(bot, shard_count=1)
    bot.external_wait = env.external_wait
    await env.start()
    with env.time_context():
        try:
            path = settings.briefings_dir / "harbour.yaml"
            await asyncio.sleep(0.3)
            path.write_text(TOPIC.format(answer="Works start in May."), encoding="utf-8")
            await wait_until(lambda: bot.library.get("harbour") is not None, poll=env.settle)

            path.write_text(TOPIC.format(answer="Works start in June."), encoding="utf-8")

            def edited() -> bool:
                briefing = bot.library.get("harbour")
                return briefing is not None and briefing.sections[0].answer.endswith("June.")

            await wait_until(edited, poll=env.settle)
        finally:
            await bot.close()
            await env.shutdown()
