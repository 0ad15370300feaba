"""Tests for bot.digests.schedule: parsing, time zones and DST-correct fire times."""

from __future__ import annotations

import pickle
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.digests.schedule import (
    ACCEPTED_FORMS,
    Schedule,
    due_times_between,
    next_due,
    parse_schedule,
    parse_timezone,
)
from bot.errors import InvalidSchedule, InvalidTimezone

NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
TOKYO = ZoneInfo("Asia/Tokyo")
UTC_ZONE = ZoneInfo("UTC")


def z(text: str) -> datetime:
    """A UTC instant from 'YYYY-MM-DDTHH:MM'."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def due(text: str, tz: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    return due_times_between(parse_schedule(text), tz, start, end)


def walk(schedule: Schedule, tz: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    """Fire times in (start, end] found by feeding next_due its own results."""
    out: list[datetime] = []
    cursor = start
    while True:
        following = next_due(schedule, tz, cursor)
        assert following > cursor, "next_due must always move forward"
        cursor = following
        if cursor > end:
            return out
        out.append(cursor)


# --- parsing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("daily 09:00", "daily 09:00"),
        ("  DAILY 9:05  ", "daily 09:05"),
        ("daily 0:00", "daily 00:00"),
        ("daily 23:59", "daily 23:59"),
        ("daily\t 07:30", "daily 07:30"),
        ("Weekdays 18:30", "weekdays 18:30"),
        ("weekdays 8:00", "weekdays 08:00"),
        ("weekly mon 09:00", "weekly mon 09:00"),
        ("weekly Monday 9:00", "weekly mon 09:00"),
        ("WEEKLY SUNDAY 23:59", "weekly sun 23:59"),
        ("weekly thursday 07:15", "weekly thu 07:15"),
        ("weekly sat 00:00", "weekly sat 00:00"),
        ("*/30  *   * * *", "*/30 * * * *"),
        ("0 9 * * MON-FRI", "0 9 * * mon-fri"),
        ("0 9 1 JAN *", "0 9 1 jan *"),
        ("0 9 * * 7", "0 9 * * 7"),
        ("15 1-3 * * *", "15 1-3 * * *"),
        ("0,30 8-18/2 * * 1-5", "0,30 8-18/2 * * 1-5"),
        ("5/15 * * * *", "5/15 * * * *"),
        ("0 0 29 2 *", "0 0 29 2 *"),
    ],
)
def test_parse_accepts_and_normalizes(text: str, canonical: str) -> None:
    schedule = parse_schedule(text)
    assert schedule == Schedule(canonical)
    assert schedule.expression == canonical
    assert parse_schedule(canonical) == schedule


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "daily",
        "daily 24:00",
        "daily 12:60",
        "daily 9:5",
        "daily 09:00:00",
        "daily 0900",
        "daily 09.00",
        "daily -1:00",
        "daily 123:00",
        "daily \uff19:\uff10\uff10",  # full-width digits
        "daily \u0669:00",  # Arabic-Indic digit nine
        "daily 09:00 extra",
        "daily 09:00pm",
        "weekdays",
        "weekends 09:00",
        "weekly 09:00",
        "weekly funday 09:00",
        "weekly mo 09:00",
        "weekly mon",
        "weekly mon tue 09:00",
        "hourly",
        "every day at 9",
        "@daily",
        "* * * *",
        "* * * * * *",
        "60 * * * *",
        "100 * * * *",
        "* 24 * * *",
        "* * 0 * *",
        "* * 32 * *",
        "* * * 0 *",
        "* * * 13 *",
        "* * * * 8",
        "*/0 * * * *",
        "*/100 * * * *",
        "5-1 * * * *",
        "1,,2 * * * *",
        ", * * * *",
        "-1 * * * *",
        "*-5 * * * *",
        "mon * * * *",
        "0 9 * jan-xyz *",
        "0 9 * * fri-mon",
        "0 9 * * L",
        "0 0 L * *",
        "0 0 last * *",
        "? * * * *",
        "0 9 * * mon#1",
        "0 0 30 2 *",  # never fires
        "0 0 31 4,6,9,11 *",  # never fires
        "0 9 1 * 1",  # cron would OR day-of-month and day-of-week
        "0 9 1-7 * mon",
        "0\x00 9 * * *",
        "0 9 * * *\x00",
        "\x00",
    ],
)
def test_parse_rejects(text: str) -> None:
    with pytest.raises(InvalidSchedule) as excinfo:
        parse_schedule(text)
    assert excinfo.value.key == "error.invalid_schedule"
    assert excinfo.value.params["value"] == text
    assert excinfo.value.params["accepted"] == ACCEPTED_FORMS
    assert ACCEPTED_FORMS in str(excinfo.value)


def test_schedule_constructor_requires_canonical_valid_text() -> None:
    with pytest.raises(ValueError, match="canonical"):
        Schedule("Daily 9:00")
    with pytest.raises(InvalidSchedule):
        Schedule("every so often")


# --- time zones ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Asia/Tokyo", "Asia/Tokyo"),
        ("America/New_York", "America/New_York"),
        ("UTC", "UTC"),
        ("Europe/London", "Europe/London"),
        ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
        ("Etc/GMT+5", "Etc/GMT+5"),
        (" asia/tokyo ", "Asia/Tokyo"),
    ],
)
def test_parse_timezone_accepts_iana_names(name: str, key: str) -> None:
    tz = parse_timezone(name)
    assert isinstance(tz, ZoneInfo)
    assert tz.key == key


@pytest.mark.parametrize(
    "name",
    [
        "",
        "   ",
        "Mars/Olympus_Mons",
        "Tokyo",
        "America",
        "Asia/",
        "/Asia/Tokyo",
        "Asia//Tokyo",
        "../../etc/passwd",
        "/etc/passwd",
        "/etc/localtime",
        "Europe/../Asia/Tokyo",
        "Asia\\Tokyo",
        "posix/Asia/Tokyo",
        "right/UTC",
        "localtime",
        "posixrules",
        "Factory",
        "\x00",
        "Asia/Tokyo\x00",
        "UTC\x00../../etc/passwd",
        "Asia/T\u00f6kyo",
        "a" * 1000,
        "UTC+9",
    ],
)
def test_parse_timezone_rejects(name: str) -> None:
    with pytest.raises(InvalidTimezone) as excinfo:
        parse_timezone(name)
    assert excinfo.value.key == "error.invalid_timezone"
    assert excinfo.value.params["value"] == name


# --- explicit time ---------------------------------------------------------------------


def test_naive_datetimes_are_rejected() -> None:
    schedule = parse_schedule("daily 09:00")
    naive = datetime(2026, 1, 1, 12, 0)
    aware = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="timezone-aware"):
        next_due(schedule, TOKYO, naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        due_times_between(schedule, TOKYO, naive, aware)
    with pytest.raises(ValueError, match="timezone-aware"):
        due_times_between(schedule, TOKYO, aware, naive)


def test_next_due_in_tokyo_is_midnight_utc() -> None:
    schedule = parse_schedule("daily 09:00")
    result = next_due(schedule, TOKYO, z("2026-04-30T23:59"))
    assert result == z("2026-05-01T00:00")
    assert result.tzinfo is UTC
    # Strictly after: a fire time is not due again at its own instant.
    assert next_due(schedule, TOKYO, z("2026-05-01T00:00")) == z("2026-05-02T00:00")
    assert next_due(schedule, TOKYO, z("2026-04-30T23:59:59.999999")) == z("2026-05-01T00:00")
    # Any aware input works; 08:59 JST is 23:59 UTC the day before.
    jst = datetime(2026, 5, 1, 8, 59, tzinfo=TOKYO)
    assert next_due(schedule, TOKYO, jst) == z("2026-05-01T00:00")


def test_weekdays_skip_the_weekend() -> None:
    schedule = parse_schedule("weekdays 09:00")
    # Friday 2026-03-13 10:00 EDT -> Monday 2026-03-16 09:00 EDT.
    friday = datetime(2026, 3, 13, 10, 0, tzinfo=NY)
    assert next_due(schedule, NY, friday) == z("2026-03-16T13:00")
    week = due_times_between(schedule, NY, z("2026-03-15T00:00"), z("2026-03-22T00:00"))
    assert week == [z(f"2026-03-{day}T13:00") for day in (16, 17, 18, 19, 20)]


def test_weekly() -> None:
    schedule = parse_schedule("weekly wednesday 18:30")
    assert schedule.expression == "weekly wed 18:30"
    # 2026-06-03 is a Wednesday; London is on BST (UTC+1) in June.
    assert next_due(schedule, LONDON, z("2026-06-01T00:00")) == z("2026-06-03T17:30")
    assert next_due(schedule, LONDON, z("2026-06-03T17:30")) == z("2026-06-10T17:30")
    # In December it is GMT.
    assert next_due(schedule, LONDON, z("2026-12-01T00:00")) == z("2026-12-02T18:30")


def test_cron_expression() -> None:
    schedule = parse_schedule("0,30 8-10 * * mon-fri")
    # Friday 2026-01-09 from 09:00 JST (exclusive) to Monday 2026-01-12 09:30 JST.
    got = due_times_between(schedule, TOKYO, z("2026-01-09T00:00"), z("2026-01-12T00:30"))
    assert got == [
        z("2026-01-09T00:30"),  # Fri 09:30 JST
        z("2026-01-09T01:00"),
        z("2026-01-09T01:30"),  # Fri 10:30 JST
        z("2026-01-11T23:00"),  # Mon 08:00 JST
        z("2026-01-11T23:30"),
        z("2026-01-12T00:00"),
        z("2026-01-12T00:30"),  # Mon 09:30 JST, end is inclusive
    ]


def test_cron_leap_day() -> None:
    leap = parse_schedule("0 0 29 2 *")
    assert next_due(leap, UTC_ZONE, z("2026-01-01T00:00")) == z("2028-02-29T00:00")


@pytest.mark.parametrize(
    ("expression", "weekdays"),
    [
        ("0 9 * * 0", ["Sun"]),
        ("0 9 * * 7", ["Sun"]),
        ("0 9 * * sun", ["Sun"]),
        ("0 9 * * 1", ["Mon"]),
        ("0 9 * * 1-5", ["Mon", "Tue", "Wed", "Thu", "Fri"]),
        ("0 9 * * 5-7", ["Fri", "Sat", "Sun"]),
        ("0 9 * * 6/1", ["Sat", "Sun"]),
        ("0 9 * * */2", ["Tue", "Thu", "Sat", "Sun"]),
        ("0 9 * * 1-7/2", ["Mon", "Wed", "Fri", "Sun"]),
        ("0 9 * * sat,0", ["Sat", "Sun"]),
        ("0 9 * * 0-6", ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]),
    ],
)
def test_cron_day_of_week_uses_classic_numbering(expression: str, weekdays: list[str]) -> None:
    # The week of Monday 2026-03-02 .. Sunday 2026-03-08, in UTC.
    fires = due(expression, UTC_ZONE, z("2026-03-02T00:00"), z("2026-03-09T00:00"))
    assert [t.strftime("%a") for t in fires] == weekdays
    assert all((t.hour, t.minute) == (9, 0) for t in fires)


# --- daylight saving time: America/New_York, 2026 ----------------------------------------

# Local days 2026-03-03 .. 2026-03-12 (spring forward 2026-03-08 02:00 EST -> 03:00 EDT).
MARCH_START = datetime(2026, 3, 3, tzinfo=NY)
MARCH_END = datetime(2026, 3, 13, tzinfo=NY)
MARCH_DAYS = [date(2026, 3, d) for d in range(3, 13)]
# Local days 2026-10-28 .. 2026-11-06 (fall back 2026-11-01 02:00 EDT -> 01:00 EST).
NOVEMBER_START = datetime(2026, 10, 28, tzinfo=NY)
NOVEMBER_END = datetime(2026, 11, 7, tzinfo=NY)
NOVEMBER_DAYS = [date(2026, 10, d) for d in range(28, 32)] + [
    date(2026, 11, d) for d in range(1, 7)
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 02:30 does not exist on 03-08: it fires at 03:30 EDT (07:30 UTC), once.
        (
            "daily 02:30",
            "03-03T07:30 03-04T07:30 03-05T07:30 03-06T07:30 03-07T07:30 "
            "03-08T07:30 03-09T06:30 03-10T06:30 03-11T06:30 03-12T06:30",
        ),
        (
            "daily 01:30",
            "03-03T06:30 03-04T06:30 03-05T06:30 03-06T06:30 03-07T06:30 "
            "03-08T06:30 03-09T05:30 03-10T05:30 03-11T05:30 03-12T05:30",
        ),
        (
            "daily 09:00",
            "03-03T14:00 03-04T14:00 03-05T14:00 03-06T14:00 03-07T14:00 "
            "03-08T13:00 03-09T13:00 03-10T13:00 03-11T13:00 03-12T13:00",
        ),
    ],
)
def test_spring_forward_new_york(text: str, expected: str) -> None:
    schedule = parse_schedule(text)
    got = due_times_between(schedule, NY, MARCH_START, MARCH_END)
    assert got == [z("2026-" + e) for e in expected.split()]
    assert [t.astimezone(NY).date() for t in got] == MARCH_DAYS
    assert walk(schedule, NY, MARCH_START, MARCH_END) == got


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 01:30 happens twice on 11-01: it fires at the first one (01:30 EDT), once.
        (
            "daily 01:30",
            "10-28T05:30 10-29T05:30 10-30T05:30 10-31T05:30 11-01T05:30 "
            "11-02T06:30 11-03T06:30 11-04T06:30 11-05T06:30 11-06T06:30",
        ),
        (
            "daily 02:30",
            "10-28T06:30 10-29T06:30 10-30T06:30 10-31T06:30 11-01T07:30 "
            "11-02T07:30 11-03T07:30 11-04T07:30 11-05T07:30 11-06T07:30",
        ),
        (
            "daily 09:00",
            "10-28T13:00 10-29T13:00 10-30T13:00 10-31T13:00 11-01T14:00 "
            "11-02T14:00 11-03T14:00 11-04T14:00 11-05T14:00 11-06T14:00",
        ),
    ],
)
def test_fall_back_new_york(text: str, expected: str) -> None:
    schedule = parse_schedule(text)
    got = due_times_between(schedule, NY, NOVEMBER_START, NOVEMBER_END)
    assert got == [z("2026-" + e) for e in expected.split()]
    assert [t.astimezone(NY).date() for t in got] == NOVEMBER_DAYS
    assert walk(schedule, NY, NOVEMBER_START, NOVEMBER_END) == got


def test_half_hourly_cron_across_new_york_transitions() -> None:
    # Spring forward: 01:30 EST is followed by 03:00 EDT, thirty real minutes later.
    spring = due("*/30 * * * *", NY, z("2026-03-08T05:00"), z("2026-03-08T09:00"))
    assert spring == [z("2026-03-08T05:30") + timedelta(minutes=30 * i) for i in range(8)]
    # Fall back: a wildcard schedule keeps its real-time rhythm through the repeated hour
    # (01:00 EDT, 01:30 EDT, 01:00 EST, 01:30 EST).
    fall = due("*/30 * * * *", NY, z("2026-11-01T04:00"), z("2026-11-01T08:00"))
    assert fall == [z("2026-11-01T04:30") + timedelta(minutes=30 * i) for i in range(8)]


def test_fixed_hour_cron_fires_once_per_wall_time_on_fall_back() -> None:
    # Minute and hour both explicit: 01:00 and 01:30 fire at their first occurrence only.
    fixed = due("0,30 1 * * *", NY, z("2026-11-01T00:00"), z("2026-11-02T00:00"))
    assert fixed == [z("2026-11-01T05:00"), z("2026-11-01T05:30")]
    # A wildcard minute field makes it interval-like (Vixie cron): both passes fire.
    interval = due("*/30 1 * * *", NY, z("2026-11-01T00:00"), z("2026-11-02T00:00"))
    assert interval == [z("2026-11-01T05:00") + timedelta(minutes=30 * i) for i in range(4)]


def test_gap_slots_shift_forward() -> None:
    # 02:00, 02:20 and 02:40 do not exist on 2026-03-08; they shift to 03:00-03:40 EDT.
    got = due("*/20 2 * * *", NY, z("2026-03-08T00:00"), z("2026-03-09T00:00"))
    assert got == [z("2026-03-08T07:00"), z("2026-03-08T07:20"), z("2026-03-08T07:40")]
    hourly = due("15 * * * *", NY, z("2026-03-08T05:00"), z("2026-03-08T08:00"))
    assert hourly == [z("2026-03-08T05:15"), z("2026-03-08T06:15"), z("2026-03-08T07:15")]


def test_queries_from_inside_transitions() -> None:
    # A bot restarted at 03:10 EDT on spring-forward day still owes the 02:30 digest.
    assert next_due(parse_schedule("daily 02:30"), NY, z("2026-03-08T07:10")) == z(
        "2026-03-08T07:30"
    )
    daily = parse_schedule("daily 01:30")
    # After the first 01:30 (EDT), and during the repeated hour, the next run is tomorrow.
    for after in ("2026-11-01T05:30", "2026-11-01T05:45", "2026-11-01T06:10"):
        assert next_due(daily, NY, z(after)) == z("2026-11-02T06:30")
    # An hourly cron in the first 01:xx pass is next due at 01:00 EST.
    assert next_due(parse_schedule("0 * * * *"), NY, z("2026-11-01T05:45")) == z("2026-11-01T06:00")


def test_london_transitions() -> None:
    # 2026-03-29: 01:00 GMT -> 02:00 BST, so 01:30 shifts to 02:30 BST (01:30 UTC).
    spring = due("daily 01:30", LONDON, z("2026-03-27T12:00"), z("2026-03-31T12:00"))
    assert spring == [
        z("2026-03-28T01:30"),
        z("2026-03-29T01:30"),
        z("2026-03-30T00:30"),
        z("2026-03-31T00:30"),
    ]
    # 2026-10-25: 02:00 BST -> 01:00 GMT, so 01:30 fires at its first (BST) occurrence.
    fall = due("daily 01:30", LONDON, z("2026-10-23T12:00"), z("2026-10-27T12:00"))
    assert fall == [
        z("2026-10-24T00:30"),
        z("2026-10-25T00:30"),
        z("2026-10-26T01:30"),
        z("2026-10-27T01:30"),
    ]
    half_hourly = due("*/30 * * * *", LONDON, z("2026-10-24T23:30"), z("2026-10-25T02:00"))
    assert half_hourly == [z("2026-10-25T00:00") + timedelta(minutes=30 * i) for i in range(5)]


# --- the APScheduler trigger -----------------------------------------------------------


def trigger_walk(trigger: CronTrigger, start: datetime, end: datetime) -> list[datetime]:
    """Fire times as APScheduler's scheduler asks for them: from the previous fire time."""
    out: list[datetime] = []
    fire = trigger.get_next_fire_time(None, start + timedelta(microseconds=1))
    while fire is not None and fire <= end:
        out.append(fire.astimezone(UTC))
        fire = trigger.get_next_fire_time(fire, fire)
        assert fire is None or fire > out[-1], "the trigger must always move forward"
    return out


