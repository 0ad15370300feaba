"""Checking an edited briefing file, what it changes, and the compare-and-swap that writes it."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest

from bot.authoring.changes import BriefingFiles, FileChanged, Review, SectionChange, diff_briefings
from bot.authoring.history import content_hash
from bot.briefings.loader import load_file
from bot.briefings.models import Briefing

NOW = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)
TOPIC = "harbour"

BASE = """\
title: Harbour works
summary: What the harbour works change.
language: en
updated: 2026-11-01
sections:
  - id: schedule
    heading: Schedule
    answer: Works start in May.
    published: 2026-11-01
  - id: traffic
    heading: Traffic
    answer: One lane stays open.
    published: 2026-11-01
  - id: costs
    heading: Costs
    answer: The city pays most of it.
    published: 2026-11-01
"""


def briefing(text: str, tmp_path: Path, topic: str = TOPIC) -> Briefing:
    folder = tmp_path / "parsed"
    folder.mkdir(exist_ok=True)
    path = folder / f"{topic}.yaml"
    path.write_text(text, encoding="utf-8")
    result = load_file(path)
    assert result.briefing is not None, result.problems
    return result.briefing


@pytest.fixture
def files(tmp_path: Path) -> BriefingFiles:
    folder = tmp_path / "briefings"
    folder.mkdir()
    (folder / f"{TOPIC}.yaml").write_text(BASE, encoding="utf-8")
    return BriefingFiles(folder)


def review(files: BriefingFiles, text: str, tmp_path: Path, **others: Briefing) -> Review:
    return files.review(
        TOPIC,
        text.encode("utf-8"),
        served=briefing(BASE, tmp_path),
        others={files.path_of(topic): b for topic, b in others.items()},
        stale_after_days=365,
    )


def test_the_diff_names_sections_added_removed_and_edited_with_their_fields(
    tmp_path: Path,
) -> None:
    new = (
        BASE.replace("Works start in May.", "Works start in June.")
        .replace("heading: Traffic", "heading: Road traffic")
        .replace(
            "  - id: costs\n    heading: Costs\n    answer: The city pays most of it.\n"
            "    published: 2026-11-01\n",
            "  - id: noise\n    heading: Noise\n    answer: Night work is banned.\n",
        )
        .replace("title: Harbour works", "title: Harbour works 2027")
    )
    diff = diff_briefings(briefing(BASE, tmp_path), briefing(new, tmp_path))
    assert diff.added == (SectionChange("noise", 3, "Noise"),)
    assert diff.removed == (SectionChange("costs", 3, "Costs"),)
    assert diff.edited == (
        SectionChange("schedule", 1, "Schedule", ("answer",)),
        SectionChange("traffic", 2, "Road traffic", ("heading",)),
    )
    assert diff.fields == ("title",)
    assert not diff.reordered
    assert not diff.is_new
    assert diff.changes_anything


def test_moving_a_section_is_a_reorder_not_an_edit(tmp_path: Path) -> None:
    old = briefing(BASE, tmp_path)
    moved = old.model_copy(update={"sections": (old.sections[1], old.sections[0], old.sections[2])})
    diff = diff_briefings(old, moved)
    assert (diff.added, diff.removed, diff.edited) == ((), (), ())
    assert diff.reordered
    assert diff.changes_anything


def test_the_same_briefing_changes_nothing_and_a_new_one_adds_every_section(
    tmp_path: Path,
) -> None:
    old = briefing(BASE, tmp_path)
    assert not diff_briefings(old, old).changes_anything
    fresh = diff_briefings(None, old)
    assert fresh.is_new
    assert [change.id for change in fresh.added] == ["schedule", "traffic", "costs"]


def test_a_review_checks_the_bytes_as_the_file_of_that_topic(
    files: BriefingFiles, tmp_path: Path
) -> None:
    broken = BASE.replace("    answer: One lane stays open.\n", "").replace(
        "id: costs", "id: Costs"
    )
    checked = review(files, broken, tmp_path)
    assert checked.briefing is None
    assert checked.diff is None
    assert [(p.line, p.column, p.path, p.message) for p in checked.errors] == [
        (10, 5, "sections[1].answer", "required field is missing"),
        (
            13,
            9,
            "sections[2].id",
            "'Costs' is not a slug: use lowercase a-z, 0-9 and single dashes",
        ),
    ]
    assert (files.directory / f"{TOPIC}.yaml").read_text(encoding="utf-8") == BASE
    assert list(files.directory.iterdir()) == [files.directory / f"{TOPIC}.yaml"]


def test_a_review_refuses_an_id_that_is_not_the_topic(files: BriefingFiles, tmp_path: Path) -> None:
    checked = review(files, "id: ferry\n" + BASE, tmp_path)
    [error] = checked.errors
    assert (error.line, error.column, error.path) == (1, 5, "id")
    assert error.message == "id 'ferry' must equal the file name 'harbour'"


def test_a_review_refuses_an_alias_another_topic_owns(files: BriefingFiles, tmp_path: Path) -> None:
    other = briefing(
        BASE.replace("title: Harbour works", "title: Ferry\naliases: [port]"), tmp_path, "ferry"
    )
    checked = review(
        files, BASE.replace("updated:", "aliases: [port]\nupdated:"), tmp_path, ferry=other
    )
    [error] = checked.errors
    assert (error.line, error.column, error.path) == (4, 11, "aliases[0]")
    assert error.message.startswith("'port' is already used as an id or alias by ")
    assert error.message.endswith("ferry.yaml")


def test_a_valid_review_records_the_base_and_the_diff(files: BriefingFiles, tmp_path: Path) -> None:
    text = BASE.replace("Works start in May.", "Works start in June.")
    checked = review(files, text, tmp_path)
    assert checked.errors == ()
    assert checked.base_hash == content_hash(BASE.encode("utf-8"))
    assert checked.diff is not None
    assert [c.id for c in checked.diff.edited] == ["schedule"]
    assert not checked.identical
    assert review(files, BASE, tmp_path).identical


def test_apply_keeps_the_old_file_in_history_and_writes_the_new_one(
    files: BriefingFiles, tmp_path: Path
) -> None:
    text = BASE.replace("Works start in May.", "Works start in June.")
    applied = files.apply(review(files, text, tmp_path), NOW)
    assert applied.path == files.directory / f"{TOPIC}.yaml"
    assert applied.path.read_text(encoding="utf-8") == text
    assert applied.kept is not None
    assert applied.kept.number == 1
    assert applied.kept.read() == BASE.encode("utf-8")
    assert [(v.number, same) for v, same in files.versions(TOPIC)] == [(1, False)]


def test_apply_refuses_when_the_file_changed_since_the_review(
    files: BriefingFiles, tmp_path: Path
) -> None:
    checked = review(files, BASE.replace("May", "June"), tmp_path)
    edited_by_hand = BASE.replace("May", "July")
    files.path_of(TOPIC).write_text(edited_by_hand, encoding="utf-8")
    with pytest.raises(FileChanged, match="changed since"):
        files.apply(checked, NOW)
    assert files.path_of(TOPIC).read_text(encoding="utf-8") == edited_by_hand
    assert files.history.versions(TOPIC) == []


def test_a_new_topic_is_created_only_if_nobody_created_it_meanwhile(
    files: BriefingFiles, tmp_path: Path
) -> None:
    checked = files.review("ferry", BASE.encode(), served=None, others={}, stale_after_days=365)
    assert checked.base_hash is None
    assert checked.diff is not None
    assert checked.diff.is_new
    files.path_of("ferry").write_text(BASE, encoding="utf-8")  # someone else was quicker
    with pytest.raises(FileChanged):
        files.apply(checked, NOW)
    files.path_of("ferry").unlink()
    applied = files.apply(checked, NOW)
    assert applied.kept is None
    assert applied.path.read_bytes() == BASE.encode()


def test_a_file_with_errors_cannot_be_applied(files: BriefingFiles, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="errors"):
        files.apply(review(files, "title: only\n", tmp_path), NOW)


def test_of_two_applies_racing_from_the_same_base_exactly_one_wins(
    files: BriefingFiles, tmp_path: Path
) -> None:
    texts = [BASE.replace("May", month) for month in ("June", "July", "August", "September")]
    reviews = [review(files, text, tmp_path) for text in texts]
    start = threading.Barrier(len(reviews))
    outcomes: list[str] = []

    def apply(checked: Review) -> None:
        start.wait()
        try:
            files.apply(checked, NOW)
            outcomes.append("applied")
        except FileChanged:
            outcomes.append("refused")

    threads = [threading.Thread(target=apply, args=(checked,)) for checked in reviews]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["applied", "refused", "refused", "refused"]
    assert files.path_of(TOPIC).read_text(encoding="utf-8") in texts
    [kept] = files.history.versions(TOPIC)
    assert kept.read() == BASE.encode()
