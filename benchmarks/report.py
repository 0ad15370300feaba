"""What every benchmark shares: percentiles, the machine line, and the JSON rows file."""

from __future__ import annotations

import contextlib
import json
import os
import platform
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def percentile(values: Sequence[float], fraction: float) -> float:
    """The value below which `fraction` of the values fall (nearest rank)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered)) - 1))
    return ordered[rank]


def machine() -> str:
    """CPU count and model, and the Python version, for the record."""
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} CPU(s), {model}, Python {platform.python_version()}"


def write_rows(path: Path | None, rows: Sequence[dict[str, Any]]) -> None:
    """Write result rows as the suite's JSON list, when a path was given."""
    if path is None:
        return
    path.write_text(json.dumps(list(rows), indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(f"wrote {path}")
