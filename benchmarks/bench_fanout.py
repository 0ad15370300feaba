"""Fan-out: one digest delivered to many subscribed channels, at Discord's global limit.

The real bot (`create_bot`) logs in to a loopback Discord (benchmarks.loopback_discord)
running in its own process, through discord.py's real HTTP client (`Route.BASE`). N
channels subscribe to one generated briefing (`benchmarks.corpus`) with the same due
time; one `deliver_due(due)` then composes the digest, claims every subscription in
the ledger and sends one message to each channel through the paced delivery queue.
Scenarios:

* real:   1,000 channels; the server allows 50 requests/s; delivery.rate_per_second 50
          (the configured maximum), so about 20 s;
* scaled: 10,000 channels with the server's limit and the bot's rate both ten times
          higher (500/s; only the benchmark may pass the engine a rate above 50).

Reported per scenario: achieved send rate / configured rate (server-side, first to last
message; target >= 0.95), 429s received (target 0), messages lost (0), duplicates (0),
ledger rows left unsent (0), and the bot's CPU seconds per 1,000 deliveries
(`time.process_time` of the bot process, composing, ledger and sends included; the
server's CPU is not counted). It is a benchmark, not a timed test.

    python -m benchmarks.bench_fanout [--scenario real|scaled|all] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import discord

from benchmarks.corpus import write_corpus
from benchmarks.loopback_discord import fetch_stats, serve_in_process
from benchmarks.report import Row, finish
from bot.config import DeliverySettings, DigestSettings, Settings
from bot.discord.client import create_bot

TOKEN = "benchmark-token"  # the loopback server never checks it; it is never printed
TARGET_RATIO = 0.95
DUE = dt.datetime(2026, 1, 5, 0, 0, tzinfo=dt.UTC)
FIRST_CHANNEL = 900_000_000_000_000_000


@dataclass(frozen=True)
class Scenario:
    """One fan-out run."""

    name: str
    channels: int
    server_limit: int
    rate: float


SCENARIOS = {
    "real": Scenario("real", 1_000, 50, 50.0),
    "scaled": Scenario("scaled", 10_000, 500, 500.0),
}


def row(
    scenario: str,
    metric: str,
    value: float,
    unit: str,
    target: float | None = None,
    *,
    higher_is_better: bool = True,
) -> Row:
    """One fan-out figure, named after its scenario."""
    return Row(f"fanout {scenario}: {metric}", value, unit, target, None, higher_is_better)


async def run_fanout(
    url: str, channels: int, rate: float, workdir: Path, *, scenario: str = "fanout"
) -> list[Row]:
    """Deliver one digest to `channels` channels through `url`; return the metrics."""
    briefings = workdir / "briefings"
    write_corpus(briefings, 1, seed=0)  # one seed-sized briefing: a one-message digest
    settings = Settings(
        briefings_dir=briefings,
        database_path=workdir / "bench.sqlite3",
        watch=False,
        default_timezone="UTC",
        digest=DigestSettings(tick_seconds=3600),
        delivery=DeliverySettings(rate_per_second=min(rate, 50)),
    )
    previous_base = discord.http.Route.BASE
    discord.http.Route.BASE = url
    bot = create_bot(settings)
    try:
        await bot.login(TOKEN)
        bot.digests.delivery.rate = rate  # the engine accepts any explicit rate
        store = bot.store
        for index in range(channels):
            await store.subscriptions.save(
                1 + index % 100,
                FIRST_CHANNEL + index,
                topics=None,
                schedule="daily 00:00",
                timezone="UTC",
                mode="changes",
                language="en",
                next_due=DUE,
                user_id=None,
                now=DUE - dt.timedelta(days=1),
            )
        before = await fetch_stats(url)
        started, cpu = time.perf_counter(), time.process_time()
        report = await bot.digests.deliver_due(DUE)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        stats = await fetch_stats(url)
        unsent = 0
        for guild_id in range(1, 101):
            for subscription in await store.subscriptions.of_guild(guild_id):
                rows = await store.ledger.of_channel(guild_id, subscription.channel_id)
                unsent += sum(1 for row in rows if row.status != "sent") + (not rows)
    finally:
        await bot.close()
        discord.http.Route.BASE = previous_base

    if stats["rate_limited_at"]:
        print(f"  429s at (s after the first request): {stats['rate_limited_at'][:20]}")
    per_channel = {int(k): v for k, v in stats["per_channel"].items()}
    expected = report.messages // max(report.sent, 1) if report.sent else 1
    ours = [FIRST_CHANNEL + i for i in range(channels)]
    lost = sum(1 for c in ours if per_channel.get(c, 0) < expected)
    duplicates = sum(max(0, per_channel.get(c, 0) - expected) for c in ours)
    created = stats["created"] - before["created"]
    span = (stats["last_create"] or 0) - (stats["first_create"] or 0)
    achieved = (created - 1) / span if span > 0 and created > 1 else 0.0
    return [
        row(scenario, "channels", channels, "channels"),
        row(scenario, "messages_sent", created, "messages"),
        row(scenario, "configured_rate", rate, "msg/s"),
        row(scenario, "achieved_rate", round(achieved, 2), "msg/s"),
        row(scenario, "rate_ratio", round(achieved / rate, 4), "ratio", TARGET_RATIO),
        row(
            scenario,
            "http_429",
            stats["rate_limited"] - before["rate_limited"],
            "responses",
            0,
            higher_is_better=False,
        ),
        row(scenario, "lost", lost, "messages", 0, higher_is_better=False),
        row(scenario, "duplicates", duplicates, "messages", 0, higher_is_better=False),
        row(scenario, "ledger_unsent", unsent, "rows", 0, higher_is_better=False),
        row(scenario, "failed", report.failed, "digests", 0, higher_is_better=False),
        row(scenario, "wall_time", round(wall, 2), "s"),
        row(scenario, "bot_cpu_per_1000", round(cpu / (channels / 1000), 3), "CPU s"),
        row(scenario, "max_requests_in_a_second", stats["max_in_window"], "requests"),
    ]


async def run_scenario(scenario: Scenario) -> list[Row]:
    """One scenario against its own loopback server process."""
    with tempfile.TemporaryDirectory(prefix="bench-fanout-") as folder:
        async with serve_in_process(scenario.server_limit) as url:
            rows = await run_fanout(
                url, scenario.channels, scenario.rate, Path(folder), scenario=scenario.name
            )
    limit = row(scenario.name, "server_limit", scenario.server_limit, "req/s")
    return [limit, *rows]


def main(argv: list[str] | None = None) -> int:
    """Run the chosen scenarios, print a table, optionally write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=[*SCENARIOS, "all"], default="all")
    parser.add_argument("--json", type=Path, help="write the rows to this JSON file")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    chosen = list(SCENARIOS.values()) if args.scenario == "all" else [SCENARIOS[args.scenario]]
    rows: list[Row] = []
    for scenario in chosen:
        print(
            f"running {scenario.name}: {scenario.channels} channels at {scenario.rate:g}/s "
            f"(server limit {scenario.server_limit}/s)...",
            flush=True,
        )
        rows += asyncio.run(run_scenario(scenario))
    return finish(rows, args.json)


if __name__ == "__main__":
    sys.exit(main())
