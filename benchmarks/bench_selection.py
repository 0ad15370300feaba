"""How long `deliver_due` takes to select what is due, as the subscriptions grow.

For each size M (1,000, 10,000 and 100,000 subscriptions, 1,000 of them due; 1,000
briefings), `benchmarks.scale` prepares the briefings and a database. Each run starts
the real bot on a fresh copy of that database, logged in to the loopback Discord, and
calls `deliver_due(DUE)`. `DeliveryReport` times the selection (`selection_seconds`:
the due-subscription query, then, in batches of 250, each subscription's schedule
arithmetic, the unchanged check, composing, and claiming the batch in the ledger in one
transaction), the part of it spent composing (`compose_seconds`) and when the first
batch's sends started (`first_sends_after`). While it selects, sends are paced at
Discord's real 50/s, so the first batches' sends interleave as in production; then the
rest go out at the loopback's speed. Reported, as medians:

* find, plan and claim: the selection without composing;
* until the first batch's sends start: what the first subscribers wait;
* composing: laying out 1,000 first digests, each holding every section of its 1-3
  topics (topics are drawn uniformly from 1,000 briefings, so few digests are shared);
  it depends on the due digests and the briefings, not on how many subscriptions exist;
* a second call a day later with nothing changed, which selects the same 1,000 and
  finds nothing to post without composing anything: the steady-state tick;
* the longest event-loop stall while the first digests are selected and composed (a
  5 ms probe; the sends that follow are not counted).

The sends then go to the loopback server and are not timed. Target: <= 100 ms with
100,000 subscriptions, 1,000 due, for the selection and for the steady-state tick, on
either store. With `--store postgres` the same database is copied (`db copy`) into an
embedded PostgreSQL 18 server and every run gets a fresh copy of it (`CREATE DATABASE
... TEMPLATE`, after dropping the last run's copy, then a `CHECKPOINT`); `--due 10000
--sizes 1000000` is the larger case (target <= 1 s). Runs share this process, so
each closed bot is collected before the next starts (see `forget_the_last_bot`).

    python -m benchmarks.bench_selection [--sizes 1000,10000,100000] [--runs 5]
        [--store sqlite|postgres] [--due N] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import shutil
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.loopback_discord import serve_in_process
from benchmarks.postgres import EmbeddedPostgres
from benchmarks.report import Row, finish, growth_rows, loop_stall_probe, sizes_argument
from benchmarks.scale import DUE, Deployment, prepare, running_bot
from bot.delivery.service import DigestService
from bot.discord import event_loop
from bot.store.copy import copy_database

TARGET_MS = 100.0
TARGET_SIZE = 100_000
DUE_COUNT = 1_000
BRIEFINGS = 1_000
SERVER_LIMIT = 100_000
SEND_RATE = 20_000.0
DISCORD_RATE = 50.0


async def selection_finished(service: DigestService, run: asyncio.Task[Any]) -> None:
    """Return once the run in progress has selected every due digest (or has ended)."""
    while True:
        current = service.current_run
        if run.done() or (current is not None and current.selection_seconds):
            return
        await asyncio.sleep(0.001)


async def one_run(
    deployment: Deployment, url: str, scratch: Path, postgres: PostgresCopies | None = None
) -> dict[str, float]:
    """One fresh bot on a copy of the database: the first and the unchanged selection.

    The first digests are paced at Discord's real 50 messages/s while they are selected,
    so the sends that start after the first batch interleave as they would in
    production; once selection is done the rest go out at the loopback's speed.
    """
    copy = scratch / "run.sqlite3"
    database_url = await postgres.fresh() if postgres is not None else None
    if database_url is None:
        shutil.copy(deployment.database_path, copy)
    try:
        async with running_bot(
            deployment, url, database_path=copy, database_url=database_url
        ) as bot:
            service = bot.digests
            # The start-up catch-up (nothing due yet, then the ledger's pruning and a WAL
            # checkpoint) runs apart from the timed run, as a tick's housekeeping does.
            await service.drain()
            service.delivery.rate = DISCORD_RATE
            loop = asyncio.get_running_loop()
            async with loop_stall_probe() as stalls:
                started = loop.time()
                run = asyncio.create_task(service.deliver_due(DUE))
                await selection_finished(service, run)
                selected = loop.time()
            service.delivery.rate = SEND_RATE
            first = await run
            again = await service.deliver_due(DUE + dt.timedelta(days=1))
    finally:
        for suffix in ("", "-wal", "-shm", ".leader"):
            copy.with_name(copy.name + suffix).unlink(missing_ok=True)
    if first.claimed != deployment.due or first.sent != deployment.due:
        raise RuntimeError(f"expected {deployment.due} digests, the run reported {first}")
    if again.unchanged != deployment.due:
        raise RuntimeError(f"expected {deployment.due} unchanged, the run reported {again}")
    return {
        "first_ms": first.selection_seconds * 1000,
        "first_compose_ms": first.compose_seconds * 1000,
        "first_send_ms": (first.first_sends_after or 0.0) * 1000,
        "unchanged_ms": again.selection_seconds * 1000,
        "unchanged_compose_ms": again.compose_seconds * 1000,
        "stall_ms": stalls.longest(until=selected) * 1000,
        "observed_ms": (selected - started) * 1000,
    }


class PostgresCopies:
    """An embedded PostgreSQL holding the prepared deployment, and fresh copies of it."""

    def __init__(self, folder: Path) -> None:
        self._server = EmbeddedPostgres(folder, prefix="run")
        self._last: str | None = None

    async def load(self, deployment: Deployment) -> None:
        """Copy the prepared SQLite database in, as the template of every run."""
        await self._server.execute("DROP DATABASE IF EXISTS prepared")
        await self._server.execute("CREATE DATABASE prepared")
        prepared = self._server.url("prepared")
        await copy_database(f"sqlite:///{deployment.database_path}", prepared)

    async def fresh(self) -> str:
        """A new database with the prepared contents (and fresh statistics), in place of
        the last run's, and checkpointed, so that neither the copy's writes nor the last
        run's database are still being flushed while the next run is timed."""
        if self._last is not None:
            await self._server.execute(f"DROP DATABASE {self._last}")
        name = self._last = await self._server.create(template="prepared")
        await self._server.execute("ANALYZE", name)
        await self._server.execute("CHECKPOINT")
        return self._server.url(name)

    def close(self) -> None:
        """Stop the server."""
        self._server.close()


