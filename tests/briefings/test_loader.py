"""Tests for bot.briefings.loader: the seed briefing, one bad fixture per rule, and fuzzing."""

from __future__ import annotations

import atexit
import dataclasses
import datetime as dt
import gc
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bot.briefings.loader as loader
from bot.briefings.loader import (
    MAX_FILE_BYTES,
    FileResult,
    Problem,
    Severity,
    load_file,
    load_files,
    parse_yaml,
)
from bot.briefings.validation import StaleSource

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "briefings" / "ukraine-ceasefire.yaml"
FIXTURES = ROOT / "tests" / "fixtures" / "loader"

VALID = """\
title: Harbour ferry timetable
summary: The ferry company changes its winter timetable.
updated: 2025-03-01
sections:
  - id: overview
    heading: What changes
    answer: Fewer evening crossings.
    published: 2025-02-20
"""

Where = tuple[int, int, str, str, str]  # line, column, severity, path, message


def problems_of(result: FileResult) -> list[Where]:
    return [(p.line, p.column, p.severity.value, p.path, p.message) for p in result.problems]


def load_fixture(name: str) -> FileResult:
    return load_file(FIXTURES / name)


# --- The seed briefing ----------------------------------------------------------------


def test_seed_briefing_loads_with_exact_content() -> None:
    result = load_file(SEED)

    briefing = result.briefing
    assert briefing is not None
    assert result.errors == ()
    assert briefing.id == "ukraine-ceasefire"
    assert briefing.title == "ウクライナ停戦協議? 米ロ首脳会談の可能性と、緊迫する情勢の行方?"
    assert briefing.subtitle == "米ロ停戦交渉の行方とウクライナ情勢"
    assert briefing.language == "ja"
    assert briefing.aliases == ("ukraine",)
    assert briefing.updated == dt.date(2025, 3, 14)
    assert [s.id for s in briefing.sections] == [
        "us-russia-talks",
        "summit-prospects",
        "situation-in-ukraine",
    ]
    assert [len(s.points) for s in briefing.sections] == [3, 3, 3]
    assert [src.url for s in briefing.sections for src in s.sources] == [
        "https://www.jiji.com/jc/article?k=2025031301087&g=int",
        "https://mainichi.jp/articles/20211205/k00/00m/030/026000c",
        "https://www.tokyo-np.co.jp/article/391587",
    ]
    assert briefing.takeaways == (
        "G7によるウクライナへの支持表明と対ロ制裁の検討。",
        "米ロ間の停戦案を巡る対立と交渉の動き。",
        "米ロ首脳会談の可能性と、ウクライナ国内の緊迫した状況。",
    )
    assert [s.published for s in briefing.sections] == [
        dt.date(2025, 3, 14),
        dt.date(2022, 1, 4),
        None,
    ]
    # Block scalars keep their line breaks; folded ones do not.
    assert briefing.sections[0].commentary == (
        "ウィットコフ特使のモスクワ訪問は、交渉の進展を期待させる動きですね。\n"
        "事態が好転することを願います。"
    )
    assert "\n" not in briefing.summary


def test_seed_briefing_has_exactly_two_warnings() -> None:
    result = load_file(SEED)

    assert problems_of(result) == [
        (
            52,
            14,
            "warning",
            "sections[1].sources[0].url",
            "source 'ニュースサイト' is stale: published 2022-01-04, "
            "1165 days before the briefing's update (365 allowed)",
        ),
        (64, 9, "warning", "sections[2].id", "section has no published date"),
    ]
    lines = SEED.read_text(encoding="utf-8").splitlines()
    assert lines[52 - 1][14 - 1 :] == "https://mainichi.jp/articles/20211205/k00/00m/030/026000c"
    assert lines[64 - 1][9 - 1 :] == "situation-in-ukraine"


def test_seed_warning_renders_as_file_line_column() -> None:
    result = load_file(SEED)
    rendered = str(result.warnings[1])
    assert rendered.endswith(
        "ukraine-ceasefire.yaml:64:9: warning: sections[2].id: section has no published date"
    )


def test_stale_threshold_is_configurable() -> None:
    # 2022-01-04 is 1165 days before 2025-03-14: stale at 1164, not at 1165.
    assert len(load_file(SEED, stale_after_days=1164).warnings) == 2
    assert len(load_file(SEED, stale_after_days=1165).warnings) == 1


def test_seed_starts_with_the_schema_comment() -> None:
    first = SEED.read_text(encoding="utf-8").splitlines()[0]
    assert first == loader.SCHEMA_COMMENT