def test_trigger_is_a_cron_trigger_with_the_same_fire_times() -> None:
    for text in ("daily 01:30", "daily 02:30", "*/30 * * * *", "0 9 * * 0"):
        schedule = parse_schedule(text)
        trigger = schedule.trigger(NY)
        assert isinstance(trigger, CronTrigger)
        assert trigger.timezone == NY
        for start, end in ((MARCH_START, MARCH_END), (NOVEMBER_START, NOVEMBER_END)):
            expected = due_times_between(schedule, NY, start, end)
            assert trigger_walk(trigger, start, end) == expected
            restored = pickle.loads(pickle.dumps(trigger))
            assert trigger_walk(restored, start, end) == expected


def test_trigger_uses_classic_day_of_week() -> None:
    trigger = parse_schedule("0 9 * * 0").trigger(TOKYO)
    fire = trigger.get_next_fire_time(None, z("2026-03-02T00:00"))
    assert fire.astimezone(TOKYO) == datetime(2026, 3, 8, 9, 0, tzinfo=TOKYO)
    assert fire.astimezone(TOKYO).strftime("%a") == "Sun"


# --- property: walking next_due equals an independent brute-force oracle ----------------


@dataclass(frozen=True)
class Case:
    text: str
    matches: Callable[[datetime], bool]  # does this local wall time belong to the schedule?
    wildcard: bool  # minute or hour field starts with "*": repeated wall times fire twice
    daily: bool


