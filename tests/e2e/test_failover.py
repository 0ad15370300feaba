"""Failover with real processes: two `briefbot worker`s on one PostgreSQL, one killed.

The loopback Discord runs as its own process (discord.py's real HTTP client talks to
it; it deduplicates nonces like Discord's `enforce_nonce`), PostgreSQL is the embedded
server, and each worker is the real command line in a fresh process. Killing the
leader with SIGKILL after a few hundred messages must lose nothing and post nothing
twice; killing the standby must not disturb delivery at all.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from benchmarks.loopback_cli import API_BASE_VARIABLE
from benchmarks.loopback_discord import fetch_stats, serve_in_process
from bot.config import DATABASE_URL_VARIABLE, TOKEN_VARIABLE
from bot.digests.records import NewSubscription
from bot.store.postgres import PostgresStore
from tests.conftest import REPO_ROOT, SEED_BRIEFING

TOKEN = "MTIzNDU2Nzg5.failover-test-token.never-shown"
GUILD = 7_000_000_000_000_001
FIRST_CHANNEL = 8_000_000_000_000_001
DEADLINE = 120.0  # seconds for a whole scenario, far above what it needs


@pytest_asyncio.fixture
async def loopback() -> AsyncIterator[str]:
    """The loopback Discord in its own process, generous enough never to answer 429."""
    async with serve_in_process(limit=500) as url:
        yield url


def deployment(folder: Path) -> Path:
    """A project folder: the seed briefing and a config for quick ticks and take-overs."""
    (folder / "briefings").mkdir(parents=True)
    (folder / "briefings" / SEED_BRIEFING.name).write_bytes(SEED_BRIEFING.read_bytes())
    config = folder / "config.yaml"
    config.write_text(
        "watch: false\n"
        "log_level: INFO\n"
        "digest:\n  tick_seconds: 1\n"
        "delivery:\n  rate_per_second: 50\n"
        "cluster:\n  leader_retry_seconds: 1\n",
        encoding="utf-8",
    )
    return config


async def subscribe_channels(url: str, count: int) -> list[int]:
    """`count` channels of one guild, each with a first digest due a minute ago."""
    store = PostgresStore(url)
    await store.open()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    channels = [FIRST_CHANNEL + n for n in range(count)]
    try:
        added = await store.subscriptions.add_many(
            [
                NewSubscription(
                    guild_id=GUILD,
                    channel_id=channel,
                    topics=None,
                    schedule="daily 09:00",
                    timezone="UTC",
                    mode="changes",
                    language="en",
                    next_due=now - dt.timedelta(minutes=1),
                )
                for channel in channels
            ],
            now,
        )
        assert added == count
    finally:
        await store.close()
    return channels


async def start_worker(
    config: Path, api: str, database: str, log: Path
) -> asyncio.subprocess.Process:
    """`briefbot --config CONFIG worker` in a fresh process, pointed at the loopback Discord."""
    env = {
        **os.environ,
        TOKEN_VARIABLE: TOKEN,
        DATABASE_URL_VARIABLE: database,
        API_BASE_VARIABLE: api,
        "PYTHONPATH": str(REPO_ROOT),
    }
    with log.open("wb") as output:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "benchmarks.loopback_cli",
            "--config",
            str(config),
            "worker",
            env=env,
            cwd=config.parent,
            stdout=output,
            stderr=output,
        )


async def created(api: str) -> int:
    """How many messages the loopback Discord has created so far."""
    return int((await fetch_stats(api))["created"])


async def wait_for_messages(api: str, count: int, deadline: float) -> None:
    """Poll the loopback Discord until it has created `count` messages."""
    while await created(api) < count:
        assert time.monotonic() < deadline, f"timed out waiting for {count} messages"
        await asyncio.sleep(0.1)


async def stop(*processes: asyncio.subprocess.Process) -> None:
    """Stop workers that are still running."""
    for process in processes:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            await asyncio.wait_for(process.wait(), timeout=30)
        except TimeoutError:
            process.kill()
            await process.wait()


def logs(folder: Path) -> str:
    """Both workers' output, for a failure message."""
    return "\n".join(
        f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
        for path in sorted(folder.glob("worker-*.log"))
    )


@pytest.mark.parametrize(
    ("victim", "channels", "kill_after"), [("leader", 1000, 300), ("standby", 300, 100)]
)
async def test_killing_a_worker_loses_nothing_and_posts_nothing_twice(
    tmp_path: Path,
    loopback: str,
    postgres_url: str,
    victim: str,
    channels: int,
    kill_after: int,
) -> None:
    config = deployment(tmp_path)
    subscribed = await subscribe_channels(postgres_url, channels)
    deadline = time.monotonic() + DEADLINE
    first = await start_worker(config, loopback, postgres_url, tmp_path / "worker-a.log")
    second: asyncio.subprocess.Process | None = None
    try:
        # The first worker leads and starts sending; the second then stands by.
        await wait_for_messages(loopback, 1, deadline)
        second = await start_worker(config, loopback, postgres_url, tmp_path / "worker-b.log")
        await wait_for_messages(loopback, kill_after, deadline)
        doomed = first if victim == "leader" else second
        doomed.send_signal(signal.SIGKILL)
        await doomed.wait()
        killed_at, sent_before = time.monotonic(), await created(loopback)

        await wait_for_messages(loopback, channels, deadline)
        await asyncio.sleep(2)  # anything posted twice would show by now
        stats = await fetch_stats(loopback)
        per_channel = {int(k): v for k, v in stats["per_channel"].items()}
        lost = [c for c in subscribed if per_channel.get(c, 0) == 0]
        twice = {c: n for c, n in per_channel.items() if n > 1}
        assert (len(lost), len(twice)) == (0, 0), logs(tmp_path)
        assert set(per_channel) == set(subscribed)
        assert stats["rate_limited"] == 0
        assert sent_before < channels, "the victim died before the end, as planned"
        print(
            f"{victim} killed after {sent_before} messages; all {channels} delivered "
            f"{time.monotonic() - killed_at:.1f} s later; {stats['deduplicated']} resent "
            "message(s) returned by nonce"
        )
    finally:
        await stop(first, *([second] if second else []))