# --- One bad fixture per rule ---------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        pytest.param(
            "unknown-key.yaml",
            [
                (
                    9,
                    5,
                    "error",
                    "sections[0].sourcse",
                    "unknown key 'sourcse'; did you mean 'sources'?",
                )
            ],
            id="unknown-key-typo",
        ),
        pytest.param(
            "unknown-key-no-suggestion.yaml",
            [(4, 1, "error", "colour", "unknown key 'colour'")],
            id="unknown-key",
        ),
        pytest.param(
            "missing-field.yaml",
            [(5, 5, "error", "sections[0].answer", "required field is missing")],
            id="missing-section-field",
        ),
        pytest.param(
            "missing-top-field.yaml",
            [(2, 1, "error", "summary", "required field is missing")],
            id="missing-top-field",
        ),
        pytest.param(
            "wrong-type.yaml",
            [
                (
                    9,
                    13,
                    "error",
                    "sections[0].points",
                    "expected a list, found text; write each item on its own line under "
                    "'points:', starting with '- ', e.g. '- Two fewer crossings after 20:00.'",
                )
            ],
            id="wrong-type",
        ),
        pytest.param(
            "wrong-type-boolean.yaml",
            [
                (
                    3,
                    11,
                    "error",
                    "language",
                    "expected text, found a boolean 'no'; put it in quotes to keep it as text",
                )
            ],
            id="wrong-type-boolean",
        ),
        pytest.param(
            "bad-date.yaml",
            [
                (
                    3,
                    10,
                    "error",
                    "updated",
                    "invalid date '2025-02-30': write it as YYYY-MM-DD or YYYY/MM/DD",
                ),
                (
                    8,
                    16,
                    "error",
                    "sections[0].published",
                    "invalid date '20.02.2025': write it as YYYY-MM-DD or YYYY/MM/DD",
                ),
            ],
            id="bad-date",
        ),
        pytest.param(
            "bad-url.yaml",
            [
                (
                    13,
                    14,
                    "error",
                    "sections[0].sources[1].url",
                    "must be an http:// or https:// URL",
                )
            ],
            id="non-http-url",
        ),
        pytest.param(
            "duplicate-section.yaml",
            [
                (
                    9,
                    9,
                    "error",
                    "sections[1].id",
                    "duplicate section id 'overview' (first used by sections[0])",
                )
            ],
            id="duplicate-section-id",
        ),
        pytest.param(
            "duplicate-key.yaml",
            [
                (
                    8,
                    5,
                    "error",
                    "sections[0].heading",
                    "duplicate key 'heading': it is already set on line 6, "
                    "and only one value can be kept",
                )
            ],
            id="duplicate-key",
        ),
        pytest.param(
            "invalid-yaml.yaml",
            [
                (
                    7,
                    11,
                    "error",
                    "",
                    "invalid YAML: did not find expected ',' or ']' "
                    "(while parsing a flow sequence)",
                )
            ],
            id="invalid-yaml",
        ),
        pytest.param(
            "alias-bomb.yaml",
            [
                (
                    3,
                    8,
                    "error",
                    "b[0]",
                    "YAML aliases (*a) are not allowed in briefings; write the value out in full",
                )
            ],
            id="alias-bomb",
        ),
        pytest.param(
            "merge-key.yaml",
            [(5, 5, "error", "sections[0].<<", "merge keys (<<) are not supported in briefings")],
            id="merge-key",
        ),
        pytest.param(
            "unsupported-tag.yaml",
            [(1, 8, "error", "title", "the YAML tag !!binary is not supported in briefings")],
            id="unsupported-tag",
        ),
        pytest.param(
            "id-mismatch.yaml",
            [(1, 5, "error", "id", "id 'harbour-ferry' must equal the file name 'id-mismatch'")],
            id="id-mismatch",
        ),
        pytest.param(
            "Bad_Name.yaml",
            [
                (
                    1,
                    1,
                    "error",
                    "",
                    "file name 'Bad_Name.yaml' is not a valid id: use lowercase a-z, 0-9 and "
                    "single dashes, at most 64 characters",
                )
            ],
            id="bad-file-name",
        ),
        pytest.param(
            "bad-slug.yaml",
            [
                (
                    4,
                    11,
                    "error",
                    "aliases[0]",
                    "'Ferry Times' is not a slug: use lowercase a-z, 0-9 and single dashes",
                )
            ],
            id="bad-slug",
        ),
        pytest.param(
            "empty-text.yaml",
            [(1, 8, "error", "title", "must not be empty")],
            id="empty-text",
        ),
        pytest.param(
            "empty-sections.yaml",
            [(4, 11, "error", "sections", "must have at least one item")],
            id="no-sections",
        ),
        pytest.param(
            "empty.yaml",
            [(1, 1, "error", "", "a briefing must be a mapping of fields, found an empty file")],
            id="empty-file",
        ),
        pytest.param(
            "not-a-mapping.yaml",
            [(1, 1, "error", "", "a briefing must be a mapping of fields, found a list")],
            id="not-a-mapping",
        ),
    ],
)
def test_each_rule_reports_its_exact_error(fixture: str, expected: list[Where]) -> None:
    result = load_fixture(fixture)

    assert problems_of(result) == expected
    assert result.briefing is None