def _at(hour: int, minute: int) -> Callable[[datetime], bool]:
    return lambda w: (w.hour, w.minute) == (hour, minute)


CASES = [
    Case("daily 09:00", _at(9, 0), wildcard=False, daily=True),
    Case("daily 02:30", _at(2, 30), wildcard=False, daily=True),
    Case("daily 01:30", _at(1, 30), wildcard=False, daily=True),
    Case("daily 00:30", _at(0, 30), wildcard=False, daily=True),
    Case("daily 23:30", _at(23, 30), wildcard=False, daily=True),
    Case("daily 02:45", _at(2, 45), wildcard=False, daily=True),
    Case(
        "weekdays 18:30",
        lambda w: w.weekday() < 5 and _at(18, 30)(w),
        wildcard=False,
        daily=False,
    ),
    Case(
        "weekly sun 02:15",
        lambda w: w.weekday() == 6 and _at(2, 15)(w),
        wildcard=False,
        daily=False,
    ),
    Case("*/30 * * * *", lambda w: w.minute % 30 == 0, wildcard=True, daily=False),
    Case(
        "15 1-3 * * *", lambda w: w.minute == 15 and 1 <= w.hour <= 3, wildcard=False, daily=False
    ),
    Case("*/20 2 * * *", lambda w: w.hour == 2 and w.minute % 20 == 0, wildcard=True, daily=False),
    Case(
        "0 0,12 * * 0",
        lambda w: w.weekday() == 6 and w.minute == 0 and w.hour % 12 == 0,
        wildcard=False,
        daily=False,
    ),
]

