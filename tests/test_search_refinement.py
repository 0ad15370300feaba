"""Search that reads section columns only where the best results need them ranks as
defined, whatever was read before, and reads less than every column of every section."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bot.briefings.ranking as ranking_module
import bot.briefings.search_index as index_module
from bot.briefings.bitmaps import add_weighted, at_least, from_members, score_of
from bot.briefings.models import Briefing
from bot.briefings.ranking import SECTIONS
from bot.briefings.search import SECTION_COLUMNS, SearchIndex
from tests.briefings.ranking_definition import brute_force
from tests.briefings.test_search_index import QUERIES, many_sections

WORDS = ["停戦", "協議", "停戦協議", "政府", "物流", "ab", "abc", "Ab cd"]


def briefing(number: int, sections: list[dict[str, Any]], title: str) -> Briefing:
    return Briefing.model_validate(
        {
            "id": f"b{number:02d}",
            "title": title,
            "summary": "Summary.",
            "language": "ja",
            "updated": "2025-01-01",
            "sections": [{**s, "id": f"s{n}"} for n, s in enumerate(sections)],
        }
    )


@pytest.fixture
def lazy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every term's first search leaves its section columns to ranking."""
    monkeypatch.setattr(index_module, "EAGER_SECTIONS", 0)


@given(
    features=st.lists(st.tuples(st.integers(1, 13), st.sets(st.integers(0, 80))), max_size=6),
    value=st.integers(0, 40),
)
def test_at_least_is_the_documents_scoring_that_much(
    features: list[tuple[int, set[int]]], value: int
) -> None:
    planes: list[int] = []
    for weight, chosen in features:
        add_weighted(planes, weight, from_members(chosen, 81))
    everyone = (1 << 81) - 1
    expected = from_members((d for d in range(81) if score_of(planes, d) >= value), 81)
    assert at_least(planes, value, everyone) == expected


@pytest.mark.usefixtures("lazy")
@pytest.mark.parametrize(("verified", "batch", "dense"), [(0, 0, 0.3), (1, 1, 0.0), (5, 2, 2.0)])
def test_sections_read_as_ranking_needs_rank_as_defined(
    monkeypatch: pytest.MonkeyPatch, verified: int, batch: int, dense: float
) -> None:
    monkeypatch.setattr(ranking_module, "VERIFIED_SECTIONS", verified)
    monkeypatch.setattr(ranking_module, "VERIFY_BATCH", batch)
    monkeypatch.setattr(index_module, "DENSE_READ", dense)
    made = many_sections()
    index = SearchIndex(made)  # one index: later queries start from what earlier ones read
    for limit in (1, 3, 10, 40):
        for query in QUERIES:
            got = [(h.briefing_id, h.section_id, h.score) for h in index.search(query, limit)]
            assert got == brute_force(made, query, limit), (query, limit)


_TEXT = st.lists(st.sampled_from([*WORDS, "x"]), min_size=1, max_size=3).map("".join)


@pytest.mark.usefixtures("lazy")
@settings(max_examples=40, deadline=None)
@given(
    corpus=st.lists(
        st.tuples(
            st.lists(
                st.fixed_dictionaries(
                    {"heading": _TEXT, "answer": _TEXT},
                    optional={
                        "question": _TEXT,
                        "lead": _TEXT,
                        "points": st.lists(_TEXT, max_size=2),
                        "body": st.lists(_TEXT, max_size=2),
                        "reactions": st.lists(_TEXT, max_size=1),
                    },
                ),
                min_size=1,
                max_size=4,
            ),
            st.sampled_from(WORDS),
        ),
        min_size=1,
        max_size=6,
    ),
    queries=st.lists(st.sampled_from([*WORDS, "停戦 協議", "ab 物流", "cd"]), max_size=4),
    limit=st.integers(1, 6),
)
def test_any_library_ranks_as_defined_query_after_query(
    corpus: list[tuple[list[dict[str, Any]], str]], queries: list[str], limit: int
) -> None:
    made = [briefing(n, sections, title) for n, (sections, title) in enumerate(corpus)]
    index = SearchIndex(made)
    for query in queries:
        got = [(h.briefing_id, h.section_id, h.score) for h in index.search(query, limit)]
        assert got == brute_force(made, query, limit), query


@pytest.mark.usefixtures("lazy")
def test_a_first_search_reads_the_long_columns_only_where_they_matter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sections = [{"heading": "停戦", "answer": "停戦", "points": ["停戦"], "body": ["停戦"]}]
    sections += [{"heading": "x", "answer": "y", "body": ["停戦"]} for _ in range(30)]
    made = [briefing(0, sections, "題")]
    reads: list[tuple[int, int]] = []  # (column, how many sections)
    real_read = index_module.TermIndex._read

    def counting_read(self: Any, term: Any, side: int, number: int, wanted: int) -> int:
        if side == SECTIONS:
            reads.append((number, wanted.bit_count()))
        return real_read(self, term, side, number, wanted)

    monkeypatch.setattr(index_module.TermIndex, "_read", counting_read)
    monkeypatch.setattr(ranking_module, "VERIFIED_SECTIONS", 4)
    monkeypatch.setattr(ranking_module, "VERIFY_BATCH", 2)
    hits = SearchIndex(made).search("停戦", 1)
    assert [(h.section_id, h.score) for h in hits] == [("s0", 12.0)]
    details = [column.name for column in SECTION_COLUMNS].index("details")
    assert sum(count for column, count in reads if column == details) < len(sections)
