"""`briefbot demo`: try the real bot offline, in a terminal, against a simulated Discord.

The bot is built by the same `create_bot` as in production, with its cogs, renderer and
loaded briefings; only Discord is simulated (simcord), so no token and no network are
needed. Its database and its own copy of the briefings live in a temporary folder, so
the demo never writes `data/` and `edit` never touches your `briefings/`.

Type slash commands as in Discord (`/briefing show topic:ukraine`), press buttons by
label (`next`, `click Previous`), choose in a menu (`select 2`), and end an option with
`?` to see its autocomplete choices (`/briefing show topic:ukr?`). `as moderator` and
`as admin` switch who types; `tick` moves the clock and delivers digests. Lines come
from stdin, so a script can be piped in; the demo exits 0 at the end of input.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import sys
import tempfile
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import simcord
import simcord.interactions

from bot.config import Settings
from bot.discord.client import create_bot
from bot.discord.demo.session import DemoSession, Write

EXIT_OK, EXIT_FAILED = 0, 1
PROMPT = "briefbot> "


@contextmanager
def _interaction_locale(session_of: Callable[[], DemoSession | None]) -> Iterator[None]:
    """Stamp the demo user's chosen locale on every interaction (simcord fixes en-US),
    and the server as the app's installer, as Discord says (simcord leaves it out)."""
    original = simcord.interactions.base_payload

    def patched(*args: Any, **kwargs: Any) -> Any:
        record, payload = original(*args, **kwargs)
        session = session_of()
        if session is not None:
            payload["locale"] = session.locale
        guild_id = payload.get("guild_id")
        if guild_id is not None and not payload.get("authorizing_integration_owners"):
            payload["authorizing_integration_owners"] = {"0": str(guild_id)}
        return record, payload

    simcord.interactions.base_payload = patched
    try:
        yield
    finally:
        simcord.interactions.base_payload = original


async def _aiter(lines: Iterable[str] | AsyncIterable[str]) -> AsyncIterator[str]:
    if isinstance(lines, AsyncIterable):
        async for line in lines:
            yield line
    else:
        for line in lines:
            yield line


def copy_briefings(source: Path, scratch: Path) -> Path:
    """The demo's own copy of the briefing folder's files, which `edit` may change."""
    if not source.is_dir():
        return source  # nothing to copy: the bot reports the missing folder as usual
    target = scratch / "briefings"
    target.mkdir()
    for path in source.iterdir():
        if path.is_file() and not path.name.startswith("."):
            shutil.copy2(path, target / path.name)
    return target


async def run_lines(
    settings: Settings,
    lines: Iterable[str] | AsyncIterable[str],
    write: Write,
    *,
    echo: bool = False,
    prompt: Callable[[], None] | None = None,
    interactive: bool = False,
) -> int:
    """Start the bot in a simulated Discord and run each input line; 0 when input ends.

    `interactive` (a terminal) lets `edit TOPIC` open `$EDITOR`.
    """
    with tempfile.TemporaryDirectory(prefix="briefbot-demo-") as scratch:
        demo_settings = settings.model_copy(
            update={
                "briefings_dir": copy_briefings(settings.briefings_dir, Path(scratch)),
                "database_path": Path(scratch) / "demo.sqlite3",
                "watch": False,
                "dev_guild_id": None,
                "admin_channel_id": None,
            }
        )
        bot = create_bot(demo_settings)
        session: DemoSession | None = None
        try:
            with _interaction_locale(lambda: session):
                async with simcord.run(bot, check_errors=False, shard_count=1) as env:
                    session = DemoSession(env, bot, write, interactive=interactive)
                    write(session.banner())
                    if prompt:
                        prompt()
                    async for line in _aiter(lines):
                        if echo and line.strip():
                            write(f"» {line.rstrip()}")
                        if not await session.handle(line):
                            break
                        if prompt:
                            prompt()
        finally:
            await bot.store.close()
    return EXIT_OK


class _PlainFormatter(logging.Formatter):
    """Log lines without tracebacks: the demo prints errors plainly."""

    def formatException(self, ei: Any) -> str:
        """No traceback, just the message line."""
        return ""

    def format(self, record: logging.LogRecord) -> str:
        """The message, with the exception's one-line summary when there is one."""
        text = super().format(record).rstrip()
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            text += f" ({type(error).__name__}: {error})"
        return text


async def _stdin_lines() -> AsyncIterator[str]:
    while True:
        line = await asyncio.to_thread(sys.stdin.readline)
        if not line:
            return
        yield line


def run_demo(settings: Settings) -> int:
    """`briefbot demo`: an interactive terminal session; also reads piped input to its end."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_PlainFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler], force=True)
    interactive = sys.stdin.isatty()

    def write(text: str) -> None:
        print(text, flush=True)

    def prompt() -> None:
        print(PROMPT, end="", flush=True)

    try:
        return asyncio.run(
            run_lines(
                settings,
                _stdin_lines(),
                write,
                echo=not interactive,
                prompt=prompt if interactive else None,
                interactive=interactive,
            )
        )
    except KeyboardInterrupt:
        print()
        return EXIT_OK
    except Exception as exc:  # the demo must end with a message, not a traceback
        print(f"briefbot demo: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAILED
