"""Pure schedule arithmetic for scheduled digests.

Nothing here reads the clock or touches Discord: every function takes the instant it
reasons about, and every datetime must be timezone-aware (naive ones raise ValueError).

Accepted schedule forms (case-insensitive, surrounding whitespace ignored):

* ``daily HH:MM`` - every day; ``H:MM`` is accepted and normalised to ``HH:MM``.
* ``weekdays HH:MM`` - Monday to Friday.
* ``weekly DAY HH:MM`` - DAY is ``mon`` .. ``sun`` or a full English day name.
* a 5-field cron expression ``minute hour day-of-month month day-of-week`` with
  classic cron semantics: ``*``, ``N``, ``N-M``, ``*/S``, ``N/S``, ``N-M/S`` and comma
  lists; names ``jan``..``dec`` and ``sun``..``sat``; day-of-week 0 *and* 7 are Sunday.

Cron compatibility notes
------------------------
APScheduler 3's ``CronTrigger.from_crontab`` numbers the day of week from 0 = Monday
and rejects 7 (its documented "historical mistake", fixed only in APScheduler 4), so
``0 9 * * 0`` would fire on Mondays.  This module expands the day-of-week field itself
with classic numbering and hands APScheduler day *names*, so ``0``/``7``/``sun`` mean
Sunday and ``1-5`` means Monday-Friday, as in crontab(5).  Classic cron ORs the
day-of-month and day-of-week fields when both are restricted, whereas APScheduler ANDs
them; such expressions are rejected rather than silently given the other meaning.
Expressions that can never fire (``0 0 30 2 *``) are rejected too.

Daylight-saving semantics
-------------------------
A schedule names local wall-clock times; each one fires once at:

* its unique instant when the local time exists once;
* its **first** occurrence when the local time is ambiguous (fall-back), so
  ``daily 01:30`` fires at 01:30 EDT, not again at 01:30 EST;
* the wall time **shifted forward by the length of the gap** when it does not exist
  (spring-forward): ``daily 02:30`` in America/New_York on 2026-03-08 fires at
  03:30 EDT (07:30 UTC).  This is the single instant APScheduler 3.11 itself gives.

Slots that land on the same instant fire once (``*/30 * * * *`` maps the missing 02:00
and 02:30 onto 03:00 and 03:30 EDT, which fire once each).  As in Vixie cron, a cron
expression whose minute or hour field starts with ``*`` is an interval-like "wildcard"
schedule: it also fires at the second occurrence of repeated wall times, so
``*/30 * * * *`` keeps firing every 30 real minutes through the repeated hour instead
of pausing for 90 minutes.  Fixed-time schedules (daily, weekdays, weekly and crons
with explicit minute and hour) never fire twice for one wall time.

What APScheduler 3.11's ``CronTrigger`` does natively, for comparison: on a fall-back
day it fires ``daily 01:30`` twice (05:30 and 06:30 UTC in New York); a spring-forward
gap time fires once, shifted forward, but only if the trigger is asked before the
transition - asked at 03:10 EDT (e.g. after a restart) it skips that day's 02:30 run.
``*/30 * * * *`` behaves like the wildcard rule above.  The arithmetic here still uses
``CronTrigger`` for all field matching, but on a DST-free wall clock (timezone UTC)
whose results are then mapped to real instants by the rules above; ``Schedule.trigger``
returns a ``CronTrigger`` subclass applying the same rules, so an APScheduler job and
``next_due`` agree.  The mapping assumes at most one UTC-offset change within a day of
the instant being examined, which holds for every zone in current tzdata.
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.errors import InvalidSchedule, InvalidTimezone

__all__ = [
    "ACCEPTED_FORMS",
    "DstSafeCronTrigger",
    "Schedule",
    "due_times_between",
    "next_due",
    "parse_schedule",
    "parse_timezone",
]

ACCEPTED_FORMS = "daily HH:MM, weekdays HH:MM, weekly mon HH:MM, or a 5-field cron expression"
ACCEPTED_TIMEZONES = "an IANA time zone name such as Europe/London, America/New_York or UTC"

_TICK = timedelta(microseconds=1)

# Offset probes used to find a DST transition near an instant (see _lookback).
_PROBES = (timedelta(days=-1), timedelta(hours=-3), timedelta(hours=3), timedelta(days=1))
# A search never needs more than a few thousand wall-clock candidates; this is a guard.
_MAX_CANDIDATES = 100_000

_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # APScheduler order
_FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TIME_RE = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])", re.ASCII)

# Classic crontab fields: (name, minimum, maximum, names mapped to numbers).
# English names, fixed here: the calendar module's names follow the process locale.
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_CRON_MONTH_NAMES = {name: number for number, name in enumerate(_MONTHS, start=1)}
_CRON_DOW_NAMES = {"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}
_CRON_FIELDS: tuple[tuple[str, int, int, dict[str, int]], ...] = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day of month", 1, 31, {}),
    ("month", 1, 12, _CRON_MONTH_NAMES),
    ("day of week", 0, 7, _CRON_DOW_NAMES),
)
_CRON_ITEM_RE = re.compile(
    r"(?:(?P<star>\*)|(?P<first>[0-9]{1,2}|[a-z]{3})(?:-(?P<last>[0-9]{1,2}|[a-z]{3}))?)"
    r"(?:/(?P<step>[0-9]{1,2}))?",
    re.ASCII,
)
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # leap year: Feb 29 exists

_TZ_NAME_RE = re.compile(r"[A-Za-z0-9_+\-]+(?:/[A-Za-z0-9_+\-]+)*", re.ASCII)
# Present in the zoneinfo directory but not meaningful as a user's zone.
_TZ_EXCLUDED = frozenset({"factory", "localtime", "posixrules"})


@dataclass(frozen=True)
class _Spec:
    """A compiled schedule: canonical text, APScheduler crontab fields, DST mode."""

    canonical: str
    crontab: str  # APScheduler's own from_crontab syntax (day names, not numbers)
    wildcard: bool  # fires on both occurrences of a repeated wall time
    wall: Any  # CronTrigger on a DST-free wall clock (timezone UTC)


def _invalid_schedule(text: str, reason: str | None = None) -> InvalidSchedule:
    if reason is None:
        return InvalidSchedule(value=text, accepted=ACCEPTED_FORMS)
    return InvalidSchedule(value=text, accepted=ACCEPTED_FORMS, reason=reason)


def _parse_time(token: str) -> tuple[int, int] | None:
    match = _TIME_RE.fullmatch(token)
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2))


def _day_name(token: str) -> str | None:
    if token in _DAY_NAMES:
        return token
    if token in _FULL_DAY_NAMES:
        return _DAY_NAMES[_FULL_DAY_NAMES.index(token)]
    return None


def _cron_value(token: str, names: dict[str, int], low: int, high: int) -> int | None:
    value = names.get(token) if token.isalpha() else int(token)
    if value is None or not low <= value <= high:
        return None
    return value


def _expand_cron_field(field: str, index: int) -> set[int] | None:
    """The values a classic crontab field selects, or None if it is malformed."""
    _, low, high, names = _CRON_FIELDS[index]
    values: set[int] = set()
    for item in field.split(","):
        match = _CRON_ITEM_RE.fullmatch(item)
        if match is None:
            return None
        if match["star"]:
            first, last = low, high
        else:
            first_value = _cron_value(match["first"], names, low, high)
            if first_value is None:
                return None
            first = first_value
            if match["last"] is not None:
                last_value = _cron_value(match["last"], names, low, high)
                if last_value is None or last_value < first:
                    return None
                last = last_value
            else:
                # "N/S" means N-max/S (cronie, APScheduler); a bare "N" is just N.
                last = high if match["step"] is not None else first
        step = 1 if match["step"] is None else int(match["step"])
        if step < 1:
            return None
        values.update(range(first, last + 1, step))
    return values


def _numbers(values: set[int], low: int, high: int) -> str:
    if values == set(range(low, high + 1)):
        return "*"
    return ",".join(str(v) for v in sorted(values))


def _compile_cron(text: str, fields: list[str]) -> tuple[str, bool]:
    """Translate classic crontab fields into APScheduler's crontab dialect."""
    expanded: list[set[int]] = []
    for index, field in enumerate(fields):
        values = _expand_cron_field(field, index)
        if values is None:
            name = _CRON_FIELDS[index][0]
            raise _invalid_schedule(text, f"invalid cron {name} field {field!r}")
        expanded.append(values)
    minutes, hours, days, months, weekdays = expanded
    dom_restricted = not fields[2].startswith("*")
    dow_restricted = not fields[4].startswith("*")
    if dom_restricted and dow_restricted:
        raise _invalid_schedule(
            text,
            "restricting both day of month and day of week is not supported "
            "(cron would run on either); use * in one of them",
        )
    if not any(day <= _DAYS_IN_MONTH[month - 1] for month in months for day in days):
        raise _invalid_schedule(text, "this cron expression never fires")
    # Classic cron: 0 and 7 are Sunday, 1 is Monday.  APScheduler: 0 is Monday.
    classic_days = {day % 7 for day in weekdays}
    if len(classic_days) == 7:
        day_of_week = "*"
    else:
        names = {_DAY_NAMES[(day - 1) % 7] for day in classic_days}
        day_of_week = ",".join(name for name in _DAY_NAMES if name in names)
    crontab = " ".join(
        (
            _numbers(minutes, 0, 59),
            _numbers(hours, 0, 23),
            _numbers(days, 1, 31),
            _numbers(months, 1, 12),
            day_of_week,
        )
    )
    wildcard = fields[0].startswith("*") or fields[1].startswith("*")
    return crontab, wildcard


