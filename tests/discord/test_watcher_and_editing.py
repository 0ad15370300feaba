"""The file watcher and edits from Discord: the history never triggers a reload, the rename does."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from pathlib import Path

from bot.authoring.history import History, write_atomically
from bot.discord.watcher import watch_briefings

TOPIC = "harbour"
DEADLINE_SECONDS = 5.0


async def test_history_and_temporary_files_do_not_trigger_a_reload(tmp_path: Path) -> None:
    calls: list[float] = []
    reloaded = asyncio.Event()

    async def on_change() -> None:
        calls.append(time.monotonic())
        reloaded.set()

    served = tmp_path / f"{TOPIC}.yaml"
    served.write_text("title: x\n", encoding="utf-8")
    stop = asyncio.Event()
    watcher = asyncio.create_task(watch_briefings(tmp_path, on_change, stop=stop, debounce_ms=50))
    await asyncio.sleep(0.3)
    history = History(tmp_path)
    now = dt.datetime.now(dt.UTC)
    for _ in range(3):
        history.save(TOPIC, served.read_bytes(), now)
    (tmp_path / f".{TOPIC}.yaml.x1y2z3.tmp").write_bytes(b"half a fi")
    await asyncio.sleep(0.6)
    assert calls == []

    write_atomically(served, b"title: y\n")
    await asyncio.wait_for(reloaded.wait(), DEADLINE_SECONDS)
    await asyncio.sleep(0.3)  # no second reload follows for the same write
    stop.set()
    await asyncio.wait_for(watcher, 5)
    assert len(calls) == 1
