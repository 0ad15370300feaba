"""Running the bot for real: connect with the token, reload on SIGHUP, stop on SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Coroutine
from typing import Any

import discord

from bot.config import Settings
from bot.discord.client import BriefBot, create_bot


def install_signal_handlers(bot: BriefBot) -> Callable[[], None]:
    """SIGHUP reloads the briefings and SIGTERM shuts down cleanly; returns an uninstaller."""
    loop = asyncio.get_running_loop()
    background: set[asyncio.Task[object]] = set()

    def spawn(coroutine: Coroutine[Any, Any, object]) -> None:
        task: asyncio.Task[object] = loop.create_task(coroutine)
        background.add(task)
        task.add_done_callback(background.discard)

    installed: list[signal.Signals] = []
    with contextlib.suppress(NotImplementedError):  # signals are POSIX-only
        loop.add_signal_handler(signal.SIGHUP, lambda: spawn(bot.reload_briefings()))
        installed.append(signal.SIGHUP)
        loop.add_signal_handler(signal.SIGTERM, lambda: spawn(bot.close()))
        installed.append(signal.SIGTERM)

    def uninstall() -> None:
        for number in installed:
            loop.remove_signal_handler(number)

    return uninstall


async def serve(settings: Settings, token: str) -> None:
    """Run the bot until SIGTERM or SIGINT; SIGHUP reloads the briefings."""
    bot = create_bot(settings)
    uninstall = install_signal_handlers(bot)
    try:
        async with bot:
            await bot.start(token)
    finally:
        uninstall()


def run_bot(settings: Settings) -> None:
    """Connect to Discord with the token from the environment and run until stopped."""
    if settings.discord_token is None:
        raise RuntimeError("DISCORD_TOKEN is not set")
    discord.utils.setup_logging(level=logging.getLevelName(settings.log_level), root=True)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(settings, settings.discord_token.get_secret_value()))
