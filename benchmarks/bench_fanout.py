"""Fan-out: one digest delivered to many subscribed channels, at Discord's global limit.

The real bot (`create_bot`) logs in to a loopback Discord (benchmarks.loopback_discord)
running in its own process, through discord.py's real HTTP client (`Route.BASE`). N
channels subscribe with the same due time; one `deliver_due(due)` then composes the
digest, claims every subscription in the ledger and sends one message to each channel
through the paced delivery queue. Scenarios:

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
import contextlib
import datetime as dt
import logging
import shutil
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import discord

from benchmarks.report import machine, write_rows
from bot.app import create_bot
from bot.config import DeliverySettings, DigestSettings, Settings

REPO_ROOT = Path(__file__).resolve().parent.parent
BRIEFINGS = REPO_ROOT / "briefings"
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


@dataclass(frozen=True)
class Row:
    """One reported metric."""

    scenario: str
    metric: str
    value: float
    unit: str
    target: float | None = None
    higher_is_better: bool = True

    @property
    def ratio(self) -> float | None:
        """Value over target, where a positive target exists."""
        if self.target is None or self.target == 0:
            return None
        return self.value / self.target

    @property
    def meets_target(self) -> bool | None:
        """Whether the value reaches its target (None when there is none)."""
        if self.target is None:
            return None
        return self.value >= self.target if self.higher_is_better else self.value <= self.target

    def as_json(self) -> dict[str, Any]:
        """The row as the JSON report holds it."""
        return {
            "metric": f"{self.scenario}.{self.metric}",
            "value": self.value,
            "unit": self.unit,
            "target": self.target,
            "ratio": self.ratio,
            "meets_target": self.meets_target,
        }


@contextlib.asynccontextmanager
async def loopback_process(limit: int) -> AsyncIterator[str]:
    """Run the loopback Discord in its own process; yields its API base URL."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "benchmarks.loopback_discord",
        "--limit",
        str(limit),
        cwd=REPO_ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode().strip()
        if not line.startswith("READY "):
            raise RuntimeError(f"the loopback server did not start: {line!r}")
        yield line.removeprefix("READY ")
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        await process.wait()


async def server_stats(url: str) -> dict[str, Any]:
    """What the loopback server saw."""
    base = url.split("/api/", 1)[0]
    async with aiohttp.ClientSession() as session, session.get(f"{base}/_loopback/stats") as r:
        stats: dict[str, Any] = await r.json()
        return stats


async def run_fanout(
    url: str, channels: int, rate: float, workdir: Path, *, scenario: str = "fanout"
) -> list[Row]:
    """Deliver one digest to `channels` channels through `url`; return the metrics."""
    briefings = workdir / "briefings"
    briefings.mkdir(parents=True, exist_ok=True)
    for source in BRIEFINGS.glob("*.yaml"):
        shutil.copy(source, briefings / source.name)
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
        repository = bot.repository
        for index in range(channels):
            await repository.save_subscription(
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
        before = await server_stats(url)
        started, cpu = time.perf_counter(), time.process_time()
        report = await bot.digests.deliver_due(DUE)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        stats = await server_stats(url)
        unsent = 0
        for guild_id in range(1, 101):
            for subscription in await repository.guild_subscriptions(guild_id):
                rows = await repository.guild_deliveries(guild_id, subscription.channel_id)
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
        Row(scenario, "channels", channels, "channels"),
        Row(scenario, "messages_sent", created, "messages"),
        Row(scenario, "configured_rate", rate, "msg/s"),
        Row(scenario, "achieved_rate", round(achieved, 2), "msg/s"),
        Row(scenario, "rate_ratio", round(achieved / rate, 4), "ratio", TARGET_RATIO),
        Row(
            scenario,
            "http_429",
            stats["rate_limited"] - before["rate_limited"],
            "responses",
            0,
            higher_is_better=False,
        ),
        Row(scenario, "lost", lost, "messages", 0, higher_is_better=False),
        Row(scenario, "duplicates", duplicates, "messages", 0, higher_is_better=False),
        Row(scenario, "ledger_unsent", unsent, "rows", 0, higher_is_better=False),
        Row(scenario, "failed", report.failed, "digests", 0, higher_is_better=False),
        Row(scenario, "wall_time", round(wall, 2), "s"),
        Row(scenario, "bot_cpu_per_1000", round(cpu / (channels / 1000), 3), "CPU s"),
        Row(scenario, "max_requests_in_a_second", stats["max_in_window"], "requests"),
    ]


async def run_scenario(scenario: Scenario) -> list[Row]:
    """One scenario against its own loopback server process."""
    with tempfile.TemporaryDirectory(prefix="bench-fanout-") as folder:
        async with loopback_process(scenario.server_limit) as url:
            rows = await run_fanout(
                url, scenario.channels, scenario.rate, Path(folder), scenario=scenario.name
            )
    limit = Row(scenario.name, "server_limit", scenario.server_limit, "req/s")
    return [limit, *rows]


def table(rows: list[Row]) -> str:
    """The rows as a plain-text table."""
    header = ("metric", "value", "unit", "target", "ratio", "meets")
    lines = [
        (
            f"{row.scenario}.{row.metric}",
            f"{row.value:g}",
            row.unit,
            "" if row.target is None else f"{row.target:g}",
            "" if row.ratio is None else f"{row.ratio:.3f}",
            {None: "", True: "yes", False: "NO"}[row.meets_target],
        )
        for row in rows
    ]
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *lines, strict=True)]
    out = []
    for cells in (header, *lines):
        out.append("  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)))
    return "\n".join(out)


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
    print(f"\nmachine: {machine()}\n")
    print(table(rows))
    write_rows(args.json, [row.as_json() for row in rows])
    return 0  # a benchmark, not a test: targets are reported, not enforced


if __name__ == "__main__":
    sys.exit(main())
