"""The search index: bitmaps and their top-k, folded texts, the character index, term sets."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import bot.briefings.ranking as ranking_module
import bot.briefings.search_index as index_module
from bot.briefings.bitmaps import (
    add_weighted,
    best,
    from_flags,
    from_members,
    lowest,
    members,
    score_of,
    spread,
    to_flags,
)
from bot.briefings.models import Briefing
from bot.briefings.ranking import SECTIONS, Term
from bot.briefings.search import (
    SECTION_COLUMNS,
    SearchIndex,
    _build,
    _section_columns,
    section_texts,
)
from bot.briefings.search_text import JoinedColumn, TextColumn
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
            "language": "ja",
            "updated": "2025-01-01",
            "sections": list(sections),
            **fields,
        }
    )


def found(hits: Iterable[Any]) -> list[tuple[str, str | None]]:
    return [(hit.briefing_id, hit.section_id) for hit in hits]


# --- Bitmaps ---------------------------------------------------------------------------


@given(st.sets(st.integers(0, 300)))
def test_a_bitmap_holds_exactly_its_members(chosen: set[int]) -> None:
    bitmap = from_members(chosen, 301)
    assert bitmap == sum(1 << d for d in chosen)
    assert members(bitmap) == sorted(chosen)
    assert lowest(bitmap, 3) == sorted(chosen)[:3]
    flags = bytearray(301)
    for d in chosen:
        flags[d] = 1
    assert from_flags(flags) == bitmap


def test_flags_and_runs_of_a_bitmap() -> None:
    assert to_flags(0b1101, 6) == bytes([1, 0, 1, 1, 0, 0])
    assert to_flags(0, 3) == bytes(3)
    assert index_module._runs(bytes([1, 0, 1, 1, 0, 0, 1])) == [(0, 1), (2, 4), (6, 7)]
    assert index_module._runs(bytes(4)) == []


def test_spread_turns_groups_into_their_members() -> None:
    counts = [2, 0, 3, 1]  # group 0: 0-1, group 1: none, group 2: 2-4, group 3: 5
    assert members(spread(0b1101, counts)) == [0, 1, 2, 3, 4, 5]
    assert members(spread(0b0100, counts)) == [2, 3, 4]
    assert spread(0b0010, counts) == 0
    assert spread(0, counts) == 0


@given(
    features=st.lists(st.tuples(st.integers(1, 13), st.sets(st.integers(0, 80))), max_size=8),
    limit=st.integers(0, 12),
)
def test_best_is_the_top_of_the_scores_ties_by_document(
    features: list[tuple[int, set[int]]], limit: int
) -> None:
    planes: list[int] = []
    scores: dict[int, int] = {}
    for weight, chosen in features:
        add_weighted(planes, weight, from_members(chosen, 81))
        for d in chosen:
            scores[d] = scores.get(d, 0) + weight
    for d in range(81):
        assert score_of(planes, d) == scores.get(d, 0)
    candidates = from_members(scores, 81)
    expected = sorted(((s, d) for d, s in scores.items()), key=lambda x: (-x[0], x[1]))[:limit]
    assert best(planes, candidates, limit) == expected


# --- Folded texts -----------------------------------------------------------------------


_TEXT = st.text(alphabet=st.sampled_from("aZ停 ｂ"), min_size=1, max_size=5).filter(str.strip)


@given(
    st.lists(
        st.fixed_dictionaries(
            {"id": st.just("s"), "heading": _TEXT, "answer": _TEXT},
            optional={
                "question": _TEXT,
                "lead": _TEXT,
                "points": st.lists(_TEXT, max_size=2),
                "commentary": _TEXT,
                "body": st.lists(_TEXT, max_size=2),
                "published": st.just("2024-03-04"),
                "sources": st.lists(
                    st.fixed_dictionaries(
                        {"name": _TEXT},
                        optional={
                            "publisher": _TEXT,
                            "description": _TEXT,
                            "published": st.sampled_from(["2024-03-04", "2020-01-01"]),
                        },
                    ),
                    max_size=2,
                ),
                "reactions": st.lists(_TEXT, max_size=2),
            },
        ),
        min_size=1,
        max_size=3,
    )
)
def test_section_columns_hold_the_section_texts(sections: list[dict[str, Any]]) -> None:
    made = briefing("b", *({**s, "id": f"s{n}"} for n, s in enumerate(sections)))
    columns = _section_columns(made.sections)
    for number, section in enumerate(made.sections):
        for column, texts in zip(SECTION_COLUMNS, columns, strict=True):
            if texts.counts is None:
                mine = [texts.texts[number]]
            else:
                start = sum(texts.counts[:number])
                mine = texts.texts[start : start + texts.counts[number]]
            expected = [t for f, t in section_texts(section) if f in column.fields]
            assert [t for t in mine if t] == expected, column.name


def test_the_index_holds_the_briefing_s_own_strings_and_folds_the_rest_as_it_reads() -> None:
    made = [
        briefing("j", {"id": "s", "heading": "見出し", "answer": "x", "lead": "停戦協議が続く。"}),
        briefing("e", {"id": "s", "heading": "Ceasefire", "answer": "x", "lead": "Talks go on."}),
        briefing("f", {"id": "s", "heading": "ceasefire", "answer": "ｳｸﾗｲﾅ", "lead": "ｳｸﾗｲﾅ"}),
    ]
    heading, answer, _, lead = _build(made).text.sections[:4]
    assert isinstance(lead, TextColumn)  # a long column: the briefing's own strings
    for number, made_briefing in enumerate(made):
        assert lead.texts[number] is made_briefing.sections[0].lead
    assert list(lead.unfolded) == [1, 2]  # "Talks go on.", "ｳｸﾗｲﾅ": folding changes them
    assert list(lead.folded_texts()) == ["停戦協議が続く。", "talks go on.", "ウクライナ"]
    # The short columns are joined, folded.
    assert isinstance(heading, JoinedColumn)
    assert isinstance(answer, JoinedColumn)
    assert list(heading.folded_texts()) == ["見出し", "ceasefire", "ceasefire"]
    assert list(answer.folded_texts()) == ["x", "x", "ウクライナ"]
    index = SearchIndex(made)
    assert found(index.search("talks")) == [("e", "s")]
    assert found(index.search("ウクライナ")) == [("f", "s")]
    assert found(index.search("ceasefire")) == [("e", "s"), ("f", "s")]


def test_a_raw_match_in_a_text_that_folds_differently_does_not_count() -> None:
    # "e" then a combining acute: the raw text holds "e", its folded form only "é".
    index = SearchIndex([briefing("b", {"id": "s", "heading": "x", "answer": "cafe\u0301"})])
    assert index.search("cafe") == []
    assert found(index.search("café")) == [("b", "s")]


# --- Finding terms ----------------------------------------------------------------------


def test_japanese_is_found_anywhere_in_any_text_by_two_or_one_characters() -> None:
    paragraph = "関係者によると、両国は停戦協議の再開に向けて調整を続けている。"
    index = SearchIndex(
        [
            briefing(
                "a", {"id": "s", "heading": "見出し", "answer": "答え。", "body": [paragraph]}
            ),
            briefing("b", {"id": "s", "heading": "別", "answer": "停電", "points": ["協議"]}),
        ]
    )
    assert found(index.search("戦協")) == [("a", "s")]  # the middle of 停戦協議
    assert found(index.search("再開に向け")) == [("a", "s")]
    assert found(index.search("協議")) == [("b", "s"), ("a", "s")]  # points rank above body
    assert found(index.search("停")) == [("b", "s"), ("a", "s")]  # answer above body
    assert index.search("電協") == []  # 停電 and 協議 are two texts: nothing crosses between


def test_a_term_using_a_character_no_briefing_uses_is_answered_without_a_scan(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scans: list[tuple[str, bool]] = []  # (term, whether it read a whole column)
    real_scan = index_module._scan

    def counting_scan(column: Any, term: Term, ranges: Any, candidates: Any = None) -> list[int]:
        scans.append((term.text, ranges is None))
        return real_scan(column, term, ranges, candidates)

    monkeypatch.setattr(index_module, "_scan", counting_scan)
    index = SearchIndex([seed()])
    index.warm()
    assert index.search("量子") == []
    assert index.search("zebra") == []
    assert scans == []
    assert index.search("停戦")
    assert ("停戦", True) in scans
    scanned = len(scans)
    assert index.search("停戦 トランプ")  # 停戦's columns are known: トランプ's are read
    assert ("トランプ", True) in scans[scanned:]
    assert ("停戦", True) not in scans[scanned:]


def test_only_the_briefings_using_every_character_of_a_term_are_scanned() -> None:
    made = [
        briefing(f"b{i}", {"id": "s", "heading": "見出し", "answer": "答え"}) for i in range(40)
    ]
    made.append(briefing("rare", {"id": "s", "heading": "見出し", "answer": "珍しい語"}))
    built = _build(made)
    candidates = built.text.characters.candidates("珍しい")
    assert members(candidates) == [40]
    assert found(SearchIndex(made).search("珍しい")) == [("rare", "s")]


def many_sections() -> list[Briefing]:
    words = ["停戦", "協議", "停戦協議", "政府", "物流", "ab", "abc"]
    made = []
    for b in range(12):
        sections = [
            {
                "id": f"s{n}",
                "heading": words[(b + n) % 7],
                "answer": words[(b * n) % 7] + "。",
                "points": [words[(b + 2 * n) % 7] * (n % 3)] if n % 3 else [],
                "body": [words[(n + 3) % 7] + words[b % 7]],
                "reactions": [words[n % 7]] if n % 2 else [],
            }
            for n in range(6)
        ]
        made.append(briefing(f"b{b:02d}", *sections, title=words[b % 7] + "の行方"))
    return made


QUERIES = ["停戦", "協議", "停戦 協議", "政府 物流", "ab", "abc 停戦", "戦協", "議。", "の行方 ab"]


@pytest.mark.parametrize("verified", [0, 1, 5, 400])
def test_sections_read_from_their_text_rank_as_defined(
    monkeypatch: pytest.MonkeyPatch, verified: int
) -> None:
    monkeypatch.setattr(ranking_module, "VERIFIED_SECTIONS", verified)
    made = many_sections()
    index = SearchIndex(made)
    for limit in (1, 3, 10, 40):
        for query in QUERIES:
            got = [(h.briefing_id, h.section_id, h.score) for h in index.search(query, limit)]
            assert got == brute_force(made, query, limit), (query, limit)


@pytest.mark.parametrize("name", ["answer", "details"])  # a joined column and a text column
def test_a_column_read_whole_is_settled_for_every_section(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setattr(index_module, "EAGER_SECTIONS", 0)  # section columns read lazily
    made = many_sections()
    built = _build(made)
    column = [c.name for c in SECTION_COLUMNS].index(name)
    sections = [section for b in made for section in b.sections]
    fields = SECTION_COLUMNS[column].fields
    holding = {
        d
        for d, section in enumerate(sections)
        if any("停戦" in t for f, t in section_texts(section) if f in fields)
    }
    assert holding
    term = Term("停戦", starts_words=False)
    known = built.terms.hits(term)
    unread = known.section_unread[column]
    assert unread
    assert not known.sections[column]

    one = from_members([min(members(unread))], len(sections))
    partly = built.terms.read(term, known, SECTIONS, column, one)
    assert partly.section_unread[column] == unread & ~one  # the rest is still to read

    most = from_members(members(unread)[: len(sections) * 9 // 10], len(sections))
    whole = built.terms.read(term, partly, SECTIONS, column, most)
    assert whole.section_unread[column] == 0  # the pass read every section, and says so
    assert set(members(whole.sections[column])) == holding


def test_the_sets_of_a_term_are_kept_within_a_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_module, "TERM_CACHE_ENTRIES", 2)
    index = SearchIndex([seed()])
    first = index.search("停戦")
    assert index.search("ロシア")
    assert index.search("g7")
    terms = index._index().terms
    assert len(terms) == 2  # 停戦 was let go
    assert index.search("停戦") == first  # and is worked out again, the same
    assert len(terms) == 2
