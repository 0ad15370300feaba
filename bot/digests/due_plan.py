"""What a due subscription does at `now`: which due time it delivers and what it skips.

Pure schedule arithmetic on top of `bot.digests.schedule`; every datetime is aware.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.digests.schedule import Schedule, due_times_between, next_due

_TICK = dt.timedelta(microseconds=1)


@dataclass(frozen=True)
class DuePlan:
    """What a due subscription does at `now`: which due time it delivers, what it skips."""

    deliver_at: dt.datetime | None
    next_due: dt.datetime
    missed: tuple[dt.datetime, dt.datetime] | None = None
    coalesced: int = 0


# Pure and hashable in and out: a run plans thousands of subscriptions that share a few
# schedules, zones and due times.
@lru_cache(maxsize=4096)
def plan_due(
    schedule: Schedule,
    tz: ZoneInfo,
    due: dt.datetime,
    now: dt.datetime,
    window: dt.timedelta,
) -> DuePlan:
    """Plan a subscription due at `due` (<= `now`): deliver once, skip what is too late.

    Due times no older than `window` collapse into one digest for the latest of them
    (never two digests for one due time); older ones are skipped and reported. The next
    due time is the schedule's first fire time after `now`.
    """
    if due > now:
        raise ValueError("the subscription is not due yet")
    following = next_due(schedule, tz, now)
    oldest_allowed = now - window
    if due >= oldest_allowed:
        later = due_times_between(schedule, tz, due, now)
        times = [due, *later]
        return DuePlan(times[-1], following, coalesced=len(times) - 1)
    recent = due_times_between(schedule, tz, oldest_allowed - _TICK, now)
    deliver_at = recent[-1] if recent else None
    return DuePlan(
        deliver_at,
        following,
        missed=(due, oldest_allowed),
        coalesced=max(0, len(recent) - 1),
    )