def test_valid_fixture_loads_without_problems() -> None:
    result = load_fixture("valid-minimal.yaml")
    assert result.problems == ()
    assert result.briefing is not None
    assert result.briefing.id == "valid-minimal"
    assert result.briefing.language == "en"


def test_problem_renders_as_file_line_column_severity_path_message() -> None:
    problem = load_fixture("unknown-key.yaml").problems[0]
    assert str(problem) == (
        f"{loader.display_path(FIXTURES / 'unknown-key.yaml')}:9:5: error: "
        "sections[0].sourcse: unknown key 'sourcse'; did you mean 'sources'?"
    )


def test_alias_bomb_is_refused_without_expanding_it() -> None:
    # Expanding this document would build 10^9 strings; refusing it takes milliseconds.
    started = time.perf_counter()
    result = load_fixture("alias-bomb.yaml")
    assert time.perf_counter() - started < 2.0
    assert result.briefing is None
    assert len(result.errors) == 1


def test_every_problem_in_a_bad_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "many-problems.yaml"
    path.write_text(
        "title: Harbour ferry timetable\n"
        "summary: The ferry company changes its winter timetable.\n"
        "updated: 2025-03-01\n"
        "tilte: typo\n"
        "sections:\n"
        "  - id: overview\n"
        "    heading: What changes\n"
        "    answer: Fewer evening crossings.\n"
        "    sources:\n"
        "      - name: Example\n"
        "        url: mailto:ferry@example.org\n"
        "  - id: why\n"
        "    answer: Fewer passengers.\n"
        "    published: 2025-02-30\n",
        encoding="utf-8",
    )

    assert problems_of(load_file(path)) == [
        (4, 1, "error", "tilte", "unknown key 'tilte'; did you mean 'title'?"),
        (11, 14, "error", "sections[0].sources[0].url", "must be an http:// or https:// URL"),
        (12, 5, "error", "sections[1].heading", "required field is missing"),
        (
            14,
            16,
            "error",
            "sections[1].published",
            "invalid date '2025-02-30': write it as YYYY-MM-DD or YYYY/MM/DD",
        ),
    ]


def test_a_duplicate_key_does_not_hide_other_errors(tmp_path: Path) -> None:
    path = tmp_path / "harbour.yaml"
    path.write_text(VALID + "title: Again\nsubtitel: typo\n", encoding="utf-8")

    assert problems_of(load_file(path)) == [
        (
            9,
            1,
            "error",
            "title",
            "duplicate key 'title': it is already set on line 1, and only one value can be kept",
        ),
        (10, 1, "error", "subtitel", "unknown key 'subtitel'; did you mean 'subtitle'?"),
    ]


def test_an_unknown_key_in_a_source_is_named_with_a_suggestion(tmp_path: Path) -> None:
    path = tmp_path / "harbour.yaml"
    path.write_text(
        "title: Harbour\nsummary: Ferries.\nupdated: 2025-01-01\nsections:\n"
        "  - heading: Ferries\n    answer: They run.\n    sources:\n"
        "      - name: 港湾局\n        pubilsher: みなと市\n",
        encoding="utf-8",
    )

    result = load_file(path)

    assert problems_of(result) == [
        (
            9,
            9,
            "error",
            "sections[0].sources[0].pubilsher",
            "unknown key 'pubilsher'; did you mean 'publisher'?",
        )
    ]
    assert result.briefing is None


def test_impossible_date_and_time_of_day_are_bad_dates(tmp_path: Path) -> None:
    path = tmp_path / "harbour.yaml"
    path.write_text(VALID.replace("2025-03-01", "2025-03-01 10:30:00"), encoding="utf-8")

    assert problems_of(load_file(path)) == [
        (
            3,
            10,
            "error",
            "updated",
            "invalid date '2025-03-01 10:30:00': write it as YYYY-MM-DD or YYYY/MM/DD",
        )
    ]


