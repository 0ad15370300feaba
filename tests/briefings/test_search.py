"""Full-text search: every field a reader sees, word starts, ranking, excerpts, suggestions."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import bot.briefings.search as search_module
from bot.briefings.excerpts import find_matches, fold, make_excerpt, term_pattern
from bot.briefings.library import Library
from bot.briefings.matching import edit_distance
from bot.briefings.models import Briefing
from bot.briefings.search import (
    SearchHit,
    SearchIndex,
    query_terms,
)
from bot.text.split import grapheme_boundaries
from tests.briefings.ranking_definition import brute_force

SEED = Path(__file__).resolve().parents[2] / "briefings" / "ukraine-ceasefire.yaml"


def seed() -> Briefing:
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    return Briefing.model_validate({"id": "ukraine-ceasefire", **data})


def briefing(briefing_id: str, *sections: dict[str, Any], **fields: Any) -> Briefing:
    return Briefing.model_validate(
        {
            "id": briefing_id,
            "title": briefing_id.title(),
            "summary": "Summary.",
            "language": "en",
            "updated": "2025-01-01",
            "sections": list(sections) or [section("only")],
            **fields,
        }
    )


def section(section_id: str, heading: str = "Heading", answer: str = "Answer.", **more: Any) -> Any:
    return {"id": section_id, "heading": heading, "answer": answer, **more}


def found(hits: Iterable[SearchHit]) -> list[tuple[str, str | None]]:
    return [(hit.briefing_id, hit.section_id) for hit in hits]


def marked(hit: SearchHit) -> list[str]:
    return [hit.excerpt[start:end] for start, end in hit.marks]


# --- The examples of issue 14, on the shipped briefing ---------------------------------


@pytest.mark.parametrize(
    ("query", "field", "mark"),
    [
        pytest.param("G7", "summary", "G7", id="summary-and-takeaways"),
        pytest.param("トランプ", "summary", "トランプ", id="summary-katakana"),
        pytest.param("ukraine", "aliases", "ukraine", id="alias"),
    ],
)
def test_the_seed_is_found_by_its_own_fields(query: str, field: str, mark: str) -> None:
    [hit] = SearchIndex([seed()]).search(query)
    assert (hit.briefing_id, hit.section_id, hit.field) == ("ukraine-ceasefire", None, field)
    assert mark in marked(hit)


def test_a_source_name_finds_the_section_that_cites_it() -> None:
    [hit] = SearchIndex([seed()]).search("時事")
    assert (hit.section_id, hit.field) == ("us-russia-talks", "sources")
    assert hit.excerpt == "時事ドットコム (時事通信社)"
    assert marked(hit) == ["時事", "時事"]  # the name and the publisher


def test_a_title_and_a_tag_find_record_heat_by_heat() -> None:
    heat = briefing("record-heat", title="Record heat", tags=["heatwave", "climate"])
    wheat = briefing("harvest", section("s", body=["Wheat prices fell."]))
    [hit] = SearchIndex([heat, wheat]).search("heat")
    assert (hit.briefing_id, hit.section_id, hit.field) == ("record-heat", None, "title")
    assert hit.score == 6.0 + 4.0  # the title, and the tag "heatwave" where a word starts


def test_two_character_japanese_query_finds_the_seed_everywhere_it_occurs() -> None:
    hits = SearchIndex([seed()]).search("停戦")
    assert found(hits) == [
        ("ukraine-ceasefire", None),
        ("ukraine-ceasefire", "us-russia-talks"),
        ("ukraine-ceasefire", "situation-in-ukraine"),
    ]
    assert [hit.field for hit in hits] == ["title", "question", "points"]
    for hit in hits:
        assert marked(hit) == ["停戦"]


# --- Matching ---------------------------------------------------------------------------


def test_short_ascii_terms_match_word_starts_not_the_middle_of_words() -> None:
    index = SearchIndex(
        [
            briefing("one", section("units", body=["The AC units failed."])),
            briefing("two", section("word-start", body=["Acceptance grew."])),
            briefing("three", section("inside", body=["Peace talks, a grace period."])),
            briefing("four", section("after-kanji", body=["米AC導入"]), language="ja"),
        ]
    )
    expected = [("one", "units"), ("two", "word-start"), ("four", "after-kanji")]
    assert found(index.search("AC")) == expected
    assert found(index.search("ac")) == expected


def test_a_word_start_follows_punctuation_digits_do_not_start_inside_words() -> None:
    index = SearchIndex([briefing("b", section("s", body=["(G7)", "ag7 is not g7-ish"]))])
    [hit] = index.search("g7")
    assert marked(hit) == ["G7"]
    assert index.search("7") == []  # "7" never starts a word here


def test_width_and_case_are_folded_on_both_sides() -> None:
    index = SearchIndex([briefing("b", section("s", body=["The ＮＡＴＯ summit ended."]))])
    assert found(index.search("nato")) == [("b", "s")]
    assert found(index.search("ＳＵＭＭＩＴ")) == [("b", "s")]
    japanese = SearchIndex([briefing("j", section("s", body=["ｳｸﾗｲﾅ情勢"]), language="ja")])
    assert found(japanese.search("ウクライナ")) == [("j", "s")]


def test_every_word_must_match() -> None:
    index = SearchIndex(
        [
            briefing(
                "b",
                section("both", body=["Energy prices rose."]),
                section("one", body=["Energy policy."]),
            )
        ]
    )
    assert found(index.search("energy prices")) == [("b", "both")]
    assert found(index.search("energy")) == [("b", "both"), ("b", "one")]
    assert index.search("energy zebra") == []


def test_single_characters_and_longer_japanese_terms() -> None:
    index = SearchIndex(
        [
            briefing(
                "j",
                section("a", body=["停戦協議が続く。"]),
                section("b", body=["停電が続く。", "協議"]),
                language="ja",
            )
        ]
    )
    assert found(index.search("停戦協議")) == [("j", "a")]
    assert found(index.search("戦")) == [("j", "a")]
    assert found(index.search("続")) == [("j", "a"), ("j", "b")]
    assert index.search("停電協議") == []  # both words are there, but apart


def test_terms_do_not_match_across_paragraphs_or_fields() -> None:
    index = SearchIndex([briefing("b", section("s", answer="ends with ab.", body=["cd starts"]))])
    assert index.search("ab.cd") == []
    assert index.search("ab. cd")  # two words, both present


def test_query_terms_are_folded_deduplicated_and_printable() -> None:
    assert query_terms("Ｅｎｅｒｇｙ energy  PRICES") == ["energy", "prices"]
    assert query_terms("a\x00b") == []


def test_a_briefing_name_narrows_a_search_to_its_sections() -> None:
    both = [seed(), briefing("other", section("s", body=["プーチン氏の発言"]), language="ja")]
    index = SearchIndex(both)
    hits = index.search("ukraine プーチン")
    assert {hit.briefing_id for hit in hits} == {"ukraine-ceasefire"}
    assert [hit.section_id for hit in hits] == [
        "us-russia-talks",
        "summit-prospects",
        "situation-in-ukraine",
    ]
    assert all(marked(hit) == ["プーチン"] for hit in hits)
    # The name alone finds the briefing once, not each of its sections.
    assert found(index.search("ukraine")) == [("ukraine-ceasefire", None)]


# --- Every field, and ranking ------------------------------------------------------------


OVERVIEW_FIELDS: dict[str, dict[str, Any]] = {
    "title": {"title": "Alpha"},
    "aliases": {"aliases": ["alpha"]},
    "tags": {"tags": ["x", "alpha"]},
    "subtitle": {"subtitle": "alpha"},
    "summary": {"summary": "alpha"},
    "takeaways": {"takeaways": ["x", "alpha"]},
    "closing": {"closing": "alpha"},
}
OVERVIEW_DATES = {"updated": "2024-07-09"}
SECTION_FIELDS: dict[str, dict[str, Any]] = {
    "heading": {"heading": "alpha"},
    "question": {"question": "alpha?"},
    "answer": {"answer": "alpha."},
    "lead": {"lead": "alpha"},
    "points": {"points": ["x", "alpha"]},
    "commentary": {"commentary": "alpha"},
    "body": {"body": ["x", "y", "alpha"]},
    "sources": {"sources": [{"name": "Alpha News", "url": "https://example.com/a"}]},
    "reactions": {"reactions": ["alpha!"]},
}
SOURCE = {"name": "Wire", "url": "https://example.com/w"}


@pytest.mark.parametrize("field", OVERVIEW_FIELDS)
def test_every_field_of_a_briefing_is_searched(field: str) -> None:
    [hit] = SearchIndex([briefing("b", **OVERVIEW_FIELDS[field])]).search("alpha")
    assert (hit.section_id, hit.field) == (None, field)
    assert marked(hit) == ["alpha"] or marked(hit) == ["Alpha"]


@pytest.mark.parametrize("field", SECTION_FIELDS)
def test_every_field_of_a_section_is_searched(field: str) -> None:
    [hit] = SearchIndex([briefing("b", section("s", **SECTION_FIELDS[field]))]).search("alpha")
    assert (hit.section_id, hit.field) == ("s", field)


@pytest.mark.parametrize("written", ["2024-07-09", "2024/07/09", "2024-07", "2024/07"])
def test_the_update_date_of_a_briefing_is_searched_in_either_form(written: str) -> None:
    [hit] = SearchIndex([briefing("b", **OVERVIEW_DATES)]).search(written)
    assert (hit.section_id, hit.field) == (None, "dates")
    assert marked(hit) == [written]


@pytest.mark.parametrize(
    "fields",
    [
        {"published": "2023-02-03"},
        {"sources": [{**SOURCE, "published": "2023-02-03"}]},
    ],
    ids=["section", "source"],
)
def test_the_dates_of_a_section_and_its_sources_are_searched(fields: dict[str, Any]) -> None:
    index = SearchIndex([briefing("b", section("s", **fields))])
    for written in ("2023-02-03", "2023/02/03"):
        [hit] = index.search(written)
        assert (hit.section_id, hit.field, hit.score) == ("s", "dates", 1.0)
    assert index.search("2023-02-04") == []
    assert index.search("023-02") == []  # digits, too, match only where a word starts
    assert index.search("02-03")  # after the dash, the month starts a word


def test_a_source_description_is_searched() -> None:
    source = {**SOURCE, "description": "A newsletter on zebra crossings"}
    [hit] = SearchIndex([briefing("b", section("s", sources=[source]))]).search("crossings")
    assert (hit.section_id, hit.field, hit.excerpt) == (
        "s",
        "sources",
        "A newsletter on zebra crossings",
    )


def test_a_source_publisher_is_searched() -> None:
    source = {"name": "Wire", "publisher": "Zebra Media", "url": "https://example.com/z"}
    [hit] = SearchIndex([briefing("b", section("s", sources=[source]))]).search("zebra")
    assert (hit.field, hit.excerpt) == ("sources", "Wire (Zebra Media)")


def test_titles_headings_and_answers_rank_above_body_text() -> None:
    index = SearchIndex(
        [
            briefing(
                "b",
                section("in-body", body=["grain exports"]),
                section("in-points", points=["grain exports"]),
                section("in-answer", answer="grain exports"),
                section("in-heading", heading="grain exports"),
                section("in-heading-and-body", heading="grain", body=["grain again"]),
            ),
            briefing("report", title="Grain report", summary="On grain."),
        ]
    )
    hits = index.search("grain")
    assert found(hits) == [
        ("report", None),  # the title (6) and the summary (2)
        ("b", "in-heading-and-body"),
        ("b", "in-heading"),
        ("b", "in-answer"),
        ("b", "in-points"),
        ("b", "in-body"),
    ]
    assert [hit.score for hit in hits] == [8.0, 6.0, 5.0, 4.0, 2.0, 1.0]
    assert hits[0].field == "title"


def test_limit_ties_in_reading_order_and_empty_queries() -> None:
    index = SearchIndex(
        [briefing(f"b{i:02d}", section("s", body=["common word"])) for i in range(30)]
    )
    hits = index.search("common", limit=10)
    assert [h.briefing_id for h in hits] == [f"b{i:02d}" for i in range(10)]
    assert index.search("   ") == []
    assert index.search("common", limit=0) == []
    assert len(index) == 30


def test_control_characters_in_the_text_do_not_shift_fields() -> None:
    index = SearchIndex(
        [
            briefing(
                "b",
                section("odd", heading="a\x01b\x02c", answer="target\x00here", body=["x\x01y"]),
                section("plain", body=["target"]),
            )
        ]
    )
    hits = index.search("target")
    assert [(h.section_id, h.field) for h in hits] == [("odd", "answer"), ("plain", "body")]
    assert found(index.search("x y")) == [("b", "odd")]


def test_the_index_is_built_once_on_first_use_even_from_threads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    builds: list[int] = []
    real_build = search_module._build

    def counting_build(briefings: Any) -> Any:
        builds.append(1)
        return real_build(briefings)

    monkeypatch.setattr(search_module, "_build", counting_build)
    index = SearchIndex([seed()])
    assert not index.ready
    errors: list[BaseException] = []

    def run() -> None:
        try:
            assert index.search("停戦")
            assert index.spelling_fix("ukrane") == "ukraine"
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert index.ready
    assert len(builds) == 1
    index.warm()
    assert len(builds) == 1


# --- The ranking, by its definition ---------------------------------------------------------


_WORDS = st.text(alphabet=st.sampled_from("ab停戦 ＡＢ-"), min_size=1, max_size=12).filter(
    lambda s: s.strip()
)


@given(
    sections=st.lists(
        st.fixed_dictionaries(
            {
                "heading": _WORDS,
                "answer": _WORDS,
                "question": st.none() | _WORDS,
                "lead": st.none() | _WORDS,
                "points": st.lists(_WORDS, max_size=3),
                "commentary": st.none() | _WORDS,
                "body": st.lists(_WORDS, max_size=3),
                "reactions": st.lists(_WORDS, max_size=2),
            }
        ),
        min_size=1,
        max_size=12,
    ),
    titles=st.lists(_WORDS, min_size=3, max_size=3),
    tags=st.lists(_WORDS, max_size=2),
    query=st.text(alphabet=st.sampled_from("ab停戦 Ａ"), min_size=1, max_size=6),
    limit=st.integers(1, 6),
)
def test_the_ranking_equals_the_definition(
    sections: list[dict[str, Any]], titles: list[str], tags: list[str], query: str, limit: int
) -> None:
    briefings = [
        briefing(
            f"b{i}",
            *(section(f"s{j}", **fields) for j, fields in enumerate(sections[i::3])),
            title=titles[i],
            tags=tags if i == 1 else [],
        )
        for i in range(3)
        if sections[i::3]
    ]
    expected = brute_force(briefings, query, limit)
    hits = SearchIndex(briefings).search(query, limit)
    assert [(h.briefing_id, h.section_id, h.score) for h in hits] == expected


_SOURCES = st.lists(
    st.fixed_dictionaries(
        {"name": _WORDS, "url": st.just("https://example.com/a")},
        optional={
            "publisher": _WORDS,
            "description": _WORDS,
            "published": st.sampled_from(["2024-01-02", "2024-02-01"]),
        },
    ),
    max_size=2,
)
_QUERY_WORDS = st.sampled_from(
    ["a", "ab", "b", "停", "停戦", "戦a", "ａｂ", "-", "2024", "01", "b0"]
)


@given(
    briefs=st.lists(
        st.tuples(
            st.lists(
                st.fixed_dictionaries(
                    {"heading": _WORDS, "answer": _WORDS},
                    optional={
                        "question": _WORDS,
                        "points": st.lists(_WORDS, max_size=2),
                        "body": st.lists(_WORDS, max_size=2),
                        "sources": _SOURCES,
                        "published": st.sampled_from(["2024-01-02", "2023-12-31"]),
                        "reactions": st.lists(_WORDS, max_size=1),
                    },
                ),
                min_size=1,
                max_size=4,
            ),
            _WORDS,
            st.lists(_WORDS, max_size=2),
        ),
        min_size=1,
        max_size=5,
    ),
    queries=st.lists(
        st.lists(_QUERY_WORDS, min_size=1, max_size=3).map(" ".join), min_size=1, max_size=4
    ),
    limit=st.integers(1, 8),
)
def test_every_query_ranks_as_defined_whatever_was_searched_before(
    briefs: list[tuple[list[dict[str, Any]], str, list[str]]], queries: list[str], limit: int
) -> None:
    briefings = [
        briefing(
            f"b{i}",
            *(section(f"s{j}", **fields) for j, fields in enumerate(sections)),
            title=title,
            takeaways=takeaways,
        )
        for i, (sections, title, takeaways) in enumerate(briefs)
    ]
    index = SearchIndex(briefings)
    # Each query twice: first worked out from the text, then from what the first one kept.
    for query in [*queries, *queries]:
        expected = brute_force(briefings, query, limit)
        assert [(h.briefing_id, h.section_id, h.score) for h in index.search(query, limit)] == (
            expected
        )


# --- Excerpts ---------------------------------------------------------------------------------


def excerpt(text: str, *terms: str) -> tuple[str, list[str]]:
    made = make_excerpt(text, [term_pattern(fold(term)) for term in terms])
    return made.text, [made.text[start:end] for start, end in made.marks]


def test_every_matched_term_is_marked_not_only_the_first() -> None:
    text, marks = excerpt("Grain prices: grain exports rose as prices fell.", "grain", "prices")
    assert marks == ["Grain", "prices", "grain", "prices"]
    assert text == "Grain prices: grain exports rose as prices fell."


def test_excerpts_cut_english_between_words() -> None:
    text = (
        " ".join(f"word{n}" for n in range(30)) + " needle " + " ".join("tail" for _ in range(30))
    )
    made, marks = excerpt(text, "needle")
    assert marks == ["needle"]
    assert made.startswith("…word")
    assert made.endswith("tail…")
    inner = made.strip("…")
    assert inner == inner.strip()
    assert all(word in text.split() for word in inner.split())  # no word was cut
    assert len(made) <= 2 * 40 + len("needle") + 2


def test_excerpts_cut_japanese_anywhere_but_inside_a_character() -> None:
    text = "あ" * 60 + "停戦" + "い" * 60
    made, marks = excerpt(text, "停戦")
    assert marks == ["停戦"]
    assert made == "…" + "あ" * 40 + "停戦" + "い" * 40 + "…"


def test_excerpt_maps_folded_offsets_back_to_the_original() -> None:
    _, marks = excerpt("Die Straße ist lang, und dann kommt HAFEN am Ende.", "hafen")
    assert marks == ["HAFEN"]
    _, marks = excerpt("㍻の停戦合意", "停戦")  # ㍻ folds to two characters
    assert marks == ["停戦"]


def test_excerpt_is_one_line_and_starts_the_text_when_nothing_matches() -> None:
    made, marks = excerpt("first line\nsecond needle line", "needle")
    assert "\n" not in made
    assert marks == ["needle"]
    made, marks = excerpt("x" * 200, "absent")
    assert marks == []
    assert made.endswith("…")


@pytest.mark.parametrize("cluster", ["👨‍👩‍👧‍👦", "🇯🇵", "e\u0301", "が", "\u0915\u094d\u0937"])
def test_excerpt_never_cuts_a_grapheme_cluster(cluster: str) -> None:
    for pad in range(0, 8):
        text = "a" * pad + cluster * 30 + " needle " + cluster * 30
        made, marks = excerpt(text, "needle")
        body = made.strip("…")
        offset = text.index(body)
        cuts = set(grapheme_boundaries(text))
        assert offset in cuts
        assert offset + len(body) in cuts
        assert marks == ["needle"]


@given(
    st.text(alphabet=st.sampled_from("ab 停戦。\n👍🏽e\u0301ＡＢ"), max_size=300),
    st.lists(st.sampled_from(["a", "ab", "停戦", "b", "ｂ"]), min_size=1, max_size=3),
)
def test_excerpt_properties(text: str, terms: list[str]) -> None:
    patterns = [term_pattern(fold(term)) for term in terms]
    made = make_excerpt(text, patterns)
    previous_end = 0
    for start, end in made.marks:
        assert previous_end <= start < end <= len(made.text)
        previous_end = end + 1  # marks never touch, so their bold markers never merge
        shown = fold(made.text[start:end])
        assert any(p.search(shown) for p in patterns) or any(
            fold(t) in "".join(fold(c) for c in made.text[start:end]) for t in terms
        )
    spans, _ = find_matches(text, patterns)
    if spans:
        assert made.marks


# --- Suggestions ------------------------------------------------------------------------------


def test_a_misspelt_word_gets_the_closest_known_word() -> None:
    index = SearchIndex([seed(), briefing("harbour", section("s", body=["The ferry timetable."]))])
    assert index.spelling_fix("ukrane") == "ukraine"
    assert index.spelling_fix("ferry timetabel") == "ferry timetable"
    assert index.spelling_fix("ukraine") is None  # nothing to fix
    assert index.spelling_fix("tim") is None  # starts a known word: it finds something
    assert index.spelling_fix("停船") is None  # no spelling fixes for unspaced scripts
    assert index.spelling_fix("qwxzv") is None  # nothing close


def test_the_library_suggests_a_fix_and_the_closest_topics() -> None:
    heat = briefing("record-heat", title="Record heat", tags=["heatwave"])
    library = Library([seed(), heat])
    suggestions = library.search_suggestions("heatwaev")
    assert suggestions.spelling == "heatwave"
    assert [b.id for b in suggestions.topics] == ["record-heat"]
    nothing = library.search_suggestions("qwxzv")
    assert (nothing.spelling, nothing.topics) == (None, ())


def test_edit_distance_counts_swaps_as_one_and_stops_at_the_limit() -> None:
    assert edit_distance("ukrane", "ukraine", 2) == 1
    assert edit_distance("timetabel", "timetable", 2) == 1
    assert edit_distance("abc", "abc", 1) == 0
    assert edit_distance("kitten", "sitting", 5) == 3
    assert edit_distance("kitten", "sitting", 1) == 2  # over the limit: limit + 1
    assert edit_distance("a", "abcd", 2) == 3
