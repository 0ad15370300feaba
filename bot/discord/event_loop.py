"""The event loop the bot runs on: uvloop's where it is installed, else asyncio's own.

uvloop (libuv, from the authors of asyncpg) runs the same asyncio code with less
overhead per callback and per socket write, which is most of what the gateway, the
REST client and the database drivers ask of the loop. It is installed on Linux and
macOS (it has no Windows build); elsewhere the bot runs on asyncio's loop unchanged.

The offline demo stays on asyncio's loop: simcord drives the loop's timers itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's `new_event_loop` where uvloop is installed; None means asyncio's loop."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def loop_name(loop: asyncio.AbstractEventLoop) -> str:
    """`uvloop` or `asyncio`: which implementation a loop is, for the start-up log."""
    return "uvloop" if type(loop).__module__.startswith("uvloop") else "asyncio"


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion on a new loop of the bot's kind, as `asyncio.run` does."""
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        return runner.run(coroutine)