def test_a_date_that_is_a_list_is_a_wrong_type(tmp_path: Path) -> None:
    path = tmp_path / "harbour.yaml"
    path.write_text(VALID.replace("updated: 2025-03-01", "updated: [2025]"), encoding="utf-8")

    assert problems_of(load_file(path)) == [
        (
            3,
            10,
            "error",
            "updated",
            "expected a date written as YYYY-MM-DD or YYYY/MM/DD, found a list",
        )
    ]


def test_numeric_and_boolean_keys_are_unknown_field_names(tmp_path: Path) -> None:
    path = tmp_path / "harbour.yaml"
    path.write_text(VALID + "1: one\nyes: true\n", encoding="utf-8")

    assert problems_of(load_file(path)) == [
        (9, 1, "error", "1", "unknown key '1'"),
        (10, 1, "error", "yes", "unknown key 'yes'"),
    ]


def test_a_mapping_used_as_a_key_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "harbour.yaml"
    path.write_text(VALID + "? {a: 1}\n: value\n", encoding="utf-8")

    assert problems_of(load_file(path)) == [
        (9, 3, "error", "", "a key must be a field name, not a list or mapping")
    ]


def test_alias_used_as_a_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "harbour.yaml"
    path.write_text("&k title: Harbour\n*k : again\n", encoding="utf-8")

    assert problems_of(load_file(path)) == [
        (
            2,
            1,
            "error",
            "",
            "YAML aliases (*k) are not allowed in briefings; write the value out in full",
        )
    ]


def test_python_object_tags_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "harbour.yaml"
    path.write_text(VALID.replace("Fewer evening", "!!python/object:os.system Fewer evening"))

    assert problems_of(load_file(path)) == [
        (
            7,
            13,
            "error",
            "sections[0].answer",
            "the YAML tag !!python/object:os.system is not supported in briefings",
        )
    ]


def test_deep_nesting_is_an_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "harbour.yaml"
    path.write_text("title: " + "[" * 100 + "]" * 100 + "\n", encoding="utf-8")

    # The 64th bracket, at column 8 + 63, is one level too deep.
    assert problems_of(load_file(path)) == [
        (1, 71, "error", "title" + "[0]" * 63, "nested deeper than 64 levels")
    ]


def test_nesting_beyond_libyaml_limit_is_an_invalid_yaml_error(tmp_path: Path) -> None:
    path = tmp_path / "harbour.yaml"
    path.write_text("title: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")

    assert problems_of(load_file(path)) == [
        (
            1,
            1007,
            "error",
            "",
            "invalid YAML: exceeded maximum nesting depth (while increasing flow level)",
        )
    ]


def test_not_utf8_is_an_error_with_its_position(tmp_path: Path) -> None:
    path = tmp_path / "harbour.yaml"
    path.write_bytes(VALID.encode("utf-8") + "    lead: 停戦".encode() + b"\xff\xfe\n")

    assert problems_of(load_file(path)) == [
        (9, 13, "error", "", "file is not UTF-8: byte 0xff at byte offset 240")
    ]


def test_control_character_is_an_error_with_its_position(tmp_path: Path) -> None:
    path = tmp_path / "harbour.yaml"
    path.write_text(VALID.replace("Fewer evening", "停戦\x07Fewer evening"), encoding="utf-8")

    assert problems_of(load_file(path)) == [
        (
            7,
            15,
            "error",
            "",
            "invalid YAML: unacceptable character #x0007: control characters are not allowed",
        )
    ]


def test_two_documents_in_one_file_are_an_error(tmp_path: Path) -> None:
    path = tmp_path / "harbour.yaml"
    path.write_text(VALID + "---\ntitle: Second\n", encoding="utf-8")

    assert problems_of(load_file(path)) == [
        (
            9,
            1,
            "error",
            "",
            "invalid YAML: but found another document (expected a single document in the stream)",
        )
    ]


def test_file_over_one_mebibyte_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "harbour.yaml"
    path.write_text(VALID + "# " + "x" * MAX_FILE_BYTES + "\n", encoding="utf-8")
    size = path.stat().st_size

    assert problems_of(load_file(path)) == [
        (1, 1, "error", "", f"file is {size:,} bytes; the limit is 1,048,576 (1 MiB)")
    ]


def test_file_of_exactly_one_mebibyte_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "harbour.yaml"
    padding = MAX_FILE_BYTES - len(VALID.encode()) - 3
    path.write_text(VALID + "# " + "x" * padding + "\n", encoding="utf-8")
    assert path.stat().st_size == MAX_FILE_BYTES

    result = load_file(path)
    assert result.problems == ()
    assert result.briefing is not None