def forget_the_last_bot() -> None:
    """Collect the bot that just ran, as a process that runs only one never needs to.

    A bot freezes what it holds (`gc.freeze`) once its briefings are loaded, so once
    closed, its objects that refer to one another stay in the permanent generation: each
    later run in this process would start beside every earlier bot (about 75,000
    objects each) and ran 10-40 ms slower than the first.
    """
    gc.unfreeze()
    gc.collect()


async def measure(
    sizes: Sequence[int], runs: int, seed: int, *, store: str = "sqlite", due: int = DUE_COUNT
) -> dict[int, dict[str, Any]]:
    """Median selection times for each number of subscriptions."""
    results: dict[int, dict[str, Any]] = {}
    async with serve_in_process(SERVER_LIMIT) as url:
        for size in sizes:
            with tempfile.TemporaryDirectory(prefix=f"bench-selection-{size}-") as folder:
                scratch = Path(folder)
                deployment = await prepare(
                    scratch,
                    briefings=BRIEFINGS,
                    subscriptions=size,
                    due=min(due, size),
                    seed=seed,
                )
                postgres = PostgresCopies(scratch) if store == "postgres" else None
                try:
                    if postgres is not None:
                        await postgres.load(deployment)
                    samples = []
                    for _ in range(runs):
                        samples.append(await one_run(deployment, url, scratch, postgres))
                        forget_the_last_bot()
                finally:
                    if postgres is not None:
                        postgres.close()
            for sample in samples:
                sample["selecting_ms"] = sample["first_ms"] - sample["first_compose_ms"]
            results[size] = {
                key: statistics.median(sample[key] for sample in samples) for key in samples[0]
            }
            figures = results[size]
            print(
                f"{store}: {size:>7,} subscriptions, {deployment.due:,} due, "
                f"median of {runs}: first digests {figures['first_ms']:.1f} ms "
                f"({figures['first_compose_ms']:.1f} ms composing), "
                f"nothing changed {figures['unchanged_ms']:.1f} ms",
                flush=True,
            )
    return results


ROWS = (  # (figure, what it is, whether the target applies)
    ("selecting_ms", "find, plan and claim", True),
    ("first_compose_ms", "composing their first digests", False),
    ("first_ms", "all of it, composing included, first digests", False),
    ("first_send_ms", "until the first batch's sends start, first digests", False),
    ("unchanged_ms", "all of it, nothing changed", True),
    ("stall_ms", "longest event-loop stall selecting first digests", False),
)


def rows_for(
    results: dict[int, dict[str, Any]], *, store: str = "sqlite", due: int = DUE_COUNT
) -> list[Row]:
    """Each size's medians, with the targets on the largest, and how selection grows."""
    rows = []
    name = "selection" if store == "sqlite" else f"selection ({store})"
    for size, figures in results.items():
        scope = f"{size:,} subscriptions, {min(due, size):,} due"
        for key, label, targeted in ROWS:
            target = None
            if targeted and size == TARGET_SIZE:
                target = TARGET_MS
            elif key == "unchanged_ms" and size >= 1_000_000:
                target = 1000.0  # the steady state with 10,000 due of 1,000,000: <= 1 s
            rows.append(Row(f"{name}: {label}, {scope}", round(figures[key], 2), "ms", target))
    for key, label, targeted in ROWS:
        if targeted and len(results) > 1:
            rows += growth_rows(
                f"{name}: {label} by subscriptions,",
                {size: figures[key] for size, figures in results.items()},
            )
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print a table, and optionally write the JSON rows."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_selection", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--sizes", type=sizes_argument, default=[1_000, 10_000, TARGET_SIZE], help="subscriptions"
    )
    parser.add_argument("--runs", type=int, default=5, help="fresh runs per size (median)")
    parser.add_argument("--seed", type=int, default=0, help="corpus and subscription seed")
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--due", type=int, default=DUE_COUNT, help="due subscriptions")
    parser.add_argument("--json", type=Path, help="write the result rows to this file")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    results = event_loop.run(
        measure(args.sizes, args.runs, args.seed, store=args.store, due=args.due)
    )
    return finish(rows_for(results, store=args.store, due=args.due), args.json)


if __name__ == "__main__":
    sys.exit(main())
