"""Tests for bot.text.split: lossless, grapheme-safe splitting and truncation."""

from __future__ import annotations

import bisect
import subprocess
import sys
from itertools import accumulate, pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.text.split import grapheme_boundaries, split_text, truncate

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # 👨‍👩‍👧
FLAG_JP = "\U0001f1ef\U0001f1f5"  # 🇯🇵
FLAG_US = "\U0001f1fa\U0001f1f8"  # 🇺🇸
FLAG_FR = "\U0001f1eb\U0001f1f7"  # 🇫🇷
THUMBS_TONE = "\U0001f44d\U0001f3fd"  # 👍🏽
E_ACUTE = "e\u0301"  # e + combining acute
KEYCAP_ONE = "1\ufe0f\u20e3"  # 1️⃣
SCOTLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"  # 🏴 tags
HEART_VS = "\u2764\ufe0f"  # ❤️ with variation selector 16
IDEOGRAPH_IVS = "\u845b\U000e0100"  # 葛 with an ideographic variation selector
HANGUL_JAMO = "\u1100\u1161\u11a8"  # conjoining L V T = one syllable
CRLF = "\r\n"

# Each of these is exactly one grapheme cluster.
CLUSTERS = [
    FAMILY,
    FLAG_JP,
    FLAG_US,
    THUMBS_TONE,
    E_ACUTE,
    KEYCAP_ONE,
    SCOTLAND,
    HEART_VS,
    IDEOGRAPH_IVS,
    HANGUL_JAMO,
    CRLF,
    "\u304b\u3099",  # か + combining dakuten
    "\uff76\uff9e",  # half-width ｶ + half-width voiced mark
    "\u0915\u094d\u0937\u093f",  # Devanagari kṣi: virama (Mn) and vowel sign (Mc) attach
    "a\u0308\u0323",  # two stacked combining marks
    "\U0001f469\U0001f3fd\u200d\U0001f4bb",  # 👩🏽‍💻 tone + ZWJ
]


def cuts(pieces: list[str]) -> list[int]:
    """Offsets where pieces meet (excluding 0 and the end)."""
    return list(accumulate(len(p) for p in pieces))[:-1]


def assert_valid_split(text: str, limit: int, pieces: list[str]) -> None:
    assert "".join(pieces) == text
    assert all(0 < len(p) <= limit for p in pieces)
    if not text:
        assert pieces == []
        return
    bounds = grapheme_boundaries(text)
    allowed = set(bounds)
    for cut in cuts(pieces):
        if cut in allowed:
            continue
        # Only an over-long cluster may be cut by code point.
        i = bisect.bisect_left(bounds, cut)
        cluster_len = bounds[i] - bounds[i - 1]
        assert cluster_len > limit, (text, limit, pieces, cut)


# --- grapheme_boundaries --------------------------------------------------------------


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_known_clusters_are_single_graphemes(cluster: str) -> None:
    assert grapheme_boundaries(cluster) == [0, len(cluster)]
    text = "ab" + cluster + "cd"
    assert grapheme_boundaries(text) == [0, 1, 2, 2 + len(cluster), 3 + len(cluster), len(text)]


def test_boundaries_of_plain_and_empty_text() -> None:
    assert grapheme_boundaries("") == [0]
    assert grapheme_boundaries("abc") == [0, 1, 2, 3]
    assert grapheme_boundaries("日本語") == [0, 1, 2, 3]
    assert grapheme_boundaries("\ud55c\uad6d\uc5b4") == [0, 1, 2, 3]  # 한국어, precomposed


def test_regional_indicators_pair_up() -> None:
    flags = FLAG_JP + FLAG_US + FLAG_FR
    assert grapheme_boundaries(flags) == [0, 2, 4, 6]
    # An odd indicator out stands alone after the pairs.
    assert grapheme_boundaries(flags + "\U0001f1ef") == [0, 2, 4, 6, 7]
    # A non-indicator resets the pairing.
    assert grapheme_boundaries("\U0001f1efx" + FLAG_JP) == [0, 1, 2, 4]