def test_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "harbour.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + VALID.encode("utf-8"))
    assert load_file(path).problems == ()


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    [problem] = load_file(tmp_path / "gone.yaml").problems
    assert (problem.line, problem.column, problem.message) == (
        1,
        1,
        "cannot read file: No such file or directory",
    )


# --- Warnings -------------------------------------------------------------------------


def test_stale_source_with_its_own_date_points_at_that_date() -> None:
    result = load_fixture("stale-source.yaml")

    assert result.briefing is not None
    assert problems_of(result) == [
        (
            14,
            20,
            "warning",
            "sections[0].sources[1].published",
            "source 'Old harbour guide' is stale: published 2023-01-15, "
            "776 days before the briefing's update (365 allowed)",
        )
    ]


def test_a_stale_source_warning_is_written_out_only_when_read() -> None:
    result = load_fixture("stale-source.yaml")
    assert result.briefing is not None
    (warning,) = result.warnings
    source = result.briefing.sections[0].sources[1]

    # What it keeps is the briefing's own parts, not a string of its own.
    assert isinstance(warning.text, StaleSource)
    assert warning.text.source is source
    # Read, it is the same problem as one written out at once: equal, hashed and sorted alike.
    written = dataclasses.replace(warning, text=warning.message)
    assert warning == written
    assert hash(warning) == hash(written)
    later = dataclasses.replace(written, line=warning.line + 1)
    assert sorted([later, warning]) == [warning, later]
    assert str(warning) == str(written)


def test_text_too_long_for_discord_is_a_warning_not_an_error() -> None:
    result = load_fixture("too-long.yaml")

    assert result.briefing is not None
    assert problems_of(result) == [
        (
            1,
            8,
            "warning",
            "title",
            "264 characters, over the 256 Discord allows in an embed title; "
            "the bot will have to shorten or split it",
        ),
        (
            2,
            10,
            "warning",
            "summary",
            "4,097 characters, over the 4,096 Discord allows in an embed description; "
            "the bot will have to shorten or split it",
        ),
        (
            11,
            9,
            "warning",
            "sections[0].points[1]",
            "1,025 characters, over the 1,024 Discord allows in a field value; "
            "the bot will have to shorten or split it",
        ),
    ]


def test_text_exactly_at_the_limits_gives_no_warning(tmp_path: Path) -> None:
    path = tmp_path / "harbour.yaml"
    path.write_text(
        VALID.replace("Harbour ferry timetable", "t" * 256).replace(
            "Fewer evening crossings.", "a" * 1024
        ),
        encoding="utf-8",
    )
    assert load_file(path).problems == ()


def test_numbered_heading_over_the_title_limit_is_a_warning(tmp_path: Path) -> None:
    # The bot shows "1. <heading>" as a title, so 254 characters is already too long.
    path = tmp_path / "harbour.yaml"
    path.write_text(VALID.replace("What changes", "h" * 254), encoding="utf-8")

    assert problems_of(load_file(path)) == [
        (
            6,
            14,
            "warning",
            "sections[0].heading",
            "257 characters, over the 256 Discord allows in a numbered section title; "
            "the bot will have to shorten or split it",
        )
    ]


def test_every_long_text_is_checked_against_where_the_bot_shows_it(tmp_path: Path) -> None:
    long = "x" * 1025
    path = tmp_path / "harbour.yaml"
    path.write_text(
        f"""title: Harbour ferry timetable
subtitle: {"s" * 95}
summary: {"m" * 4000}
updated: 2025-03-01
sections:
  - id: overview
    heading: What changes
    question: {"q" * 2100}
    answer: Fewer evening crossings.
    lead: {"l" * 2100}
    published: 2025-02-20
    commentary: {long}
    body: [short, {long}]
    reactions: [{long}]
takeaways: [fine, {long}]
closing: {long}
""",
        encoding="utf-8",
    )
    result = load_file(path)

    assert result.briefing is not None
    assert [(p.line, p.column, p.path, p.message.split(";")[0]) for p in result.problems] == [
        (
            3,
            10,
            "summary",
            "4,100 characters, over the 4,096 Discord allows in an embed description",
        ),
        (
            8,
            15,
            "sections[0].question",
            "4,226 characters, over the 4,096 Discord allows in an embed description",
        ),
        (
            12,
            17,
            "sections[0].commentary",
            "1,025 characters, over the 1,024 Discord allows in a field value",
        ),
        (
            13,
            19,
            "sections[0].body[1]",
            "1,025 characters, over the 1,024 Discord allows in a field value",
        ),
        (
            14,
            17,
            "sections[0].reactions[0]",
            "1,025 characters, over the 1,024 Discord allows in a field value",
        ),
        (
            15,
            19,
            "takeaways[1]",
            "1,025 characters, over the 1,024 Discord allows in a field value",
        ),
        (16, 10, "closing", "1,025 characters, over the 1,024 Discord allows in a field value"),
    ]


