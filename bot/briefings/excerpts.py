"""How search terms match text, and excerpts that show every match.

Text and terms are folded alike (NFKC, then case). A term that begins with a letter or
digit of a script that puts spaces between words (Latin, Greek, Cyrillic) matches only
where a word starts: `ac` finds "AC units" and "acceptance", not "peace", and `heat`
finds "heatwave" but not "wheat". Any other term (Japanese and Chinese have no spaces
to find words by) matches anywhere, so 停戦 is found inside 停戦協議.

An excerpt is a window of one text around its first match, with every match of every
term in it marked. The window is cut between words where the text has words (English),
and never inside a grapheme cluster.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from bot.text.split import grapheme_boundaries

# Letters and digits of scripts that space their words, and combining marks on them.
WORD_CHARACTERS = (
    "0-9a-z\u00aa\u00b5\u00ba\u00c0-\u024f\u0300-\u036f\u0370-\u03ff\u0400-\u052f\u1e00-\u1eff"
)
_WORD_CHARACTER = re.compile(f"[{WORD_CHARACTERS}]")
WORD = re.compile(f"[{WORD_CHARACTERS}]+")
WORD_CHARACTER_SET = frozenset(
    chr(code) for code in range(0x2000) if _WORD_CHARACTER.match(chr(code))
)
EXCERPT_RADIUS = 40
# Where an excerpt may start, to show as many different terms as it can.
MATCHES_TO_ANCHOR_AT = 32
# How far a cut may move to land between two words instead of inside one.
WORD_SLACK = 20
_LINE_BREAKS = "\r\n\t\v\f\u2028\u2029\x85"


def fold(text: str) -> str:
    """Fold width, compatibility forms and case (NFKC, casefold), keeping whitespace."""
    return unicodedata.normalize("NFKC", text).casefold()


def starts_words(term: str) -> bool:
    """Whether a folded term must match at the start of a word (it begins with a letter)."""
    return _WORD_CHARACTER.match(term) is not None


def starts_a_word_in(text: str, term: str) -> bool:
    """Whether a folded term occurs in folded text where a word starts."""
    position = text.find(term)
    while position > 0 and text[position - 1] in WORD_CHARACTER_SET:
        position = text.find(term, position + 1)
    return position >= 0


def term_pattern(term: str) -> re.Pattern[str]:
    """The regular expression that finds a folded term in folded text, by the rule above."""
    if starts_words(term):
        return re.compile(f"(?<![{WORD_CHARACTERS}]){re.escape(term)}")
    return re.compile(re.escape(term))


@dataclass(frozen=True)
class Excerpt:
    """A one-line window of a text, and the (start, end) of every match within it."""

    text: str
    marks: tuple[tuple[int, int], ...]


def _origins(text: str) -> tuple[str, list[int]]:
    """The text folded character by character, and where each folded character came from."""
    folded: list[str] = []
    origin: list[int] = []
    for position, character in enumerate(text):
        piece = fold(character)
        folded.append(piece)
        origin.extend([position] * len(piece))
    origin.append(len(text))
    return "".join(folded), origin


def _matches(text: str, patterns: Sequence[re.Pattern[str]]) -> list[tuple[int, int, int]]:
    """Every (start, end, pattern number) match in `text`, in offsets of the original text."""
    folded = fold(text)
    origin: list[int] | None = None
    if len(folded) != len(text):  # ß -> ss, ㍻ -> 平成: map offsets character by character
        folded, origin = _origins(text)
    matches: list[tuple[int, int, int]] = []
    for number, pattern in enumerate(patterns):
        for match in pattern.finditer(folded):
            start, end = match.span()
            if end == start:
                continue
            if origin is not None:
                start, end = origin[start], origin[end - 1] + 1
            matches.append((start, end, number))
    return sorted(matches)


def find_matches(
    text: str, patterns: Sequence[re.Pattern[str]]
) -> tuple[list[tuple[int, int]], set[int]]:
    """Every match of every pattern in `text` as sorted, merged (start, end) offsets, and
    which patterns (by position) matched at all."""
    matches = _matches(text, patterns)
    return _merged([(start, end) for start, end, _ in matches]), {n for _, _, n in matches}


def _widest_reach(matches: list[tuple[int, int, int]], room: int) -> tuple[int, int]:
    """The (start, end) of the first stretch of at most `room` characters, starting at a
    match, that holds the most different patterns (among the first few matches)."""
    wanted = len({number for _, _, number in matches})
    best = (1, matches[0][0], matches[0][1])
    if wanted == 1:
        return best[1], best[2]
    for index, (start, end, _) in enumerate(matches[:MATCHES_TO_ANCHOR_AT]):
        seen: set[int] = set()
        stop = end
        for _, other_end, number in matches[index:]:
            if other_end - start > room:
                break
            seen.add(number)
            stop = max(stop, other_end)
        if len(seen) > best[0]:
            best = (len(seen), start, stop)
            if len(seen) == wanted:
                break
    return best[1], best[2]


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans, with those that overlap or touch joined into one."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _snap(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen [start, end) to the nearest grapheme cluster boundaries."""
    low, high = max(0, start - 16), min(len(text), end + 16)
    # Flags pair up regional indicators from the start of their run: begin before it.
    while low > 0 and "\U0001f1e6" <= text[low - 1] <= "\U0001f1ff":
        low -= 1
    cuts = [low + offset for offset in grapheme_boundaries(text[low:high])]
    inner = [c for c in cuts if (c > low or low == 0) and (c < high or high == len(text))]
    before = [c for c in inner if c <= start]
    after = [c for c in inner if c >= end]
    return (before[-1] if before else low), (after[0] if after else high)


