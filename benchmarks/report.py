"""What every benchmark shares: result rows, the table, percentiles, growth and the machine.

Every benchmark module builds `Row`s, prints them with `print_table` and, given
`--json PATH`, writes them with `write_rows`; `python -m benchmarks` gathers those files
into one table and `benchmarks/results.json`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import platform
import statistics
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Row:
    """One reported figure: its value against a target, or against a baseline of the same run.

    `ratio` is value/target when there is a target, otherwise value/baseline when a
    baseline was measured, otherwise absent.
    """

    metric: str
    value: float
    unit: str
    target: float | None = None
    baseline: float | None = None
    higher_is_better: bool = False

    @property
    def ratio(self) -> float | None:
        """Value over target, or over the baseline when there is no target."""
        reference = self.target if self.target is not None else self.baseline
        if not reference:
            return None
        return round(self.value / reference, 4)

    @property
    def meets_target(self) -> bool | None:
        """Whether the value reaches its target (None when there is none)."""
        if self.target is None:
            return None
        return self.value >= self.target if self.higher_is_better else self.value <= self.target

    def as_json(self) -> dict[str, Any]:
        """The row as `results.json` holds it."""
        return {
            "metric": self.metric,
            "value": self.value,
            "unit": self.unit,
            "target": self.target,
            "ratio": self.ratio,
            "meets_target": self.meets_target,
        }


def percentile(values: Sequence[float], fraction: float) -> float:
    """The value below which `fraction` of the values fall (nearest rank)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered)) - 1))
    return ordered[rank]


def timing_rows(
    metric: str, samples_ms: Sequence[float], target_p99: float | None = None
) -> list[Row]:
    """A latency's median and p99 rows (milliseconds); the target applies to the p99."""
    return [
        Row(f"{metric} p50", round(statistics.median(samples_ms), 3), "ms"),
        Row(f"{metric} p99", round(percentile(samples_ms, 0.99), 3), "ms", target=target_p99),
    ]


def growth_rows(metric: str, by_size: Mapping[int, float]) -> list[Row]:
    """How a cost grows: each step's cost over the previous step's, against the size ratio.

    For sizes 100 -> 1,000 the row's value is cost(1,000) / cost(100) and its baseline
    is 10, so a ratio of 1.0 means linear growth, below 1 better than linear (fixed
    costs dominate) and above 1 worse than linear.
    """
    sizes = sorted(by_size)
    rows = []
    for smaller, larger in itertools.pairwise(sizes):
        if by_size[smaller] <= 0:
            continue
        rows.append(
            Row(
                f"{metric} growth {smaller:,} -> {larger:,}",
                round(by_size[larger] / by_size[smaller], 3),
                f"x (size x{larger / smaller:g})",
                baseline=larger / smaller,
            )
        )
    return rows


@dataclass
class StallProbe:
    """How late the event loop woke a sleeper each time: (loop time at waking, lateness)."""

    wakes: list[tuple[float, float]]

    def longest(self, until: float | None = None) -> float:
        """The longest lateness in seconds (of the wakes up to loop time `until`)."""
        return max(
            (late for woke, late in self.wakes if until is None or woke <= until), default=0.0
        )


@contextlib.asynccontextmanager
async def loop_stall_probe(interval: float = 0.005) -> AsyncIterator[StallProbe]:
    """Sleep `interval` over and over while the body runs, recording each wake's lateness.

    The longest lateness is the longest the loop was kept from running anything else.
    """
    loop = asyncio.get_running_loop()
    probe = StallProbe([])
    done = asyncio.Event()

    async def sleeper() -> None:
        while not done.is_set():
            started = loop.time()
            await asyncio.sleep(interval)
            woke = loop.time()
            probe.wakes.append((woke, woke - started - interval))

    task = asyncio.create_task(sleeper())
    await asyncio.sleep(0)
    try:
        yield probe
    finally:
        done.set()
        await task


def machine() -> str:
    """CPU count and model, and the Python version, for the record."""
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} CPU(s), {model}, Python {platform.python_version()}"


def resident_memory() -> dict[str, float]:
    """This process's resident set now and at its peak, in MB of 10^6 bytes (Linux /proc)."""
    figures = {"rss": 0.0, "peak": 0.0}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                figures["rss"] = int(line.split()[1]) * 1024 / 1e6
            elif line.startswith("VmHWM:"):
                figures["peak"] = int(line.split()[1]) * 1024 / 1e6
    return figures


def sizes_argument(text: str) -> list[int]:
    """Parse `--sizes 100,1000,10000` (argparse type)."""
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError("sizes are whole numbers, e.g. 100,1000") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("give at least one size of 1 or more")
    return sizes


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


HEADER = ["metric", "value", "unit", "target", "ratio", "meets target"]


def _cells(row: Mapping[str, Any]) -> list[str]:
    return [
        str(row["metric"]),
        _cell(row.get("value")),
        str(row.get("unit") or ""),
        _cell(row.get("target")),
        _cell(row.get("ratio")),
        _cell(row.get("meets_target")),
    ]


def print_table(rows: Iterable[Mapping[str, Any]]) -> None:
    """Rows (as `Row.as_json` gives them) as one aligned table."""
    cells = [_cells(row) for row in rows]
    widths = [max(len(line[i]) for line in [HEADER, *cells]) for i in range(len(HEADER))]
    for line in [HEADER, ["-" * w for w in widths], *cells]:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))


def markdown_table(rows: Iterable[Mapping[str, Any]]) -> str:
    """Rows (as `Row.as_json` gives them) as a Markdown table, for docs/performance.md."""
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for row in rows:
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in _cells(row)) + " |")
    return "\n".join(lines)


def write_rows(path: Path | None, rows: Sequence[Mapping[str, Any]]) -> None:
    """Write result rows as the suite's JSON list, when a path was given."""
    if path is None:
        return
    path.write_text(json.dumps(list(rows), indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(f"wrote {path}")


def finish(rows: Sequence[Row], json_path: Path | None) -> int:
    """The end of every benchmark's main: the machine, the table, the JSON file; exit 0."""
    as_json = [row.as_json() for row in rows]
    print(f"\nmachine: {machine()}")
    print_table(as_json)
    write_rows(json_path, as_json)
    return 0  # a benchmark, not a test: targets are reported, not enforced