ZONES = [
    "America/New_York",
    "Europe/London",
    "Asia/Tokyo",
    "Australia/Lord_Howe",  # 30-minute DST shift
    "America/Santiago",  # transitions at local midnight
    "Pacific/Chatham",  # +12:45 / +13:45
    "Asia/Kolkata",
]


@cache
def transitions_2026(zone: str) -> tuple[datetime, ...]:
    """UTC instants in 2026 at which the zone's UTC offset changes."""
    tz = ZoneInfo(zone)
    found = []
    moment = z("2026-01-01T00:00")
    previous = moment.astimezone(tz).utcoffset()
    while moment.year == 2026:
        moment += timedelta(minutes=15)
        offset = moment.astimezone(tz).utcoffset()
        if offset != previous:
            found.append(moment)
            previous = offset
    return tuple(found)


def oracle(case: Case, tz: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    """Fire times by brute force over every local wall-clock minute (the spec, restated)."""
    wall = start.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0) - timedelta(days=1)
    last = end.astimezone(tz).replace(tzinfo=None) + timedelta(days=1)
    found: set[datetime] = set()
    while wall <= last:
        if case.matches(wall):
            first = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
            second = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
            found.add(first)  # unique, first occurrence, or shifted forward past a gap
            if case.wildcard and first < second:
                found.add(second)  # second occurrence of a repeated wall time
        wall += timedelta(minutes=1)
    return sorted(t for t in found if start < t <= end)


