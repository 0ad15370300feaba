"""The bot's resident memory as its library grows, with 100,000 subscriptions.

For each N (100, 1,000 and 10,000 briefings) `benchmarks.scale` prepares N briefings and
a database of 100,000 subscriptions (1,000 of them due). A fresh child process then
runs the bot as `briefbot run` does, against the loopback Discord instead of the real
one: `create_bot`, `login` (so `setup_hook`: database, briefings, extensions, command
sync, digest scheduler), and then does what a busy bot does before it settles:

* builds the search index (one search) and answers each kind of `/briefing` command;
* delivers one tick: 1,000 due digests selected, composed, claimed and sent.

Reported: the resident set (VmRSS) after that and its peak (VmHWM), in MB, from
/proc of the child. Targets (the resident set, with 100,000 subscriptions): <= 146 MB
with 1,000 briefings and <= 250 MB with 10,000. Growth rows show how memory follows the library.

`--profile N` also traces the child's allocations (tracemalloc, from just before the bot
starts) and prints, on stderr, the N source lines holding the most memory once it has
settled, and the total per file. Tracing costs memory itself: the resident figures of
a profiled run are higher than those of a plain one.

With `--restart` each size is started twice and the second start is measured: it reads
the start-up cache the first one wrote (`bot.briefings.warm_start`), as a restart does.

    python -m benchmarks.bench_memory [--sizes 100,1000,10000] [--profile N] [--restart]
        [--json PATH]
"""

from __future__ import annotations

import argparse
import gc
import shutil
import sys
import tempfile
import tracemalloc
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.loopback_discord import serve_in_process
from benchmarks.report import Row, finish, growth_rows, resident_memory, sizes_argument
from benchmarks.scale import (
    DUE,
    Deployment,
    add_child_arguments,
    child_deployment,
    prepare,
    report_to_parent,
    run_child,
    running_bot,
)
from bot.discord import event_loop

TARGETS_MB = {1_000: 146.0, 10_000: 250.0}  # resident set, by briefings
TARGET_SIZE = 1_000
SUBSCRIPTIONS = 100_000
DUE_COUNT = 1_000
SERVER_LIMIT = 100_000
SEND_RATE = 20_000.0


def print_profile(snapshot: tracemalloc.Snapshot, lines: int) -> None:
    """The source lines and files holding the most traced memory, on stderr."""
    snapshot = snapshot.filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
    by_file = snapshot.statistics("filename")
    total = sum(stat.size for stat in by_file)
    print(f"traced: {total / 2**20:.1f} MB", file=sys.stderr)
    for stat in snapshot.statistics("lineno")[:lines]:
        frame = stat.traceback[0]
        print(
            f"{stat.size / 2**20:8.2f} MB {stat.count:9,} blocks  {frame.filename}:{frame.lineno}",
            file=sys.stderr,
        )
    print("by file:", file=sys.stderr)
    for stat in by_file[:lines]:
        print(f"{stat.size / 2**20:8.2f} MB  {stat.traceback[0].filename}", file=sys.stderr)


