"""Write the examples in docs/digests.md from the bot itself, so that the page stays true.

Each example is real output: the demo (`briefbot demo`: the real bot against simcord's
simulated Discord) runs one fixed session on a copy of `briefings/`, and the schedule
table comes from `bot.digests.schedule`. Every example goes between its markers in the
page:

    <!-- digest-example: NAME -->
    ...written by this script...
    <!-- /digest-example -->

Usage, from the repository's root:

    .venv/bin/python scripts/digest_examples.py          # rewrite the examples
    .venv/bin/python scripts/digest_examples.py --check  # exit 1 if the page is out of date

`tests/e2e/test_digest_examples.py` fails when the page and this script disagree.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import re
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bot.config import Settings  # noqa: E402
from bot.digests.schedule import next_due, parse_schedule, parse_timezone  # noqa: E402
from bot.discord.demo import run_lines  # noqa: E402
from bot.errors import InvalidSchedule  # noqa: E402

DOCUMENT = REPO_ROOT / "docs" / "digests.md"
BRIEFINGS = REPO_ROOT / "briefings"
_MARKER = re.compile(
    r"(<!-- digest-example: (?P<name>[a-z0-9-]+) -->\n)(?P<body>.*?)(<!-- /digest-example -->)",
    re.DOTALL,
)
_SECTION_LINE = re.compile(r"^» # example: (?P<name>[a-z0-9-]+)$")

# The demo session, in parts: each `# example: NAME` line starts the example NAME.
SESSION = """\
# example: subscribe
as moderator
/digest subscribe channel:#news schedule:daily 09:00 timezone:UTC
# example: first-digest
tick
# example: change-digest
edit ukraine-ceasefire answer 1 米露の接触が続き、首脳会談の準備が進む。
tick
# example: catch-up-digest
tick 20h
edit ukraine-ceasefire point 2 首脳会談の日程は未定のまま。
edit ukraine-ceasefire remove 3
offline 6h
# example: full-digest
/digest subscribe channel:#announcements schedule:weekly mon 09:00 timezone:UTC mode:full
/digest preview channel:#announcements
# example: skipped
offline 2d
/digest list
# example: refused
as member
/digest subscribe channel:#news
as moderator
/digest subscribe channel:#briefings
/digest subscribe channel:#news schedule:0 9 1 * mon
"""

# Schedules shown in the syntax table: the expression and what it means.
SCHEDULES = (
    ("daily 09:00", "every day at 09:00"),
    ("daily 7:30", "every day at 07:30 (stored as `daily 07:30`)"),
    ("weekdays 08:30", "Monday to Friday at 08:30"),
    ("weekly mon 09:00", "Mondays at 09:00"),
    ("weekly friday 17:00", "Fridays at 17:00 (stored as `weekly fri 17:00`)"),
    ("0 */6 * * *", "every six hours, on the hour"),
    ("30 7 * * 1-5", "Monday to Friday at 07:30 (cron numbers days 0-7, Sunday is 0 and 7)"),
    ("0 9 * * sun", "Sundays at 09:00 (`0 9 * * 0` and `0 9 * * 7` too)"),
    ("0 9 1 * *", "the first of every month at 09:00"),
    ("0 18 * jan-mar fri", "Fridays at 18:00, January to March only"),
    ("0 9 1 * mon", "(rejected)"),
    ("0 0 30 2 *", "(rejected)"),
    ("daily 25:00", "(rejected)"),
)
SCHEDULE_START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # the demo's clock starts here too
SCHEDULE_ZONE = "UTC"
# Around daylight-saving changes in New York: the schedule, from when, and what happens.
DST_EXAMPLES = (
    ("daily 02:30", dt.datetime(2026, 3, 7, tzinfo=dt.UTC), "02:30 does not exist on 03-08"),
    ("daily 01:30", dt.datetime(2026, 10, 31, tzinfo=dt.UTC), "01:30 happens twice on 11-01"),
    ("*/30 1 * * *", dt.datetime(2026, 11, 1, 4, tzinfo=dt.UTC), "a wildcard cron, on 11-01"),
)
DST_ZONE = "America/New_York"


def example_settings(scratch: Path) -> Settings:
    """Settings that do not depend on the reader's config.yaml (the demo copies briefings)."""
    return Settings(
        briefings_dir=BRIEFINGS,
        database_path=scratch / "unused.sqlite3",  # the demo uses its own temporary one
        default_timezone="UTC",
        watch=False,
    )


