"""The start-up cache: the next start-up reads only the files that changed since."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from types import MappingProxyType

import pytest

from bot.briefings.library import Library
from bot.briefings.reload import Catalog, ReloadReport, reload_catalog
from bot.briefings.validation import StaleSource
from bot.briefings.warm_start import (
    cache_key,
    read_cached_files,
    write_cached_files,
    write_cached_files_apart,
)
from tests.conftest import SEED_BRIEFING
from tests.support.briefing_files import SMALL, write

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


def load(catalog: Catalog, folder: Path) -> tuple[Catalog, Library, ReloadReport]:
    return reload_catalog(catalog, folder, stale_after_days=365, now=NOW)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    briefings = tmp_path / "briefings"
    briefings.mkdir()
    write(briefings / "alpha.yaml", SMALL.format(title="Alpha", answer="One."))
    (briefings / SEED_BRIEFING.name).write_bytes(SEED_BRIEFING.read_bytes())
    return briefings


def start_from_cache(cache: Path, folder: Path) -> tuple[Catalog, Library, ReloadReport]:
    files, reason = read_cached_files(cache, cache_key(365))
    assert files is not None, reason
    return load(Catalog(MappingProxyType(files)), folder)


def test_a_start_up_from_the_cache_reads_no_unchanged_file(folder: Path, tmp_path: Path) -> None:
    catalog, library, report = load(Catalog(), folder)
    cache = tmp_path / "data" / "briefbot.briefings-cache"
    write_cached_files(cache, cache_key(365), catalog.files)

    _, again, report_again = start_from_cache(cache, folder)

    assert report.files_read == 2
    assert report_again.files_read == 0
    assert dict(again.briefings) == dict(library.briefings)
    assert report_again.added == ("alpha", "ukraine-ceasefire")  # as any start-up reports
    assert [str(p) for p in report_again.problems] == [str(p) for p in report.problems]
    assert again.search("停戦") == library.search("停戦")
    assert oct(cache.stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in cache.parent.iterdir()] == [cache.name]  # no temporary left


def test_a_file_changed_while_the_bot_was_down_is_read_again(folder: Path, tmp_path: Path) -> None:
    catalog, _, _ = load(Catalog(), folder)
    cache = tmp_path / "cache"
    write_cached_files(cache, cache_key(365), catalog.files)
    write(folder / "alpha.yaml", SMALL.format(title="Alpha", answer="Two."))
    (folder / SEED_BRIEFING.name).unlink()

    _, library, report = start_from_cache(cache, folder)

    assert report.files_read == 1
    assert library.briefings["alpha"].sections[0].answer == "Two."
    assert "ukraine-ceasefire" not in library.briefings


def test_a_broken_edit_made_while_down_keeps_serving_the_last_good_version(
    folder: Path, tmp_path: Path
) -> None:
    catalog, _, _ = load(Catalog(), folder)
    cache = tmp_path / "cache"
    write_cached_files(cache, cache_key(365), catalog.files)
    write(folder / "alpha.yaml", "title: [unclosed\n")

    _, library, report = start_from_cache(cache, folder)

    assert library.briefings["alpha"].sections[0].answer == "One."
    (error,) = report.errors
    assert error.file.endswith("alpha.yaml")
    assert error.message.startswith("invalid YAML:")


def test_a_cache_written_under_other_settings_is_not_read(folder: Path, tmp_path: Path) -> None:
    catalog, _, _ = load(Catalog(), folder)
    cache = tmp_path / "cache"
    write_cached_files(cache, cache_key(365), catalog.files)

    files, reason = read_cached_files(cache, cache_key(30))  # stale sources judged otherwise

    assert files is None
    assert reason == f"start-up cache {cache} was written by another version; ignoring it"


@pytest.mark.parametrize("content", [b"", b"not a pickle", b"\x80\x05K\x01."])
def test_a_damaged_cache_reads_as_none_with_the_reason(tmp_path: Path, content: bytes) -> None:
    cache = tmp_path / "cache"
    cache.write_bytes(content)

    files, reason = read_cached_files(cache, cache_key(365))

    assert files is None
    assert reason.startswith(f"start-up cache {cache} is unreadable (")


def test_no_cache_yet(tmp_path: Path) -> None:
    assert read_cached_files(tmp_path / "cache", cache_key(365)) == (None, "no start-up cache yet")


def test_briefings_read_from_the_cache_share_what_a_load_shares(
    folder: Path, tmp_path: Path
) -> None:
    seed = SEED_BRIEFING.read_text(encoding="utf-8")
    write(folder / "second.yaml", seed.replace("aliases: [ukraine]", "aliases: [second]", 1))
    catalog, _, _ = load(Catalog(), folder)
    cache = tmp_path / "cache"
    write_cached_files(cache, cache_key(365), catalog.files)

    _, library, report = start_from_cache(cache, folder)

    first, second = library.briefings["ukraine-ceasefire"], library.briefings["second"]
    assert first.sections[1].sources[0].name is second.sections[1].sources[0].name
    assert first.updated is second.updated
    # A stale-source warning still reads the (shared) source it is about.
    stale = [p for p in report.warnings if "is stale" in p.message]
    assert len(stale) == 2
    assert {id(p.text.source) for p in stale if isinstance(p.text, StaleSource)} == {
        id(first.sections[1].sources[0]),
        id(second.sections[1].sources[0]),
    }
    assert all(p.text.updated is first.updated for p in stale if isinstance(p.text, StaleSource))


def test_writing_apart_leaves_the_bot_s_strings_as_they_were(folder: Path, tmp_path: Path) -> None:
    catalog, library, _ = load(Catalog(), folder)
    point = library.briefings["ukraine-ceasefire"].sections[0].points[0]
    size = sys.getsizeof(point)
    assert size == sys.getsizeof(point.encode().decode())  # no UTF-8 copy kept inside yet

    write_cached_files_apart(tmp_path / "apart", cache_key(365), catalog.files)
    assert sys.getsizeof(point) == size
    assert read_cached_files(tmp_path / "apart", cache_key(365))[0] is not None

    # In this process, pickling keeps each Japanese string's UTF-8 copy inside it.
    write_cached_files(tmp_path / "here", cache_key(365), catalog.files)
    assert sys.getsizeof(point) > size
