"""Reloading keeps each file's last good version and reports exactly what changed."""

from __future__ import annotations

import datetime as dt
import weakref
from pathlib import Path

import pytest

from bot.briefings.library import Library
from bot.briefings.reload import Catalog, ReloadReport, release_gradually, reload_catalog
from tests.conftest import SEED_BRIEFING
from tests.support.briefing_files import SMALL, write

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


def reload(
    catalog: Catalog, directory: Path, *, force: bool = False
) -> tuple[Catalog, Library, ReloadReport]:
    return reload_catalog(catalog, directory, stale_after_days=365, now=NOW, force=force)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "alpha.yaml").write_text(SMALL.format(title="Alpha", answer="One."), "utf-8")
    (tmp_path / "ukraine-ceasefire.yaml").write_bytes(SEED_BRIEFING.read_bytes())
    return tmp_path


def test_first_reload_adds_every_valid_file(folder: Path) -> None:
    _, library, report = reload(Catalog(), folder)
    assert report.loaded == ("alpha", "ukraine-ceasefire")
    assert report.added == ("alpha", "ukraine-ceasefire")
    assert report.changed == report.removed == ()
    assert report.errors == ()
    assert len(report.warnings) == 2  # the seed's stale source and undated section
    assert report.files_read == 2
    assert library.get("ukraine") is library.briefings["ukraine-ceasefire"]


def test_an_edit_is_reported_as_changed_and_served(folder: Path) -> None:
    catalog, _, _ = reload(Catalog(), folder)
    write(folder / "alpha.yaml", SMALL.format(title="Alpha", answer="Two."))
    _, library, report = reload(catalog, folder)
    assert report.changed == ("alpha",)
    assert report.added == report.removed == ()
    assert report.files_read == 1  # the unchanged seed is not parsed again
    assert library.briefings["alpha"].sections[0].answer == "Two."


def test_a_broken_edit_keeps_the_last_good_version_and_reports_the_line(folder: Path) -> None:
    catalog, _, _ = reload(Catalog(), folder)
    broken = SMALL.format(title="Alpha", answer="Three.").replace("    published:", "    publishd:")
    write(folder / "alpha.yaml", broken)
    catalog, library, report = reload(catalog, folder)
    assert library.briefings["alpha"].sections[0].answer == "One."
    assert report.changed == ()
    [error] = report.errors
    assert (error.file.endswith("alpha.yaml"), error.line, error.column) == (True, 9, 5)
    assert error.path == "sections[0].publishd"
    assert error.message == "unknown key 'publishd'; did you mean 'published'?"
    # The error stays reported while the file stays broken, even when nothing is re-read.
    _, library, report = reload(catalog, folder)
    assert report.files_read == 0
    assert len(report.errors) == 1
    assert library.briefings["alpha"].sections[0].answer == "One."


def test_fixing_the_file_clears_the_error(folder: Path) -> None:
    catalog, _, _ = reload(Catalog(), folder)
    write(folder / "alpha.yaml", "title: [unclosed\n")
    catalog, _, report = reload(catalog, folder)
    assert len(report.errors) == 1
    write(folder / "alpha.yaml", SMALL.format(title="Alpha", answer="Fixed."))
    _, library, report = reload(catalog, folder)
    assert report.errors == ()
    assert report.changed == ("alpha",)
    assert library.briefings["alpha"].sections[0].answer == "Fixed."


def test_other_files_still_apply_when_one_is_broken(folder: Path) -> None:
    catalog, _, _ = reload(Catalog(), folder)
    write(folder / "alpha.yaml", "sections: 3\n")
    write(folder / "beta.yaml", SMALL.format(title="Beta", answer="New."))
    _, library, report = reload(catalog, folder)
    assert report.added == ("beta",)
    assert sorted(library.briefings) == ["alpha", "beta", "ukraine-ceasefire"]
    assert {p.file.rsplit("/", 1)[-1] for p in report.errors} == {"alpha.yaml"}


def test_a_deleted_file_removes_its_topic(folder: Path) -> None:
    catalog, _, _ = reload(Catalog(), folder)
    (folder / "alpha.yaml").unlink()
    _, library, report = reload(catalog, folder)
    assert report.removed == ("alpha",)
    assert library.get("alpha") is None


def test_a_file_that_never_loaded_is_absent_with_its_error(folder: Path) -> None:
    write(folder / "gamma.yaml", "title: Gamma\n")
    _, library, report = reload(Catalog(), folder)
    assert library.get("gamma") is None
    assert "gamma" not in report.loaded
    assert {p.message for p in report.errors} >= {"required field is missing"}


def test_an_alias_clash_keeps_the_topic_that_was_serving(folder: Path) -> None:
    catalog, _, _ = reload(Catalog(), folder)
    write(
        folder / "aaa.yaml",
        SMALL.format(title="A", answer="x").replace(
            "language: en", "language: en\naliases: [ukraine]"
        ),
    )
    _, library, report = reload(catalog, folder)
    assert library.get("ukraine") is library.briefings["ukraine-ceasefire"]
    assert library.get("aaa") is None
    [error] = report.errors
    assert error.path == "aliases[0]"
    assert "already used" in error.message


def test_force_rereads_every_file(folder: Path) -> None:
    catalog, _, _ = reload(Catalog(), folder)
    _, _, report = reload(catalog, folder, force=True)
    assert report.files_read == 2
    assert report.changed == ()


def test_the_previous_library_is_never_modified(folder: Path) -> None:
    catalog, before, _ = reload(Catalog(), folder)
    write(folder / "alpha.yaml", SMALL.format(title="Alpha", answer="Changed."))
    reload(catalog, folder)
    assert before.briefings["alpha"].sections[0].answer == "One."


def test_a_replaced_snapshot_is_released_briefing_by_briefing(folder: Path) -> None:
    catalog, library, _ = reload(Catalog(), folder)
    watched = [weakref.ref(catalog), weakref.ref(library), *(weakref.ref(b) for b in library)]
    assert len(watched) > 2
    replaced: list[object] = [catalog, library]
    del catalog, library

    release_gradually(replaced)

    assert replaced == []
    assert [ref() for ref in watched] == [None] * len(watched)
