"""The one wiring place: `create_bot(settings)` builds the bot and everything it uses."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any

import discord
from discord.ext import commands

from bot.config import Settings
from bot.digests import DigestService
from bot.library import Library, load_library
from bot.loader import LoadResult
from bot.rendering import NO_MENTIONS, report_error
from bot.repository import Repository
from bot.translator import CommandTranslator

log = logging.getLogger(__name__)

EXTENSIONS = ("bot.cogs.briefing", "bot.cogs.digest")
Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    """The current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)


def bot_intents() -> discord.Intents:
    """Only what slash commands and digests need (guilds); no privileged intents."""
    intents = discord.Intents.none()
    intents.guilds = True
    return intents


class BriefBot(commands.Bot):
    """The briefbot client: briefings, commands and (later) digests."""

    def __init__(self, settings: Settings, *, clock: Clock = utc_now) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=bot_intents(),
            allowed_mentions=NO_MENTIONS,
            help_command=None,
        )
        self.settings = settings
        self.clock = clock
        self.repository = Repository(settings.database_path)
        self.library = Library((), stale_after_days=settings.stale_after_days, loaded_at=clock())
        self.last_load: LoadResult = LoadResult()
        self.digests = DigestService(self)
        self.tree.on_error = report_error  # type: ignore[method-assign]

    async def setup_hook(self) -> None:
        """Open the database, load briefings and extensions, and sync commands if they changed."""
        await self.repository.open()
        await self.load_briefings()
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        await self.tree.set_translator(CommandTranslator())
        await self.sync_commands_if_changed()
        await self.digests.start()

    async def load_briefings(self) -> LoadResult:
        """Load every briefing off the event loop and swap the new library in whole."""
        settings = self.settings
        library, result = await asyncio.to_thread(
            load_library,
            [settings.briefings_dir],
            stale_after_days=settings.stale_after_days,
            now=self.clock(),
        )
        self.library, self.last_load = library, result
        await self.repository.record_section_versions(library, self.clock())
        for problem in result.problems:
            log.warning("%s", problem)
        log.info(
            "loaded %d briefing(s) with %d error(s) and %d warning(s)",
            len(library),
            len(result.errors),
            len(result.warnings),
        )
        return result

    async def command_payload(self, guild: discord.abc.Snowflake | None) -> list[dict[str, Any]]:
        """The command tree exactly as `tree.sync` would send it for this scope."""
        translator = self.tree.translator
        commands_ = self.tree.get_commands(guild=guild)
        if translator is None:
            return [command.to_dict(self.tree) for command in commands_]
        return [
            await command.get_translated_payload(self.tree, translator) for command in commands_
        ]

    async def sync_commands_if_changed(self) -> bool:
        """Sync the command tree only when it differs from the last sync; True if synced."""
        guild = (
            discord.Object(id=self.settings.dev_guild_id) if self.settings.dev_guild_id else None
        )
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        scope = str(guild.id) if guild else "global"
        payload = await self.command_payload(guild)
        digest = hashlib.sha256(
            json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()
        ).hexdigest()
        if await self.repository.command_tree_hash(scope) == digest:
            log.info("command tree unchanged; not syncing (%s)", scope)
            return False
        await self.tree.sync(guild=guild)
        await self.repository.remember_command_tree(scope, digest, self.clock())
        log.info("synced %d command(s) to %s", len(payload), scope)
        return True

    async def close(self) -> None:
        """Close Discord first, then the database."""
        try:
            await self.digests.stop()
            await super().close()
        finally:
            await self.repository.close()


def create_bot(settings: Settings, *, clock: Clock = utc_now) -> BriefBot:
    """Build the bot without connecting; tests and the demo drive it the same way."""
    return BriefBot(settings, clock=clock)


def run_bot(settings: Settings) -> None:
    """Connect to Discord with the token from the environment and run until stopped."""
    if settings.discord_token is None:
        raise RuntimeError("DISCORD_TOKEN is not set")
    discord.utils.setup_logging(level=logging.getLevelName(settings.log_level), root=True)
    bot = create_bot(settings)
    bot.run(settings.discord_token.get_secret_value(), log_handler=None)