def test_warnings_are_not_reported_for_a_file_with_errors(tmp_path: Path) -> None:
    path = tmp_path / "harbour.yaml"
    path.write_text(VALID.replace("    published: 2025-02-20\n", "    colour: red\n"))

    assert [p.severity for p in load_file(path).problems] == [Severity.ERROR]


# --- Many files -----------------------------------------------------------------------


def test_one_bad_file_never_stops_the_others(tmp_path: Path) -> None:
    (tmp_path / "a-good.yaml").write_text(VALID, encoding="utf-8")
    (tmp_path / "b-bad.yaml").write_text("title: [\n", encoding="utf-8")
    (tmp_path / "c-good.yaml").write_bytes(b"\xff")
    (tmp_path / "d-good.yaml").write_text(VALID, encoding="utf-8")

    result = load_files([tmp_path])

    assert [b.id for b in result.briefings] == ["a-good", "d-good"]
    assert [Path(p.file).name for p in result.errors] == ["b-bad.yaml", "c-good.yaml"]


def test_an_unexpected_failure_is_reported_for_that_file_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a-good.yaml").write_text(VALID, encoding="utf-8")
    (tmp_path / "b-crash.yaml").write_text(VALID, encoding="utf-8")
    real = loader.validate_briefing

    def buggy(path: Path, data: Any, collector: Any) -> Any:
        if path.name == "b-crash.yaml":
            raise RuntimeError("boom")
        return real(path, data, collector)

    monkeypatch.setattr(loader, "validate_briefing", buggy)
    result = load_files([tmp_path])

    assert [b.id for b in result.briefings] == ["a-good"]
    [error] = result.errors
    assert (error.line, error.column, error.path) == (1, 1, "")
    assert error.message == "internal error while loading (RuntimeError: boom); please report it"


