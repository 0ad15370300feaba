"""Growth tests: does the cost of a path grow in proportion to its input?

`assert_linear(prepare, size)` times the work that `prepare(size)` returns against the
work that `prepare(8 * size)` returns and fails when the larger costs more than 16 times
the smaller. Linear paths grow 8x and n log n ones about 10x, which leaves room for a
noisy machine; a quadratic path grows 64x and fails.

Time is the process's CPU time, so other processes competing for the machine do not
count, and it is only ever compared within one run: each size is timed several times,
interleaved, on fresh work from `prepare` (which is not timed, so caches built by one run
cannot hide the cost of the next), with the cyclic garbage collector paused, and the
fastest time of each size counts. A failing comparison is measured once more before the
test fails, so a burst of load elsewhere on the machine does not fail it.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass

FACTOR = 8
MAX_RATIO = 16.0
REPEATS = 2
ATTEMPTS = 2
# Below this the smaller size measures mostly noise and fixed costs: choose a larger size.
MIN_SECONDS = 0.0002

Work = Callable[[], object]


@dataclass(frozen=True)
class Growth:
    """The fastest time of a path at `size` and at `size * factor`, in seconds."""

    size: int
    factor: int
    small_seconds: float
    large_seconds: float

    @property
    def ratio(self) -> float:
        """How many times longer the larger size took."""
        return self.large_seconds / self.small_seconds if self.small_seconds else float("inf")

    def __str__(self) -> str:
        return (
            f"{self.size:,} -> {self.size * self.factor:,}: "
            f"{self.small_seconds * 1000:.2f} ms -> {self.large_seconds * 1000:.2f} ms "
            f"({self.ratio:.1f}x for {self.factor}x the input)"
        )


def _time_once(work: Work) -> float:
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        started = time.process_time()
        work()
        return time.process_time() - started
    finally:
        if was_enabled:
            gc.enable()


def measure_growth(
    prepare: Callable[[int], Work], size: int, *, factor: int = FACTOR, repeats: int = REPEATS
) -> Growth:
    """The fastest of `repeats` runs at `size` and at `size * factor`, on fresh work each time."""
    small = large = float("inf")
    for _ in range(repeats):
        small = min(small, _time_once(prepare(size)))
        large = min(large, _time_once(prepare(size * factor)))
    return Growth(size, factor, small, large)


def assert_linear(
    prepare: Callable[[int], Work],
    size: int,
    *,
    factor: int = FACTOR,
    max_ratio: float = MAX_RATIO,
    repeats: int = REPEATS,
    attempts: int = ATTEMPTS,
) -> Growth:
    """Fail when `factor` times the input costs more than `max_ratio` times as much."""
    growth = measure_growth(prepare, size, factor=factor, repeats=repeats)
    for _ in range(attempts - 1):
        if growth.ratio <= max_ratio:
            break
        again = measure_growth(prepare, size, factor=factor, repeats=repeats)
        growth = Growth(
            size,
            factor,
            min(growth.small_seconds, again.small_seconds),
            min(growth.large_seconds, again.large_seconds),
        )
    assert growth.small_seconds >= MIN_SECONDS, (
        f"the smaller size is too quick to measure ({growth}); choose a larger size"
    )
    assert growth.ratio <= max_ratio, f"grows faster than linear: {growth}"
    return growth