@lru_cache(maxsize=512)
def _compile(text: str) -> _Spec:
    """Parse schedule text into its canonical form and wall-clock trigger."""
    tokens = text.strip().lower().split()
    wildcard = False
    if len(tokens) == 2 and tokens[0] in ("daily", "weekdays"):
        hm = _parse_time(tokens[1])
        if hm is None:
            raise _invalid_schedule(text)
        canonical = f"{tokens[0]} {hm[0]:02d}:{hm[1]:02d}"
        days = "*" if tokens[0] == "daily" else "mon-fri"
        crontab = f"{hm[1]} {hm[0]} * * {days}"
    elif len(tokens) == 3 and tokens[0] == "weekly":
        day = _day_name(tokens[1])
        hm = _parse_time(tokens[2])
        if day is None or hm is None:
            raise _invalid_schedule(text)
        canonical = f"weekly {day} {hm[0]:02d}:{hm[1]:02d}"
        crontab = f"{hm[1]} {hm[0]} * * {day}"
    elif len(tokens) == 5:
        canonical = " ".join(tokens)
        crontab, wildcard = _compile_cron(text, tokens)
    else:
        raise _invalid_schedule(text)
    try:
        wall = CronTrigger.from_crontab(crontab, timezone=UTC)
    except ValueError as exc:
        raise _invalid_schedule(text, str(exc)) from None
    return _Spec(canonical=canonical, crontab=crontab, wildcard=wildcard, wall=wall)


