"""`make bench`: run every benchmark, print one table, and write benchmarks/results.json.

Each benchmark runs in its own process (so one's memory and garbage do not weigh on the
next) with `--json`, and the rows are gathered as they are: metric, value, unit,
target, ratio (value/target, or value/baseline measured in the same run) and
meets_target. docs/performance.md explains every figure. The whole suite takes about
ten minutes on two cores; `--only` runs a subset.

    python -m benchmarks [--only load,commands] [--output benchmarks/results.json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.report import machine, markdown_table, print_table, write_rows

BENCHMARKS: dict[str, list[str]] = {
    "load": ["benchmarks.bench_load", "--sizes", "100,1000,10000"],
    "commands": ["benchmarks.bench_commands", "--sizes", "100,1000,10000"],
    "reload": ["benchmarks.bench_reload"],
    "selection": ["benchmarks.bench_selection", "--sizes", "1000,10000,100000"],
    "memory": ["benchmarks.bench_memory", "--sizes", "100,1000,10000"],
    "memory-restart": ["benchmarks.bench_memory", "--sizes", "1000,10000", "--restart"],
    "startup": ["benchmarks.bench_startup"],
    "fanout": ["benchmarks.bench_fanout"],
    "fanout-targets": ["benchmarks.bench_fanout_targets"],
    "hostile": ["benchmarks.bench_hostile"],
    "selection-postgres": [
        "benchmarks.bench_selection",
        "--store",
        "postgres",
        "--sizes",
        "1000,10000,100000",
    ],
    "cluster": ["benchmarks.bench_cluster"],
}
DEFAULT_OUTPUT = Path(__file__).resolve().parent / "results.json"


def run_one(name: str, command: Sequence[str]) -> list[dict[str, Any]]:
    """Run one benchmark module in a fresh process and return its JSON rows."""
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / f"{name}.json"
        print(f"== {name}: python -m {' '.join(command)}", flush=True)
        completed = subprocess.run(
            [sys.executable, "-m", *command, "--json", str(output)], check=False
        )
        if completed.returncode != 0 or not output.exists():
            return [
                {
                    "metric": f"{name} benchmark",
                    "value": None,
                    "unit": "",
                    "target": None,
                    "ratio": None,
                    "meets_target": False,
                    "error": f"exit status {completed.returncode}",
                }
            ]
        rows: list[dict[str, Any]] = json.loads(output.read_text(encoding="utf-8"))
        return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Run the suite; exit 1 when a benchmark failed to run (not when a target is missed)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--only", help=f"comma-separated subset of {', '.join(BENCHMARKS)}")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="JSON rows file")
    parser.add_argument(
        "--markdown", type=Path, help="print this results file as a Markdown table and stop"
    )
    args = parser.parse_args(argv)
    if args.markdown:
        print(markdown_table(json.loads(args.markdown.read_text(encoding="utf-8"))))
        return 0
    names = args.only.split(",") if args.only else list(BENCHMARKS)
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    rows: list[dict[str, Any]] = []
    for name in names:
        rows.extend(run_one(name, BENCHMARKS[name]))
    print(f"\nmachine: {machine()}")
    print_table(rows)
    write_rows(args.output, rows)
    return 1 if any("error" in row for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
