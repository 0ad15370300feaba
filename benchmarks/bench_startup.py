"""How long the bot takes from process start to ready, with 1,000 briefings.

`benchmarks.scale` prepares 1,000 briefings and a database of 100,000 subscriptions.
Each run starts a fresh Python process that imports the bot, builds it with
`create_bot` and connects it to simcord's in-memory Discord (real discord.py, no
network), which runs `setup_hook` - open and migrate the database, load and index every
briefing, load the extensions, sync the command tree if it changed, start the digest
scheduler - and then the gateway's READY. The child reports once `bot.is_ready()`. It
runs on asyncio's own event loop, which simcord needs (`briefbot run` takes uvloop's).

The first start syncs the command tree (later starts skip that, the tree's hash being
unchanged) and writes the start-up cache (`bot.briefings.warm_start`). Then come
`--cold-runs` starts with the cache deleted first, which parse every file as a first
start or one after an upgrade does, and `--runs` restarts, which read the cache and
parse nothing. Reported, as medians: a restart's wall time from spawning the process to
ready (target <= 3 s), and how it splits between starting the interpreter and
importing, and `create_bot` to ready; a start without the cache; the first start. The
briefing files were just written, so they are in the page cache, as after any edit.

    python -m benchmarks.bench_startup [--runs 5] [--cold-runs 3] [--briefings 1000] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.report import Row, finish
from benchmarks.scale import (
    BEFORE_DUE,
    Deployment,
    add_child_arguments,
    child_deployment,
    prepare,
    report_to_parent,
    run_child,
)

TARGET_S = 3.0
BRIEFINGS = 1_000
SUBSCRIPTIONS = 100_000
DUE_COUNT = 1_000


async def start_once(deployment: Deployment) -> dict[str, Any]:
    """In the child: build the bot and start it in simcord; time it and report at once."""
    import simcord

    from bot.discord.client import create_bot

    started = time.perf_counter()
    bot = create_bot(deployment.settings(), clock=lambda: BEFORE_DUE)
    try:
        async with simcord.run(bot, check_errors=False, shard_count=1):
            if not bot.is_ready():
                raise RuntimeError("simcord started the bot, but it is not ready")
            figures = {
                "briefings": len(bot.library),
                "create_to_ready_s": time.perf_counter() - started,
            }
            report_to_parent(figures)
    finally:
        await bot.store.close()
    return figures


async def measure(runs: int, briefings: int, seed: int, cold_runs: int = 3) -> dict[str, Any]:
    """Prepare once, then start a fresh process: once to sync, `cold_runs` times without
    the start-up cache, and `runs` times as a restart (the cache the last start wrote)."""
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as folder:
        deployment = await prepare(
            Path(folder), briefings=briefings, subscriptions=SUBSCRIPTIONS, due=DUE_COUNT, seed=seed
        )
        cache = deployment.settings().startup_cache_path
        samples: dict[str, list[dict[str, Any]]] = {"first": [], "cold": [], "restart": []}
        for kind in ["first", *["cold"] * cold_runs, *["restart"] * runs]:
            if kind != "restart" and cache is not None:
                cache.unlink(missing_ok=True)
            wall, figures = await run_child(
                "benchmarks.bench_startup", deployment.child_arguments()
            )
            if figures["briefings"] != briefings:
                raise RuntimeError(f"only {figures['briefings']} of {briefings} loaded")
            samples[kind].append({"wall_s": wall, **figures})
            print(
                f"start-up to ready ({kind}): {wall:.2f} s, of which create_bot to ready "
                f"{figures['create_to_ready_s']:.2f} s",
                flush=True,
            )
    return {
        kind: {
            key: statistics.median(sample[key] for sample in taken)
            for key in ("wall_s", "create_to_ready_s")
        }
        for kind, taken in samples.items()
        if taken
    }


def rows_for(figures: dict[str, Any], briefings: int) -> list[Row]:
    """The start-up rows: a restart's wall time to ready (target), its parts, a start
    without the start-up cache, and the first start."""
    scope = f"{briefings:,} briefings, {SUBSCRIPTIONS:,} subscriptions"
    restart = figures["restart"]  # --runs is at least 1
    rows = [
        Row(
            f"startup: restart, process start to ready, {scope}, median",
            round(restart["wall_s"], 3),
            "s",
            TARGET_S if briefings == BRIEFINGS else None,
        ),
        Row(
            f"startup: restart, interpreter start and imports, {scope}",
            round(restart["wall_s"] - restart["create_to_ready_s"], 3),
            "s",
        ),
        Row(
            f"startup: restart, create_bot to ready (setup_hook and READY), {scope}",
            round(restart["create_to_ready_s"], 3),
            "s",
        ),
    ]
    if "cold" in figures:
        rows.append(
            Row(
                f"startup: without the start-up cache (every file parsed), {scope}, median",
                round(figures["cold"]["wall_s"], 3),
                "s",
            )
        )
    rows.append(
        Row(
            f"startup: first start, command tree synced, {scope}",
            round(figures["first"]["wall_s"], 3),
            "s",
        )
    )
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark (or, with --child, one start), print a table, write JSON."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_startup", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--runs", type=int, default=5, help="restarts (after the first start)")
    parser.add_argument(
        "--cold-runs", type=int, default=3, help="starts without the start-up cache"
    )
    parser.add_argument("--seed", type=int, default=0, help="corpus and subscription seed")
    parser.add_argument("--json", type=Path, help="write the result rows to this file")
    add_child_arguments(parser)
    args = parser.parse_args(argv)
    if args.child:
        asyncio.run(start_once(child_deployment(args)))
        return 0
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    briefings = args.briefings or BRIEFINGS
    figures = asyncio.run(measure(args.runs, briefings, args.seed, args.cold_runs))
    return finish(rows_for(figures, briefings), args.json)


if __name__ == "__main__":
    sys.exit(main())