@dataclass(frozen=True)
class Schedule:
    """A validated digest schedule, stored as its canonical text."""

    expression: str

    def __post_init__(self) -> None:
        canonical = _compile(self.expression).canonical
        if canonical != self.expression:
            raise ValueError(
                f"Schedule expression {self.expression!r} is not canonical "
                f"(expected {canonical!r}); build schedules with parse_schedule()"
            )

    def trigger(self, tz: ZoneInfo) -> CronTrigger:
        """Build an APScheduler 3 CronTrigger for this schedule with the DST rules above."""
        spec = _compile(self.expression)
        minute, hour, day, month, day_of_week = spec.crontab.split()
        return DstSafeCronTrigger(
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=day_of_week,
            timezone=tz,
            wildcard=spec.wildcard,
        )


def parse_schedule(text: str) -> Schedule:
    """Parse user schedule text into a Schedule, raising InvalidSchedule if unsupported."""
    return Schedule(_compile(text).canonical)


@lru_cache(maxsize=1)
def _zone_names() -> dict[str, str]:
    """Map lower-cased IANA zone names to their canonical spelling."""
    return {
        name.lower(): name
        for name in zoneinfo.available_timezones()
        if name.lower() not in _TZ_EXCLUDED
    }


def parse_timezone(name: str) -> ZoneInfo:
    """Resolve an IANA zone name (case-insensitive), raising InvalidTimezone otherwise."""
    candidate = name.strip()
    if (
        not candidate
        or len(candidate) > 64
        or _TZ_NAME_RE.fullmatch(candidate) is None
        or candidate.lower() not in _zone_names()
    ):
        raise InvalidTimezone(value=name, accepted=ACCEPTED_TIMEZONES)
    try:
        return ZoneInfo(_zone_names()[candidate.lower()])
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidTimezone(value=name, accepted=ACCEPTED_TIMEZONES) from None