def test_loading_leaves_the_garbage_collector_as_it_found_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "harbour.yaml"
    path.write_text(VALID, encoding="utf-8")
    assert gc.isenabled()

    assert load_file(path).briefing is not None
    assert gc.isenabled()

    gc.disable()
    try:
        assert load_file(path).briefing is not None
        assert not gc.isenabled()
    finally:
        gc.enable()

    def boom(*args: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(loader, "validate_briefing", boom)
    assert load_file(path).errors[0].message.startswith("internal error")
    assert gc.isenabled()


def test_duplicate_id_and_alias_across_files_are_errors() -> None:
    conflict = FIXTURES / "conflict"
    result = load_files([conflict / "first", conflict / "second"])
    first = loader.display_path(conflict / "first" / "harbour-ferry.yaml")

    assert [b.id for b in result.briefings] == ["harbour-ferry"]
    found = [
        (Path(p.file).parent.name, Path(p.file).name, p.line, p.column, p.path, p.message)
        for p in result.errors
    ]
    assert found == [
        (
            "second",
            "harbour-ferry.yaml",
            1,
            1,
            "id",
            f"'harbour-ferry' is already used as an id or alias by {first}",
        ),
        (
            "second",
            "island-bus.yaml",
            4,
            16,
            "aliases[1]",
            f"'ferry' is already used as an id or alias by {first}",
        ),
    ]


def test_an_alias_may_not_take_another_briefings_id(tmp_path: Path) -> None:
    (tmp_path / "a-ferry.yaml").write_text(VALID, encoding="utf-8")
    (tmp_path / "b-bus.yaml").write_text(VALID + "aliases: [a-ferry]\n", encoding="utf-8")

    result = load_files([tmp_path])

    assert [b.id for b in result.briefings] == ["a-ferry"]
    assert [(p.line, p.column, p.path) for p in result.errors] == [(9, 11, "aliases[0]")]


def test_keep_first_lets_the_serving_file_keep_its_names(tmp_path: Path) -> None:
    (tmp_path / "a-new.yaml").write_text(VALID + "aliases: [ferry]\n", encoding="utf-8")
    (tmp_path / "b-old.yaml").write_text(VALID + "aliases: [ferry]\n", encoding="utf-8")
    results = {p: load_file(p) for p in sorted(tmp_path.glob("*.yaml"))}

    resolved = loader.resolve_conflicts(results, keep_first=[tmp_path / "b-old.yaml"])

    assert resolved[tmp_path / "b-old.yaml"].briefing is not None
    assert resolved[tmp_path / "a-new.yaml"].briefing is None


def test_folders_load_only_visible_yaml_files_once(tmp_path: Path) -> None:
    (tmp_path / "harbour.yaml").write_text(VALID, encoding="utf-8")
    (tmp_path / ".harbour-draft.yaml").write_text("not: [valid", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("ignored", encoding="utf-8")
    (tmp_path / "briefing.schema.json").write_text("{}", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "nested.yaml").write_text("not: [valid", encoding="utf-8")

    result = load_files([tmp_path, tmp_path / "harbour.yaml"])

    assert list(result.files) == [tmp_path / "harbour.yaml"]
    assert result.problems == []


def test_loader_core_does_not_import_discord() -> None:
    code = (
        "import sys; import bot.briefings.loader, bot.briefings.models, bot.briefings.library; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'discord'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_parse_yaml_gives_root_value_and_problems() -> None:
    root, data, problems = parse_yaml(Path("x.yaml"), "a: 1\nb: [2025-01-02]\na: 3\n")
    assert root is not None
    assert data == {"a": 3, "b": [dt.date(2025, 1, 2)]}
    assert [str(p) for p in problems] == [
        "x.yaml:3:1: error: a: duplicate key 'a': it is already set on line 1, "
        "and only one value can be kept"
    ]


# --- Fuzzing: bad input only ever produces reported problems --------------------------

SEED_TEXT = SEED.read_text(encoding="utf-8")
SEED_LINES = SEED_TEXT.splitlines(keepends=True)
PROBLEM_LINE = re.compile(r"^.+:\d+:\d+: (error|warning): .+", re.DOTALL)


def check_outcome(result: FileResult) -> None:
    assert isinstance(result, FileResult)
    for problem in result.problems:
        assert not problem.message.startswith("internal error"), problem
        assert isinstance(problem, Problem)
        assert problem.line >= 1
        assert problem.column >= 1
        assert PROBLEM_LINE.match(str(problem))
    if result.briefing is None:
        assert result.errors, "a rejected file must say why"
    else:
        assert not result.errors


_SCRATCH = Path(tempfile.mkdtemp(prefix="briefbot-fuzz-"))
atexit.register(shutil.rmtree, _SCRATCH, ignore_errors=True)


def load_bytes(data: bytes, name: str = "fuzzed.yaml") -> FileResult:
    path = _SCRATCH / name
    path.write_bytes(data)
    try:
        return load_file(path)
    finally:
        os.unlink(path)


# Plain scalars and fragments that YAML reads as something other than text, or refuses.
TRICKY_VALUES = [
    "2025-13-45",
    "2025-02-30",
    "2025-03-14 25:61:00",
    "2025-03-14T10:00:00Z",
    "0x",
    "0o9",
    "1e999",
    "-.inf",
    ".nan",
    "~",
    "null",
    "yes",
    "off",
    "[",
    "{",
    "]",
    "&a x",
    "*a",
    "*",
    "!!binary x",
    "!!int x",
    "!!float x",
    "!!bool x",
    "!!timestamp x",
    "!!python/none ''",
    "!custom x",
    "<<",
    "|",
    ">-",
    "- x",
    "? x",
    "'unterminated",
    '"\\x"',
    "%TAG",
    "---",
    "...",
    "@",
    "`",
    "#",
    "12:30:45",
    "1_000",
    "0b102",
    "+.5",
    "0.",
    "",
]


@st.composite
def mangled_seed(draw: st.DrawFn) -> bytes:
    lines = list(SEED_LINES)
    operations = ["delete", "duplicate", "swap", "insert", "indent", "digit", "value"]
    for _ in range(draw(st.integers(1, 6))):
        operation = draw(st.sampled_from(operations))
        index = draw(st.integers(0, len(lines) - 1))
        if operation == "digit":
            digits = [i for i, ch in enumerate(lines[index]) if ch.isdigit()]
            if digits:
                at = draw(st.sampled_from(digits))
                new = draw(st.sampled_from("0123456789"))
                lines[index] = lines[index][:at] + new + lines[index][at + 1 :]
        elif operation == "value":
            key, colon, _ = lines[index].partition(": ")
            if colon:
                value = draw(st.sampled_from(TRICKY_VALUES) | st.text(max_size=10))
                lines[index] = f"{key}: {value}\n"
        elif operation == "delete" and len(lines) > 1:
            del lines[index]
        elif operation == "duplicate":
            lines.insert(index, lines[index])
        elif operation == "swap":
            line = lines[index]
            if len(line) >= 2:
                at = draw(st.integers(0, len(line) - 2))
                lines[index] = line[:at] + line[at + 1] + line[at] + line[at + 2 :]
        elif operation == "insert":
            text = draw(st.text(min_size=1, max_size=12))
            at = draw(st.integers(0, len(lines[index])))
            lines[index] = lines[index][:at] + text + lines[index][at:]
        else:
            lines[index] = " " * draw(st.integers(1, 3)) + lines[index]
    data = "".join(lines).encode("utf-8")
    if draw(st.booleans()):
        junk = draw(st.binary(min_size=1, max_size=8))
        at = draw(st.integers(0, len(data)))
        data = data[:at] + junk + data[at:]
    return data


yaml_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True)
    | st.text(max_size=30)
    | st.dates()
    | st.sampled_from(["title", "sections", "id", "url", "https://x.example", "2025-13-45"])
)
yaml_structures = st.recursive(
    yaml_scalars,
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(
                ["title", "summary", "updated", "sections", "id", "heading", "answer", "sources"]
            )
            | st.text(max_size=8),
            children,
            max_size=6,
        )
    ),
    max_leaves=30,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_random_text_only_produces_problems(text: str) -> None:
    check_outcome(load_bytes(text.encode("utf-8", errors="surrogatepass")))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_only_produce_problems(data: bytes) -> None:
    check_outcome(load_bytes(data))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mangled_seed())