def test_control_characters_break_around_marks() -> None:
    # A combining mark after a newline does not glue onto the newline (UAX #29 GB4).
    assert grapheme_boundaries("a\n\u0301") == [0, 1, 2, 3]
    # CR and LF only join in that order.
    assert grapheme_boundaries("\n\r") == [0, 1, 2]
    assert grapheme_boundaries("a\r\nb") == [0, 1, 3, 4]


def test_lone_surrogates_do_not_crash() -> None:
    text = "\ud800ab\udfff\u0301"
    assert grapheme_boundaries(text)[0] == 0
    assert grapheme_boundaries(text)[-1] == len(text)
    pieces = split_text(text, 2)
    assert_valid_split(text, 2, pieces)
    assert truncate(text, 3).endswith("…")


# --- split_text: basics -----------------------------------------------------------------


def test_empty_and_fitting_text() -> None:
    assert split_text("", 5) == []
    assert split_text("abc", 3) == ["abc"]
    assert split_text("abc", 100) == ["abc"]


@pytest.mark.parametrize("limit", [0, -1])
def test_limit_must_be_positive(limit: int) -> None:
    with pytest.raises(ValueError, match="limit"):
        split_text("abc", limit)
    with pytest.raises(ValueError, match="limit"):
        truncate("abc", limit)


def test_unbreakable_text_fills_each_piece() -> None:
    assert split_text("a" * 25, 10) == ["a" * 10, "a" * 10, "a" * 5]


def test_limit_one_splits_every_cluster() -> None:
    assert split_text("ab日", 1) == ["a", "b", "日"]


# --- split_text: Japanese ---------------------------------------------------------------


def test_japanese_breaks_after_sentence_end() -> None:
    text = "停戦案について協議した。プーチン大統領は難色を示した。"
    assert split_text(text, 20) == ["停戦案について協議した。", "プーチン大統領は難色を示した。"]


def test_japanese_sentence_end_keeps_closing_quote() -> None:
    text = "「停戦に合意した。」プーチン大統領は難色を示していた"
    assert split_text(text, 18)[0] == "「停戦に合意した。」"


def test_japanese_clause_break_after_touten() -> None:
    text = "今日は晴れて、明日は雨が降るでしょう"
    pieces = split_text(text, 10)
    assert pieces[0] == "今日は晴れて、"
    assert "".join(pieces) == text


def test_japanese_sentence_preferred_over_later_clause() -> None:
    # Both the 。 (cut at 8) and the 、 (cut at 12) are in the window and past half.
    text = "会議は長引いた。議長は、結論を翌日に持ち越した"
    assert split_text(text, 12)[0] == "会議は長引いた。"


def test_fullwidth_exclamation_and_question() -> None:
    text = "本当ですか？はい！そうです"
    assert split_text(text, 8) == ["本当ですか？", "はい！そうです"]


# --- split_text: English ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "limit", "first"),
    [
        ("Hello there. How are you today", 20, "Hello there. "),
        ("Stop right now! Then go home", 20, "Stop right now! "),
        ("Is this right? Maybe it is", 20, "Is this right? "),
        ('He said "stop." Then left', 20, 'He said "stop." '),
    ],
)
def test_english_sentence_ends(text: str, limit: int, first: str) -> None:
    pieces = split_text(text, limit)
    assert pieces[0] == first
    assert "".join(pieces) == text


def test_period_inside_token_is_not_a_sentence_end() -> None:
    # "v1.5" has no whitespace after the dot, so the break falls at a space instead.
    assert split_text("release v1.5x is here", 12)[0] == "release "


def test_ascii_comma_needs_whitespace_to_be_a_clause_break() -> None:
    # Cutting after "1," would be a clause break if digits' commas counted.
    assert split_text("abcde 1,000,000", 10)[0] == "abcde "
    assert split_text("first part, second part", 16)[0] == "first part, "


def test_newline_preferred_over_later_sentence_end() -> None:
    text = "Line one is here\nTwo. Three four"
    assert split_text(text, 24)[0] == "Line one is here\n"


def test_paragraph_preferred_over_later_newline() -> None:
    text = "para one\n\nline two\nline three"
    assert split_text(text, 20)[0] == "para one\n\n"