def _require_aware(value: datetime, label: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{label} must be a timezone-aware datetime, got {value!r}")
    return value.astimezone(UTC)


def _lookback(instant: datetime, tz: ZoneInfo) -> timedelta:
    """How far before the local wall time of ``instant`` the wall-clock scan must start.

    Non-zero only when ``instant`` is within one gap/fold length of a UTC-offset change:
    just after a spring-forward (gap wall times map to instants after it) or in the
    first pass of a fall-back (earlier wall times fire again in the second pass).
    """

    def offset_at(moment: datetime) -> timedelta:
        offset = moment.astimezone(tz).utcoffset()
        assert offset is not None  # ZoneInfo always has an offset for aware datetimes
        return offset

    here = offset_at(instant)
    span = max(abs(offset_at(instant + probe) - here) for probe in _PROBES)
    if span and offset_at(instant - span) == here == offset_at(instant + span):
        return timedelta(0)
    return span


def _first_fire_at_or_after(
    wall: Any, tz: ZoneInfo, wildcard: bool, instant: datetime
) -> datetime | None:
    """The earliest fire instant (UTC) at or after ``instant`` (UTC), per the DST rules.

    ``wall`` is a CronTrigger in UTC used as a DST-free wall clock: its results are
    local wall times labelled UTC.  Each wall time W maps to the instant of W with
    fold=0 (first occurrence, or shifted forward past a gap), plus fold=1 when
    ``wildcard`` and W is ambiguous.  The mapping is monotone except within one gap or
    fold length, so the scan starts that far before the local time of ``instant`` and
    stops once no later wall time can map to an earlier instant than the best found.
    """
    local = instant.astimezone(tz).replace(tzinfo=UTC, fold=0)
    candidate = wall.get_next_fire_time(None, local - _lookback(instant, tz))
    best: datetime | None = None
    limit: datetime | None = None
    for _ in range(_MAX_CANDIDATES):
        if candidate is None or (limit is not None and candidate >= limit):
            return best
        naive = candidate.replace(tzinfo=None)
        first = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
        second = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
        instants = [first, second] if wildcard and first < second else [first]
        hits = [t for t in instants if t >= instant]
        if hits:
            if best is None or min(hits) < best:
                best = min(hits)
            # Wall times at least one gap/fold length later all map to later instants.
            horizon = candidate + abs(second - first)
            limit = horizon if limit is None else min(limit, horizon)
            if limit <= candidate:
                return best
        candidate = wall.get_next_fire_time(None, candidate + _TICK)
    raise RuntimeError(f"schedule search did not converge near {instant.isoformat()}")


@lru_cache(maxsize=4096)
def _next_after(spec: _Spec, tz: ZoneInfo, after_utc: datetime) -> datetime:
    found = _first_fire_at_or_after(spec.wall, tz, spec.wildcard, after_utc + _TICK)
    if found is None:
        raise ValueError(f"schedule {spec.canonical!r} has no fire time after {after_utc}")
    return found


def next_due(schedule: Schedule, tz: ZoneInfo, after: datetime) -> datetime:
    """Return the first fire time strictly after ``after``, as a UTC datetime."""
    return _next_after(_compile(schedule.expression), tz, _require_aware(after, "after"))


def due_times_between(
    schedule: Schedule, tz: ZoneInfo, start: datetime, end: datetime
) -> list[datetime]:
    """Return every fire time t with start < t <= end, in order, as UTC datetimes."""
    spec = _compile(schedule.expression)
    cursor = _require_aware(start, "start")
    stop = _require_aware(end, "end")
    due: list[datetime] = []
    while cursor < stop:
        cursor = _next_after(spec, tz, cursor)
        if cursor > stop:
            break
        due.append(cursor)
    return due


class DstSafeCronTrigger(CronTrigger):  # type: ignore[misc]
    """A CronTrigger whose fire times follow this module's DST rules (see module doc)."""

    __slots__ = ("_wall", "_wildcard")

    def __init__(
        self,
        *,
        minute: str,
        hour: str,
        day: str,
        month: str,
        day_of_week: str,
        timezone: ZoneInfo,
        wildcard: bool,
    ) -> None:
        super().__init__(
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=day_of_week,
            timezone=timezone,
        )
        self._wildcard = wildcard
        self._wall = self._wall_clock()

    def _wall_clock(self) -> Any:
        wall = CronTrigger(timezone=UTC)
        wall.fields = list(self.fields)
        return wall

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        """Return the next fire time at or after the point APScheduler asks about."""
        start = _require_aware(now, "now")
        if previous_fire_time is not None:
            previous = _require_aware(previous_fire_time, "previous_fire_time")
            start = min(start, previous + _TICK)
            if start == previous:  # as CronTrigger does: never repeat the previous fire time
                start += _TICK
        found = _first_fire_at_or_after(self._wall, self.timezone, self._wildcard, start)
        return None if found is None else found.astimezone(self.timezone)

    def __getstate__(self) -> dict[str, Any]:
        state: dict[str, Any] = super().__getstate__()
        state["briefbot_wildcard"] = self._wildcard
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        wildcard = bool(state.pop("briefbot_wildcard", False))
        super().__setstate__(state)
        self._wildcard = wildcard
        self._wall = self._wall_clock()
