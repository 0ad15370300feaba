"""How much a full, validated load costs over bare YAML parsing.

For each corpus size N, the same N generated briefing files are loaded two ways, each
reading the files itself:

* full load: `bot.briefings.library.load_library` - parse, validate, warnings, cross-file id and
  alias checks, and the Library with its autocomplete and search indexes (the search
  index is built on the first query, so one query is part of the full load; its share
  is shown as "(index)");
* baseline: `yaml.load(text, Loader=yaml.CSafeLoader)` of every file.

The two alternate within each run and the median of several runs is reported, with the
ratio full / baseline. The target is a ratio of at most 1.3 at N=1000.

    python -m benchmarks.bench_load [--sizes 100,1000,10000] [--runs 5] [--json PATH]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml

from benchmarks.corpus import write_corpus
from benchmarks.report import Row, finish, growth_rows, sizes_argument
from bot.briefings.library import load_library

T = TypeVar("T")
TARGET_RATIO = 1.3
TARGET_SIZE = 1000
WARM_QUERY = "停戦"


def baseline_load(paths: Sequence[Path]) -> list[Any]:
    """Read and parse every file with libyaml's safe loader, nothing else."""
    return [yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) for path in paths]


def full_load(folder: Path) -> tuple[int, float]:
    """Load the folder as the bot does, search index included.

    Returns the number of valid briefings and the seconds spent building the search
    index, which the library builds on its first query: one query forces it here.
    """
    library, result = load_library([folder])
    if result.errors:
        raise RuntimeError(f"the generated corpus has errors, e.g. {result.errors[0]}")
    started = time.perf_counter()
    library.search(WARM_QUERY)
    return len(library), time.perf_counter() - started


def _timed(action: Callable[[], T]) -> tuple[float, T]:
    gc.collect()
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def measure(size: int, runs: int, seed: int) -> dict[str, float]:
    """Median seconds of the full load and of the baseline over `runs` runs, for one size."""
    with tempfile.TemporaryDirectory(prefix=f"briefbot-bench-{size}-") as scratch:
        folder = Path(scratch)
        paths = sorted(write_corpus(folder, size, seed=seed))
        if full_load(folder)[0] != size:
            raise RuntimeError("not every generated briefing loaded")
        baseline_load(paths)  # warm the page cache and imports for both
        full: list[float] = []
        index: list[float] = []
        bare: list[float] = []

        def run_full() -> None:
            seconds, outcome = _timed(lambda: full_load(folder))
            full.append(seconds)
            index.append(outcome[1])

        def run_bare() -> None:
            bare.append(_timed(lambda: baseline_load(paths))[0])

        for run in range(runs):
            # Alternate which goes first, so that drift does not favour either.
            for step in (run_full, run_bare) if run % 2 else (run_bare, run_full):
                step()
        corpus_bytes = sum(p.stat().st_size for p in paths)
    return {
        "full": statistics.median(full),
        "index": statistics.median(index),
        "baseline": statistics.median(bare),
        "bytes": float(corpus_bytes),
    }


def runs_for(size: int, runs: int) -> int:
    """Fewer runs for the largest corpora, which take tens of seconds each."""
    return runs if size <= TARGET_SIZE else max(1, min(runs, 3))


def rows_for(size: int, figures: dict[str, float]) -> list[Row]:
    """One size's rows: both medians, the index share and their ratio."""
    baseline = figures["baseline"]
    ratio = figures["full"] / baseline
    return [
        Row(
            f"load: full load median, {size:,} briefings",
            round(figures["full"], 4),
            "s",
            baseline=baseline,
        ),
        Row(
            f"load: search index build median, {size:,} briefings",
            round(figures["index"], 4),
            "s",
            baseline=baseline,
        ),
        Row(
            f"load: bare yaml.load(CSafeLoader) median, {size:,} briefings", round(baseline, 4), "s"
        ),
        Row(
            f"load: full load / bare YAML, {size:,} briefings",
            round(ratio, 4),
            "x",
            target=TARGET_RATIO if size == TARGET_SIZE else None,
        ),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print a table, and optionally write the JSON rows."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_load", description=__doc__)
    parser.add_argument(
        "--sizes",
        type=sizes_argument,
        default=[100, TARGET_SIZE, 10_000],
        help="corpus sizes, e.g. 100,1000,10000",
    )
    parser.add_argument(
        "--runs", type=int, default=5, help="timed runs per size (median; at most 3 above 1,000)"
    )
    parser.add_argument("--seed", type=int, default=0, help="corpus seed")
    parser.add_argument("--json", type=Path, help="write the result rows to this file")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    print(f"libyaml {yaml.__with_libyaml__}, seed {args.seed}")
    rows: list[Row] = []
    full_by_size: dict[int, float] = {}
    for size in args.sizes:
        runs = runs_for(size, args.runs)
        figures = measure(size, runs, args.seed)
        print(
            f"{size:>7} briefings ({figures['bytes'] / 2**20:.1f} MB), {runs} runs: full "
            f"{figures['full']:.3f} s (index {figures['index']:.3f} s), yaml "
            f"{figures['baseline']:.3f} s, {figures['full'] / figures['baseline']:.2f}x",
            flush=True,
        )
        rows.extend(rows_for(size, figures))
        full_by_size[size] = figures["full"]
    rows.extend(growth_rows("load: full load", full_by_size))
    return finish(rows, args.json)


if __name__ == "__main__":
    sys.exit(main())
