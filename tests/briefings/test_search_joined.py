"""Joined columns: one string per column, a break between texts, so that no match spans
two texts and every match maps back to its document."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.briefings.excerpts import starts_a_word_in
from bot.briefings.search import SearchIndex
from bot.briefings.search_text import (
    DOCUMENT_BREAK,
    TEXT_BREAK,
    ColumnTexts,
    JoinedColumn,
    TextColumn,
    fold_documents,
)
from tests.briefings.test_search_index import briefing, found


def column(documents: list[list[str]], single: bool = False) -> JoinedColumn | TextColumn:
    """One joined section column of one briefing whose sections hold these texts."""
    texts = [text for document in documents for text in document]
    counts = None if single else [len(document) for document in documents]
    folded = fold_documents(
        [([], [ColumnTexts(texts, counts)], len(documents))], [], [None], {(1, 0)}
    )
    return folded.sections[0]


def holding(documents: list[list[str]], term: str, words: bool) -> list[int]:
    """The definition: the documents with a text holding the term (where a word starts)."""

    def holds(text: str) -> bool:
        return starts_a_word_in(text, term) if words else term in text

    return [d for d, texts in enumerate(documents) if any(map(holds, texts))]


def test_a_match_never_spans_two_texts_and_maps_to_its_document() -> None:
    documents = [["ab", "cd"], [], ["x", "停戦"], ["bc"]]
    joined = column(documents)
    assert isinstance(joined, JoinedColumn)
    assert (
        joined.text
        == f"ab{TEXT_BREAK}cd{DOCUMENT_BREAK}{DOCUMENT_BREAK}x{TEXT_BREAK}停戦{DOCUMENT_BREAK}bc"
    )
    assert list(joined.counts or ()) == [2, 0, 2, 1]
    assert list(joined.folded_texts()) == ["ab", "cd", "x", "停戦", "bc"]
    everyone = list(range(len(documents)))
    assert joined.within("bc", False, 0, 4) == [3]  # not "ab" + "cd" of document 0
    assert joined.within("dx", False, 0, 4) == []  # nor across documents
    assert joined.within("停戦", False, 0, 4) == [2]  # a second text: still its document
    assert joined.within("cd", True, 0, 4) == [0]  # a text's start starts a word
    assert joined.within("b", True, 0, 4) == [3]
    assert joined.among("停戦", False, everyone) == [2]
    assert joined.among("c", False, [0, 1, 2]) == [0]
    assert joined.within("c", False, 1, 3) == []
    for term in (DOCUMENT_BREAK, TEXT_BREAK, f"b{TEXT_BREAK}c", ""):
        assert joined.within(term, False, 0, 4) == []
        assert joined.among(term, False, everyone) == []


def test_single_texts_are_one_per_document() -> None:
    joined = column([["見出し"], [""], ["ceasefire talks"]], single=True)
    assert isinstance(joined, JoinedColumn)
    assert joined.counts is None
    assert list(joined.folded_texts()) == ["見出し", "", "ceasefire talks"]
    assert joined.within("talks", True, 0, 3) == [2]
    assert joined.within("alks", True, 0, 3) == []
    assert joined.among("出し", False, [0, 2]) == [0]


def test_a_column_whose_text_holds_a_break_is_kept_text_by_text() -> None:
    assert isinstance(column([["a\x00b"], ["c"]]), TextColumn)
    assert isinstance(column([["a\x02b"], ["c"]]), TextColumn)
    index = SearchIndex([briefing("b", {"id": "s", "heading": "停\x00戦", "answer": "x"})])
    assert found(index.search("停")) == [("b", "s")]
    assert index.search("停戦") == []


def test_search_finds_no_term_across_two_sections() -> None:
    index = SearchIndex(
        [
            briefing(
                "b",
                {"id": "s1", "heading": "協議の停", "answer": "x"},
                {"id": "s2", "heading": "戦況", "answer": "停戦"},
            )
        ]
    )
    assert found(index.search("停戦")) == [("b", "s2")]


_WORDS = st.sampled_from(["ab", "b", "a b", "停戦", "戦", "", "ba"])


@given(
    documents=st.lists(st.lists(_WORDS.map(str), max_size=3), max_size=6),
    term=st.sampled_from(["ab", "b", "ba", "停戦", "戦", "a", "bb"]),
    words=st.booleans(),
    chosen=st.sets(st.integers(0, 5)),
)
def test_joined_columns_find_what_each_text_holds(
    documents: list[list[str]], term: str, words: bool, chosen: set[int]
) -> None:
    joined = column(documents)
    assert isinstance(joined, JoinedColumn)
    expected = holding(documents, term, words)
    assert sorted(set(joined.within(term, words, 0, len(documents)))) == expected
    some = sorted(d for d in chosen if d < len(documents))
    assert joined.among(term, words, some) == [d for d in expected if d in some]
    assert [t for d in documents for t in d] == list(joined.folded_texts())
