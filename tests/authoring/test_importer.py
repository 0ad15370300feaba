"""Tests for bot.authoring.importer: documents that stray from the shape, and what it reports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.authoring.document import DocumentShapeError
from bot.authoring.importer import ImportResult, import_document
from bot.briefings.loader import Problem, Severity, parse_yaml

TODAY = dt.date(2025, 11, 1)


def imported(text: str, topic_id: str = "sample") -> ImportResult:
    return import_document(text, topic_id=topic_id, source_name="doc.txt", today=TODAY)


def data_of(result: ImportResult) -> dict[str, Any]:
    _, data, problems = parse_yaml(Path("doc.yaml"), result.yaml_text)
    assert problems == []
    assert isinstance(data, dict)
    return data


def warnings_of(result: ImportResult) -> list[tuple[int, str, str]]:
    assert all(w.severity is Severity.WARNING and w.file == "doc.txt" for w in result.warnings)
    return [(w.line, w.path, w.message) for w in result.warnings]


SECTION = """\
Heading {n}
Question {n}?
Answer {n}.
Lead {n}.
公開日:2025/03/1{n}

✅ Point {n}a.
✅ Point {n}b.
さらに読む ⇒Paper {n}:A paper出典/画像元: https://example.com/{n} Comment {n}a.
Comment {n}b.
Body {n}a.
Body {n}b.
Reaction {n}.
"""
ENDING = """\
Closing a.
Closing b.
💡 Takeaway a.
💡 Takeaway b.
"""


def document(*sections: str, header: str = "Title?Subtitle\nSummary.\n") -> str:
    return header + "".join(sections) + ENDING


def test_a_document_of_the_shape_imports_without_warnings() -> None:
    result = imported(document(SECTION.format(n=1), SECTION.format(n=2)))

    assert result.warnings == ()
    data = data_of(result)
    assert data["sections"][1] == {
        "id": "s2",
        "heading": "Heading 2",
        "question": "Question 2?",
        "answer": "Answer 2.",
        "lead": "Lead 2.",
        "published": dt.date(2025, 3, 12),
        "points": ["Point 2a.", "Point 2b."],
        "sources": [{"name": "Paper 2", "description": "A paper", "url": "https://example.com/2"}],
        "commentary": "Comment 2a.\nComment 2b.",
        "body": ["Body 2a.", "Body 2b."],
        "reactions": ["Reaction 2."],
    }
    assert (data["title"], data["subtitle"], data["summary"]) == ("Title?", "Subtitle", "Summary.")
    assert data["takeaways"] == ["Takeaway a.", "Takeaway b."]
    assert data["closing"] == "Closing a.\nClosing b."


def test_a_subtitle_on_its_own_line_is_read_as_the_subtitle() -> None:
    result = imported(document(SECTION.format(n=1), header="Title\nSubtitle\nSummary.\n"))

    assert result.warnings == ()
    data = data_of(result)
    assert (data["title"], data["subtitle"], data["summary"]) == ("Title", "Subtitle", "Summary.")


def test_extra_header_lines_go_to_the_summary_and_are_reported() -> None:
    result = imported(document(SECTION.format(n=1), header="Title?Subtitle\nOne.\nTwo.\n"))

    assert data_of(result)["summary"] == "One.\nTwo."
    assert warnings_of(result) == [
        (
            3,
            "summary",
            "more lines before the first section than title, subtitle and summary: "
            "added to the summary",
        )
    ]


def test_a_line_between_points_continues_the_point_before_it() -> None:
    wrapped = SECTION.format(n=1).replace("✅ Point 1b.", "✅ Point 1b\nwrapped here.")

    result = imported(document(wrapped))

    assert data_of(result)["sections"][0]["points"] == ["Point 1a.", "Point 1b wrapped here."]
    assert warnings_of(result) == [
        (11, "sections[0].points[1]", "a line after the ✅ point on line 10: added to it")
    ]


def test_japanese_continuations_join_without_a_space() -> None:
    text = document(SECTION.format(n=1)).replace("✅ Point 1a.", "✅ 停戦案に\nついて。")

    assert data_of(imported(text))["sections"][0]["points"][0] == "停戦案について。"


def test_a_line_between_the_date_and_the_points_is_added_to_the_lead() -> None:
    text = document(SECTION.format(n=1).replace("\n\n✅ Point 1a.", "\nMore lead.\n✅ Point 1a."))

    result = imported(text)

    assert data_of(result)["sections"][0]["lead"] == "Lead 1.\nMore lead."
    assert warnings_of(result) == [
        (
            8,
            "sections[0].lead",
            "a line between the published date and the ✅ points: added to the lead",
        )
    ]


def test_a_run_too_short_for_its_fields_is_placed_by_need_and_every_line_reported() -> None:
    # Between the source line of section 1 and the date of section 2 are 4 lines (the
    # text after the URL counts) where the shape has at least 7.
    short = "さらに読む ⇒Paper:A paper出典/画像元: https://example.com/1 Line A.\n"
    first = SECTION.format(n=1).split("さらに読む")[0] + short
    second = "Line B.\nLine C.\nLine D.\n" + SECTION.format(n=2).split("\n", 4)[4]

    result = imported(document(first, second))

    sections = data_of(result)["sections"]
    assert sections[0]["commentary"] == "Line A."
    assert sections[0]["reactions"] == ["Line B."]
    assert (sections[1]["heading"], sections[1]["answer"]) == ("Line C.", "Line D.")
    assert "body" not in sections[0]
    assert "question" not in sections[1]
    assert "lead" not in sections[1]
    doubts = warnings_of(result)
    assert [(line, path) for line, path, _ in doubts] == [
        (11, "sections[0].commentary"),
        (12, "sections[0].reactions"),
        (13, "sections[1].heading"),
        (14, "sections[1].answer"),
    ]
    assert doubts[0][2] == (
        "placed by a guess: lines 11-14 hold 4 line(s) where the document's shape has at "
        "least 7 (commentary, commentary, reactions, heading, question, answer, lead); "
        "check where this line belongs"
    )


def test_text_after_a_takeaway_continues_it() -> None:
    result = imported(document(SECTION.format(n=1)) + "and one more thing.\n")

    assert data_of(result)["takeaways"] == ["Takeaway a.", "Takeaway b. and one more thing."]
    assert warnings_of(result) == [
        (20, "takeaways[1]", "a line after the 💡 takeaway on line 19: added to it")
    ]


def test_a_takeaway_before_the_end_is_moved_to_the_takeaways() -> None:
    in_points = SECTION.format(n=1).replace("✅ Point 1b.", "💡 Early.\n✅ Point 1b.")
    in_body = SECTION.format(n=2).replace("Reaction 2.", "💡 Later.\nReaction 2.")

    result = imported(document(in_points, in_body))

    data = data_of(result)
    assert data["takeaways"] == ["Early.", "Later.", "Takeaway a.", "Takeaway b."]
    # The text around a misplaced 💡 line stays in its fields.
    assert data["sections"][0]["points"] == ["Point 1a.", "Point 1b."]
    assert data["sections"][1]["reactions"] == ["Reaction 2."]
    assert data["closing"] == "Closing a.\nClosing b."
    message = "a 💡 line before the end of the document: moved to the takeaways"
    assert warnings_of(result) == [(10, "takeaways[0]", message), (29, "takeaways[1]", message)]


def test_a_date_it_cannot_read_is_kept_as_written() -> None:
    result = imported(document(SECTION.format(n=1).replace("2025/03/11", "三月ごろ")))

    assert data_of(result)["sections"][0]["published"] == "三月ごろ"
    assert (7, "sections[0].published") in [(line, path) for line, path, _ in warnings_of(result)]
    # The briefing still needs an `updated` date: the day of the import, reported.
    assert data_of(result)["updated"] == TODAY
    assert warnings_of(result)[0] == (
        1,
        "updated",
        "no 公開日 (published date) line in the document: set to today, 2025-11-01",
    )


@pytest.mark.parametrize(
    "written", ["2025-03-11", "2025.3.11", "2025年3月11日", "２０２５／０３／１１"]
)
def test_dates_in_common_forms_are_read(written: str) -> None:
    result = imported(document(SECTION.format(n=1).replace("2025/03/11", written)))

    assert result.warnings == ()
    assert data_of(result)["sections"][0]["published"] == dt.date(2025, 3, 11)


def test_a_source_line_without_url_keeps_the_source_and_says_so() -> None:
    text = document(
        SECTION.format(n=1).replace("出典/画像元: https://example.com/1", "出典/画像元: 記者会見")
    )

    result = imported(text)

    section = data_of(result)["sections"][0]
    # Without a URL nothing shows where the commentary starts: the line stays one source.
    assert section["sources"] == [
        {"name": "Paper 1", "description": "A paper 記者会見 Comment 1a."}
    ]
    assert section["commentary"] == "Comment 1b.\nBody 1a."
    assert warnings_of(result) == [
        (
            11,
            "sections[0].sources[0].url",
            "no URL found on the source line: the source is written without one; "
            "check where its name and description end",
        )
    ]


def test_a_source_line_without_a_name_is_reported() -> None:
    text = document(SECTION.format(n=1).replace("Paper 1:A paper", ""))

    result = imported(text)

    assert data_of(result)["sections"][0]["sources"][0] == {
        "name": "",
        "url": "https://example.com/1",
    }
    assert warnings_of(result) == [
        (
            11,
            "sections[0].sources[0].name",
            "no source name found before the URL: write it in (required)",
        )
    ]


def test_two_source_lines_in_a_row_give_two_sources() -> None:
    second_source = "さらに読む ⇒Other出典/画像元: https://example.com/other\n"
    text = document(SECTION.format(n=1).replace("さらに読む", second_source + "さらに読む", 1))

    result = imported(text)

    assert result.warnings == ()
    sources = data_of(result)["sections"][0]["sources"]
    assert [s["name"] for s in sources] == ["Other", "Paper 1"]


def test_a_document_without_sections_is_refused() -> None:
    with pytest.raises(DocumentShapeError, match="no section found"):
        imported("Just a title\nand a paragraph.\n")


def test_an_id_that_is_not_a_slug_is_refused() -> None:
    with pytest.raises(ValueError, match="not a valid briefing id"):
        imported(document(SECTION.format(n=1)), topic_id="Not A Slug")


# --- Nothing is ever dropped --------------------------------------------------------------

_LINE_KINDS = st.sampled_from(["text", "point", "date", "source", "takeaway", "blank"])


def _line(kind: str, number: int) -> str:
    token = f"w{number:03d}"
    return {
        "text": f"Text {token}",
        "point": f"✅ Point {token}",
        "date": f"公開日:2025/01/{1 + number % 28:02d}",
        "source": f"さらに読む ⇒Name {token}:出典/画像元: https://example.com/{token}コメント{token}",
        "takeaway": f"💡 Takeaway {token}",
        "blank": "",
    }[kind]


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


@settings(max_examples=150, deadline=None)
@given(st.lists(_LINE_KINDS, min_size=1, max_size=40))
def test_every_word_of_any_document_ends_up_in_the_yaml(kinds: list[str]) -> None:
    lines = [_line(kind, number) for number, kind in enumerate(kinds)]
    text = "\n".join(lines) + "\n"
    if not any(kind in ("point", "date", "source") for kind in kinds):
        with pytest.raises(DocumentShapeError):
            imported(text)
        return

    result = imported(text)

    written = "\n".join(_strings(yaml.safe_load(result.yaml_text)))
    for number, kind in enumerate(kinds):
        if kind not in ("blank", "date"):
            assert f"w{number:03d}" in written
    assert all(isinstance(w, Problem) and w.line >= 1 for w in result.warnings)