async def settle(deployment: Deployment, url: str, profile: int = 0) -> dict[str, Any]:
    """In the child: run the bot through start-up, commands and one tick; its memory."""
    from bot.briefings.presentation import briefing_pages, section_cards
    from bot.briefings.search_cards import search_cards
    from bot.discord.cogs.choices import section_choices_for, topic_choices_for
    from bot.discord.rendering import page_embeds
    from bot.text.cards import discord_date

    if profile:
        tracemalloc.start()
    async with running_bot(deployment, url) as bot:
        after_start = resident_memory()
        library = bot.library
        for briefing in list(library)[:: max(1, len(library) // 50)]:
            page_embeds(briefing_pages(briefing, library, discord_date)[0])
            section_cards(briefing, briefing.sections[-1], library, discord_date)
            section_choices_for(library, briefing.id, "")
        topic_choices_for(library, "topic")
        for query in ("停戦", "政府", "energy", "物流 医療"):
            search_cards(library, query, library.search(query), "ja")
        bot.digests.delivery.rate = SEND_RATE
        report = await bot.digests.deliver_due(DUE)
        if report.sent != deployment.due:
            raise RuntimeError(f"expected {deployment.due} digests sent, got {report}")
        gc.collect()
        settled = resident_memory()
        if profile:
            print_profile(tracemalloc.take_snapshot(), profile)
        return {
            "briefings": len(library),
            "after_start_mb": after_start["rss"],
            "rss_mb": settled["rss"],
            "peak_mb": settled["peak"],
        }


async def measure(
    sizes: Sequence[int], seed: int, profile: int = 0, restart: bool = False
) -> dict[int, dict[str, Any]]:
    """Prepare each size, then run a fresh child process over it (with `restart`, the
    second of two, which starts from the first one's start-up cache)."""
    results: dict[int, dict[str, Any]] = {}
    async with serve_in_process(SERVER_LIMIT) as url:
        for size in sizes:
            with tempfile.TemporaryDirectory(prefix=f"bench-memory-{size}-") as folder:
                deployment = await prepare(
                    Path(folder),
                    briefings=size,
                    subscriptions=SUBSCRIPTIONS,
                    due=DUE_COUNT,
                    seed=seed,
                )
                arguments = [*deployment.child_arguments(), "--url", url]
                if restart:  # a first start writes the start-up cache the measured one reads
                    database = deployment.database_path
                    kept = database.with_name(database.name + ".before")
                    shutil.copy(database, kept)
                    await run_child("benchmarks.bench_memory", arguments)
                    for suffix in ("-wal", "-shm"):
                        database.with_name(database.name + suffix).unlink(missing_ok=True)
                    kept.replace(database)  # as due as before the first start
                if profile:
                    arguments += ["--profile", str(profile)]
                _, figures = await run_child("benchmarks.bench_memory", arguments)
            if figures["briefings"] != size:
                raise RuntimeError(f"only {figures['briefings']} of {size} briefings loaded")
            results[size] = figures
            print(
                f"{size:>6,} briefings, {SUBSCRIPTIONS:,} subscriptions: resident "
                f"{figures['rss_mb']:.1f} MB (peak {figures['peak_mb']:.1f} MB, "
                f"{figures['after_start_mb']:.1f} MB right after start-up)",
                flush=True,
            )
    return results


def rows_for(results: dict[int, dict[str, Any]], kind: str = "") -> list[Row]:
    """Resident and peak memory per size, the targets at 1,000 and 10,000, and the growth."""
    rows = []
    for size, figures in results.items():
        scope = f"{kind}{size:,} briefings, {SUBSCRIPTIONS:,} subscriptions"
        target = TARGETS_MB.get(size)
        rows += [
            Row(f"memory: resident, {scope}", round(figures["rss_mb"], 1), "MB", target),
            Row(f"memory: peak resident, {scope}", round(figures["peak_mb"], 1), "MB"),
        ]
    rows += growth_rows(
        f"memory: {kind}resident by briefings,",
        {size: figures["rss_mb"] for size, figures in results.items()},
    )
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark (or, with --child, one measured bot), print a table, write JSON."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_memory", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--sizes", type=sizes_argument, default=[100, TARGET_SIZE, 10_000], help="briefings"
    )
    parser.add_argument("--seed", type=int, default=0, help="corpus and subscription seed")
    parser.add_argument("--json", type=Path, help="write the result rows to this file")
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="print the N biggest allocation sites"
    )
    parser.add_argument(
        "--restart",
        action="store_true",
        help="measure a restart, which reads the start-up cache, instead of a first start",
    )
    parser.add_argument("--url", help=argparse.SUPPRESS)
    add_child_arguments(parser)
    args = parser.parse_args(argv)
    if args.child:
        report_to_parent(event_loop.run(settle(child_deployment(args), args.url, args.profile)))
        return 0
    results = event_loop.run(measure(args.sizes, args.seed, args.profile, args.restart))
    return finish(rows_for(results, "restart, " if args.restart else ""), args.json)


if __name__ == "__main__":
    sys.exit(main())
