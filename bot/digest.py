"""What a digest contains, and when: the pure domain of scheduled digests.

Nothing here touches Discord, the database or the clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

Mode = Literal["changes", "full"]
State = Literal["active", "paused", "failing"]
MODES: tuple[Mode, ...] = ("changes", "full")


@dataclass(frozen=True)
class Subscription:
    """A channel's digest subscription, as stored."""

    id: int
    guild_id: int
    channel_id: int
    topics: tuple[str, ...] | None  # None: every topic
    schedule: str
    timezone: str
    mode: Mode
    language: str
    state: State
    next_due: dt.datetime
    failure_code: int | None = None
    failure_reason: str | None = None
    failure_notified: bool = False
    last_digest_at: dt.datetime | None = None
    snapshot_hash: str | None = None
    missed_from: dt.datetime | None = None
    missed_until: dt.datetime | None = None
    retry_error: str | None = None  # the last error of a delivery still being retried
