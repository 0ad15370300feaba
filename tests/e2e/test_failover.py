"""Failover with real processes: two `briefbot worker`s on one PostgreSQL, one killed.

The loopback Discord runs as its own process (discord.py's real HTTP client talks to
it; it deduplicates nonces like Discord's `enforce_nonce`), PostgreSQL is the embedded
server, and each worker is the real command line in a fresh process. Killing the
leader with SIGKILL after a few hundred messages must lose nothing and post nothing
twice; killing the standby must not disturb delivery at all.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from benchmarks.bench_cluster import outcome, project, stop, subscribe, worker
from benchmarks.loopback_discord import fetch_stats, serve_in_process

DEADLINE = 120.0  # seconds for a whole scenario, far above what it needs


@pytest_asyncio.fixture
async def loopback() -> AsyncIterator[str]:
    """The loopback Discord in its own process, generous enough never to answer 429."""
    async with serve_in_process(limit=500) as url:
        yield url


async def wait_for_messages(api: str, count: int, deadline: float) -> None:
    """Poll the loopback Discord until it has created `count` messages."""
    while (await fetch_stats(api))["created"] < count:
        assert time.monotonic() < deadline, f"timed out waiting for {count} messages"
        await asyncio.sleep(0.1)


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
    config = project(tmp_path / "deployment", leader_retry_seconds=1)
    subscribed = await subscribe(postgres_url, channels)
    deadline = time.monotonic() + DEADLINE
    first = await worker(config, loopback, postgres_url, tmp_path / "worker-a.log")
    second: asyncio.subprocess.Process | None = None
    try:
        # The first worker leads and starts sending; the second then stands by.
        await wait_for_messages(loopback, 1, deadline)
        second = await worker(config, loopback, postgres_url, tmp_path / "worker-b.log")
        await wait_for_messages(loopback, kill_after, deadline)
        doomed = first if victim == "leader" else second
        doomed.send_signal(signal.SIGKILL)
        await doomed.wait()
        killed_at, sent_before = time.monotonic(), (await fetch_stats(loopback))["created"]

        await wait_for_messages(loopback, channels, deadline)
        await asyncio.sleep(2)  # anything posted twice would show by now
        stats = await fetch_stats(loopback)
        assert outcome(stats, subscribed) == (0, 0), logs(tmp_path)  # lost, duplicated
        assert {int(k) for k in stats["per_channel"]} == subscribed
        assert stats["rate_limited"] == 0
        assert sent_before < channels, "the victim died before the end, as planned"
        print(
            f"{victim} killed after {sent_before} messages; all {channels} delivered "
            f"{time.monotonic() - killed_at:.1f} s later; {stats['deduplicated']} resent "
            "message(s) returned by nonce"
        )
    finally:
        await stop(first, *([second] if second else []))
