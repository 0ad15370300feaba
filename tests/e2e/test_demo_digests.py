"""Digests in the demo: who may use them, `tick`, `offline`, `edit` and `channel`, end to end."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bot.config import Settings
from bot.discord.demo import run_lines
from tests.support.digest_world import (
    EDITED_ANSWER,
    FIRST_ANSWER,
    FIRST_HEADING,
    SECTION_HEADINGS,
    SEED_NAME,
)

SUBSCRIBE_NEWS = "/digest subscribe channel:#news schedule:daily 09:00 timezone:UTC"


async def session(settings: Settings, *lines: str, interactive: bool = False) -> list[str]:
    """Run the demo; the output of each typed line, in order (`» line` first)."""
    output: list[str] = []
    await run_lines(settings, list(lines), output.append, echo=True, interactive=interactive)
    steps: list[str] = []
    for text in output:
        if text.startswith("» "):
            steps.append(text)
        elif steps:
            steps[-1] += "\n" + text
    typed = [line for line in lines if line.strip()]
    assert [step.splitlines()[0] for step in steps] == [f"» {line}" for line in typed]
    return steps


async def test_subscribe_tick_edit_tick_shows_only_the_change(settings: Settings) -> None:
    seed = settings.briefings_dir / SEED_NAME
    original = seed.read_bytes()
    steps = await session(
        settings,
        SUBSCRIBE_NEWS,
        "as moderator",
        SUBSCRIBE_NEWS,
        "tick",
        f"edit ukraine-ceasefire answer 1 {EDITED_ANSWER}",
        "tick",
        "/digest list",
        "channel news",
        "as member",
        "/briefing-admin status",
        "as admin",
        "/briefing-admin status",
    )
    refused, _, subscribed, first, edited, second, listed, news, _, not_admin, _, status = steps
    assert "/digest subscribe is hidden from member" in refused
    assert "type as moderator first" in refused
    assert "Subscribed #news to all topics: `daily 09:00` (UTC), changes only." in subscribed
    assert "Next digest 2026-01-01 09:00 UTC" in subscribed

    assert "→ Thu 2026-01-01 09:00 UTC (to the next due digest)" in first
    assert "Posted in #news at Thu 2026-01-01 09:00 UTC (1 message):" in first
    for heading in SECTION_HEADINGS:
        assert f"▸ 🆕 新規 · {heading}" in first
    assert FIRST_ANSWER in first

    assert "section 1 “米露間の交渉の可能性” has a new answer" in edited
    assert "Reloaded: ukraine-ceasefire changed." in edited

    assert "Posted in #news at Fri 2026-01-02 09:00 UTC (1 message):" in second
    assert f"▸ ✏️ 更新 · {FIRST_HEADING}" in second
    assert EDITED_ANSWER in second
    assert FIRST_ANSWER not in second
    assert "🆕" not in second
    assert all(f"· {heading}" not in second for heading in SECTION_HEADINGS[1:])
    assert "Next digest: #news at Sat 2026-01-03 09:00 UTC." in second

    assert "== Digest subscriptions ==\n▸ #news\n  ✅ Active" in listed
    assert "Next digest: 2026-01-03 09:00 UTC (in 1 day)" in listed
    assert "Last digest: 2026-01-02 09:00 UTC" in listed

    assert "#news (text channel), 2 message(s), oldest first:" in news
    assert news.count("**Digest: what changed**") == 2

    assert "Only the bot's owner, configured admins and members with" in not_admin
    assert "== briefbot status ==" not in not_admin
    assert "== briefbot status ==" in status
    assert "1 active, 0 paused, 0 failing" in status

    assert seed.read_bytes() == original, "the demo edits its own copy, never the folder"
    assert "Traceback" not in "\n".join(steps)


async def test_tick_moves_the_clock_by_a_duration_or_a_day(settings: Settings) -> None:
    steps = await session(
        settings,
        "tick    # as the README writes it",
        "tick 2h30m",
        "tick 1w",
        "tick 0m",
        "tick soon",
        "tick 401d",
    )
    empty, short, week, zero, word, too_long = steps
    assert "Thu 2026-01-01 00:00 UTC → Fri 2026-01-02 00:00 UTC (one day" in empty
    assert "Nothing was posted." in empty
    assert "No digest is scheduled: subscribe a channel first" in empty
    assert "Fri 2026-01-02 00:00 UTC → Fri 2026-01-02 02:30 UTC" in short
    assert "→ Fri 2026-01-09 02:30 UTC" in week
    assert "! give a duration above zero" in zero
    assert "! not a duration: 'soon'; try 30m, 2h, 1d" in word
    assert "at most 400 days" in too_long


async def test_a_long_tick_delivers_at_every_due_time_on_the_way(settings: Settings) -> None:
    steps = await session(
        settings,
        "as moderator",
        "/digest subscribe channel:#news schedule:0 */6 * * * timezone:UTC",
        "tick 13h",
        "edit ukraine-ceasefire heading 2 首脳会談の行方",
        "tick 1d",
    )
    three_runs, edited, day = steps[2:]
    assert "Posted in #news at Thu 2026-01-01 06:00 UTC" in three_runs
    assert "#news: nothing new at Thu 2026-01-01 12:00 UTC since its last digest" in three_runs
    assert "Next digest: #news at Thu 2026-01-01 18:00 UTC." in three_runs
    assert "section 2 “米ロ首脳会談の可能性” has a new heading" in edited
    assert day.count("Posted in #news") == 1
    assert "Posted in #news at Thu 2026-01-01 18:00 UTC" in day
    assert "▸ ✏️ 更新 · 首脳会談の行方" in day


async def test_offline_catches_up_what_is_recent_and_skips_what_is_too_late(
    settings: Settings,
) -> None:
    steps = await session(
        settings,
        "as moderator",
        SUBSCRIBE_NEWS,
        "tick",
        "tick 20h",
        "edit ukraine-ceasefire remove 3",
        "offline 6h",
        "edit ukraine-ceasefire add Talks resume | Both delegations arrived.",
        "offline 2d",
        "/digest list",
        "offline",
    )
    caught_up, edited, late, listed, no_duration = steps[5:]
    assert "offline from Fri 2026-01-02 05:00 UTC to Fri 2026-01-02 11:00 UTC" in caught_up
    assert (
        "Posted in #news at Fri 2026-01-02 11:00 UTC, a catch-up of the digest due "
        "Fri 2026-01-02 09:00 UTC (1 message):"
    ) in caught_up
    assert f"• ~~{SECTION_HEADINGS[2]}~~" in caught_up
    assert "added section 3 “Talks resume” (id talks-resume)" in edited
    # Saturday 09:00 is two days late: skipped. Sunday 09:00 is two hours late: caught up.
    assert "#news: digests due from Sat 2026-01-03 09:00 UTC to" in late
    assert "were more than 6 hours late, so they were skipped" in late
    assert "a catch-up of the digest due Sun 2026-01-04 09:00 UTC" in late
    assert "▸ 🆕 新規 · Talks resume" in late
    assert "Skipped: digests due between 2026-01-03 09:00 UTC and" in listed
    assert "! offline for how long?" in no_duration


async def test_paused_subscriptions_post_nothing_until_resumed(settings: Settings) -> None:
    steps = await session(
        settings,
        "as moderator",
        SUBSCRIBE_NEWS,
        "/digest pause channel:#news",
        "tick 2d",
        "/digest resume channel:#news",
        "tick",
    )
    paused, resumed, after = steps[3], steps[4], steps[5]
    assert "Nothing was posted." in paused
    assert "No digest is scheduled: every subscription is paused or failing." in paused
    assert "Digests for #news are back on. Next digest 2026-01-03 09:00 UTC." in resumed
    assert "Posted in #news at Sat 2026-01-03 09:00 UTC (1 message):" in after


async def test_scripted_edit_mistakes_are_explained(settings: Settings) -> None:
    steps = await session(
        settings,
        "edit",
        "edit nowhere answer 1 x",
        "edit ukraine-ceasefire rename 1 x",
        "edit ukraine-ceasefire answer 9 x",
        "edit ukraine-ceasefire answer 1",
        "edit ukraine-ceasefire add no answer here",
        "edit ukraine-ceasefire remove 1 now",
        "edit ukraine-ceasefire",
    )
    no_topic, unknown, action, section, text, add, remove, no_editor = steps
    assert "! edit which briefing?" in no_topic
    assert "! no briefing 'nowhere'; topics: ukraine-ceasefire" in unknown
    assert "! no edit 'rename'; the scripted edits are:" in action
    assert "edit TOPIC answer N TEXT" in action
    assert "! no section '9'; give a number from 1 to 3 or an id" in section
    assert "! answer needs the new text" in text
    assert "! add takes a heading and an answer" in add
    assert "! remove takes only a section" in remove
    assert "! no editor to open" in no_editor
    assert "edit TOPIC remove N" in no_editor


async def test_edit_opens_the_editor_in_a_terminal(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import pathlib, sys\n"
        "path = pathlib.Path(sys.argv[1])\n"
        f"path.write_text(path.read_text(encoding='utf-8').replace({FIRST_ANSWER!r}, "
        f"{EDITED_ANSWER!r}), encoding='utf-8')\n",
        encoding="utf-8",
    )
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    lines = ("as moderator", SUBSCRIBE_NEWS, "tick", "edit ukraine", "tick")
    piped = await session(settings, *lines)
    assert "! no editor to open (the input is not a terminal)" in piped[3]
    steps = await session(settings, *lines, interactive=True)
    assert "Edited the demo's copy of ukraine-ceasefire.yaml: saved in your editor." in steps[3]
    assert f"▸ ✏️ 更新 · {FIRST_HEADING}" in steps[4]
    assert EDITED_ANSWER in steps[4]


async def test_channels_roles_and_people_of_the_demo_server(settings: Settings) -> None:
    steps = await session(
        settings,
        "server",
        "channel",
        "channel briefings",
        "channel #nope",
        "as moderator",
        "/digest subscribe channel:#briefings",
        "/digest subscribe channel:#announcements mode:full timezone:UTC",
        "tick",
        "channel announcements",
        "as someone",
        "as m",
    )
    server, channels, forum, nope, _, in_forum, subscribed, tick, received, someone, ambiguous = (
        steps
    )
    assert "#briefings      forum" in server
    assert "#announcements  announcement channel" in server
    assert "Roles: @Briefing readers, @Moderators, @Admins" in server
    assert "member     no special permissions; has the @Briefing readers role  ← you" in server
    assert "#news           text channel          0 message(s)" in channels
    assert "#briefings (forum) has received nothing yet." in forum
    assert "! no channel '#nope'; channels: #general, #news, #briefings, #announcements" in nope
    assert "Subscribed #briefings to all topics" in in_forum
    assert "Each digest opens a new post" in in_forum
    assert "Subscribed #announcements to all topics" in subscribed
    assert "Posted in #announcements at Thu 2026-01-01 09:00 UTC (1 message):" in tick
    assert "Next digest: #briefings at Fri 2026-01-02 00:00 UTC." in tick
    assert "**Digest**" in tick
    assert "#announcements (announcement channel), 1 message(s)" in received
    assert "! no one called 'someone'" in someone
    assert "! no one called 'm'" in ambiguous  # member or moderator?
