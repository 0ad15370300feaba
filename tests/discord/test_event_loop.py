"""The bot runs on uvloop's event loop where uvloop is installed, else on asyncio's."""

from __future__ import annotations

import asyncio
import sys

import pytest

from bot.discord import event_loop


async def which_loop() -> str:
    return event_loop.loop_name(asyncio.get_running_loop())


@pytest.mark.skipif(sys.platform == "win32", reason="uvloop has no Windows build")
def test_the_bot_runs_on_uvloop_where_it_is_installed() -> None:
    assert event_loop.run(which_loop()) == "uvloop"


def test_without_uvloop_the_bot_runs_on_asyncio_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvloop", None)  # import uvloop now raises ImportError

    assert event_loop.loop_factory() is None
    assert event_loop.run(which_loop()) == "asyncio"


def test_run_returns_the_result_and_closes_its_loop() -> None:
    loops: list[asyncio.AbstractEventLoop] = []

    async def answer() -> int:
        loops.append(asyncio.get_running_loop())
        return 42

    assert event_loop.run(answer()) == 42
    assert loops[0].is_closed()
