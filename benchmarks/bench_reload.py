"""What a reload of many briefings costs, and whether the bot keeps answering meanwhile.

N generated briefings (default 1,000) are written to a temporary folder. The real bot
object is built with `create_bot` (not connected) and its database opened; then
`bot.reload_briefings(force=True)` re-reads every file, several times. During each
reload two tasks run on the event loop:

* a probe that sleeps 10 ms and records how late it wakes: the longest lateness is
  the longest stall of the event loop (target <= 50 ms);
* a stream of `/briefing section` requests, one every 10 ms, each doing what the
  command does in process (look up the topic and section in the served snapshot,
  lay out the cards, build the embeds); its latency counts from the moment the
  request was due, so waiting for a stalled loop is included. p50 and p99 are reported.

    python -m benchmarks.bench_reload [--size 1000] [--runs 5] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.corpus import write_corpus
from benchmarks.report import Row, finish, loop_stall_probe, percentile
from bot.briefings.presentation import section_cards
from bot.config import Settings
from bot.discord import event_loop
from bot.discord.client import BriefBot, create_bot
from bot.discord.rendering import card_embed
from bot.text.cards import discord_date

PROBE_INTERVAL = 0.010
REQUEST_INTERVAL = 0.010
STALL_TARGET_MS = 50.0


def handle_section(bot: BriefBot, topic: str, section: str) -> int:
    """What `/briefing section` does in process; returns the number of embeds."""
    library = bot.library
    briefing = library.find_topic(topic)
    chosen = library.find_section(briefing, section)
    cards = section_cards(briefing, chosen, library, discord_date)
    return len([card_embed(card) for card in cards])


async def one_reload(bot: BriefBot, rng: random.Random) -> dict[str, Any]:
    """Reload every file once while probing the loop and serving section requests."""
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    latencies: list[float] = []
    targets = [(b.id, s.id) for b in bot.library for s in b.sections]

    async def requests() -> None:
        due = loop.time()
        while not done.is_set():
            due += REQUEST_INTERVAL
            await asyncio.sleep(max(0.0, due - loop.time()))
            topic, section = rng.choice(targets)
            handle_section(bot, topic, section)
            latencies.append(loop.time() - due)

    async with loop_stall_probe(PROBE_INTERVAL) as stalls:
        task = asyncio.create_task(requests())
        await asyncio.sleep(0.05)
        started = loop.time()
        report = await bot.reload_briefings(force=True)
        elapsed = loop.time() - started
        done.set()
        await task
    return {
        "reload_s": elapsed,
        "files": report.files_read,
        "stall_ms": stalls.longest() * 1000,
        "latencies_ms": [value * 1000 for value in latencies],
    }


async def measure(size: int, runs: int, seed: int) -> dict[str, Any]:
    """Median reload time, worst stall and request latency percentiles over `runs` reloads."""
    with tempfile.TemporaryDirectory(prefix="briefbot-bench-reload-") as tmp:
        folder = Path(tmp) / "briefings"
        write_corpus(folder, size, seed=seed)
        settings = Settings(
            briefings_dir=folder, database_path=Path(tmp) / "bench.sqlite3", watch=False
        )
        bot = create_bot(settings)
        await bot.store.open()
        try:
            await bot.reload_briefings()
            rng = random.Random(seed)
            results = [await one_reload(bot, rng) for _ in range(runs)]
        finally:
            await bot.store.close()
    latencies = [value for result in results for value in result["latencies_ms"]]
    return {
        "size": size,
        "files": results[0]["files"],
        "reload_s": round(statistics.median(r["reload_s"] for r in results), 3),
        "stall_ms": round(statistics.median(r["stall_ms"] for r in results), 1),
        "worst_stall_ms": round(max(r["stall_ms"] for r in results), 1),
        "p50_ms": round(percentile(latencies, 0.50), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "requests": len(latencies),
    }


def rows_for(figures: dict[str, Any]) -> list[Row]:
    """The reload's rows: its time, the longest stall, and section latency meanwhile."""
    during = f"during a reload of {figures['size']:,}"
    return [
        Row(f"reload: re-read {figures['size']:,} briefings, median", figures["reload_s"], "s"),
        *(
            Row(
                f"reload: longest event-loop stall {during}, {which}",
                figures[key],
                "ms",
                STALL_TARGET_MS,
            )
            for which, key in (("median", "stall_ms"), ("worst", "worst_stall_ms"))
        ),
        *(
            Row(f"reload: /briefing section {which} {during}", figures[key], "ms")
            for which, key in (("p50", "p50_ms"), ("p99", "p99_ms"))
        ),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print a table, and optionally write the JSON rows."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_reload", description=__doc__)
    parser.add_argument("--size", type=int, default=1000, help="number of briefings")
    parser.add_argument("--runs", type=int, default=5, help="reloads measured (median)")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed")
    parser.add_argument("--json", type=Path, help="write the result rows to this file")
    args = parser.parse_args(argv)
    figures = event_loop.run(measure(args.size, args.runs, args.seed))
    print(
        f"{figures['size']:,} briefings ({figures['files']} files re-read per reload), "
        f"{args.runs} reloads, {figures['requests']} section requests meanwhile"
    )
    return finish(rows_for(figures), args.json)


if __name__ == "__main__":
    sys.exit(main())
