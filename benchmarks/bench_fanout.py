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
          higher (500/s; only the benchmark may pass the engine a rate above 50);
* others: 1,000 channels at the default settings (45 requests/s) against the server's
          50/s, while the bot process also fetches a channel (GET /channels/{id})
          through the same HTTP client 5 times a second. Every request, not only the
          sends, takes a slot of the token's budget, so the target is that budget:
          all requests (sends and others) per second / the configured rate.

Reported per scenario: achieved send rate / configured rate (server-side, first to last
message; target >= 0.95), 429s received (target 0), messages lost (0), duplicates (0),
ledger rows left unsent (0), and the bot's CPU seconds per 1,000 deliveries
(`time.process_time` of the bot process, composing, ledger and sends included; the
server's CPU is not counted). With other requests, the rate is of all requests the
server admitted between the first and the last message, and the other requests' count
and latency (issued to answered, in the bot) are reported too. It is a benchmark, not a
timed test.

    python -m benchmarks.bench_fanout [--scenario real|scaled|others|all] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import itertools
import logging
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord

from benchmarks.corpus import write_corpus
from benchmarks.loopback_discord import fetch_stats, serve_in_process
from benchmarks.report import Row, finish
from bot.config import DeliverySettings, DigestSettings, Settings
from bot.digests.records import NewSubscription
from bot.discord import event_loop
from bot.discord.client import BriefBot, create_bot

TOKEN = "benchmark-token"  # the loopback server never checks it; it is never printed
TARGET_RATIO = 0.95
DUE = dt.datetime(2026, 1, 5, 0, 0, tzinfo=dt.UTC)
FIRST_CHANNEL = 900_000_000_000_000_000


@dataclass(frozen=True)
class Scenario:
    """One fan-out run; `rate` None keeps the default settings."""

    name: str
    channels: int
    server_limit: int
    rate: float | None
    others: float = 0.0  # other REST requests per second made meanwhile


SCENARIOS = {
    "real": Scenario("real", 1_000, 50, 50.0),
    "scaled": Scenario("scaled", 10_000, 500, 500.0),
    "others": Scenario(
        "default settings, 1,000 channels plus 5 other REST requests/s", 1_000, 50, None, 5.0
    ),
}


class OtherRequests:
    """Other REST requests through the bot's HTTP client, `per_second` of them, meanwhile."""

    def __init__(self, bot: BriefBot, per_second: float, channels: int) -> None:
        self.bot, self.per_second, self.channels = bot, per_second, channels
        self.latencies: list[float] = []
        self.failed = 0
        self._pending: set[asyncio.Task[None]] = set()
        self._runner: asyncio.Task[None] | None = None

    async def _one(self, channel_id: int) -> None:
        started = time.perf_counter()
        try:
            await self.bot.fetch_channel(channel_id)  # GET /channels/{id}
        except discord.HTTPException:
            self.failed += 1
            return
        self.latencies.append(time.perf_counter() - started)

    async def _run(self) -> None:
        interval, started = 1 / self.per_second, time.perf_counter()
        for index in itertools.count():
            # Issued on a fixed schedule, whatever the answers take.
            await asyncio.sleep(max(0.0, started + index * interval - time.perf_counter()))
            task = asyncio.create_task(self._one(FIRST_CHANNEL + index % self.channels))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    def start(self) -> None:
        """Start issuing requests."""
        self._runner = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Issue no more, and wait for those on their way."""
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
        if self._pending:
            await asyncio.wait(set(self._pending))


def daily_at_midnight(guild_id: int, channel_id: int, **options: Any) -> NewSubscription:
    """A subscription to every topic, due at DUE (daily 00:00 UTC), with these options."""
    return NewSubscription(
        guild_id, channel_id, None, "daily 00:00", "UTC", "changes", "en", DUE, **options
    )


def requests_rate(stats: dict[str, Any]) -> float:
    """Requests per second the server admitted from the first message to the last."""
    offset = stats["first_request"]
    if offset is None or stats["first_create"] is None:
        return 0.0
    first, last = stats["first_create"] - offset, stats["last_create"] - offset
    admitted = sum(1 for at in stats["admitted_at"] if first - 1e-3 <= at <= last + 1e-3)
    return (admitted - 1) / (last - first) if last > first and admitted > 1 else 0.0


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
    url: str,
    channels: int,
    rate: float | None,
    workdir: Path,
    *,
    scenario: str = "fanout",
    others: float = 0.0,
) -> list[Row]:
    """Deliver one digest to `channels` channels through `url`; return the metrics.

    `rate` None keeps the default `delivery.rate_per_second`; `others` other requests
    per second go through the same HTTP client meanwhile.
    """
    briefings = workdir / "briefings"
    write_corpus(briefings, 1, seed=0)  # one seed-sized briefing: a one-message digest
    delivery = DeliverySettings() if rate is None else DeliverySettings(rate_per_second=50)
    settings = Settings(
        briefings_dir=briefings,
        database_path=workdir / "bench.sqlite3",
        watch=False,
        default_timezone="UTC",
        digest=DigestSettings(tick_seconds=3600),
        delivery=delivery,
    )
    previous_base = discord.http.Route.BASE
    discord.http.Route.BASE = url
    bot = create_bot(settings)
    other = OtherRequests(bot, others, channels)
    try:
        await bot.login(TOKEN)
        if rate is not None:
            bot.digests.delivery.rate = rate  # the engine accepts any explicit rate
        rate = bot.digests.delivery.rate
        store = bot.store
        for index in range(channels):
            entry = daily_at_midnight(1 + index % 100, FIRST_CHANNEL + index)
            await store.subscriptions.save(entry, DUE - dt.timedelta(days=1))
        before = await fetch_stats(url)
        started, cpu = time.perf_counter(), time.process_time()
        if others:
            other.start()
        try:
            report = await bot.digests.deliver_due(DUE)
        finally:
            await other.stop()
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
    if others:
        budget = requests_rate(stats)
        latencies = sorted(other.latencies) or [0.0]
        rates = [
            row(scenario, "configured_rate", rate, "req/s"),
            row(scenario, "achieved_rate", round(budget, 2), "req/s"),
            row(scenario, "rate_ratio", round(budget / rate, 4), "ratio", TARGET_RATIO),
            row(scenario, "message_rate", round(achieved, 2), "msg/s"),
            row(scenario, "other_requests", len(other.latencies), "requests"),
            row(scenario, "other_failed", other.failed, "requests", 0, higher_is_better=False),
            row(scenario, "other_p50", round(statistics.median(latencies) * 1000, 1), "ms"),
            row(scenario, "other_max", round(latencies[-1] * 1000, 1), "ms"),
        ]
    else:
        rates = [
            row(scenario, "configured_rate", rate, "msg/s"),
            row(scenario, "achieved_rate", round(achieved, 2), "msg/s"),
            row(scenario, "rate_ratio", round(achieved / rate, 4), "ratio", TARGET_RATIO),
        ]
    return [
        row(scenario, "channels", channels, "channels"),
        row(scenario, "messages_sent", created, "messages"),
        *rates,
        *outcome_rows(
            scenario,
            rate_limited=stats["rate_limited"] - before["rate_limited"],
            lost=lost,
            duplicates=duplicates,
            unsent=unsent,
            failed=report.failed,
            wall=wall,
            cpu_per_1000=cpu / (channels / 1000),
        ),
        row(scenario, "max_requests_in_a_second", stats["max_in_window"], "requests"),
    ]


def outcome_rows(
    scenario: str,
    *,
    rate_limited: int,
    lost: int,
    duplicates: int,
    unsent: int,
    failed: int,
    wall: float,
    cpu_per_1000: float,
) -> list[Row]:
    """What every fan-out reports after its rate: 429s, losses, duplicates, time and CPU."""
    return [
        row(scenario, "http_429", rate_limited, "responses", 0, higher_is_better=False),
        row(scenario, "lost", lost, "messages", 0, higher_is_better=False),
        row(scenario, "duplicates", duplicates, "messages", 0, higher_is_better=False),
        row(scenario, "ledger_unsent", unsent, "rows", 0, higher_is_better=False),
        row(scenario, "failed", failed, "digests", 0, higher_is_better=False),
        row(scenario, "wall_time", round(wall, 2), "s"),
        row(scenario, "bot_cpu_per_1000", round(cpu_per_1000, 3), "CPU s"),
    ]


async def run_scenario(scenario: Scenario) -> list[Row]:
    """One scenario against its own loopback server process."""
    with tempfile.TemporaryDirectory(prefix="bench-fanout-") as folder:
        async with serve_in_process(scenario.server_limit) as url:
            rows = await run_fanout(
                url,
                scenario.channels,
                scenario.rate,
                Path(folder),
                scenario=scenario.name,
                others=scenario.others,
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
        rate = DeliverySettings().rate_per_second if scenario.rate is None else scenario.rate
        print(
            f"running {scenario.name}: {scenario.channels} channels at {rate:g}/s "
            f"(server limit {scenario.server_limit}/s)...",
            flush=True,
        )
        rows += event_loop.run(run_scenario(scenario))
    return finish(rows, args.json)


if __name__ == "__main__":
    sys.exit(main())
