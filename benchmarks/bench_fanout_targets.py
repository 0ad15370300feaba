"""Fan-out to a mix of targets: forum posts, existing threads, text channels and DMs.

The real bot logs in to a loopback Discord in its own process (as `bench_fanout`) that
knows 250 forum channels (each digest opens a post there), 250 public threads, 250
text channels and 250 members who follow the topic in their DMs (the bot opens each DM
channel first). One `deliver_due(due)` delivers one digest to all 1,000 at the default
settings (45 requests/s) against the server's 50/s. Opening a post or a DM channel is a
request of its own, so the rate is of every request the server admitted from the first
message to the last, over the configured rate (target >= 0.95).

Lost and duplicate counts come from the server's side: every target must hold exactly
the digest's messages (a forum exactly one post, a DM channel exactly one digest), and
every ledger row must be settled as sent.

    python -m benchmarks.bench_fanout_targets [--per-kind 250] [--json PATH]
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import discord

from benchmarks.bench_fanout import (
    DUE,
    TARGET_RATIO,
    TOKEN,
    daily_at_midnight,
    outcome_rows,
    requests_rate,
    row,
)
from benchmarks.corpus import write_corpus
from benchmarks.loopback_channels import FORUM, PUBLIC_THREAD
from benchmarks.loopback_discord import configure, fetch_stats, serve_in_process
from benchmarks.report import Row, finish
from bot.config import DigestSettings, Settings
from bot.digests.records import DM_GUILD, Target
from bot.discord import event_loop
from bot.discord.client import create_bot

SERVER_LIMIT = 50
GUILD = 4_200_000_000_000_100  # the loopback's guild, whose active threads are searched
TEXT, THREAD, FORUM_BASE, MEMBER = (910 + k for k in range(4))
TARGETS: dict[str, Target] = {
    "text channel": "channel",
    "thread": "channel",
    "forum post": "forum",
    "DM": "dm",
}
KINDS = tuple(TARGETS)


def first_id(kind: str) -> int:
    """The first channel (or member) id of one kind of target."""
    base = {"text channel": TEXT, "thread": THREAD, "forum post": FORUM_BASE, "DM": MEMBER}
    return base[kind] * 10**15


async def run_mixed(url: str, per_kind: int, workdir: Path, scenario: str) -> list[Row]:
    """Deliver one digest to `per_kind` targets of each kind through `url`."""
    briefings = workdir / "briefings"
    write_corpus(briefings, 1, seed=0)
    settings = Settings(
        briefings_dir=briefings,
        database_path=workdir / "bench.sqlite3",
        watch=False,
        default_timezone="UTC",
        digest=DigestSettings(tick_seconds=3600),
    )
    channels: dict[int, dict[str, Any]] = {}
    for index in range(per_kind):
        channels[first_id("thread") + index] = {
            "type": PUBLIC_THREAD,
            "parent_id": first_id("text channel") + index,
        }
        channels[first_id("forum post") + index] = {"type": FORUM, "name": f"forum-{index}"}
    await configure(url, channels=channels)
    previous_base = discord.http.Route.BASE
    discord.http.Route.BASE = url
    bot = create_bot(settings)
    try:
        await bot.login(TOKEN)
        rate = bot.digests.delivery.rate
        targets: list[tuple[str, int, int]] = []  # kind, guild, channel (or member) id
        for kind in KINDS:
            for index in range(per_kind):
                guild = DM_GUILD if kind == "DM" else GUILD
                channel_id = first_id(kind) + index
                target: Target = TARGETS[kind]
                creator = channel_id if kind == "DM" else None
                entry = daily_at_midnight(guild, channel_id, created_by=creator, target=target)
                await bot.store.subscriptions.save(entry, DUE - dt.timedelta(days=1))
                targets.append((kind, guild, channel_id))
        before = await fetch_stats(url)
        started, cpu = time.perf_counter(), time.process_time()
        report = await bot.digests.deliver_due(DUE)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        stats = await fetch_stats(url)
        unsent, expected_total = 0, 0
        posts_of: dict[int, int] = {}
        for kind, guild, channel_id in targets:
            rows = await bot.store.ledger.of_channel(guild, channel_id)
            unsent += sum(1 for r in rows if r.status != "sent") + (not rows)
            expected_total += sum(r.message_count for r in rows)
            for r in rows:
                if kind == "forum post" and r.thread_id is not None:
                    posts_of[channel_id] = r.thread_id
    finally:
        await bot.close()
        discord.http.Route.BASE = previous_base

    per_channel = {int(k): v for k, v in stats["per_channel"].items()}
    posts = collections.Counter(int(t["parent_id"]) for t in stats["threads"])
    expected = expected_total // max(len(targets), 1)
    lost = duplicates = 0
    for kind, _, channel_id in targets:
        if kind == "forum post":
            got = per_channel.get(posts_of.get(channel_id, -1), 0)
            duplicates += max(0, posts[channel_id] - 1)
        elif kind == "DM":
            continue  # counted below: the DM channels' ids are the server's own
        else:
            got = per_channel.get(channel_id, 0)
        lost += max(0, expected - got)
        duplicates += max(0, got - expected)
    created = stats["created"] - before["created"]
    dm_messages = created - sum(
        per_channel.get(c, 0) for kind, _, c in targets if kind in ("text channel", "thread")
    )
    dm_messages -= sum(per_channel.get(t, 0) for t in posts_of.values())
    lost += max(0, expected * per_kind - dm_messages)
    duplicates += max(0, dm_messages - expected * per_kind) + stats["duplicates"]
    budget = requests_rate(stats)
    return [
        row(scenario, "targets", len(targets), "targets"),
        row(scenario, "messages_sent", created, "messages"),
        row(scenario, "configured_rate", rate, "req/s"),
        row(scenario, "achieved_rate", round(budget, 2), "req/s"),
        row(scenario, "rate_ratio", round(budget / rate, 4), "ratio", TARGET_RATIO),
        row(
            scenario,
            "forum_posts",
            sum(posts[first_id("forum post") + i] for i in range(per_kind)),
            "posts",
        ),
        *outcome_rows(
            scenario,
            rate_limited=stats["rate_limited"] - before["rate_limited"],
            lost=lost,
            duplicates=duplicates,
            unsent=unsent,
            failed=report.failed,
            wall=wall,
            cpu_per_1000=cpu / (len(targets) / 1000),
        ),
    ]


async def run_scenario(per_kind: int) -> list[Row]:
    """The mixed fan-out against its own loopback server process."""
    scenario = f"mixed targets, {4 * per_kind:,} at default settings"
    with tempfile.TemporaryDirectory(prefix="bench-targets-") as folder:
        async with serve_in_process(SERVER_LIMIT) as url:
            rows = await run_mixed(url, per_kind, Path(folder), scenario)
    return [row(scenario, "server_limit", SERVER_LIMIT, "req/s"), *rows]


def main(argv: list[str] | None = None) -> int:
    """Run the mixed fan-out, print a table, optionally write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=250)
    parser.add_argument("--json", type=Path, help="write the rows to this JSON file")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    print(f"running mixed fan-out: {4 * args.per_kind} targets...", flush=True)
    return finish(event_loop.run(run_scenario(args.per_kind)), args.json)


if __name__ == "__main__":
    sys.exit(main())
