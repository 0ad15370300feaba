"""Golden tests for bot.authoring.importer: the seed and two more documents of its shape."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from bot.authoring.importer import ImportResult, import_document
from bot.briefings.loader import load_file
from bot.briefings.models import Briefing

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# A byte-for-byte copy of ../shared/seeds/000_ab7953d3101c5e50.txt, so the test runs anywhere.
SEED_DOCUMENT = FIXTURES / "000_ab7953d3101c5e50.txt"
HAND_MADE = ROOT / "briefings" / "ukraine-ceasefire.yaml"
AUTHORING_DOC = ROOT / "docs" / "authoring.md"
TODAY = dt.date(2025, 11, 1)


def imported(text: str, topic_id: str = "sample") -> ImportResult:
    return import_document(text, topic_id=topic_id, source_name="doc.txt", today=TODAY)


def load_written(tmp_path: Path, topic_id: str, yaml_text: str) -> Briefing:
    path = tmp_path / f"{topic_id}.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    result = load_file(path)
    assert result.errors == ()
    assert result.briefing is not None
    return result.briefing


def content(briefing: Briefing) -> dict[str, Any]:
    """Every field of the briefing except the section ids."""
    data = briefing.model_dump()
    for section in data["sections"]:
        del section["id"]
    return data


def test_the_seed_imports_as_the_hand_made_briefing_field_for_field(tmp_path: Path) -> None:
    result = import_document(
        SEED_DOCUMENT.read_text(encoding="utf-8"),
        topic_id="ukraine-ceasefire",
        source_name=SEED_DOCUMENT.name,
        today=TODAY,
    )

    assert result.warnings == ()
    assert result.section_count == 3
    ours = content(load_written(tmp_path, "ukraine-ceasefire", result.yaml_text))
    hand_made = load_file(HAND_MADE).briefing
    assert hand_made is not None
    theirs = content(hand_made)
    # Tags and aliases are editorial choices the document does not contain.
    assert (ours.pop("tags"), ours.pop("aliases")) == ((), ())
    assert (theirs.pop("tags"), theirs.pop("aliases")) == (
        ("ウクライナ", "ロシア", "米国", "停戦", "首脳会談"),
        ("ukraine",),
    )
    assert ours == theirs


def test_the_seed_import_numbers_its_sections_by_position(tmp_path: Path) -> None:
    result = imported(SEED_DOCUMENT.read_text(encoding="utf-8"), "ukraine-ceasefire")

    briefing = load_written(tmp_path, "ukraine-ceasefire", result.yaml_text)
    assert [s.id for s in briefing.sections] == ["s1", "s2", "s3"]


@pytest.mark.parametrize(
    ("topic_id", "expected_warnings"),
    [
        (
            "harbour-ferry",
            [
                (
                    12,
                    "sections[0].sources[0].url",
                    "the URL ran into the text after it: read as "
                    "https://ferries.example/winter-2025, with 'Late-shift' starting the "
                    "commentary; check both",
                )
            ],
        ),
        ("minato-tram", []),
    ],
)
def test_each_fixture_document_imports_as_its_expected_yaml(
    tmp_path: Path, topic_id: str, expected_warnings: list[tuple[int, str, str]]
) -> None:
    document = FIXTURES / f"{topic_id}.txt"
    expected = FIXTURES / f"{topic_id}.yaml"

    result = import_document(
        document.read_text(encoding="utf-8"),
        topic_id=topic_id,
        source_name=document.name,
        today=TODAY,
    )

    assert result.yaml_text == expected.read_text(encoding="utf-8")
    assert [(w.line, w.path, w.message) for w in result.warnings] == expected_warnings
    loaded = load_file(expected)
    assert loaded.errors == ()
    assert [(p.path, p.message) for p in loaded.warnings] == [
        ("sections[2].id", "section has no published date")
    ]


def test_the_english_fixture_lands_in_the_right_fields(tmp_path: Path) -> None:
    briefing = load_written(
        tmp_path,
        "harbour-ferry",
        imported((FIXTURES / "harbour-ferry.txt").read_text(encoding="utf-8")).yaml_text,
    )

    assert briefing.language == "en"
    assert briefing.title == (
        "Harbour ferry winter timetable? Fewer evening crossings from November?"
    )
    assert briefing.subtitle == "What changes for late commuters"
    assert briefing.updated == dt.date(2025, 10, 19)
    first, second, third = briefing.sections
    assert first.sources[0].url == "https://ferries.example/winter-2025"
    assert first.commentary == (
        "Late-shift workers are hit hardest by the change.\n"
        "Keeping the 22:30 crossing was the least the operator could do."
    )
    assert second.sources[0].publisher == "Coastline Media"
    assert third.published is None
    assert (third.sources[0].name, third.sources[0].description) == ("Town Council", None)
    assert briefing.closing == (
        "That covers the winter timetable and what it means for late commuters.\n"
        "We will follow the March review."
    )


def test_the_japanese_fixture_lands_in_the_right_fields(tmp_path: Path) -> None:
    briefing = load_written(
        tmp_path,
        "minato-tram",
        imported((FIXTURES / "minato-tram.txt").read_text(encoding="utf-8")).yaml_text,
    )

    assert briefing.language == "ja"
    assert briefing.subtitle == "市電延伸計画のポイントと沿線への影響"
    # `公開日：` with a full-width colon is a date line too.
    assert [s.published for s in briefing.sections] == [
        dt.date(2025, 4, 12),
        dt.date(2025, 4, 20),
        None,
    ]
    source = dataclasses.asdict(briefing.sections[1].sources[0])
    assert {name: value for name, value in source.items() if value is not None} == {
        "name": "湾岸テレビ",
        "url": "https://wangan-tv.example/news/2025/04/20/tram-cost",
    }
    assert briefing.sections[2].sources[0].publisher == "みなと市"


def test_japanese_stays_unescaped_and_long_text_uses_block_scalars() -> None:
    text = imported(SEED_DOCUMENT.read_text(encoding="utf-8")).yaml_text

    assert "\\u" not in text
    assert "summary: >-\n  ウクライナ情勢緊迫!" in text
    assert "    commentary: |-\n      ウィットコフ特使のモスクワ訪問は" in text
    keys = [line.split(":")[0] for line in text.splitlines() if line[:1].isalpha()]
    assert keys == [
        "title",
        "subtitle",
        "summary",
        "language",
        "tags",
        "aliases",
        "updated",
        "sections",
        "takeaways",
        "closing",
    ]


def test_the_example_in_the_docs_is_what_the_import_writes() -> None:
    docs = AUTHORING_DOC.read_text(encoding="utf-8")
    shape = docs[docs.index("### The shape it reads") :]
    document = re.search(r"```text\n(.*?)```", shape, re.DOTALL)
    written = re.search(r"```yaml\n(.*?)```", shape, re.DOTALL)
    assert document is not None
    assert written is not None

    result = import_document(
        document[1], topic_id="harbour-ferry", source_name="ferry-news.txt", today=TODAY
    )

    assert result.yaml_text == written[1]
    assert result.warnings == ()
