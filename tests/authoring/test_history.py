"""Kept versions of briefing files, and replacing a file in one step."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from bot.authoring.history import (
    HISTORY_LIMIT,
    History,
    VersionNotFound,
    content_hash,
    read_bytes,
    write_atomically,
)
from bot.briefings.loader import briefing_files
from bot.briefings.reload import Catalog, reload_catalog
from tests.conftest import SEED_BRIEFING

NOON = dt.datetime(2026, 11, 30, 12, 0, 0, 123456, tzinfo=dt.UTC)
TOPIC = "ukraine-ceasefire"


def at(minutes: int) -> dt.datetime:
    return NOON + dt.timedelta(minutes=minutes)


def test_versions_are_numbered_kept_newest_first_and_read_back_exactly(tmp_path: Path) -> None:
    history = History(tmp_path)
    first = history.save(TOPIC, b"one\n", at(0))
    second = history.save(TOPIC, "二\r\n".encode(), at(1))
    assert (first.number, second.number) == (1, 2)
    assert first.path == tmp_path / ".history" / TOPIC / "1-20261130T120000Z.yaml"
    assert second.saved_at == dt.datetime(2026, 11, 30, 12, 1, tzinfo=dt.UTC)
    assert [v.number for v in history.versions(TOPIC)] == [2, 1]
    assert history.versions(TOPIC) == [second, first]
    assert history.get(TOPIC, 2).read() == "二\r\n".encode()
    assert history.get(TOPIC, 1).size == 4


def test_only_the_newest_20_are_kept_and_numbers_are_never_reused(tmp_path: Path) -> None:
    history = History(tmp_path)
    for minute in range(HISTORY_LIMIT + 5):
        history.save(TOPIC, f"version {minute + 1}\n".encode(), at(minute))
    numbers = [v.number for v in history.versions(TOPIC)]
    assert numbers == list(range(25, 5, -1))
    assert len(list((tmp_path / ".history" / TOPIC).iterdir())) == HISTORY_LIMIT
    assert history.get(TOPIC, 25).read() == b"version 25\n"
    with pytest.raises(VersionNotFound):
        history.get(TOPIC, 5)
    assert history.save(TOPIC, b"next\n", at(99)).number == 26


def test_the_same_second_twice_still_gives_two_versions(tmp_path: Path) -> None:
    history = History(tmp_path)
    history.save(TOPIC, b"a\n", NOON)
    history.save(TOPIC, b"b\n", NOON)
    assert [v.read() for v in history.versions(TOPIC)] == [b"b\n", b"a\n"]


def test_topics_have_separate_histories_and_stray_files_are_ignored(tmp_path: Path) -> None:
    history = History(tmp_path, keep=2)
    history.save(TOPIC, b"a\n", NOON)
    history.save("moon-base", b"m\n", NOON)
    (tmp_path / ".history" / TOPIC / "notes.txt").write_text("not a version")
    (tmp_path / ".history" / TOPIC / "7-garbage.yaml").write_text("not a version")
    assert [v.topic for v in history.versions(TOPIC)] == [TOPIC]
    assert [v.read() for v in history.versions("moon-base")] == [b"m\n"]
    assert history.versions("never-edited") == []


@pytest.mark.parametrize("topic", ["../escape", "a/b", "", "Upper", ".history", "x" * 65])
def test_a_topic_must_be_an_id_so_no_path_leaves_the_folder(tmp_path: Path, topic: str) -> None:
    history = History(tmp_path)
    with pytest.raises(ValueError, match="not a topic id"):
        history.save(topic, b"x", NOON)
    with pytest.raises(ValueError, match="not a topic id"):
        history.versions(topic)
    assert list(tmp_path.iterdir()) == []


def test_an_atomic_write_replaces_the_whole_file_and_keeps_its_permissions(tmp_path: Path) -> None:
    path = tmp_path / "topic.yaml"
    path.write_bytes(b"old text that is longer than the new one\n")
    os.chmod(path, 0o640)
    old = path.stat()
    write_atomically(path, b"new\n")
    new = path.stat()
    assert path.read_bytes() == b"new\n"
    assert new.st_ino != old.st_ino  # a new file renamed into place, not rewritten in place
    assert new.st_mode & 0o777 == 0o640
    assert new.st_mtime_ns >= old.st_mtime_ns + 1_000_000_000  # a reload's (mtime, size) sees it
    assert [p.name for p in tmp_path.iterdir()] == ["topic.yaml"]


def test_an_atomic_write_creates_a_new_file_readable_by_all(tmp_path: Path) -> None:
    path = tmp_path / "new-topic.yaml"
    write_atomically(path, b"title: x\n")
    assert path.read_bytes() == b"title: x\n"
    assert path.stat().st_mode & 0o777 == 0o644


def test_a_failed_atomic_write_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "topic.yaml"
    path.write_bytes(b"old\n")

    def failing_replace(source: str, target: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="No space left"):
        write_atomically(path, b"new\n")
    assert path.read_bytes() == b"old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["topic.yaml"]


def test_content_hashes_and_reading_a_missing_file(tmp_path: Path) -> None:
    assert content_hash(None) is None
    assert content_hash(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert read_bytes(tmp_path / "absent.yaml") is None


def test_the_loader_and_a_reload_never_see_the_history(tmp_path: Path) -> None:
    served = tmp_path / f"{TOPIC}.yaml"
    served.write_bytes(SEED_BRIEFING.read_bytes())
    history = History(tmp_path)
    for minute in range(3):
        history.save(TOPIC, SEED_BRIEFING.read_bytes(), at(minute))
    # A temporary file of an interrupted write is not a briefing either.
    (tmp_path / f".{TOPIC}.yaml.abc123.tmp").write_bytes(b"half a fi")
    assert briefing_files([tmp_path]) == [served]
    catalog, library, report = reload_catalog(Catalog(), tmp_path, stale_after_days=365, now=NOON)
    assert list(catalog.files) == [served]
    assert [b.id for b in library] == [TOPIC]
    assert report.errors == ()
