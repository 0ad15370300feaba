"""The one wiring place: `create_bot(settings)` builds the bot and everything it uses."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import hashlib
import json
import logging
import sys
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import discord
from discord.ext import commands

from bot.briefings.library import Library
from bot.briefings.reload import Catalog, ReloadReport, release_gradually, reload_catalog
from bot.config import Settings
from bot.delivery.pacing import Pacer, request_pacing
from bot.delivery.ports import DeliveryPolicy
from bot.delivery.queue import DeliveryQueue
from bot.delivery.service import DigestService
from bot.discord.cluster import ClusterMembership
from bot.discord.heap import return_freed_memory
from bot.discord.notices import SystemChannelNotices
from bot.discord.rendering import NO_MENTIONS, card_embed, messages_json, report_error
from bot.discord.startup_cache import StartupCache
from bot.discord.status_cards import reload_notice_cards
from bot.discord.translator import CommandTranslator
from bot.discord.watcher import ExternalWait, watch_briefings
from bot.store.factory import store_for_url
from bot.store.interface import Store
from bot.store.sqlite import SqliteStore
from bot.text.i18n import DEFAULT_LANGUAGE

log = logging.getLogger(__name__)

EXTENSIONS = (
    "bot.discord.cogs.briefing",
    "bot.discord.cogs.digest",
    "bot.discord.cogs.admin",
    "bot.discord.cogs.authoring",  # after admin: its commands join `/briefing-admin`
)
Clock = Callable[[], dt.datetime]
RELOAD_SWITCH_INTERVAL = 0.001
BUCKET_SWEEP_SECONDS = 1.0


def utc_now() -> dt.datetime:
    """The current time, timezone-aware in UTC (simulated Discord moves it in tests)."""
    return discord.utils.utcnow()


def bound_rate_limit_sweeps(http: Any, every: float = BUCKET_SWEEP_SECONDS) -> None:
    """Let discord.py drop expired rate-limit buckets at most once per `every` seconds.

    discord.py scans every bucket each time a new one appears (one per channel), so a
    digest to 10,000 new channels costs 10,000 scans of up to 10,000 buckets: enough CPU
    to bunch sends together and draw 429s. Buckets only expire after minutes of
    inactivity, so sweeping once a second frees the same memory.
    """
    sweep = getattr(http, "_try_clear_expired_ratelimits", None)
    if sweep is None:
        return
    last_sweep = -every

    def bounded() -> None:
        nonlocal last_sweep
        now = time.monotonic()
        if now - last_sweep >= every:
            last_sweep = now
            sweep()

    http._try_clear_expired_ratelimits = bounded


def bot_intents() -> discord.Intents:
    """Only what slash commands and digests need (guilds); no privileged intents."""
    intents = discord.Intents.none()
    intents.guilds = True
    return intents


class BriefBot(commands.AutoShardedBot):
    """The briefbot client: briefings, commands and digests, on one or more shards.

    Always sharded: with no cluster settings Discord's recommended shard count is used,
    so one process keeps working past 2,500 guilds; a cluster process runs only its
    `cluster.shards` of `cluster.shard_count`.
    """

    def __init__(self, settings: Settings, *, clock: Clock = utc_now, gateway: bool = True) -> None:
        cluster = settings.cluster
        # False for `briefbot worker`: REST only, for the scheduler and delivery.
        self.gateway = gateway
        self.stopped = asyncio.Event()
        shards: dict[str, Any] = {"shard_count": cluster.shard_count}
        if cluster.shard_ids is not None:
            shards["shard_ids"] = list(cluster.shard_ids)
        # The token's global budget: every REST request but interaction responses takes a
        # slot (digest sends through the delivery queue, everything else in the session).
        budget = Pacer(settings.delivery.rate_per_second)
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=bot_intents(),
            allowed_mentions=NO_MENTIONS,
            help_command=None,
            http_trace=request_pacing(budget),
            **shards,
        )
        self.settings = settings
        self.clock = clock
        url = settings.database_url
        self.store: Store = (
            store_for_url(url.get_secret_value())
            if url is not None
            else SqliteStore(settings.database_path)
        )
        self.library = Library((), stale_after_days=settings.stale_after_days, loaded_at=clock())
        self.catalog = Catalog()
        self.startup_cache = StartupCache(settings.startup_cache_path, settings.stale_after_days)
        self.last_reload: ReloadReport | None = None
        self._reload_lock = asyncio.Lock()
        self._reported_errors: frozenset[str] = frozenset()
        self._versions_recorded = False  # whether every served section's version is stored
        self._stop_watching = asyncio.Event()
        self._watcher: asyncio.Task[None] | None = None
        # Tests set this to simcord's `env.external_wait` so a watching bot counts as idle.
        self.external_wait: ExternalWait | None = None
        self.digests = DigestService(
            store=self.store,
            queue=DeliveryQueue(self, pacer=budget, max_attempts=settings.delivery.max_attempts),
            clock=clock,
            library=lambda: self.library,
            write_payload=messages_json,
            notices=SystemChannelNotices(self),
            policy=DeliveryPolicy(
                catch_up=dt.timedelta(hours=settings.digest.catch_up_hours),
                tick=dt.timedelta(seconds=settings.digest.tick_seconds),
                default_timezone=settings.default_timezone,
                leader_retry=dt.timedelta(seconds=cluster.leader_retry_seconds),
            ),
            release_memory=return_freed_memory,
        )
        self.cluster = ClusterMembership(
            self.store.state,
            clock,
            shard_ids=cluster.shard_ids if gateway else (),
            shard_count=cluster.shard_count if gateway else None,
            leading=lambda: self.digests.leading,
            beating=settings.database_url is not None,
        )
        self.tree.on_error = report_error  # type: ignore[method-assign]
        bound_rate_limit_sweeps(self.http)

    async def setup_hook(self) -> None:
        """Open the database, load briefings and extensions, and sync commands if they changed."""
        await self.store.open()
        await self.cluster.join()
        await self._load_briefings_at_start()
        if self.gateway:
            for extension in EXTENSIONS:
                await self.load_extension(extension)
            await self.tree.set_translator(CommandTranslator())
            if self.syncs_commands:
                await self.sync_commands_if_changed()
        await self.digests.start()
        if self.last_reload is not None:  # the start-up reload, now that leadership is known
            await self._report_to_admin_channel(self.last_reload)
        if self.settings.watch and self.settings.briefings_dir.is_dir():
            self._watcher = asyncio.create_task(
                watch_briefings(
                    self.settings.briefings_dir,
                    self.reload_briefings,
                    stop=self._stop_watching,
                    external_wait=self.external_wait,
                ),
                name="briefing-watcher",
            )

    async def _load_briefings_at_start(self) -> None:
        """Load the briefings, reading again only files changed since the last start-up."""
        self.catalog = await self.startup_cache.previous_catalog()
        report = await self.reload_briefings()
        self.startup_cache.keep(self.catalog, report)

    async def reload_briefings(self, *, force: bool = False) -> ReloadReport:
        """Reload changed briefing files and swap the new library in whole.

        The file watcher, SIGHUP and `/briefing-admin reload` all come here. Parsing
        runs in a worker thread so the bot keeps answering; a file that fails keeps
        serving its last good version, and its problems are reported.
        """
        async with self._reload_lock, _no_full_collections():
            settings = self.settings
            catalog, library, report = await asyncio.to_thread(
                reload_catalog,
                self.catalog,
                settings.briefings_dir,
                stale_after_days=settings.stale_after_days,
                now=self.clock(),
                force=force,
            )
            replaced: list[object] = [self.catalog, self.library]
            self.catalog, self.library, self.last_reload = catalog, library, report
            # Versions of unchanged briefings are stored already, unless the last try failed.
            changed = {*report.added, *report.changed} if self._versions_recorded else None
            self._versions_recorded = False
            await self.store.sections.record_versions(library, self.clock(), only=changed)
            self._versions_recorded = True
        await asyncio.to_thread(release_gradually, replaced)
        await asyncio.to_thread(return_freed_memory)  # the load's garbage, back to the system
        log.info("%s", report.summary())
        for problem in report.errors:
            log.warning("%s", problem)
        if log.isEnabledFor(logging.DEBUG):
            for problem in report.warnings:
                log.debug("%s", problem)
        await self._report_to_admin_channel(report)
        return report

    async def _report_to_admin_channel(self, report: ReloadReport) -> None:
        """Post new and fixed errors, once per change: only the delivery leader posts."""
        if not self.digests.leading:
            return  # every process reloads the same files; the leader speaks for them
        current = frozenset(str(p) for p in report.errors)
        new, fixed = current - self._reported_errors, self._reported_errors - current
        self._reported_errors = current
        channel_id = self.settings.admin_channel_id
        if channel_id is None or not (new or fixed):
            return
        cards = reload_notice_cards(report, sorted(new), sorted(fixed), DEFAULT_LANGUAGE)
        channel = self.get_partial_messageable(channel_id)
        try:
            for card in cards:
                await channel.send(embed=card_embed(card), allowed_mentions=NO_MENTIONS)
        except discord.HTTPException:
            log.warning("could not post the reload report to the admin channel", exc_info=True)

    @property
    def syncs_commands(self) -> bool:
        """Only the process holding shard 0 syncs the command tree for the whole cluster."""
        return self.shard_ids is None or 0 in self.shard_ids

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
        if await self.store.state.command_tree_hash(scope) == digest:
            log.info("command tree unchanged; not syncing (%s)", scope)
            return False
        await self.tree.sync(guild=guild)
        await self.store.state.remember_command_tree(scope, digest, self.clock())
        log.info("synced %d command(s) to %s", len(payload), scope)
        return True

    async def close(self) -> None:
        """Close Discord first, then the database."""
        try:
            self._stop_watching.set()
            if self._watcher is not None:
                await asyncio.wait({self._watcher}, timeout=5)
            await self.digests.stop()
            await self.cluster.leave()
            await self.startup_cache.finished()
            await super().close()
        finally:
            await self.store.close()
            self.stopped.set()


@contextlib.asynccontextmanager
async def _no_full_collections() -> AsyncIterator[None]:
    """Keep the cyclic garbage collector from scanning the whole heap during a reload.

    A reload allocates a new snapshot next to the old one. A full collection over both
    holds the GIL for hundreds of milliseconds and stalls the event loop, so collection
    waits until the swap, and the immutable snapshot then moves to the permanent
    generation (`gc.freeze`), which later collections skip.
    """
    was_enabled = gc.isenabled()
    switch_interval = sys.getswitchinterval()
    # Garbage frozen with the snapshot would never be collected: collect it first, while
    # the collector only has what is not frozen to scan (what changed since the last
    # swap), which takes a few milliseconds.
    gc.collect()
    gc.disable()
    # The worker thread hands the GIL back to the event loop sooner.
    sys.setswitchinterval(RELOAD_SWITCH_INTERVAL)
    try:
        yield
    finally:
        sys.setswitchinterval(switch_interval)
        gc.freeze()
        if was_enabled:
            gc.enable()


def create_bot(settings: Settings, *, clock: Clock = utc_now, gateway: bool = True) -> BriefBot:
    """Build the bot without connecting; tests and the demo drive it the same way.

    `gateway=False` builds the REST-only worker: briefings, scheduler and delivery, no
    commands and no gateway connection.
    """
    return BriefBot(settings, clock=clock, gateway=gateway)
