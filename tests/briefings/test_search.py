"""Full-text search: Japanese two-character queries, AND, ranking, excerpts, the lazy index."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import bot.briefings.search as search_module
from bot.briefings.models import Briefing
from bot.briefings.search import (
    FIELD_WEIGHTS,
    SearchIndex,
    fold,
    make_excerpt,
    query_terms,
    section_texts,
)
from bot.text.split import grapheme_boundaries

SEED = Path(__file__).resolve().parents[2] / "briefings" / "ukraine-ceasefire.yaml"


def seed() -> Briefing:
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    return Briefing.model_validate({"id": "ukraine-ceasefire", **data})


def briefing(briefing_id: str, *sections: dict[str, Any], language: str = "en") -> Briefing:
    return Briefing.model_validate(
        {
            "id": briefing_id,
            "title": briefing_id.title(),
            "summary": "Summary.",
            "language": language,
            "updated": "2025-01-01",
            "sections": list(sections),
        }
    )


def section(section_id: str, heading: str = "Heading", answer: str = "Answer.", **more: Any) -> Any:
    return {"id": section_id, "heading": heading, "answer": answer, **more}


def test_two_character_japanese_query_finds_the_seed() -> None:
    hits = SearchIndex([seed()]).search("停戦")
    assert {hit.section_id for hit in hits} == {"us-russia-talks", "situation-in-ukraine"}
    for hit in hits:
        assert hit.briefing_id == "ukraine-ceasefire"
        assert hit.excerpt[hit.match_start : hit.match_end] == "停戦"


def test_width_and_case_are_folded_on_both_sides() -> None:
    index = SearchIndex([briefing("b", section("s", body=["The ＮＡＴＯ summit ended."]))])
    assert [h.section_id for h in index.search("nato")] == ["s"]
    assert [h.section_id for h in index.search("ＳＵＭＭＩＴ")] == ["s"]
    japanese = SearchIndex([briefing("j", section("s", body=["ｳｸﾗｲﾅ情勢"]), language="ja")])
    assert [h.section_id for h in japanese.search("ウクライナ")] == ["s"]


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
    assert [h.section_id for h in index.search("energy prices")] == ["both"]
    assert [h.section_id for h in index.search("energy")] == ["both", "one"]
    assert index.search("energy zebra") == []


def test_fields_weigh_heading_over_answer_over_points_over_body() -> None:
    index = SearchIndex(
        [
            briefing(
                "b",
                section("in-body", body=["grain exports"]),
                section("in-points", points=["grain exports"]),
                section("in-answer", answer="grain exports"),
                section("in-heading", heading="grain exports"),
                section("in-heading-and-body", heading="grain", body=["grain again"]),
            )
        ]
    )
    order = [hit.section_id for hit in index.search("grain")]
    assert order == ["in-heading-and-body", "in-heading", "in-answer", "in-points", "in-body"]
    first = index.search("grain")[0]
    assert first.field == "heading"
    assert first.score == 6.0


def test_every_searchable_field_is_searched() -> None:
    fields: dict[str, dict[str, Any]] = {
        "heading": {"heading": "alpha"},
        "question": {"question": "alpha?"},
        "answer": {"answer": "alpha."},
        "lead": {"lead": "alpha"},
        "points": {"points": ["x", "alpha"]},
        "commentary": {"commentary": "alpha"},
        "body": {"body": ["x", "y", "alpha"]},
    }
    for field, values in fields.items():
        index = SearchIndex([briefing("b", section("s", **values))])
        [hit] = index.search("alpha")
        assert hit.field == field


def test_sources_and_reactions_are_not_searched() -> None:
    index = SearchIndex(
        [
            briefing(
                "b",
                section(
                    "s",
                    sources=[{"name": "zebra news", "url": "https://example.com/zebra"}],
                    reactions=["zebra!"],
                ),
            )
        ]
    )
    assert index.search("zebra") == []


def test_limit_ranking_ties_and_empty_queries() -> None:
    index = SearchIndex(
        [briefing(f"b{i:02d}", section("s", body=["common word"])) for i in range(30)]
    )
    hits = index.search("common", limit=10)
    assert [h.briefing_id for h in hits] == [f"b{i:02d}" for i in range(10)]
    assert index.search("   ") == []
    assert index.search("common", limit=0) == []
    assert len(index) == 30


def test_single_characters_and_longer_terms() -> None:
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
    assert [h.section_id for h in index.search("停戦協議")] == ["a"]
    assert [h.section_id for h in index.search("戦")] == ["a"]
    assert [h.section_id for h in index.search("続")] == ["a", "b"]
    # Both pairs of "戦協" occur in "b" only apart ("停電", "協議"): no false match.
    assert [h.section_id for h in index.search("停電協議")] == []


def test_terms_do_not_match_across_paragraphs_or_fields() -> None:
    index = SearchIndex([briefing("b", section("s", answer="ends with ab.", body=["cd starts"]))])
    assert index.search("ab.cd") == []
    assert index.search("ab. cd")  # two words, both present


def test_query_terms_are_folded_deduplicated_and_printable() -> None:
    assert query_terms("Ｅｎｅｒｇｙ energy  PRICES") == ["energy", "prices"]
    assert query_terms("a\x00b") == []


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
    assert index._built is None
    errors: list[BaseException] = []

    def run() -> None:
        try:
            assert index.search("停戦")
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
    built = index._built
    index.warm()
    assert index._built is built


def test_excerpt_is_a_short_window_with_the_match_marked() -> None:
    text = "word " * 40 + "needle" + " tail" * 40
    excerpt, start, end = make_excerpt(text, "needle")
    assert excerpt.startswith("…")
    assert excerpt.endswith("…")
    assert excerpt[start:end] == "needle"
    assert len(excerpt) <= 2 * 40 + len("needle") + 2 + 2


def test_excerpt_maps_folded_offsets_back_to_the_original() -> None:
    text = "Die Straße ist lang, und dann kommt HAFEN am Ende."
    excerpt, start, end = make_excerpt(text, "hafen")
    assert excerpt[start:end] == "HAFEN"
    text = "㍻の停戦合意"  # ㍻ folds to two characters
    excerpt, start, end = make_excerpt(text, "停戦")
    assert excerpt[start:end] == "停戦"


def test_excerpt_is_one_line_and_starts_the_text_when_not_found() -> None:
    excerpt, start, end = make_excerpt("first line\nsecond needle line", "needle")
    assert "\n" not in excerpt
    assert excerpt[start:end] == "needle"
    excerpt, start, end = make_excerpt("x" * 200, "absent")
    assert (start, end) == (0, 0)
    assert excerpt.endswith("…")


@pytest.mark.parametrize("cluster", ["👨‍👩‍👧‍👦", "🇯🇵", "e\u0301", "が", "\u0915\u094d\u0937"])
def test_excerpt_never_cuts_a_grapheme_cluster(cluster: str) -> None:
    for pad in range(0, 8):
        text = "a" * pad + cluster * 30 + " needle " + cluster * 30
        excerpt, start, end = make_excerpt(text, "needle")
        body = excerpt.strip("…")
        offset = text.index(body)
        cuts = set(grapheme_boundaries(text))
        assert offset in cuts
        assert offset + len(body) in cuts
        assert excerpt[start:end] == "needle"


@given(
    st.text(
        alphabet=st.sampled_from("ab 停戦。\n👍🏽e\u0301ＡＢ"),
        max_size=300,
    ),
    st.sampled_from(["a", "ab", "停戦", "b a", "ｂ"]),
)
def test_excerpt_properties(text: str, term: str) -> None:
    folded_term = query_terms(term)
    if not folded_term:
        return
    excerpt, start, end = make_excerpt(text, folded_term[0])
    assert 0 <= start <= end <= len(excerpt)
    if end > start:
        # The marked span holds the term, widened to whole grapheme clusters at most.
        marked = excerpt[start:end]
        by_character = "".join(fold(char) for char in marked)
        assert folded_term[0] in fold(marked) or folded_term[0] in by_character
        assert end - start <= len(folded_term[0]) + 4


def brute_force(briefings: list[Briefing], query: str, limit: int) -> list[tuple[str, str, float]]:
    """The ranking by definition: every word somewhere; the sum of its fields' weights."""
    terms = query_terms(query)
    found = []
    number = 0
    for b in briefings:
        for s in b.sections:
            grouped: dict[str, str] = {}
            for field, text in section_texts(s):
                grouped[field] = grouped.get(field, "") + "\x00" + fold(text)
            score = 0.0
            for term in terms:
                weights = [w for f, w in FIELD_WEIGHTS.items() if term in grouped.get(f, "")]
                if not weights:
                    break
                score += sum(weights)
            else:
                if terms:
                    found.append((-score, number, (b.id, s.id, score)))
            number += 1
    return [item for _, _, item in sorted(found)[:limit]]


