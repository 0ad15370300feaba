"""The bot at scale, for the selection, memory and start-up benchmarks.

`prepare` writes what a large deployment has on disk: N generated briefings and a
database holding M subscriptions across M/20 guilds (from `benchmarks.corpus`), of which
exactly `due` fall due at `DUE`. The due ones have daily schedules at DUE's local time
in their own time zones; every other subscription keeps its generated schedule, and its
next due time is computed from that schedule by the bot's own arithmetic, after the
last due time any benchmark uses. `running_bot` then starts the real bot over those files
the way `briefbot run` does (its thread switching, `create_bot`, `login`, so
`setup_hook`), against the loopback Discord, with its clock just before DUE so its own
start-up catch-up finds nothing due.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import sys
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord
from pydantic import SecretStr

from benchmarks.corpus import briefing_id, generate_subscriptions, write_corpus
from benchmarks.loopback_discord import PROJECT_ROOT
from bot.config import DigestSettings, Settings
from bot.digests.records import NewSubscription
from bot.digests.schedule import next_due, parse_schedule, parse_timezone
from bot.discord.client import BriefBot, create_bot
from bot.discord.runner import share_the_interpreter_promptly
from bot.store.sqlite import SqliteStore

DUE = dt.datetime(2026, 1, 5, 0, 0, tzinfo=dt.UTC)
BEFORE_DUE = DUE - dt.timedelta(minutes=1)
DAYS_AHEAD = dt.timedelta(days=14)  # the not-yet-due ones stay so through every run
TOKEN = "benchmark-token"  # the loopback server never checks it; it is never printed
SUBSCRIPTIONS_PER_GUILD = 20
RESULT_PREFIX = "RESULT "


@dataclass(frozen=True)
class Deployment:
    """A prepared folder: briefings, a database, and what they hold."""

    briefings_dir: Path
    database_path: Path
    briefings: int
    subscriptions: int
    due: int

    @classmethod
    def in_folder(cls, folder: Path, briefings: int, subscriptions: int, due: int) -> Deployment:
        """The deployment `prepare` wrote into `folder` (for a child process)."""
        return cls(folder / "briefings", folder / "briefbot.sqlite3", briefings, subscriptions, due)

    def child_arguments(self) -> list[str]:
        """Command-line arguments that let a child process find this deployment."""
        return [
            "--folder",
            str(self.briefings_dir.parent),
            "--briefings",
            str(self.briefings),
            "--subscriptions",
            str(self.subscriptions),
            "--due",
            str(self.due),
        ]

    def settings(
        self, database_path: Path | None = None, database_url: str | None = None
    ) -> Settings:
        """The bot's settings for this deployment (on a copy of the database, or PostgreSQL)."""
        return Settings(
            briefings_dir=self.briefings_dir,
            database_path=database_path or self.database_path,
            database_url=SecretStr(database_url) if database_url else None,
            watch=False,
            default_timezone="UTC",
            log_level="WARNING",
            digest=DigestSettings(tick_seconds=3600),
        )


def subscription_entries(
    count: int, due: int, topics: list[str], *, seed: int = 0
) -> list[NewSubscription]:
    """`count` generated subscriptions, exactly `due` of them due at DUE."""
    generated = generate_subscriptions(
        count, max(1, count // SUBSCRIPTIONS_PER_GUILD), topics, seed=seed
    )
    due_indexes = set(random.Random(seed + 1).sample(range(count), min(due, count)))
    later = DUE + DAYS_AHEAD
    entries = []
    for index, generated_entry in enumerate(generated):
        zone = parse_timezone(generated_entry["timezone"])
        if index in due_indexes:
            schedule = parse_schedule(f"daily {DUE.astimezone(zone):%H:%M}")
            due_at = DUE
        else:
            schedule = parse_schedule(generated_entry["schedule"])
            due_at = next_due(schedule, zone, later)
        entries.append(
            NewSubscription(
                guild_id=generated_entry["guild_id"],
                channel_id=generated_entry["channel_id"],
                topics=tuple(generated_entry["topics"]),
                schedule=schedule.expression,
                timezone=zone.key,
                mode="changes",
                language="ja" if index % 3 else "en",
                next_due=due_at,
            )
        )
    return entries


async def prepare(
    folder: Path, *, briefings: int, subscriptions: int, due: int, seed: int = 0
) -> Deployment:
    """Write the briefings and fill a fresh database; returns where they are."""
    deployment = Deployment.in_folder(folder, briefings, subscriptions, due)
    briefings_dir, database_path = deployment.briefings_dir, deployment.database_path
    await asyncio.to_thread(write_corpus, briefings_dir, briefings, seed=seed)
    topics = [briefing_id(index) for index in range(briefings)]
    entries = await asyncio.to_thread(subscription_entries, subscriptions, due, topics, seed=seed)
    store = SqliteStore(database_path)
    await store.open()
    try:
        added = await store.subscriptions.add_many(entries, BEFORE_DUE - dt.timedelta(days=1))
    finally:
        await store.close()
    if added != subscriptions:
        raise RuntimeError(f"only {added} of {subscriptions} subscriptions were stored")
    return deployment


@asynccontextmanager
async def running_bot(
    deployment: Deployment,
    api_url: str,
    *,
    database_path: Path | None = None,
    database_url: str | None = None,
) -> AsyncIterator[BriefBot]:
    """The real bot logged in to the loopback Discord at `api_url` (setup_hook done)."""
    previous_base = discord.http.Route.BASE
    discord.http.Route.BASE = api_url
    settings = deployment.settings(database_path, database_url)
    share_the_interpreter_promptly()
    bot = create_bot(settings, clock=lambda: BEFORE_DUE)
    try:
        await bot.login(TOKEN)
        yield bot
    finally:
        await bot.close()
        discord.http.Route.BASE = previous_base


def add_child_arguments(parser: argparse.ArgumentParser) -> None:
    """The options a benchmark's child process is started with (see `child_arguments`)."""
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--briefings", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--subscriptions", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--due", type=int, default=0, help=argparse.SUPPRESS)


def child_deployment(args: argparse.Namespace) -> Deployment:
    """The deployment a child process was pointed at."""
    return Deployment.in_folder(args.folder, args.briefings, args.subscriptions, args.due)


def report_to_parent(figures: dict[str, Any]) -> None:
    """A child's one result line, read by `run_child`."""
    print(f"{RESULT_PREFIX}{json.dumps(figures)}", flush=True)


async def run_child(module: str, arguments: Sequence[str]) -> tuple[float, dict[str, Any]]:
    """Run `python -m module --child ...`; wall seconds from spawn to its result, and the result.

    The child runs in a fresh interpreter, so its imports, memory and start-up are its own.
    """
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        module,
        "--child",
        *arguments,
        cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    figures: dict[str, Any] | None = None
    elapsed = 0.0
    async for raw in process.stdout:
        line = raw.decode().strip()
        if line.startswith(RESULT_PREFIX):
            elapsed = time.monotonic() - started
            figures = json.loads(line.removeprefix(RESULT_PREFIX))
    if await process.wait() != 0 or figures is None:
        raise RuntimeError(f"{module} child failed with exit status {process.returncode}")
    return elapsed, figures