async def session_examples() -> dict[str, str]:
    """Run the demo session once and cut its transcript into the named examples."""
    parts: dict[str, list[str]] = {}
    current: list[str] | None = None

    def write(text: str) -> None:
        nonlocal current
        for line in text.splitlines() or [""]:
            section = _SECTION_LINE.match(line)
            if section is not None:
                current = parts.setdefault(section.group("name"), [])
            elif current is not None:
                current.append(line.rstrip())

    with tempfile.TemporaryDirectory(prefix="briefbot-examples-") as scratch:
        await run_lines(example_settings(Path(scratch)), SESSION.splitlines(), write, echo=True)
    return {name: fenced("\n".join(lines).strip("\n")) for name, lines in parts.items()}


def fenced(text: str) -> str:
    """A ```text block (demo output: `»` lines are what was typed)."""
    return f"```text\n{text}\n```\n"


def schedule_table() -> str:
    """The schedule examples, each with its next three due times from the bot's own code."""
    zone = parse_timezone(SCHEDULE_ZONE)
    rows = [
        "| schedule | means | next three digests after Thu 2026-01-01 00:00 UTC |",
        "|---|---|---|",
    ]
    for expression, meaning in SCHEDULES:
        try:
            schedule = parse_schedule(expression)
        except InvalidSchedule as error:
            reason = error.params.get("reason") or f"not one of {error.params['accepted']}"
            rows.append(f"| `{expression}` | rejected: {reason} | |")
            continue
        times, after = [], SCHEDULE_START
        for _ in range(3):
            after = next_due(schedule, zone, after)
            times.append(after.strftime("%a %m-%d %H:%M"))
        rows.append(f"| `{expression}` | {meaning} | {', '.join(times)} |")
    return "\n".join(rows) + "\n"


def daylight_saving_table() -> str:
    """When schedules in New York fire around the clock changes, from the bot's own code."""
    zone = parse_timezone(DST_ZONE)
    rows = [f"| schedule in {DST_ZONE} | around | fires at (local time, UTC) |", "|---|---|---|"]
    for expression, start, around in DST_EXAMPLES:
        schedule = parse_schedule(expression)
        times, after = [], start
        for _ in range(3 if expression.startswith("daily") else 4):
            after = next_due(schedule, zone, after)
            local = after.astimezone(zone)
            times.append(f"{local:%m-%d %H:%M %Z} ({after:%H:%M} UTC)")
        rows.append(f"| `{expression}` | {around} | {', '.join(times)} |")
    return "\n".join(rows) + "\n"


async def all_examples() -> dict[str, str]:
    """Every example the page shows, by marker name."""
    examples = await session_examples()
    examples["schedule-table"] = schedule_table()
    examples["daylight-saving-table"] = daylight_saving_table()
    return examples


def update_document(text: str, examples: dict[str, str]) -> str:
    """The page with each marker's body replaced; ValueError if markers and examples differ."""
    found = [match.group("name") for match in _MARKER.finditer(text)]
    if sorted(found) != sorted(examples):
        raise ValueError(
            f"the page's markers {sorted(found)} do not match the examples {sorted(examples)}"
        )

    def replace(match: re.Match[str]) -> str:
        return f"{match.group(1)}{examples[match.group('name')]}{match.group(4)}"

    return _MARKER.sub(replace, text)


def main(argv: list[str] | None = None) -> int:
    """Rewrite the examples in docs/digests.md, or with --check say whether they are current."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the page is outdated")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    current = DOCUMENT.read_text(encoding="utf-8")
    updated = update_document(current, asyncio.run(all_examples()))
    if args.check:
        if updated != current:
            print(f"{DOCUMENT.relative_to(REPO_ROOT)} is out of date: run {Path(__file__).name}")
            return 1
        print(f"{DOCUMENT.relative_to(REPO_ROOT)} is up to date")
        return 0
    if updated != current:
        DOCUMENT.write_text(updated, encoding="utf-8")
        print(f"rewrote the examples in {DOCUMENT.relative_to(REPO_ROOT)}")
    else:
        print(f"{DOCUMENT.relative_to(REPO_ROOT)} was up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