_WORDS = st.text(alphabet=st.sampled_from("ab停戦 ＡＢ"), min_size=1, max_size=12).filter(
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
            }
        ),
        min_size=1,
        max_size=12,
    ),
    query=st.text(alphabet=st.sampled_from("ab停戦 Ａ"), min_size=1, max_size=6),
    limit=st.integers(1, 5),
)
def test_the_pruned_ranking_equals_the_definition(
    sections: list[dict[str, Any]], query: str, limit: int
) -> None:
    briefings = [
        briefing(
            f"b{i}",
            *(section(f"s{j}", **fields) for j, fields in enumerate(sections[i::3])),
        )
        for i in range(3)
        if sections[i::3]
    ]
    hits = SearchIndex(briefings).search(query, limit)
    assert [(h.briefing_id, h.section_id, h.score) for h in hits] == brute_force(
        briefings, query, limit
    )


def test_a_tie_with_the_bound_still_goes_to_the_earlier_section() -> None:
    # "early" reaches 4 only through its long fields (points 2, commentary 1, body 1);
    # "late" has 4 from its answer alone. Equal scores rank by library order.
    index = SearchIndex(
        [
            briefing(
                "b",
                section("early", points=["x"], commentary="x", body=["x"]),
                section("late", answer="x"),
            )
        ]
    )
    assert [(h.section_id, h.score) for h in index.search("x", limit=1)] == [("early", 4.0)]
    assert [h.section_id for h in index.search("x", limit=2)] == ["early", "late"]


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
    assert [h.section_id for h in index.search("x y")] == ["odd"]