@st.composite
def instants(draw: st.DrawFn, zone: str) -> datetime:
    near = transitions_2026(zone)
    if len(near) > 0 and draw(st.booleans()):
        around = draw(st.sampled_from(near))
        return around + draw(
            st.timedeltas(min_value=timedelta(hours=-36), max_value=timedelta(hours=36))
        )
    return draw(
        st.datetimes(
            min_value=datetime(2026, 1, 1),
            max_value=datetime(2026, 12, 31),
            timezones=st.just(UTC),
        )
    )


@settings(max_examples=150, deadline=None)
@given(data=st.data(), case=st.sampled_from(CASES), zone=st.sampled_from(ZONES))
def test_walk_equals_due_times_and_oracle(data: st.DataObject, case: Case, zone: str) -> None:
    tz = ZoneInfo(zone)
    schedule = parse_schedule(case.text)
    start = data.draw(instants(zone), label="start")
    length = data.draw(
        st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=4)), label="length"
    )
    end = start + length

    expected = oracle(case, tz, start, end)
    listed = due_times_between(schedule, tz, start, end)
    walked = walk(schedule, tz, start, end)
    assert listed == expected
    assert walked == expected
    assert all(earlier < later for earlier, later in pairwise(walked))
    assert all(t.tzinfo is UTC for t in walked)
    assert trigger_walk(schedule.trigger(tz), start, end) == expected

    if case.daily:
        per_day = Counter(t.astimezone(tz).date() for t in walked)
        assert all(count == 1 for count in per_day.values())
        first_day = start.astimezone(tz).date()
        last_day = end.astimezone(tz).date()
        inner = [first_day + timedelta(days=i) for i in range(1, (last_day - first_day).days)]
        assert all(per_day[day] == 1 for day in inner)