def test_crlf_newline_break_keeps_pair() -> None:
    text = "first line\r\nsecond line"
    assert split_text(text, 15)[0] == "first line\r\n"


def test_early_sentence_end_loses_to_a_fuller_clause_break() -> None:
    # The sentence end would leave the piece under half full; the clause break does not.
    text = "Hi. this is a much longer clause, and then some more words"
    first = split_text(text, 40)[0]
    assert first == "Hi. this is a much longer clause, "


def test_early_natural_break_beats_cutting_a_word() -> None:
    text = "See: " + "x" * 50
    assert split_text(text, 20)[0] == "See: "


def test_whitespace_break_moves_past_run() -> None:
    assert split_text("word   another", 10) == ["word   ", "another"]


# --- split_text: grapheme clusters ------------------------------------------------------


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_never_split_inside_cluster(cluster: str) -> None:
    text = "ab" + cluster + "cd" + cluster
    for limit in range(len(cluster), len(text) + 1):
        pieces = split_text(text, limit)
        assert "".join(pieces) == text
        assert all(len(p) <= limit for p in pieces)
        allowed = {0, 1, 2, 2 + len(cluster), 3 + len(cluster), 4 + len(cluster), len(text)}
        assert set(cuts(pieces)) <= allowed, (limit, pieces)


def test_flags_stay_paired() -> None:
    flags = FLAG_JP + FLAG_US + FLAG_FR
    assert split_text(flags, 3) == [FLAG_JP, FLAG_US, FLAG_FR]


def test_family_emoji_moves_to_next_piece_whole() -> None:
    text = "abc" + FAMILY
    assert split_text(text, 6) == ["abc", FAMILY]


def test_combining_accent_stays_with_base() -> None:
    text = "caf" + E_ACUTE + E_ACUTE
    assert split_text(text, 4) == ["caf", E_ACUTE + E_ACUTE]


def test_keycap_and_skin_tone_stay_whole() -> None:
    assert split_text(KEYCAP_ONE + THUMBS_TONE, 3) == [KEYCAP_ONE, THUMBS_TONE]


def test_oversized_cluster_is_cut_by_code_point() -> None:
    text = "e" + "\u0301" * 10
    pieces = split_text(text, 4)
    assert pieces == [text[:4], text[4:8], text[8:]]


