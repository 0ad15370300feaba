"""Tests for bot.authoring.yaml_writer: every text reads back exactly, in a readable style."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.authoring.yaml_writer import (
    FOLD_WIDTH,
    LINE_WIDTH,
    Block,
    Entry,
    double_quoted,
    fold,
    render_yaml,
)
from bot.briefings.loader import parse_yaml


def read_back(text: str) -> object:
    """The data the briefing loader reads from `text`."""
    _, data, problems = parse_yaml(Path("written.yaml"), text)
    assert problems == []
    return data


# Text as the models keep it: not empty, no surrounding whitespace (they strip it).
stripped_text = st.text(min_size=1, max_size=300).map(str.strip).filter(bool)


@settings(max_examples=400, deadline=None)
@given(stripped_text)
def test_any_text_reads_back_exactly_as_value_item_and_nested_value(text: str) -> None:
    written = render_yaml(
        [
            Entry("value", text),
            Entry("items", (text, "second")),
            Entry("blocks", (Block((Entry("name", text), Entry("other", text))),)),
        ]
    )

    assert read_back(written) == {
        "value": text,
        "items": [text, "second"],
        "blocks": [{"name": text, "other": text}],
    }


@settings(max_examples=200, deadline=None)
@given(st.lists(stripped_text, min_size=1, max_size=5))
def test_any_list_written_in_flow_style_reads_back_exactly(texts: list[str]) -> None:
    written = render_yaml([Entry("tags", tuple(texts), flow=True)])

    assert read_back(written) == {"tags": texts}


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("plain words", "key: plain words"),
        (
            "停戦協議は進展する?プーチン大統領の動きに注目!",
            "key: 停戦協議は進展する?プーチン大統領の動きに注目!",
        ),
        ("no", 'key: "no"'),
        ("2025-03-14", 'key: "2025-03-14"'),
        ("Harbour Ferries: notice", 'key: "Harbour Ferries: notice"'),
        ("#1 in town", 'key: "#1 in town"'),
        ('say "hi" \\ bye', 'key: say "hi" \\ bye'),
        ('"hi" \\ bye', 'key: "\\"hi\\" \\\\ bye"'),
        ("line\u2028separator", 'key: "line\\u2028separator"'),
        ("bell\x07", 'key: "bell\\x07"'),
    ],
)
def test_short_text_is_plain_unless_quotes_are_needed(text: str, line: str) -> None:
    written = render_yaml([Entry("key", text)])

    assert written == line + "\n"
    assert read_back(written) == {"key": text}


def test_several_lines_are_a_literal_block() -> None:
    written = render_yaml([Entry("commentary", "First line.\n\nThird line.")])

    assert written == "commentary: |-\n  First line.\n\n  Third line.\n"


def test_one_long_line_is_folded_at_spaces_within_the_width() -> None:
    text = " ".join(f"word{n}" for n in range(60))

    written = render_yaml([Entry("summary", text)])

    lines = written.splitlines()
    assert lines[0] == "summary: >-"
    assert len(lines) > 2
    assert all(len(line) <= FOLD_WIDTH for line in lines)
    assert read_back(written) == {"summary": text}


def test_long_japanese_text_is_a_folded_block_on_one_line() -> None:
    text = "停戦" * 60

    assert render_yaml([Entry("summary", text)]) == f"summary: >-\n  {text}\n"


def test_long_list_items_stay_plain_while_they_fit_the_line() -> None:
    fits = "x" * (LINE_WIDTH - len("  - "))

    assert render_yaml([Entry("points", (fits,))]) == f"points:\n  - {fits}\n"


def test_fold_never_breaks_at_double_spaces_and_keeps_long_words() -> None:
    assert fold("aaa bbb  ccc ddd", 7) == ["aaa", "bbb  ccc", "ddd"]
    assert fold("a" * 20 + " b c", 5) == ["a" * 20, "b c"]


def test_lists_of_blocks_dates_comments_and_blank_lines() -> None:
    written = render_yaml(
        [
            Entry("updated", dt.date(2025, 3, 14), comment=("The date.",)),
            Entry(
                "sections",
                (
                    Block((Entry("id", "s1"), Entry("body", ("a", "b")))),
                    Block((Entry("id", "s2"),), comment=("Second.",), blank_line_before=True),
                ),
                blank_line_before=True,
            ),
            Entry("aliases", (), flow=True),
        ],
        header=["yaml-language-server: $schema=briefing.schema.json", ""],
    )

    assert written == (
        "# yaml-language-server: $schema=briefing.schema.json\n"
        "#\n"
        "# The date.\n"
        "updated: 2025-03-14\n"
        "\n"
        "sections:\n"
        "  - id: s1\n"
        "    body:\n"
        "      - a\n"
        "      - b\n"
        "\n"
        "  # Second.\n"
        "  - id: s2\n"
        "aliases: []\n"
    )


def test_long_comments_are_wrapped_to_the_line_width() -> None:
    comment = " ".join(["word"] * 60)

    lines = render_yaml([Entry("key", "value", comment=(comment,))]).splitlines()

    assert len(lines) > 2
    assert all(line.startswith("# ") and len(line) <= LINE_WIDTH for line in lines[:-1])


def test_double_quoted_escapes_only_what_yaml_cannot_hold() -> None:
    assert double_quoted('日本語 "x"\n\t\x85\U0001f4a1') == '"日本語 \\"x\\"\\n\\t\\x85\U0001f4a1"'
