"""Full-text search over every section of every briefing.

Matching is by substring of folded text (NFKC, case), so it needs no word segmentation:
a two-character Japanese query such as 停戦 matches wherever those two characters
appear. Every word of a query must appear in a section (AND). A section scores, for
each word, the weights of the fields that contain it (heading 5, answer 4, question 3,
points 2, lead 1.5, commentary and body 1 each); ties keep library order.

The index keeps each section's folded fields and the set of characters it uses. A
query picks the sections that use every character of every word (one quick pass),
checks their short fields (heading, answer, question, lead), and reads the long ones
(points, commentary, body: most of the text) only for sections that could still make
the top results. Building it is one folding pass over the text, with no postings, so
it is cheap; it is still built on the first search rather than with the library, and
`warm()` builds it ahead of time, safely from any thread.
"""

from __future__ import annotations

import heapq
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, compress, repeat
from operator import contains, neg

from bot.briefings.matching import normalize
from bot.briefings.models import Briefing, Section
from bot.text.split import grapheme_boundaries

FIELD_WEIGHTS: dict[str, float] = {
    "heading": 5.0,
    "answer": 4.0,
    "question": 3.0,
    "points": 2.0,
    "lead": 1.5,
    "commentary": 1.0,
    "body": 1.0,
}
FIELDS = tuple(FIELD_WEIGHTS)
# Short fields are checked for every candidate section, long ones only when they matter.
SHORT = ("heading", "answer", "question", "lead")
LONG = ("points", "commentary", "body")
SHORT_WEIGHTS = tuple(FIELD_WEIGHTS[field] for field in SHORT)
LONG_WEIGHTS = tuple(FIELD_WEIGHTS[field] for field in LONG)
LONG_TOTAL = sum(LONG_WEIGHTS)
EXCERPT_RADIUS = 40
# Between the texts of one field, and between fields: never typed, never whitespace.
SEPARATOR = "\x00"
FIELD_SEPARATOR = "\x01"
SECTION_SEPARATOR = "\x02"


@dataclass(frozen=True)
class SearchHit:
    """One matching section, with an excerpt around its best match."""

    briefing_id: str
    section_id: str
    score: float
    field: str
    excerpt: str
    match_start: int
    match_end: int


def section_texts(section: Section) -> Iterable[tuple[str, str]]:
    """Each searchable (field, text) pair of a section, in reading order."""
    yield "heading", section.heading
    if section.question:
        yield "question", section.question
    yield "answer", section.answer
    if section.lead:
        yield "lead", section.lead
    for point in section.points:
        yield "points", point
    if section.commentary:
        yield "commentary", section.commentary
    for paragraph in section.body:
        yield "body", paragraph


def fold(text: str) -> str:
    """Fold like `normalize`, but keep surrounding whitespace so offsets stay comparable."""
    return unicodedata.normalize("NFKC", text).casefold()


def query_terms(query: str) -> list[str]:
    """The distinct folded words of a query, in the order typed."""
    words = normalize(query).split()
    return [w for w in dict.fromkeys(words) if w.isprintable()]


@dataclass(frozen=True)
class _Built:
    sections: tuple[tuple[Briefing, Section], ...]
    # Per short field (SHORT): the folded field of every section, "" when absent.
    short: tuple[list[str], ...]
    # Per section: its folded long fields (LONG), "" when absent.
    long: tuple[tuple[str, ...], ...]
    # Per section: every distinct character of its folded text, in one string.
    characters: tuple[str, ...]


class SearchIndex:
    """An immutable index of section text for substring search."""

    def __init__(self, briefings: Iterable[Briefing]) -> None:
        self._briefings = tuple(briefings)
        self._section_count = sum(len(b.sections) for b in self._briefings)
        self._lock = threading.Lock()
        self._built: _Built | None = None

    def __len__(self) -> int:
        return self._section_count

    @property
    def ready(self) -> bool:
        """Whether the index is built, so a search costs only the query itself."""
        return self._built is not None

    def warm(self) -> None:
        """Build the index now if it is not built yet; safe to call from any thread."""
        self._index()

    def _index(self) -> _Built:
        built = self._built
        if built is not None:
            return built
        with self._lock:
            if self._built is None:
                self._built = _build(self._briefings)
            return self._built

    def search(self, query: str, limit: int = 10) -> list[SearchHit]:
        """Sections containing every word of `query`, best first."""
        terms = query_terms(query)
        if not terms or limit <= 0:
            return []
        index = self._index()
        ranked = _top(index, terms, _pool(index, terms), limit)
        return [_hit(index, section, score, terms[0]) for score, section in ranked]


def _fields(section: Section) -> tuple[str, ...]:
    """A section's searchable fields in SHORT then LONG order ("" when absent)."""
    return (
        section.heading,
        section.answer,
        section.question or "",
        section.lead or "",
        SEPARATOR.join(section.points),
        section.commentary or "",
        SEPARATOR.join(section.body),
    )


