"""Tests for bot.authoring.commands: what `briefbot import` and `briefbot new` print and write."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.authoring.commands import (
    EXIT_ERRORS,
    EXIT_OK,
    EXIT_USAGE,
    id_from_file_name,
    is_valid_id,
    run_import,
    run_new,
)
from bot.briefings.loader import load_file

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED_DOCUMENT = FIXTURES / "000_ab7953d3101c5e50.txt"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with `briefings/` and a copy of each fixture document."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "briefings").mkdir()
    for name in (SEED_DOCUMENT.name, "harbour-ferry.txt"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    return tmp_path


def test_import_writes_the_briefing_and_prints_its_problems_like_validate(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_import(Path(SEED_DOCUMENT.name), "ukraine-ceasefire", Path("briefings"))

    captured = capsys.readouterr()
    assert code == EXIT_OK
    assert captured.err == ""
    assert captured.out.splitlines() == [
        "briefings/ukraine-ceasefire.yaml:54:14: warning: sections[1].sources[0].url: source "
        "'ニュースサイト' is stale: published 2022-01-04, 1165 days before the briefing's "
        "update (365 allowed)",
        "briefings/ukraine-ceasefire.yaml:66:9: warning: sections[2].id: section has no "
        "published date",
        "wrote briefings/ukraine-ceasefire.yaml: 3 section(s), 0 error(s), 2 warning(s)",
    ]
    result = load_file(workdir / "briefings" / "ukraine-ceasefire.yaml")
    assert result.errors == ()
    assert result.briefing is not None
    assert result.briefing.title.startswith("ウクライナ停戦協議?")


def test_import_prints_its_own_doubts_with_the_document_line(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_import(Path("harbour-ferry.txt"), None, Path("briefings"), stale_after_days=365)

    out = capsys.readouterr().out.splitlines()
    assert code == EXIT_OK
    assert out[0] == (
        "harbour-ferry.txt:12:1: warning: sections[0].sources[0].url: the URL ran into the text "
        "after it: read as https://ferries.example/winter-2025, with 'Late-shift' starting the "
        "commentary; check both"
    )
    assert out[-1] == "wrote briefings/harbour-ferry.yaml: 3 section(s), 0 error(s), 2 warning(s)"


def test_import_takes_the_id_from_the_file_name_by_default(workdir: Path) -> None:
    assert run_import(Path(SEED_DOCUMENT.name), None, Path("briefings")) == EXIT_OK

    assert (workdir / "briefings" / "000-ab7953d3101c5e50.yaml").is_file()


def test_import_uses_stale_after_days(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_import(Path(SEED_DOCUMENT.name), "ukraine", Path("briefings"), stale_after_days=2000)

    assert capsys.readouterr().out.splitlines()[-1].endswith("0 error(s), 1 warning(s)")


def test_import_never_overwrites_a_file(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    existing = workdir / "briefings" / "ukraine.yaml"
    existing.write_text("keep me\n", encoding="utf-8")

    code = run_import(Path(SEED_DOCUMENT.name), "ukraine", Path("briefings"))

    captured = capsys.readouterr()
    assert code == EXIT_ERRORS
    assert existing.read_text(encoding="utf-8") == "keep me\n"
    assert captured.out == ""
    assert captured.err == (
        "briefbot import: briefings/ukraine.yaml already exists; not overwriting it "
        "(choose another id, or move the file away first)\n"
    )


def test_import_reports_an_id_already_taken_in_the_output_folder(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(ROOT / "briefings" / "ukraine-ceasefire.yaml", workdir / "briefings")

    # The hand-made briefing has the alias `ukraine` and sorts first, so it keeps it.
    code = run_import(Path(SEED_DOCUMENT.name), "ukraine", Path("briefings"))

    out = capsys.readouterr().out.splitlines()
    assert code == EXIT_ERRORS
    assert out[0].startswith("briefings/ukraine.yaml:")
    assert out[0].endswith(
        ": error: id: 'ukraine' is already used as an id or alias "
        "by briefings/ukraine-ceasefire.yaml"
    )
    assert out[-1].startswith("wrote briefings/ukraine.yaml: 0 section(s), 1 error(s)")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("missing.txt", None, "briefings"), "briefbot import: no such file: missing.txt"),
        (
            ("harbour-ferry.txt", "Harbour Ferry", "briefings"),
            "briefbot import: 'Harbour Ferry' is not a valid id: use lowercase a-z, 0-9 and "
            "single dashes (at most 64 characters)",
        ),
        (("harbour-ferry.txt", None, "nowhere"), "briefbot import: no such folder: nowhere"),
        (
            ("___.txt", None, "briefings"),
            "briefbot import: cannot make an id from the name '___.txt': give --id",
        ),
    ],
)
def test_import_usage_errors_exit_2_and_write_nothing(
    workdir: Path,
    capsys: pytest.CaptureFixture[str],
    arguments: tuple[str, str | None, str],
    message: str,
) -> None:
    (workdir / "___.txt").write_text("✅ a point\n", encoding="utf-8")
    path, topic_id, output = arguments

    code = run_import(Path(path), topic_id, Path(output))

    assert code == EXIT_USAGE
    assert capsys.readouterr().err == message + "\n"
    assert list((workdir / "briefings").iterdir()) == []


def test_import_of_a_document_without_sections_exits_1_and_writes_nothing(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "notes.txt").write_text("Just a title\nand a paragraph.\n", encoding="utf-8")

    code = run_import(Path("notes.txt"), None, Path("briefings"))

    assert code == EXIT_ERRORS
    assert capsys.readouterr().err.startswith("briefbot import: notes.txt: no section found")
    assert list((workdir / "briefings").iterdir()) == []


def test_import_of_a_file_that_is_not_utf8_exits_1(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "latin.txt").write_bytes(b"caf\xe9\n")

    code = run_import(Path("latin.txt"), None, Path("briefings"))

    assert code == EXIT_ERRORS
    assert capsys.readouterr().err.startswith("briefbot import: cannot read latin.txt:")


def test_import_whose_result_has_errors_still_writes_it_and_exits_1(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = SEED_DOCUMENT.read_text(encoding="utf-8").replace("公開日:2025/03/14", "公開日:不明")
    (workdir / "undated.txt").write_text(text, encoding="utf-8")

    code = run_import(Path("undated.txt"), None, Path("briefings"))

    out = capsys.readouterr().out.splitlines()
    assert code == EXIT_ERRORS
    assert out[0].startswith(
        "undated.txt:7:1: warning: sections[0].published: '不明' is not a date"
    )
    assert any(": error: sections[0].published: " in line for line in out)
    assert (workdir / "briefings" / "undated.yaml").is_file()


def test_new_writes_a_template_that_loads(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_new("harbour-ferry", Path("briefings"))

    assert code == EXIT_OK
    assert capsys.readouterr().out == (
        "wrote briefings/harbour-ferry.yaml: 1 section(s), 0 error(s), 0 warning(s)\n"
    )
    assert load_file(workdir / "briefings" / "harbour-ferry.yaml").briefing is not None


def test_new_never_overwrites_a_file(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    existing = workdir / "briefings" / "harbour-ferry.yaml"
    existing.write_text("keep me\n", encoding="utf-8")

    code = run_new("harbour-ferry", Path("briefings"))

    assert code == EXIT_ERRORS
    assert existing.read_text(encoding="utf-8") == "keep me\n"
    assert "already exists; not overwriting it" in capsys.readouterr().err


@pytest.mark.parametrize(("topic_id", "output"), [("Bad_Id", "briefings"), ("ok", "nowhere")])
def test_new_usage_errors_exit_2(workdir: Path, topic_id: str, output: str) -> None:
    assert run_new(topic_id, Path(output)) == EXIT_USAGE
    assert list((workdir / "briefings").iterdir()) == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Harbour Ferry.txt", "harbour-ferry"),
        ("000_ab7953d3101c5e50.txt", "000-ab7953d3101c5e50"),
        ("--x--.txt", "x"),
        ("停戦.txt", None),
        ("a" * 70 + ".txt", "a" * 64),
    ],
)
def test_id_from_file_name(name: str, expected: str | None) -> None:
    assert id_from_file_name(Path(name)) == expected


def test_is_valid_id() -> None:
    assert is_valid_id("harbour-ferry")
    assert not is_valid_id("harbour--ferry")
    assert not is_valid_id("a" * 65)
