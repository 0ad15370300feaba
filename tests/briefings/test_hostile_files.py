"""Hostile and oversized briefing files: the section limit, the problem limit, exact positions.

How long refusing them takes is in `tests/test_growth.py`; here is what is reported.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.briefings.loader import FileResult, load_file
from bot.briefings.problems import MAX_PROBLEMS_PER_FILE, display_path
from bot.briefings.validation import MAX_SECTIONS
from bot.briefings.yaml_tree import NodeIndex, locate
from tests.support.big_briefings import (
    many_sections_yaml,
    repeated_keys_yaml,
    same_key_yaml,
    unknown_keys_yaml,
)

HEAD_LINES = 8  # lines of the valid briefing the hostile keys follow


def load_text(tmp_path: Path, text: str, name: str = "hostile.yaml") -> FileResult:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_file(path)


def where(result: FileResult) -> list[tuple[int, int, str, str]]:
    return [(p.line, p.column, p.path, p.message) for p in result.problems]


# --- The section limit -------------------------------------------------------------------


def test_the_section_limit_is_250() -> None:
    assert MAX_SECTIONS == 250


def test_a_briefing_of_exactly_the_limit_loads(tmp_path: Path) -> None:
    result = load_text(tmp_path, many_sections_yaml(MAX_SECTIONS), "at-the-limit.yaml")
    assert result.errors == ()
    assert result.briefing is not None
    assert len(result.briefing.sections) == MAX_SECTIONS


def test_one_section_over_the_limit_is_refused_where_the_limit_is_crossed(
    tmp_path: Path,
) -> None:
    result = load_text(tmp_path, many_sections_yaml(MAX_SECTIONS + 1), "over.yaml")
    assert result.briefing is None
    [problem] = result.problems
    # Section 251's `id` is on line 4 + 3 * 250 + 1; the section (a mapping) starts at its key.
    assert str(problem) == (
        f"{display_path(tmp_path / 'over.yaml')}:755:5: error: sections: 251 sections, over "
        "the 250 a briefing may have: split it into several briefings (section 251 starts here)"
    )


def test_the_section_limit_is_reported_with_the_other_errors(tmp_path: Path) -> None:
    text = many_sections_yaml(10_000).replace("answer: Talks go on.", "answer: ''", 1)
    result = load_text(tmp_path, text, "ten-thousand.yaml")
    assert where(result) == [
        (7, 13, "sections[0].answer", "must not be empty"),
        (
            755,
            5,
            "sections",
            "10,000 sections, over the 250 a briefing may have: split it into several "
            "briefings (section 251 starts here)",
        ),
    ]


# --- At most 100 problems per file -----------------------------------------------------


SUMMARY = "more problems not shown: a file reports at most 100; fix these and check the file again"


def test_ten_thousand_unknown_keys_report_the_first_hundred_and_how_many_more(
    tmp_path: Path,
) -> None:
    result = load_text(tmp_path, unknown_keys_yaml(10_000))
    assert result.briefing is None
    assert len(result.problems) == MAX_PROBLEMS_PER_FILE + 1
    summary, *reported = where(result)
    assert summary == (1, 1, "", f"9,900 {SUMMARY}")
    assert reported == [
        (HEAD_LINES + 1 + index, 1, f"unknown-key-{index}", f"unknown key 'unknown-key-{index}'")
        for index in range(MAX_PROBLEMS_PER_FILE)
    ]


def test_ten_thousand_repeated_keys_are_placed_at_their_repetition(tmp_path: Path) -> None:
    result = load_text(tmp_path, repeated_keys_yaml(10_000))
    assert result.briefing is None
    summary, first, *_, last = where(result)
    # 10,000 repeated keys and the same 10,000 unknown to a section: 100 shown.
    assert summary == (1, 1, "", f"19,900 {SUMMARY}")
    assert first == (
        HEAD_LINES + 10_001,
        5,
        "sections[0].note-0",
        "duplicate key 'note-0': it is already set on line 9, and only one value can be kept",
    )
    assert last == (
        HEAD_LINES + 10_100,
        5,
        "sections[0].note-99",
        "duplicate key 'note-99': it is already set on line 108, and only one value can be kept",
    )


def test_one_key_repeated_ten_thousand_times_points_back_at_its_first_use(
    tmp_path: Path,
) -> None:
    result = load_text(tmp_path, same_key_yaml(10_000))
    summary, *reported = where(result)
    assert summary == (1, 1, "", f"9,900 {SUMMARY}")
    assert reported[0] == (
        HEAD_LINES + 1,
        5,
        "sections[0].heading",
        "duplicate key 'heading': it is already set on line 6, and only one value can be kept",
    )
    assert len(reported) == MAX_PROBLEMS_PER_FILE


def test_one_problem_past_the_limit_is_counted_as_one(tmp_path: Path) -> None:
    result = load_text(tmp_path, unknown_keys_yaml(MAX_PROBLEMS_PER_FILE + 1))
    assert where(result)[0] == (
        1,
        1,
        "",
        "1 more problem not shown: a file reports at most 100; fix these and check the file again",
    )


def test_a_hundred_problems_are_all_reported_without_a_summary(tmp_path: Path) -> None:
    result = load_text(tmp_path, unknown_keys_yaml(MAX_PROBLEMS_PER_FILE))
    assert len(result.problems) == MAX_PROBLEMS_PER_FILE
    assert not any("not shown" in p.message for p in result.problems)


def test_warnings_past_the_limit_are_summarised_as_a_warning(tmp_path: Path) -> None:
    # 250 undated sections: a warning each, and the file still loads.
    result = load_text(tmp_path, many_sections_yaml(MAX_SECTIONS), "undated.yaml")
    assert result.briefing is not None
    assert len(result.warnings) == MAX_PROBLEMS_PER_FILE + 1
    summary = result.warnings[0]
    assert (summary.line, summary.column, summary.message) == (1, 1, f"150 {SUMMARY}")


# --- Finding nodes by location ---------------------------------------------------------


TREE = """\
title: first
sections:
  - id: a
    heading: one
  - id: b
title: second
"""


@pytest.mark.parametrize(
    ("loc", "key", "position"),
    [
        (("title",), False, (6, 8)),  # a repeated key: the last one wins, as in the value
        (("title",), True, (6, 1)),
        (("sections", 1, "id"), False, (5, 9)),
        (("sections", 0, "heading"), True, (4, 5)),
        (("sections", 0, "missing"), False, (3, 5)),  # the nearest existing parent
        (("sections", 7), False, (3, 3)),
        (("nothing", 0), False, (1, 1)),
        ((), False, (1, 1)),
    ],
)
def test_a_location_is_found_at_its_node_or_nearest_parent(
    loc: tuple[int | str, ...], key: bool, position: tuple[int, int]
) -> None:
    root = yaml.compose(TREE, Loader=yaml.SafeLoader)
    assert NodeIndex(root).locate(loc, key=key) == position
    assert locate(root, loc, key=key) == position


def test_the_paths_of_many_nodes_come_from_one_walk() -> None:
    root = yaml.compose(TREE, Loader=yaml.SafeLoader)
    index = NodeIndex(root)
    heading_key = index.node_at(("sections", 0, "heading"), key=True)
    second_id = index.node_at(("sections", 1, "id"))
    assert heading_key is not None
    assert second_id is not None
    paths = index.paths_to([heading_key, second_id])
    assert paths == {
        id(heading_key): ["sections", 0, "heading"],
        id(second_id): ["sections", 1, "id"],
    }
    assert NodeIndex(None).paths_to([heading_key]) == {}
