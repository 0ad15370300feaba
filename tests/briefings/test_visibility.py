"""Embargo and expiry in the pure core: `Library.visible(now)`, search, autocomplete, digests.

The fixtures in tests/fixtures/embargo/: `harbour-ferry` expires on 1 April; its section
`night-bus` is embargoed until 2 January 09:00 UTC and `old-fares` expires on 3 January
09:00 UTC. `lighthouse` is embargoed until 2 January 09:00 in Tokyo (00:00 UTC).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from bot.briefings.library import Library, load_library
from bot.briefings.presentation import plain_text_preview
from bot.briefings.visibility import hidden_parts
from bot.digests.compose import compose_digest, take_snapshot
from bot.errors import SectionNotFound, TopicNotFound

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "embargo"
BEFORE = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)  # lighthouse and night-bus embargoed
DURING = dt.datetime(2026, 1, 2, 12, tzinfo=dt.UTC)  # everything visible
AFTER = dt.datetime(2026, 1, 3, 12, tzinfo=dt.UTC)  # old-fares expired
GONE = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)  # harbour-ferry expired


@pytest.fixture(scope="module")
def library() -> Library:
    loaded, result = load_library([FIXTURES])
    assert result.problems == []
    return loaded


def section_ids(library: Library, topic: str) -> list[str]:
    briefing = library.get(topic)
    return [] if briefing is None else [s.id for s in briefing.sections]


def test_visibility_before_during_and_after(library: Library) -> None:
    assert [b.id for b in library.visible(BEFORE)] == ["harbour-ferry"]
    assert section_ids(library.visible(BEFORE), "harbour-ferry") == ["what-changes", "old-fares"]

    assert [b.id for b in library.visible(DURING)] == ["harbour-ferry", "lighthouse"]
    assert section_ids(library.visible(DURING), "harbour-ferry") == [
        "what-changes",
        "night-bus",
        "old-fares",
    ]

    assert section_ids(library.visible(AFTER), "harbour-ferry") == ["what-changes", "night-bus"]
    assert [b.id for b in library.visible(GONE)] == ["lighthouse"]
    # The full library, for admins and the preview, keeps everything.
    assert [b.id for b in library] == ["harbour-ferry", "lighthouse"]
    assert len(section_ids(library, "harbour-ferry")) == 3


def test_the_moment_itself_belongs_to_what_it_starts() -> None:
    loaded, _ = load_library([FIXTURES])
    publish = dt.datetime(2026, 1, 2, 9, tzinfo=dt.UTC)
    expires = dt.datetime(2026, 1, 3, 9, tzinfo=dt.UTC)

    assert "night-bus" not in section_ids(
        loaded.visible(publish - dt.timedelta(seconds=1)), "harbour-ferry"
    )
    assert "night-bus" in section_ids(loaded.visible(publish), "harbour-ferry")
    assert "old-fares" in section_ids(
        loaded.visible(expires - dt.timedelta(seconds=1)), "harbour-ferry"
    )
    assert "old-fares" not in section_ids(loaded.visible(expires), "harbour-ferry")


def test_one_view_per_interval_and_none_without_embargoes(library: Library) -> None:
    assert library.visible(DURING) is library.visible(DURING + dt.timedelta(hours=1))
    assert library.visible(BEFORE) is not library.visible(DURING)
    open_library, _ = load_library([Path(__file__).resolve().parents[2] / "briefings"])
    assert open_library.visible(BEFORE) is open_library


def test_now_must_have_a_time_zone(library: Library) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        library.visible(dt.datetime(2026, 1, 2, 12))


def test_sections_are_numbered_as_members_see_them(library: Library) -> None:
    view = library.visible(BEFORE)
    briefing = view.find_topic("harbour-ferry")

    assert view.find_section(briefing, "2").id == "old-fares"
    with pytest.raises(SectionNotFound):
        view.find_section(briefing, "night-bus")


def test_lookup_autocomplete_and_search_follow_the_clock(library: Library) -> None:
    before, during, gone = library.visible(BEFORE), library.visible(DURING), library.visible(GONE)

    with pytest.raises(TopicNotFound):
        before.find_topic("lighthouse")
    assert during.find_topic("lighthouse").id == "lighthouse"
    assert [b.id for b in before.complete_topics("light")] == []
    assert [b.id for b in during.complete_topics("light")] == ["lighthouse"]
    ferry = before.find_topic("harbour-ferry")
    assert [s.id for s in before.complete_sections(ferry, "night")] == []
    assert [
        s.id for s in during.complete_sections(during.find_topic("harbour-ferry"), "night")
    ] == ["night-bus"]

    assert before.search("gondola") == []
    assert [(h.briefing_id, h.section_id) for h in during.search("gondola")] == [
        ("harbour-ferry", "night-bus")
    ]
    assert before.search("zeppelin") == []
    assert [h.briefing_id for h in during.search("zeppelin")] == ["lighthouse"]
    assert [h.section_id for h in library.visible(AFTER).search("pelican")] == []
    assert [h.section_id for h in during.search("pelican")] == ["old-fares"]
    assert gone.search("ferry") == []


def test_a_digest_counts_a_section_that_appears_as_new_and_one_that_expires_as_removed(
    library: Library,
) -> None:
    before = library.visible(BEFORE)
    first = compose_digest(before, None, "changes", ())
    assert [(c.briefing.id, c.section.id, c.kind) for c in first.changes] == [
        ("harbour-ferry", "what-changes", "new"),
        ("harbour-ferry", "old-fares", "new"),
    ]

    during = compose_digest(library.visible(DURING), None, "changes", first.snapshot)
    assert [(c.briefing.id, c.section.id, c.kind) for c in during.changes] == [
        ("harbour-ferry", "night-bus", "new"),
        ("lighthouse", "reopening", "new"),
    ]
    assert during.removed == ()

    after = compose_digest(library.visible(AFTER), None, "changes", during.snapshot)
    assert after.changes == ()
    assert [(r.briefing_id, r.heading) for r in after.removed] == [
        ("harbour-ferry", "Old fares until January")
    ]
    # Nothing moved: a second digest at the same moment has nothing to say.
    assert compose_digest(library.visible(AFTER), None, "changes", after.snapshot).is_empty


def test_embargo_fields_are_not_content(library: Library) -> None:
    # Moving a publication date never makes a section "changed" in digests.
    night_bus = library.find_topic("harbour-ferry").sections[1]
    assert night_bus.publish_at is not None
    moved = dataclasses.replace(night_bus, publish_at=None)
    assert moved.content_hash == night_bus.content_hash
    assert take_snapshot([library.visible(AFTER).find_topic("harbour-ferry")])[1].section_id == (
        "night-bus"
    )


def test_preview_shows_everything_and_marks_what_members_cannot_see(library: Library) -> None:
    text = plain_text_preview(library, "harbour-ferry", None, BEFORE)

    assert "── section 2 · id night-bus · hidden from members: embargoed until " in text
    assert "2026-01-02T09:00:00+00:00 ──" in text
    assert "── section 3 · id old-fares ──" in text
    assert "The night bus replacement" in text
    lighthouse = plain_text_preview(library, "lighthouse", None, BEFORE)
    assert lighthouse.startswith(
        "── lighthouse · hidden from members: embargoed until 2026-01-02T09:00:00+09:00 ──\n"
    )
    expired = plain_text_preview(library, "harbour-ferry", "old-fares", AFTER)
    assert expired.startswith(
        "── section 3 · id old-fares · hidden from members: expired 2026-01-03T09:00:00+00:00 ──"
    )


def test_admins_get_a_line_for_each_hidden_part(library: Library) -> None:
    assert hidden_parts(library, BEFORE) == [
        "`harbour-ferry` › `night-bus` The night bus replacement · embargoed until "
        "2026-01-02T09:00:00+00:00",
        "`lighthouse` · embargoed until 2026-01-02T09:00:00+09:00",
    ]
    assert hidden_parts(library, DURING) == []
    assert hidden_parts(library, GONE) == [
        "`harbour-ferry` · expired 2026-04-01T00:00:00+00:00",
        "`harbour-ferry` › `old-fares` Old fares until January · expired 2026-01-03T09:00:00+00:00",
    ]
