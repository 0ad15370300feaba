"""Forgiving name matching: folding, literal tiers, typos, limits and determinism."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.briefings.matching import (
    EXACT,
    PREFIX,
    SUBSTRING,
    WORD_PREFIX,
    FuzzyIndex,
    bigrams,
    literal_score,
    normalize,
)

TOPICS = [
    (
        "ukraine-ceasefire",
        ("ukraine-ceasefire", "ウクライナ停戦協議? 米ロ首脳会談の可能性", "ukraine", "停戦"),
    ),
    ("moon-base", ("moon-base", "Moon base logistics", "lunar", "space")),
    ("ukulele", ("ukulele", "Ukulele tuning", "music")),
    ("harbour", ("harbour", "The harbour upgrade", "port", "ceasefire talks")),
]


def index() -> FuzzyIndex[str]:
    return FuzzyIndex((topic_id, names) for topic_id, names in TOPICS)


def test_normalize_folds_width_case_and_compatibility_forms() -> None:
    assert normalize("  ＵＫＲＡＩＮＥ ") == "ukraine"
    assert normalize("Straße") == "strasse"
    assert normalize("ｳｸﾗｲﾅ") == "ウクライナ"
    assert normalize("㍻") == "平成"


def test_bigrams() -> None:
    assert bigrams("abc") == {"ab", "bc"}
    assert bigrams("a") == {"a"}
    assert bigrams("") == set()


def test_literal_tiers_never_overlap() -> None:
    assert literal_score("ukraine", "ukraine") == EXACT
    prefix = literal_score("uk", "ukraine-ceasefire")
    word = literal_score("cease", "ukraine-ceasefire")
    inner = literal_score("rain", "ukraine")
    assert PREFIX < prefix < EXACT
    assert WORD_PREFIX < word < PREFIX
    assert SUBSTRING < inner < WORD_PREFIX
    assert literal_score("zzz", "ukraine") == 0.0
    # The longest prefix match still ranks below any exact match, and so on down.
    assert literal_score("ukrain", "ukraine") < EXACT
    assert literal_score("ceasefire", "x-ceasefire") < literal_score("x", "xy")


@pytest.mark.parametrize(
    ("typed", "first"),
    [
        ("ukraine-ceasefire", "ukraine-ceasefire"),  # id
        ("ukraine", "ukraine-ceasefire"),  # alias
        ("ＵＫＲＡＩＮＥ", "ukraine-ceasefire"),  # full width, upper case
        ("ukrane", "ukraine-ceasefire"),  # typo
        ("停戦", "ukraine-ceasefire"),  # tag
        ("首脳会談", "ukraine-ceasefire"),  # Japanese title fragment
        ("lunar", "moon-base"),  # alias-like tag
        ("LOGISTICS", "moon-base"),  # word inside a title
        ("upgrade", "harbour"),
    ],
)
def test_lookup_finds_by_every_name(typed: str, first: str) -> None:
    assert index().lookup(typed)[0] == first


def test_prefix_beats_substring_and_exact_beats_prefix() -> None:
    # "ukraine" and "ukulele" are equally long prefixes: insertion order breaks the tie.
    assert index().lookup("uk")[:2] == ["ukraine-ceasefire", "ukulele"]
    # A shorter matching name ranks first within the prefix tier.
    shortest = FuzzyIndex([("long", ["harbour-upgrade"]), ("short", ["harbour"])])
    assert shortest.lookup("harb") == ["short", "long"]
    # The tag "ceasefire talks" starts with the query; "ukraine-ceasefire" has a word that does.
    assert index().lookup("ceasefire") == ["harbour", "ukraine-ceasefire"]
    assert index().lookup("harbour")[0] == "harbour"


def test_empty_query_lists_the_first_values_in_order() -> None:
    assert index().lookup("", limit=2) == ["ukraine-ceasefire", "moon-base"]
    assert index().lookup("   ") == [t for t, _ in TOPICS]


def test_nothing_alike_gives_nothing() -> None:
    assert index().lookup("zzzzqqq") == []
    assert index().lookup("x", limit=0) == []


def test_limit_and_determinism_over_many_names() -> None:
    many = FuzzyIndex((f"topic-{i:04d}", (f"topic-{i:04d}", f"topic{i}")) for i in range(2000))
    found = many.lookup("topic", limit=25)
    assert len(found) == 25
    assert found == many.lookup("topic", limit=25)
    # Shortest names first within the prefix tier, ties by insertion order.
    assert found[:3] == ["topic-0000", "topic-0001", "topic-0002"]
    assert many.lookup("topic-1234")[0] == "topic-1234"
    assert many.lookup("topci-1234")[0] == "topic-1234"  # transposed letters


def test_one_entry_with_many_matching_names_counts_once() -> None:
    crowded = FuzzyIndex(
        [("a", [f"alpha{i}" for i in range(200)]), *((f"b{i}", [f"alpha-b{i}"]) for i in range(30))]
    )
    found = crowded.lookup("alpha", limit=25)
    assert found[0] == "a"
    assert len(found) == len(set(found)) == 25


@given(
    names=st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=30),
    query=st.text(max_size=6),
    limit=st.integers(min_value=1, max_value=30),
)
def test_lookup_never_repeats_and_respects_the_limit(
    names: list[str], query: str, limit: int
) -> None:
    fuzzy = FuzzyIndex((i, (name,)) for i, name in enumerate(names))
    found = fuzzy.lookup(query, limit)
    assert len(found) <= limit
    assert len(found) == len(set(found))
    wanted = normalize(query)
    exact = [i for i, name in enumerate(names) if normalize(name) == wanted and wanted]
    if exact:
        assert found[0] in exact


@given(
    names=st.lists(st.text(alphabet="abcd停戦", min_size=1, max_size=8), min_size=1, max_size=30),
    query=st.text(alphabet="abcd停戦", min_size=1, max_size=6),
    limit=st.integers(min_value=1, max_value=30),
)
def test_typos_rank_by_the_pairs_each_name_shares(names: list[str], query: str, limit: int) -> None:
    wanted = normalize(query)
    assume(all(wanted not in normalize(name) for name in names))
    pairs = bigrams(wanted)
    best: dict[int, float] = {}
    for entry, name in enumerate(names):
        own = bigrams(normalize(name))
        shared = len(own & pairs)
        if shared >= math.ceil(0.5 * len(pairs)):
            best[entry] = shared / len(pairs) + shared / (len(pairs) + len(own))
    expected = sorted(best, key=lambda entry: (-best[entry], entry))[:limit]

    found = FuzzyIndex((i, (name,)) for i, name in enumerate(names)).lookup(query, limit)

    assert found == expected
