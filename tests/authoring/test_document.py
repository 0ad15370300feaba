"""Tests for bot.authoring.document: marked lines, source lines, and where sections begin."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.authoring.document import (
    CitedSource,
    DocumentLine,
    LineKind,
    classify_line,
    parse_date,
    parse_source_line,
    read_layout,
)
from bot.authoring.importer import split_title


def source(text: str) -> CitedSource:
    line = classify_line(12, text)
    assert line is not None
    assert line.kind is LineKind.SOURCE
    return parse_source_line(line)


def test_a_seed_source_line_is_split_into_its_parts() -> None:
    cited = source(
        "さらに読む ⇒時事ドットコム:時事通信社が運営するニュースサイト出典/画像元: "
        "https://www.jiji.com/jc/article?k=2025031301087&g=intウィットコフ特使のモスクワ訪問は、"
        "交渉の進展を期待させる動きですね。"
    )

    assert cited == CitedSource(
        line=12,
        name="時事ドットコム",
        description="時事通信社が運営するニュースサイト",
        publisher="時事通信社",
        url="https://www.jiji.com/jc/article?k=2025031301087&g=int",
        tail="ウィットコフ特使のモスクワ訪問は、交渉の進展を期待させる動きですね。",
    )


def test_a_source_line_without_description_has_only_a_name() -> None:
    cited = source("さらに読む ⇒東京新聞出典/画像元: https://www.tokyo-np.co.jp/article/391587")

    assert (cited.name, cited.description, cited.publisher) == ("東京新聞", None, None)
    assert (cited.url, cited.tail, cited.doubts) == (
        "https://www.tokyo-np.co.jp/article/391587",
        "",
        (),
    )


def test_an_english_word_run_into_the_url_is_taken_off_and_doubted() -> None:
    cited = source(
        "Read more ⇒ Harbour Ferries: The operator's own timetable pageSource/Image: "
        "https://ferries.example/winter-2025Late-shift workers are hit hardest."
    )

    assert cited.url == "https://ferries.example/winter-2025"
    assert cited.tail == "Late-shift workers are hit hardest."
    assert [field for field, _ in cited.doubts] == ["url"]


@pytest.mark.parametrize(
    "url",
    [
        "https://en.example/wiki/Harbour_Ferry",  # a capital after `_` or `/` is the URL's
        "https://youtu.example/dQw4w9WgXcQ",  # no lowercase word at the end
    ],
)
def test_urls_ending_in_capitals_are_left_alone(url: str) -> None:
    cited = source(f"Read more ⇒ Name出典/画像元: {url} More text.")

    assert (cited.url, cited.tail, cited.doubts) == (url, "More text.", ())


def test_a_word_at_the_end_of_the_line_is_not_taken_off_the_url() -> None:
    cited = source("Read more ⇒ NameSource/Image: https://news.example/pageEnd")

    assert (cited.url, cited.tail, cited.doubts) == ("https://news.example/pageEnd", "", ())


def test_english_publishers_are_read_from_the_description() -> None:
    cited = source(
        "Read more ⇒ Gazette: Local paper published by Coastline MediaSource/Image: "
        "https://gazette.example/a"
    )

    assert (cited.name, cited.description, cited.publisher) == (
        "Gazette",
        "Local paper published by Coastline Media",
        "Coastline Media",
    )


@pytest.mark.parametrize(
    ("line", "kind", "text"),
    [
        ("公開日:2025/03/14", LineKind.DATE, "2025/03/14"),
        ("公開日：2025/04/20", LineKind.DATE, "2025/04/20"),
        ("Published: 2025-10-18", LineKind.DATE, "2025-10-18"),
        ("✅ a point", LineKind.POINT, "a point"),
        ("✅️a point", LineKind.POINT, "a point"),
        ("💡 a takeaway", LineKind.TAKEAWAY, "a takeaway"),
        ("さらに読む ⇒東京新聞", LineKind.SOURCE, "東京新聞"),
        ("Read more => Gazette", LineKind.SOURCE, "Gazette"),
        ("Read more about the plan on the council's site.", LineKind.TEXT, None),
        ("  plain text  ", LineKind.TEXT, "plain text"),
    ],
)
def test_lines_are_classified_by_their_marker(line: str, kind: LineKind, text: str | None) -> None:
    classified = classify_line(5, line)

    assert classified == DocumentLine(5, kind, text if text is not None else line.strip())


def test_blank_lines_are_nothing() -> None:
    assert classify_line(1, " \t ") is None


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2025/03/14", dt.date(2025, 3, 14)),
        ("2025-3-4", dt.date(2025, 3, 4)),
        ("2025年3月14日", dt.date(2025, 3, 14)),
        ("2025/02/30", None),
        ("14 March 2025", None),
    ],
)
def test_parse_date(written: str, expected: dt.date | None) -> None:
    assert parse_date(written) == expected


@pytest.mark.parametrize(
    ("line", "title", "subtitle"),
    [
        (
            "ウクライナ停戦協議? 米ロ首脳会談の可能性と、緊迫する情勢の行方?"
            "米ロ停戦交渉の行方とウクライナ情勢",
            "ウクライナ停戦協議? 米ロ首脳会談の可能性と、緊迫する情勢の行方?",
            "米ロ停戦交渉の行方とウクライナ情勢",
        ),
        ("Ferries: what next? A look at winter", "Ferries: what next? A look at winter", None),
        ("停戦は進むのか?", "停戦は進むのか?", None),
        ("A title without marks", "A title without marks", None),
    ],
)
def test_split_title(line: str, title: str, subtitle: str | None) -> None:
    assert split_title(line) == (title, subtitle)


def test_where_sections_begin() -> None:
    layout = read_layout(
        "T\nS\nH1\nQ1\nA1\nL1\n✅ p1\nwrapped\n✅ p2\n"
        "c1\nH2\nQ2\nA2\nL2\n✅ p3\n"
        "さらに読む ⇒N出典/画像元: https://a.example/1\n✅ p4\n"
    )

    # Before any source line, one text line between points continues a point, while
    # five (enough for a heading block) end the section. After a source line, any
    # further point starts the next section.
    assert [[p.line.text for p in s.points] for s in layout.sections] == [
        ["p1", "p2"],
        ["p3"],
        ["p4"],
    ]
    assert [line.text for line in layout.sections[0].points[0].continuations] == ["wrapped"]
    assert [[line.text for line in run] for run in layout.runs] == [
        ["T", "S", "H1", "Q1", "A1", "L1"],
        ["c1", "H2", "Q2", "A2", "L2"],
        [],
        [],
    ]


def test_a_wrapped_takeaway_between_takeaways_continues_it() -> None:
    layout = read_layout("✅ p\nclosing\n💡 one\nwrapped\n💡 two\n")

    assert [(t.line.text, [c.text for c in t.continuations]) for t in layout.takeaways] == [
        ("one", ["wrapped"]),
        ("two", []),
    ]
    assert [line.text for line in layout.runs[-1]] == ["closing"]
    assert layout.early_takeaways == []