def _inside_word(text: str, position: int) -> bool:
    """Whether `position` falls between two characters of one word."""
    return (
        0 < position < len(text)
        and _WORD_CHARACTER.match(text, position - 1) is not None
        and _WORD_CHARACTER.match(text, position) is not None
    )


def _word_start(text: str, start: int, limit: int) -> int:
    """Move a window's start forward (not past `limit`) out of a word and its blanks."""
    position = start
    if _inside_word(text, position):
        stop = min(limit, position + WORD_SLACK)
        while position < stop and _inside_word(text, position):
            position += 1
        if _inside_word(text, position):
            return start
    while position < limit and text[position].isspace():
        position += 1
    return position


def _word_end(text: str, end: int, limit: int) -> int:
    """Move a window's end back (not before `limit`) out of a word and its blanks."""
    position = end
    if _inside_word(text, position):
        stop = max(limit, position - WORD_SLACK)
        while position > stop and _inside_word(text, position):
            position -= 1
        if _inside_word(text, position):
            return end
    while position > limit and text[position - 1].isspace():
        position -= 1
    return position


def make_excerpt(
    text: str, patterns: Sequence[re.Pattern[str]], radius: int = EXCERPT_RADIUS
) -> Excerpt:
    """A window of `text` around its first match (or the first stretch that holds the most
    different terms), with every match in the window marked.

    Without a match the excerpt is the start of the text and marks nothing.
    """
    matches = _matches(text, patterns)
    spans = _merged([_snap(text, start, end) for start, end, _ in matches])
    if spans:
        anchor = matches[0][1] - matches[0][0]
        first_start, first_end = _snap(text, *_widest_reach(matches, 2 * radius))
        # Around one match, `radius` on each side; around several, less, by half the stretch.
        context = max(radius // 4, radius - (first_end - first_start - anchor) // 2)
        start, end = max(0, first_start - context), min(len(text), first_end + context)
        start = _word_start(text, start, first_start)
        end = _word_end(text, end, first_end)
    else:
        cut = min(len(text), 2 * radius)
        start, end = 0, _word_end(text, cut, 0) or cut
    start, end = _snap(text, start, end)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    # Line breaks become spaces, one for one, so the offsets still hold.
    window = "".join(" " if char in _LINE_BREAKS else char for char in text[start:end])
    shift = len(prefix) - start
    marks = tuple(
        (max(s, start) + shift, min(e, end) + shift) for s, e in spans if s < end and e > start
    )
    return Excerpt(prefix + window + suffix, marks)