def test_mangled_seed_only_produces_problems(data: bytes) -> None:
    check_outcome(load_bytes(data, "ukraine-ceasefire.yaml"))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(yaml_structures, st.sampled_from(["block", "flow"]))
def test_random_structures_only_produce_problems(value: object, style: str) -> None:
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=style == "flow")
    check_outcome(load_bytes(text.encode("utf-8")))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_values_inside_the_seed_only_produce_problems(data: st.DataObject) -> None:
    document = yaml.safe_load(SEED_TEXT)
    section = data.draw(st.integers(0, 2))
    where = data.draw(
        st.sampled_from(
            [
                (document, "title"),
                (document, "updated"),
                (document, "aliases"),
                (document, "sections"),
                (document["sections"][section], "sources"),
                (document["sections"][section], "published"),
                (document["sections"][section], "points"),
                (document["sections"][section]["sources"][0], "url"),
                (document["sections"][section], data.draw(st.text(min_size=1, max_size=8))),
            ]
        )
    )
    container, key = where
    container[key] = data.draw(yaml_structures)
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    check_outcome(load_bytes(text.encode("utf-8"), "ukraine-ceasefire.yaml"))


# --- The fast parser agrees with PyYAML's own safe loader -----------------------------


def _tags(node: yaml.Node) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    stack = [node]
    while stack:
        current = stack.pop()
        out.append((current.tag, current.value if isinstance(current.value, str) else ""))
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                stack.extend((key, value))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return out


def _same_as_pyyaml(text: str) -> None:
    try:
        expected_root = yaml.compose(text, Loader=yaml.CSafeLoader)
        expected = yaml.load(text, Loader=yaml.CSafeLoader)
    except (yaml.YAMLError, ValueError):
        return
    root, data, problems = parse_yaml(Path("x.yaml"), text)
    assert (root is None) == (expected_root is None)
    if root is not None and expected_root is not None:
        assert _tags(root) == _tags(expected_root)
    if not problems:
        assert repr(data) == repr(expected)  # repr: nan == nan


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(yaml_structures, st.sampled_from(["block", "flow"]))
def test_parser_resolves_tags_and_values_exactly_like_pyyaml(value: object, style: str) -> None:
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=style == "flow")
    _same_as_pyyaml(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(
            [
                "~",
                "null",
                "Null",
                "",
                "yes",
                "No",
                "on",
                "OFF",
                "true",
                "False",
                "y",
                "n",
                "0",
                "-1",
                "+7",
                "0x1F",
                "0o17",
                "017",
                "0b101",
                "1_000",
                "1:30",
                "3.5",
                "-.5",
                "1e3",
                "6.8523015e+5",
                ".inf",
                "-.Inf",
                ".nan",
                "2025-03-14",
                "2025-3-4",
                "2001-12-14t21:59:43.10-05:00",
                "2001-12-14 21:59:43.10 -5",
                "=",
                "<<x",
                "text",
                "テキスト",
                "'quoted'",
                '"1"',
                "!x",
                "1.2.3",
                "._",
                "+",
                "-",
                "0.",
            ]
        ),
        min_size=1,
        max_size=10,
    )
)
def test_plain_scalars_resolve_exactly_like_pyyaml(scalars: list[str]) -> None:
    text = "".join(f"k{i}: {s}\n" for i, s in enumerate(scalars))
    _same_as_pyyaml(text)