def _build(briefings: Sequence[Briefing]) -> _Built:
    sections: list[tuple[Briefing, Section]] = []
    columns: tuple[list[str], ...] = tuple([] for _ in SHORT)
    long: list[tuple[str, ...]] = []
    characters: list[str] = []
    count = len(SHORT)
    for briefing in briefings:
        raw = [FIELD_SEPARATOR.join(_fields(section)) for section in briefing.sections]
        # One folding pass per briefing; folding keeps the control separators as they are.
        folded = fold(SECTION_SEPARATOR.join(raw)).split(SECTION_SEPARATOR)
        if len(folded) != len(raw):  # never expected; fold section by section then
            folded = [fold(text) for text in raw]
        for section, text in zip(briefing.sections, folded, strict=True):
            parts = text.split(FIELD_SEPARATOR)
            if len(parts) != len(FIELDS):  # the text itself holds a separator
                parts = [fold(part.replace(FIELD_SEPARATOR, " ")) for part in _fields(section)]
            sections.append((briefing, section))
            for column, part in zip(columns, parts, strict=False):
                column.append(part)
            long.append(tuple(parts[count:]))
            characters.append("".join(set(text)))
    return _Built(tuple(sections), columns, tuple(long), tuple(characters))


def _pool(index: _Built, terms: Sequence[str]) -> list[int]:
    """Sections using every character of every word (a superset of the matches), ascending."""
    needed = list(dict.fromkeys("".join(terms)))
    characters = index.characters
    first = needed[0]
    found = [s for s, chars in enumerate(characters) if first in chars]
    for character in needed[1:]:
        found = [s for s in found if character in characters[s]]
    return found


def _top(
    index: _Built, terms: Sequence[str], pool: list[int], limit: int
) -> list[tuple[float, int]]:
    """The best `limit` (score, section) pairs, best first; ties by section order.

    The short fields of every candidate are checked in bulk. The long ones are read
    only while a candidate could still enter the top: its short-field score plus every
    long field for every word bounds what it can reach.
    """
    partial: dict[int, float] = {}
    get = partial.get
    for term in terms:
        for weight, column in zip(SHORT_WEIGHTS, index.short, strict=True):
            for section in compress(
                pool, map(contains, map(column.__getitem__, pool), repeat(term))
            ):
                partial[section] = get(section, 0.0) + weight
    strong = sorted(zip(map(neg, partial.values()), partial, strict=True))
    weak = ((0.0, section) for section in pool if section not in partial)
    reach = LONG_TOTAL * len(terms)
    shorts, longs = index.short, index.long
    best: list[tuple[float, int]] = []  # a min-heap of (score, -section): the worst on top
    for negated, section in chain(strong, weak):
        if len(best) == limit and best[0][0] > reach - negated:
            break  # nothing further down can overtake the worst of the best
        score = -negated
        for term in terms:
            extra = sum(compress(LONG_WEIGHTS, map(contains, longs[section], repeat(term))))
            if not extra and not any(term in column[section] for column in shorts):
                break  # this word is nowhere in the section
            score += extra
        else:
            entry = (score, -section)
            if len(best) < limit:
                heapq.heappush(best, entry)
            elif entry > best[0]:
                heapq.heapreplace(best, entry)
    return [(score, -negated) for score, negated in sorted(best, reverse=True)]


def _hit(index: _Built, number: int, score: float, term: str) -> SearchHit:
    briefing, section = index.sections[number]
    best: tuple[float, str, str] | None = None
    for field, text in section_texts(section):
        weight = FIELD_WEIGHTS[field]
        if (best is None or weight > best[0]) and term in fold(text):
            best = (weight, field, text)
    if best is None:  # the term spans a field boundary; show the answer
        best = (0.0, "answer", section.answer)
    _, field, text = best
    excerpt, start, end = make_excerpt(text, term)
    return SearchHit(briefing.id, section.id, score, field, excerpt, start, end)


def _locate(text: str, term: str) -> tuple[int, int] | None:
    """Where folded `term` occurs in `text`, as offsets into the original text."""
    folded = fold(text)
    position = folded.find(term)
    if position < 0:
        return None
    if len(folded) == len(text):
        return position, position + len(term)
    # Folding changed the length (ß -> ss, ㍻ -> 平成): map offsets character by character.
    origin: list[int] = []
    for index, char in enumerate(text):
        origin.extend([index] * len(fold(char)))
    origin.append(len(text))
    position = "".join(fold(char) for char in text).find(term)
    if position < 0:
        return None
    return origin[position], origin[position + len(term) - 1] + 1


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


def make_excerpt(text: str, term: str, radius: int = EXCERPT_RADIUS) -> tuple[str, int, int]:
    """A short one-line window of `text` around `term`, and where the match sits in it.

    The window never cuts through a grapheme cluster; when `term` is not found the
    excerpt is the start of the text and the match is empty (0, 0).
    """
    found = _locate(text, term)
    if found is None:
        _, end = _snap(text, 0, min(len(text), radius * 2))
        snippet = " ".join(text[:end].split())
        return (snippet + "…" if end < len(text) else snippet), 0, 0
    match_start, match_end = _snap(text, *found)
    start, end = _snap(text, max(0, match_start - radius), min(len(text), match_end + radius))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    window = text[start:end]
    # Line breaks become spaces (one for one, so the offsets still hold).
    window = "".join(" " if char in "\r\n\t\v\f\u2028\u2029\x85" else char for char in window)
    excerpt = prefix + window + suffix
    offset = len(prefix) - start
    return excerpt, match_start + offset, match_end + offset
