"""How much a full, validated load costs over bare YAML parsing.

For each corpus size N, the same N generated briefing files are loaded two ways, each
reading the files itself:

* full load: `bot.library.load_library` - parse, validate, warnings, cross-file id and
  alias checks, and the Library with its autocomplete and search indexes (the search
  index is built on the first query, so one query is part of the full load; its share
  is shown as "(index)");
* baseline: `yaml.load(text, Loader=yaml.CSafeLoader)` of every file.

The two alternate within each run and the median of several runs is reported, with the
ratio full / baseline. The target is a ratio of at most 1.3 at N=1000.

    python -m benchmarks.bench_load [--sizes 100,1000,10000] [--runs 7] [--json PATH]
"""

from __future__ import annotations

import argparse
import gc
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml

from benchmarks.corpus import write_corpus
from benchmarks.report import write_rows
from bot.library import load_library

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


def rows_for(size: int, figures: dict[str, float]) -> list[dict[str, Any]]:
    """The JSON rows for one size: both medians and their ratio."""
    ratio = figures["full"] / figures["baseline"]
    has_target = size == TARGET_SIZE
    return [
        {
            "metric": f"full_load_median[n={size}]",
            "value": round(figures["full"], 6),
            "unit": "s",
            "target": None,
            "ratio": round(ratio, 4),
            "meets_target": None,
        },
        {
            "metric": f"search_index_build_median[n={size}]",
            "value": round(figures["index"], 6),
            "unit": "s",
            "target": None,
            "ratio": round(figures["index"] / figures["baseline"], 4),
            "meets_target": None,
        },
        {
            "metric": f"yaml_csafeloader_median[n={size}]",
            "value": round(figures["baseline"], 6),
            "unit": "s",
            "target": None,
            "ratio": 1.0,
            "meets_target": None,
        },
        {
            "metric": f"full_vs_yaml_ratio[n={size}]",
            "value": round(ratio, 4),
            "unit": "x",
            "target": TARGET_RATIO if has_target else None,
            "ratio": round(ratio, 4),
            "meets_target": (ratio <= TARGET_RATIO) if has_target else None,
        },
    ]


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError("sizes are whole numbers, e.g. 100,1000") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("give at least one size of 1 or more")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print a table, and optionally write the JSON rows."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_load", description=__doc__)
    parser.add_argument(
        "--sizes", type=_sizes, default=[TARGET_SIZE], help="corpus sizes, e.g. 100,1000,10000"
    )
    parser.add_argument("--runs", type=int, default=7, help="timed runs per size (median)")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed")
    parser.add_argument("--json", type=Path, help="write the result rows to this file")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    print(
        f"python {platform.python_version()} on {platform.machine()}, "
        f"libyaml {yaml.__with_libyaml__}, {args.runs} runs per size, seed {args.seed}"
    )
    header = (
        f"{'N':>7}  {'corpus':>9}  {'full load':>10}  {'(index)':>9}  {'yaml only':>10}  "
        f"{'ratio':>6}  target"
    )
    print(header)
    print("-" * len(header))
    rows: list[dict[str, Any]] = []
    for size in args.sizes:
        figures = measure(size, args.runs, args.seed)
        ratio = figures["full"] / figures["baseline"]
        if size == TARGET_SIZE:
            verdict = "ok" if ratio <= TARGET_RATIO else "MISSED"
            target = f"<= {TARGET_RATIO}x {verdict}"
        else:
            target = "-"
        print(
            f"{size:>7}  {figures['bytes'] / 2**20:>7.1f}MB  {figures['full']:>9.3f}s  "
            f"{figures['index']:>8.3f}s  {figures['baseline']:>9.3f}s  {ratio:>5.2f}x  {target}",
            flush=True,
        )
        rows.extend(rows_for(size, figures))
    write_rows(args.json, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
