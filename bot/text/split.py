"""Fit text into Discord's length limits without losing or mangling anything.

Lengths are Python ``len`` (code points), which is how Discord and discord.py count.
`split_text` returns pieces that rejoin to the exact input; `truncate` shortens with an
ellipsis. Neither cuts through a grapheme cluster (a user-perceived character such as
``e`` + combining accent, a ZWJ emoji family, a flag or a keycap), except when a single
cluster is itself longer than the limit: then, and only then, it is cut by code point.

Break preference, best first: paragraph break, line break, sentence end (``. ! ?``
followed by whitespace, or ``。！？．…`` anywhere, either optionally followed by closing
quotes/brackets), clause boundary (``、，；：`` anywhere, or ``, ; :`` followed by
whitespace, so that ``1,000`` and URLs are not split), whitespace, then any grapheme
boundary. A break directly followed by whitespace is moved past that whitespace, so the
next piece starts with text rather than blanks.

Standard library only; this module must not import discord.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["grapheme_boundaries", "split_text", "truncate"]

# --- Grapheme clusters -------------------------------------------------------------
#
# A pragmatic subset of the extended grapheme cluster rules of Unicode UAX #29, using only
# `unicodedata`: CR LF (GB3), controls (GB4/5), Hangul syllables (GB6-8), Extend/ZWJ and
# spacing marks (GB9/9a), Indic conjuncts (GB9c), regional-indicator pairs (GB12/13).
# Simplifications, which only ever remove cut points, never add unsafe ones: Prepend
# (GB9b) is not modelled; "no break after ZWJ" applies before any character, not only
# Extended_Pictographic ones (the stdlib has no emoji property table); GB9c is reduced to
# "virama x letter" within the Devanagari..Malayalam blocks.

_OTHER, _CONTROL, _CR, _LF, _EXTEND, _ZWJ, _RI, _L, _V, _T, _LV, _LVT, _LINKER, _INDIC = range(14)
_KINDS = 14

# Format characters (Cf) that are not Control for grapheme purposes (Prepend marks).
_PREPEND_CF = frozenset(
    {0x0600, 0x0601, 0x0602, 0x0603, 0x0604, 0x0605, 0x06DD, 0x070F}
    | {0x0890, 0x0891, 0x08E2, 0x110BD, 0x110CD}
)
_LINKERS = frozenset({0x094D, 0x09CD, 0x0ACD, 0x0B4D, 0x0C4D, 0x0D4D})


def _kind(ch: str) -> int:
    """Classify one code point for the grapheme cluster rules."""
    cp = ord(ch)
    if cp < 0x0300:  # Latin-1 and friends: no marks below U+0300.
        if cp == 0x0D:
            return _CR
        if cp == 0x0A:
            return _LF
        if cp < 0x20 or 0x7F <= cp < 0xA0 or cp == 0xAD:
            return _CONTROL
        return _OTHER
    if 0x1100 <= cp <= 0x11FF or 0xA960 <= cp <= 0xA97C or 0xD7B0 <= cp <= 0xD7FB:
        if cp <= 0x115F or 0xA960 <= cp <= 0xA97C:
            return _L
        if cp <= 0x11A7 or 0xD7B0 <= cp <= 0xD7C6:
            return _V
        return _T  # U+11A8..11FF, U+D7CB..D7FB (gaps are unassigned)
    if 0xAC00 <= cp <= 0xD7A3:
        return _LV if (cp - 0xAC00) % 28 == 0 else _LVT
    if cp == 0x200D:
        return _ZWJ
    if 0x0900 <= cp <= 0x0D7F:  # Indic_Conjunct_Break: Linker (viramas) and consonants
        if cp in _LINKERS:
            return _LINKER
        if unicodedata.category(ch) == "Lo":
            return _INDIC
    if 0x1F1E6 <= cp <= 0x1F1FF:
        return _RI
    if (
        cp == 0x200C  # ZWNJ
        or 0xFF9E <= cp <= 0xFF9F  # half-width katakana (semi-)voiced sound marks
        or 0x1F3FB <= cp <= 0x1F3FF  # emoji skin-tone modifiers
        or 0xE0020 <= cp <= 0xE007F  # tag characters (subdivision flags)
    ):
        return _EXTEND
    cat = unicodedata.category(ch)
    if cat in ("Mn", "Me", "Mc"):  # includes variation selectors and keycap U+20E3
        return _EXTEND
    if cat in ("Cc", "Zl", "Zp", "Cs") or (cat == "Cf" and cp not in _PREPEND_CF):
        return _CONTROL  # lone surrogates (Cs) land here: a boundary on both sides
    return _OTHER


def _build_no_break_table() -> bytes:
    """Return a _KINDS x _KINDS table: 1 where no cut is allowed between prev and cur."""
    joined = {
        (_L, _L), (_L, _V), (_L, _LV), (_L, _LVT),  # Hangul syllable sequences
        (_LV, _V), (_LV, _T), (_V, _V), (_V, _T), (_LVT, _T), (_T, _T),
        (_LINKER, _INDIC),  # Indic conjunct: virama x consonant
    }  # fmt: skip
    controls = (_CONTROL, _CR, _LF)
    table = bytearray(_KINDS * _KINDS)
    for prev in range(_KINDS):
        for cur in range(_KINDS):
            if prev == _CR and cur == _LF:
                keep = True
            elif prev in controls or cur in controls:
                keep = False
            else:
                # RI x RI is decided by run parity in _boundary_flags, not here.
                keep = (prev, cur) in joined or cur in (_EXTEND, _ZWJ, _LINKER) or prev == _ZWJ
            table[prev * _KINDS + cur] = keep
    return bytes(table)


_NO_BREAK = _build_no_break_table()


def _boundary_flags(text: str) -> bytearray:
    """Return ``len(text) + 1`` flags, 1 where a cut is allowed, in linear time."""
    n = len(text)
    flags = bytearray(b"\x01") * (n + 1)
    if text.isascii():  # fast path: only CR LF can join in ASCII
        i = text.find("\r\n")
        while i != -1:
            flags[i + 1] = 0
            i = text.find("\r\n", i + 2)
        return flags
    kinds = list(map(_kind, text))
    no_break = _NO_BREAK
    prev = kinds[0]
    ri_run = 1 if prev == _RI else 0  # regional indicators in the run ending at prev
    for i in range(1, n):
        cur = kinds[i]
        if cur == _RI:
            if prev == _RI and ri_run % 2 == 1:
                flags[i] = 0
            ri_run = ri_run + 1 if prev == _RI else 1
        elif no_break[prev * _KINDS + cur]:
            flags[i] = 0
        if cur != _RI:
            ri_run = 0
        prev = cur
    return flags


def grapheme_boundaries(text: str) -> list[int]:
    """Return the sorted offsets in ``0..len(text)`` where text may be cut."""
    flags = _boundary_flags(text)
    return [i for i, ok in enumerate(flags) if ok]


# --- Break classes -----------------------------------------------------------------

_PARAGRAPH, _LINE, _SENTENCE, _CLAUSE, _SPACE, _GRAPHEME, _NONE = range(7)

_CLOSERS = "」』）)\"'”’】〕〉》］]｝}"
_C = re.escape(_CLOSERS)
# Group 1 is the whitespace run after the break; every offset within it is a candidate.
# The lookbehind and possessive quantifiers keep runs like "....." linear, not quadratic.
_SENTENCE_RE = re.compile(rf"(?:(?<![.!?])[.!?]++[{_C}]*+(?=\s|\Z)|[。！？．…‼⁇⁈⁉｡]+[{_C}]*)(\s*)")
_CLAUSE_RE = re.compile(rf"(?:[,;:][{_C}]*+(?=\s|\Z)|[、，；：､][{_C}]*)(\s*)")
_SPACE_RE = re.compile(r"\s+")
_LINE_RE = re.compile(r"[\n\r\u2028\u2029]")
_BLANK_LINE_RE = re.compile(r"\n[^\S\n]*(?=\n)")  # a line end followed by a blank line

_FLAG_TO_RANK = bytes([_NONE, _GRAPHEME]) + bytes(254)
_RANK_BYTES = [bytes([r]) for r in range(_NONE)]


def _ranks(text: str) -> bytearray:
    """Return ``len(text) + 1`` break ranks: the best break class at each offset."""
    rank = _boundary_flags(text).translate(_FLAG_TO_RANK)

    def mark(offsets: range | list[int], cls: int) -> None:
        for p in offsets:
            if rank[p] != _NONE:  # never promote a cut inside a grapheme cluster
                rank[p] = cls

    # Worst class first, so better classes overwrite it.
    for m in _SPACE_RE.finditer(text):
        mark(range(m.start() + 1, m.end() + 1), _SPACE)
    for m in _CLAUSE_RE.finditer(text):
        mark(range(m.start(1), m.end(1) + 1), _CLAUSE)
    for m in _SENTENCE_RE.finditer(text):
        mark(range(m.start(1), m.end(1) + 1), _SENTENCE)
    mark([m.end() for m in _LINE_RE.finditer(text)], _LINE)
    mark([m.end() + 1 for m in _BLANK_LINE_RE.finditer(text)], _PARAGRAPH)
    return rank


def _choose_cut(rank: bytearray, start: int, stop: int) -> int:
    """Pick the cut in ``(start, stop]`` for a piece ``text[start:cut]``.

    Fill rule: take the best class of break that still leaves the piece at least half
    full; breaks in the first half count only if no class has a break in the second half.
    A natural break (whitespace or better) anywhere beats a cut inside a word; a grapheme
    boundary beats a code-point cut, which happens only inside an over-long cluster.
    """
    half = start + max(1, (stop - start) // 2)
    latest = [rank.rfind(b, start + 1, stop + 1) for b in _RANK_BYTES]
    best = -1
    for cls in range(_GRAPHEME):
        best = max(best, latest[cls])
        if best >= half:
            return best
    if best > start:
        return best
    if latest[_GRAPHEME] > start:
        return latest[_GRAPHEME]
    return stop


def _check_limit(limit: int) -> None:
    """Raise ValueError unless limit is at least 1."""
    if limit < 1:
        raise ValueError(f"limit must be >= 1, got {limit}")


def split_text(text: str, limit: int) -> list[str]:
    """Split text into non-empty pieces of at most ``limit`` code points that rejoin exactly."""
    # A piece is whitespace-only only when a whitespace run is longer than the limit;
    # callers sending pieces to Discord (which rejects blank messages) should check.
    _check_limit(limit)
    n = len(text)
    if n <= limit:
        return [text] if text else []
    rank = _ranks(text)
    pieces: list[str] = []
    start = 0
    while n - start > limit:
        cut = _choose_cut(rank, start, start + limit)
        pieces.append(text[start:cut])
        start = cut
    pieces.append(text[start:])
    return pieces


def truncate(text: str, limit: int, ellipsis: str = "…") -> str:
    """Return text if it fits, else its best-broken prefix plus ellipsis within ``limit``."""
    _check_limit(limit)
    if len(text) <= limit:
        return text
    budget = limit - len(ellipsis)
    if budget < 0:  # a caller bug: there is no honest way to shorten the ellipsis itself
        raise ValueError(f"ellipsis {ellipsis!r} is longer than limit {limit}")
    if budget == 0:
        return ellipsis
    # Offsets up to budget depend only on the next two code points, so analyse a prefix.
    rank = _ranks(text[: budget + 2])
    end = _choose_cut(rank, 0, budget)
    # Strip trailing whitespace, but only while each step stays on a cluster boundary.
    while end > 0 and text[end - 1].isspace() and rank[end - 1] != _NONE:
        end -= 1
    return text[:end] + ellipsis
