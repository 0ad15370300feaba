"""`/digest why` in words, pure: run lines and the summary of what would be sent now."""

from __future__ import annotations

import datetime as dt

from bot.briefings.library import load_library
from bot.digests.compose import compose_digest
from bot.digests.explain import jump_link, run_line, waiting_line
from bot.digests.records import UNPUBLISHED, DigestRun
from tests.conftest import REAL_BRIEFINGS

AT = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
STAMP = f"<t:{int(AT.timestamp())}:f>"


def test_a_sent_run_links_to_its_message_and_counts_unpublished_messages() -> None:
    run = DigestRun(7, AT, "sent", AT, channel_id=22, message_id=33, detail=f"{UNPUBLISHED}2")
    assert run_line(run, 11, "en") == (
        f"{STAMP}: sent the digest due {STAMP} {jump_link(11, 22, 33)} (2 message(s) not "
        "published: Discord allows 10 publications per channel an hour)"
    )
    assert jump_link(11, 22, 33) == "https://discord.com/channels/11/22/33"


def test_failures_name_the_code_and_the_reason_in_words() -> None:
    paused = DigestRun(7, AT, "paused", AT, code=50001, reason="Missing Access")
    assert run_line(paused, 11, "en") == (
        f"{STAMP}: paused (50001): I cannot see the channel (View Channel)"
    )
    retrying = DigestRun(7, AT, "retrying", AT, code=503, reason="Service Unavailable (503)")
    assert run_line(retrying, 11, "ja") == (
        f"{STAMP}: 失敗 (503)、次の実行で再試行: Service Unavailable (503)"
    )


def test_what_waits_is_counted_and_a_few_headings_named() -> None:
    library, _ = load_library([REAL_BRIEFINGS], now=AT)
    first = compose_digest(library, None, "changes", ())
    line = waiting_line(first, "en")
    sections = sum(len(b.sections) for b in library)
    assert line.startswith(f"{sections} new, 0 changed, 0 removed section(s): ")
    headings = [change.section.heading for change in first.changes]
    assert line.split(": ", 1)[1] == ", ".join(headings[:3]) + (", …" if sections > 3 else "")
    after = compose_digest(library, None, "changes", first.snapshot)
    assert waiting_line(after, "en") == "Nothing new: no digest would be posted."
    full = compose_digest(library, None, "full", first.snapshot)
    assert waiting_line(full, "en") == f"A full summary of {len(list(library))} briefing(s)."


def test_a_locked_thread_pause_says_what_permission_would_reopen_it() -> None:
    paused = DigestRun(7, AT, "paused", AT, code=50083, reason="Operation cannot be performed")
    assert run_line(paused, 11, "en") == (
        f"{STAMP}: paused (50083): the thread is archived and locked, and I may not reopen it "
        "(Manage Threads)"
    )
