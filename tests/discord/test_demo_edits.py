"""The demo's scripted edits to briefing files, and its durations, without Discord."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.discord.demo.briefing_edits import (
    ScriptedEdit,
    apply_edit,
    edit_briefing_file,
    parse_edit,
)
from bot.discord.demo.digest_commands import parse_duration

SEED_NAME = "ukraine-ceasefire.yaml"


def briefing() -> dict[str, Any]:
    return {
        "title": "Ferry",
        "sections": [
            {"id": "times", "heading": "Times", "answer": "Two crossings.", "points": ["a"]},
            {"id": "fares", "heading": "Fares", "answer": "Unchanged."},
        ],
    }


@pytest.mark.parametrize(
    ("typed", "parsed"),
    [
        ("answer 1 Three crossings.", ScriptedEdit("answer", "1", "Three crossings.")),
        ("HEADING fares New fares", ScriptedEdit("heading", "fares", "New fares")),
        ("point 2   Cards accepted.  ", ScriptedEdit("point", "2", "Cards accepted.")),
        ("add Night boats | None yet.", ScriptedEdit("add", text="Night boats|None yet.")),
        ("remove 2", ScriptedEdit("remove", "2")),
    ],
)
def test_parse_edit(typed: str, parsed: ScriptedEdit) -> None:
    assert parse_edit(typed) == parsed


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("rename 1 x", "no edit 'rename'"),
        ("", "no edit ''"),
        ("answer", "answer needs a section number"),
        ("answer 1", "answer needs the new text"),
        ("add just a heading", "add takes a heading and an answer"),
        ("add | only an answer", "add takes a heading and an answer"),
        ("remove 1 2", "remove takes only a section"),
    ],
)
def test_parse_edit_explains_mistakes(typed: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_edit(typed)


def test_apply_edit_changes_only_what_it_says() -> None:
    data = briefing()
    untouched = copy.deepcopy(data["sections"][1])
    assert apply_edit(data, parse_edit("answer 1 Three.")) == "section 1 “Times” has a new answer"
    assert data["sections"][0]["answer"] == "Three."
    assert apply_edit(data, parse_edit("point times b")) == "section 1 “Times” has a new key point"
    assert data["sections"][0]["points"] == ["a", "b"]
    assert apply_edit(data, parse_edit("point 2 first")) == "section 2 “Fares” has a new key point"
    assert data["sections"][1]["points"] == ["first"]
    del data["sections"][1]["points"]
    assert data["sections"][1] == untouched
    assert data["title"] == "Ferry"


def test_added_sections_get_unique_ids() -> None:
    data = briefing()
    assert apply_edit(data, parse_edit("add Times | Again.")) == (
        "added section 3 “Times” (id times-2)"
    )
    assert apply_edit(data, parse_edit("add 夜の便 | まだない。")) == (
        "added section 4 “夜の便” (id section-4)"
    )
    assert data["sections"][-1] == {"id": "section-4", "heading": "夜の便", "answer": "まだない。"}


def test_remove_and_its_limits() -> None:
    data = briefing()
    assert apply_edit(data, parse_edit("remove fares")) == "removed section 2 “Fares”"
    assert [s["id"] for s in data["sections"]] == ["times"]
    with pytest.raises(ValueError, match="at least one section"):
        apply_edit(data, parse_edit("remove 1"))
    with pytest.raises(ValueError, match="no section '0'; give a number from 1 to 1 or an id"):
        apply_edit(data, parse_edit("answer 0 x"))
    with pytest.raises(ValueError, match="no list of sections"):
        apply_edit({"title": "no sections"}, parse_edit("answer 1 x"))


def test_editing_a_file_keeps_everything_else(briefings_dir: Path) -> None:
    path = briefings_dir / SEED_NAME
    before = yaml.safe_load(path.read_text(encoding="utf-8"))
    done = edit_briefing_file(path, parse_edit("answer 2 新しい答え。"))
    assert done == "section 2 “米ロ首脳会談の可能性” has a new answer"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=briefing.schema.json\n")
    after = yaml.safe_load(text)
    assert after["sections"][1]["answer"] == "新しい答え。"
    after["sections"][1]["answer"] = before["sections"][1]["answer"]
    assert after == before  # dates, multi-line text and order survive the rewrite
    assert isinstance(after["updated"], dt.date)


def test_a_broken_file_is_not_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("title: [unclosed\n", encoding="utf-8")
    with pytest.raises(ValueError, match="is not valid YAML now"):
        edit_briefing_file(path, parse_edit("answer 1 x"))
    assert path.read_text(encoding="utf-8") == "title: [unclosed\n"


@pytest.mark.parametrize(
    ("typed", "hours"),
    [("30m", 0.5), ("2h", 2), ("1d", 24), ("1d12h", 36), ("1w", 168), ("1D 2H", 26)],
)
def test_parse_duration(typed: str, hours: float) -> None:
    assert parse_duration(typed) == dt.timedelta(hours=hours)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "not a duration"),
        ("2", "not a duration"),
        ("two hours", "not a duration"),
        ("2x", "not a duration"),
        ("1d-2h", "not a duration"),
        ("0h", "above zero"),
        ("401d", "at most 400 days"),
        ("99999999999999999999d", "at most 400 days"),
    ],
)
def test_parse_duration_refuses(typed: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_duration(typed)
