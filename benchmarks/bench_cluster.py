"""Delivery from `briefbot worker` processes on PostgreSQL: fan-out, and failover time.

Everything is a real process: the loopback Discord (`benchmarks.loopback_discord`,
with Discord's global limit of 50 requests per second), an embedded PostgreSQL 18, and
`briefbot worker` started through `benchmarks.loopback_cli`. 1,000 channels each have
a first digest due.

* fan-out: one worker delivers all 1,000 at the default rate limit of the loopback
  (50/s) with `rate_per_second: 50`; achieved / configured rate, 429s, lost and
  duplicated messages (target >= 0.95, 0, 0, 0);
* failover: two workers; the leader is killed with SIGKILL after 300 messages; the
  time from the kill to the standby's first message (target <= 15 s, with the default
  `cluster.leader_retry_seconds` of 10 s: the standby tries for the lock that often,
  and PostgreSQL frees it the moment the dead leader's connection closes), and again
  lost and duplicated messages.

    python -m benchmarks.bench_cluster [--channels 1000] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.loopback_cli import API_BASE_VARIABLE
from benchmarks.loopback_discord import fetch_stats, serve_in_process
from benchmarks.postgres import EmbeddedPostgres
from benchmarks.report import Row, finish
from bot.config import DATABASE_URL_VARIABLE, TOKEN_VARIABLE
from bot.digests.records import NewSubscription
from bot.discord import event_loop
from bot.store.postgres import PostgresStore

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEED = PROJECT_ROOT / "briefings" / "ukraine-ceasefire.yaml"
TOKEN = "MTIzNDU2Nzg5.bench-cluster-token.never-shown"
RATE = 50.0
DISCORD_LIMIT = 50
KILL_AFTER = 300
FAILOVER_TARGET_S = 15.0
GUILD = 7_100_000_000_000_001
FIRST_CHANNEL = 8_100_000_000_000_001
DEADLINE_S = 300.0


def project(folder: Path, *, leader_retry_seconds: float | None = None) -> Path:
    """A deployment folder with the seed briefing; returns its config file.

    `leader_retry_seconds` None keeps the default (10 s), as a real deployment would.
    """
    (folder / "briefings").mkdir(parents=True)
    (folder / "briefings" / SEED.name).write_bytes(SEED.read_bytes())
    config = folder / "config.yaml"
    retry = (
        ""
        if leader_retry_seconds is None
        else f"cluster:\n  leader_retry_seconds: {leader_retry_seconds:g}\n"
    )
    config.write_text(
        f"watch: false\nlog_level: INFO\ndigest:\n  tick_seconds: 1\n"
        f"delivery:\n  rate_per_second: {RATE:g}\n{retry}",
        encoding="utf-8",
    )
    return config


async def subscribe(url: str, channels: int) -> set[int]:
    """`channels` subscriptions, each with a first digest due a minute ago."""
    store = PostgresStore(url)
    await store.open()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    ids = {FIRST_CHANNEL + n for n in range(channels)}
    try:
        await store.subscriptions.add_many(
            [
                NewSubscription(GUILD, channel, None, "daily 09:00", "UTC", "changes", "en", now)
                for channel in sorted(ids)
            ],
            now - dt.timedelta(minutes=1),
        )
    finally:
        await store.close()
    return ids


async def worker(
    config: Path, api: str, database: str, log: Path | None = None
) -> asyncio.subprocess.Process:
    """One `briefbot worker` process pointed at the loopback Discord (output to `log`)."""
    env = {
        **os.environ,
        TOKEN_VARIABLE: TOKEN,
        DATABASE_URL_VARIABLE: database,
        API_BASE_VARIABLE: api,
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    output = log.open("wb") if log is not None else None
    try:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "benchmarks.loopback_cli",
            "--config",
            str(config),
            "worker",
            env=env,
            cwd=config.parent,
            stdout=output or asyncio.subprocess.DEVNULL,
            stderr=output or asyncio.subprocess.DEVNULL,
        )
    finally:
        if output is not None:
            output.close()


async def wait_for(api: str, count: int, deadline: float) -> dict[str, Any]:
    """Poll the loopback Discord until it has created `count` messages; its stats."""
    while True:
        stats = await fetch_stats(api)
        if stats["created"] >= count:
            return stats
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {stats['created']} of {count} messages arrived")
        await asyncio.sleep(0.02)


def outcome(stats: dict[str, Any], channels: set[int]) -> tuple[int, int]:
    """Channels that got nothing, and messages beyond one per channel."""
    per_channel = {int(k): v for k, v in stats["per_channel"].items()}
    lost = sum(1 for channel in channels if per_channel.get(channel, 0) == 0)
    duplicates = sum(n - 1 for n in per_channel.values() if n > 1)
    return lost, duplicates


async def stop(*processes: asyncio.subprocess.Process) -> None:
    """SIGTERM, then SIGKILL for any that lingers."""
    for process in processes:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            await asyncio.wait_for(process.wait(), timeout=30)
        except TimeoutError:
            process.kill()
            await process.wait()


async def fan_out(folder: Path, databases: EmbeddedPostgres, channels: int) -> list[Row]:
    """One worker delivers every first digest."""
    async with serve_in_process(DISCORD_LIMIT) as api:
        url = databases.url(await databases.create())
        subscribed = await subscribe(url, channels)
        config = project(folder / "fan-out")
        process = await worker(config, api, url)
        try:
            stats = await wait_for(api, channels, time.monotonic() + DEADLINE_S)
            await asyncio.sleep(2)  # anything posted twice would show by now
            stats = await fetch_stats(api)
        finally:
            await stop(process)
    lost, duplicates = outcome(stats, subscribed)
    span = stats["last_create"] - stats["first_create"]
    achieved = (stats["created"] - 1) / span if span > 0 else 0.0
    scope = f"{channels:,} channels through a worker on PostgreSQL"
    return [
        Row(
            f"cluster: fan-out achieved / configured rate, {scope}",
            round(achieved / RATE, 3),
            "x",
            0.95,
            higher_is_better=True,
        ),
        Row(f"cluster: fan-out 429s, {scope}", stats["rate_limited"], "count", 0),
        Row(f"cluster: fan-out lost, {scope}", lost, "count", 0),
        Row(f"cluster: fan-out duplicates, {scope}", duplicates, "count", 0),
    ]


async def failover(folder: Path, databases: EmbeddedPostgres, channels: int) -> list[Row]:
    """Kill the leader after KILL_AFTER messages; time until the standby sends."""
    async with serve_in_process(DISCORD_LIMIT) as api:
        url = databases.url(await databases.create())
        subscribed = await subscribe(url, channels)
        config = project(folder / "failover")
        deadline = time.monotonic() + DEADLINE_S
        leader = await worker(config, api, url)
        standby: asyncio.subprocess.Process | None = None
        try:
            await wait_for(api, 1, deadline)
            standby = await worker(config, api, url)
            await wait_for(api, KILL_AFTER, deadline)
            leader.send_signal(signal.SIGKILL)
            await leader.wait()
            killed = time.monotonic()
            at_kill = (await fetch_stats(api))["created"]
            await wait_for(api, at_kill + 1, deadline)
            taken_over = time.monotonic() - killed
            await wait_for(api, channels, deadline)
            await asyncio.sleep(2)
            stats = await fetch_stats(api)
        finally:
            await stop(leader, *([standby] if standby else []))
    lost, duplicates = outcome(stats, subscribed)
    print(
        f"failover: leader killed after {at_kill} messages, standby sent after {taken_over:.2f} s",
        flush=True,
    )
    scope = f"{channels:,} channels, leader killed after {KILL_AFTER}"
    return [
        Row(
            f"cluster: failover, kill -9 of the leader to the standby's first send, {scope}",
            round(taken_over, 2),
            "s",
            FAILOVER_TARGET_S,
        ),
        Row(f"cluster: failover lost, {scope}", lost, "count", 0),
        Row(f"cluster: failover duplicates, {scope}", duplicates, "count", 0),
    ]


async def measure(channels: int) -> list[Row]:
    """Both scenarios, each on a fresh database of one embedded server."""
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as scratch:
        folder = Path(scratch)
        databases = EmbeddedPostgres(folder, prefix="cluster")
        try:
            rows = await fan_out(folder, databases, channels)
            rows += await failover(folder, databases, channels)
        finally:
            databases.close()
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print a table, and optionally write the JSON rows."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_cluster", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--channels", type=int, default=1_000, help="subscribed channels")
    parser.add_argument("--json", type=Path, help="write the result rows to this file")
    args = parser.parse_args(argv)
    return finish(event_loop.run(measure(args.channels)), args.json)


if __name__ == "__main__":
    sys.exit(main())