def test_large_input_splits_losslessly() -> None:
    unit = "これはテスト文です。" * 5 + "Hello world, this is a test! " + FAMILY + FLAG_JP + "\n"
    text = (unit * (200_000 // len(unit) + 1))[:200_000]
    pieces = split_text(text, 2000)
    assert "".join(pieces) == text
    assert all(0 < len(p) <= 2000 for p in pieces)
    assert len(pieces) < 200  # pieces stay reasonably full, not half-empty
    unbroken = "x" * 200_000
    assert split_text(unbroken, 2000) == ["x" * 2000] * 100
    marks = "e" + "\u0301" * 199_999  # one pathological cluster
    assert "".join(split_text(marks, 2000)) == marks
    for run in (".", ",", "!?", '."', "\n "):  # punctuation runs that could backtrack
        long_run = run * (200_000 // len(run)) + "x"
        assert "".join(split_text(long_run, 2000)) == long_run
    assert truncate(text, 2000).endswith("…")


# --- truncate ---------------------------------------------------------------------------


def test_truncate_returns_fitting_text_unchanged() -> None:
    assert truncate("short", 5) == "short"
    assert truncate("", 1) == ""
    assert truncate("trailing   ", 20) == "trailing   "


def test_truncate_english_strips_trailing_space() -> None:
    assert truncate("The quick brown fox jumps over", 20) == "The quick brown…"


def test_truncate_japanese_sentence() -> None:
    text = "停戦案について協議した。プーチン大統領は難色を示した。"
    assert truncate(text, 20) == "停戦案について協議した。…"


def test_truncate_japanese_clause() -> None:
    assert truncate("今日は晴れて、明日は雨が降るでしょう", 10) == "今日は晴れて、…"


def test_truncate_custom_ellipsis() -> None:
    assert truncate("Hello there. General Kenobi", 20, ellipsis="...") == "Hello there...."
    assert truncate("abcdef", 4, ellipsis="") == "abcd"


def test_truncate_does_not_cut_clusters() -> None:
    assert truncate("ab" + FAMILY + "cd", 6) == "ab…"
    assert truncate("x" + FLAG_JP + FLAG_US, 4) == "x" + FLAG_JP + "…"


def test_truncate_rejects_ellipsis_longer_than_limit() -> None:
    with pytest.raises(ValueError, match="ellipsis"):
        truncate("abcdef", 2, ellipsis="...")
    assert truncate("abcdef", 3, ellipsis="...") == "..."


def test_module_imports_nothing_from_discord() -> None:
    code = "import sys, bot.text.split; sys.exit('discord' in sys.modules)"
    root = Path(__file__).resolve().parents[2]
    assert subprocess.run([sys.executable, "-c", code], cwd=root, check=False).returncode == 0


# --- property tests ---------------------------------------------------------------------

FRAGMENTS = [
    *CLUSTERS,
    "停戦",
    "プーチン大統領",
    "協議した",
    "難色を示した",
    "。",
    "、",
    "！",
    "？",
    "」",
    "「",
    "）",
    "…",
    "．",
    ",",
    ".",
    "!",
    "?",
    ":",
    ";",
    " ",
    "\u3000",
    "\n",
    "\n\n",
    "\r",
    "\u200d",
    "\u0301",
    "\ufe0f",
    "\U0001f3fb",
    "\U0001f1ef",
    "Hello",
    "world",
    "x",
]

any_text = st.text(
    alphabet=st.one_of(
        st.characters(),
        st.characters(categories=["Mn", "Me", "Mc", "Cs"]),
        st.sampled_from(["\u200d", "\U0001f1ef", "\U0001f3fd", "\r", "\n", "\U000e0067"]),
    )
)
mixed_text = st.lists(st.sampled_from(FRAGMENTS), max_size=80).map("".join)
texts = st.one_of(any_text, mixed_text)
limits = st.integers(min_value=1, max_value=300)
small_limits = st.integers(min_value=1, max_value=30)


@settings(max_examples=300)
@given(text=texts, limit=st.one_of(small_limits, limits))
def test_split_properties(text: str, limit: int) -> None:
    assert_valid_split(text, limit, split_text(text, limit))


@settings(max_examples=300)
@given(text=texts, limit=st.one_of(small_limits, limits), ellipsis=st.sampled_from(["…", "..."]))
def test_truncate_properties(text: str, limit: int, ellipsis: str) -> None:
    if len(ellipsis) > limit and len(text) > limit:
        with pytest.raises(ValueError, match="ellipsis"):
            truncate(text, limit, ellipsis)
        return
    result = truncate(text, limit, ellipsis)
    assert len(result) <= limit
    if len(text) <= limit:
        assert result == text
        return
    assert result.endswith(ellipsis)
    kept = result[: len(result) - len(ellipsis)]
    assert text.startswith(kept)
    bounds = grapheme_boundaries(text)
    if kept and kept[-1].isspace():  # kept only if stripping it would cut a cluster
        assert len(kept) - 1 not in bounds
    if len(kept) not in bounds:
        i = bisect.bisect_left(bounds, len(kept))
        assert bounds[i] - bounds[i - 1] > limit - len(ellipsis)


@given(st.lists(st.sampled_from([*CLUSTERS, "a", "日", "\ud55c", " ", "。"]), max_size=40))
def test_boundaries_match_known_cluster_sequences(parts: list[str]) -> None:
    # None of these parts can join with a neighbour, so the joints are exactly the cuts.
    text = "".join(parts)
    assert grapheme_boundaries(text) == [0, *accumulate(len(p) for p in parts)]


@given(texts)
def test_boundaries_are_sorted_and_span_text(text: str) -> None:
    bounds = grapheme_boundaries(text)
    assert bounds[0] == 0
    assert bounds[-1] == len(text)
    assert all(a < b for a, b in pairwise(bounds))
