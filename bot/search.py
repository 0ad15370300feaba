"""Full-text search over every section of every briefing.

Matching is by substring of folded text (NFKC, case), so it needs no word segmentation:
a two-character Japanese query such as 停戦 matches wherever those two characters
appear. Every word of a query must appear in a section (AND). A section scores, for
each word, the weights of the fields that contain it (heading 5, answer 4, question 3,
points 2, lead 1.5, commentary and body 1 each); ties keep library order.

The index maps every pair of adjacent characters, per field, to the sections that
contain it, so a two-character query is a few list reads and a longer one only checks
sections holding its rarest pair. Building the index reads every character of every
section, which for a large library takes a moment: it is built on the first search
rather than with the library (so a reload stays cheap), and `warm()` builds it ahead
of time, safely from a worker thread.
"""

from __future__ import annotations

import heapq
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import add, neg

from bot.matching import normalize
from bot.models import Briefing, Section
from bot.textsplit import grapheme_boundaries

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
WEIGHTS = tuple(FIELD_WEIGHTS.values())
EXCERPT_RADIUS = 40
# Between the texts of one field, and between fields: never typed, never whitespace.
SEPARATOR = "\x00"
FIELD_SEPARATOR = "\x01"


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
    # Per section: its folded fields, by position in FIELDS ("" when absent).
    fields: tuple[tuple[str, ...], ...]
    # Per field: character pair -> sections whose field contains it, ascending.
    pairs: tuple[dict[str, list[int]], ...]
    # Character -> sections containing it anywhere.
    characters: dict[str, list[int]]


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
        scores: dict[int, float] | None = None
        for term in terms:
            term_scores = _score(index, term)
            if scores is None:
                scores = term_scores
            else:
                scores = {s: v + term_scores[s] for s, v in scores.items() if s in term_scores}
            if not scores:
                return []
        assert scores is not None
        ranked = heapq.nsmallest(limit, zip(map(neg, scores.values()), scores, strict=True))
        return [_hit(index, section, -score, terms[0]) for score, section in ranked]


def _build(briefings: Sequence[Briefing]) -> _Built:
    sections: list[tuple[Briefing, Section]] = []
    fields: list[tuple[str, ...]] = []
    pairs: tuple[defaultdict[str, list[int]], ...] = tuple(defaultdict(list) for _ in FIELDS)
    characters: defaultdict[str, list[int]] = defaultdict(list)
    for briefing in briefings:
        for section in briefing.sections:
            grouped: dict[str, list[str]] = {}
            for field, text in section_texts(section):
                grouped.setdefault(field, []).append(text)
            raw = FIELD_SEPARATOR.join(SEPARATOR.join(grouped.get(field, ())) for field in FIELDS)
            parts = tuple(fold(raw).split(FIELD_SEPARATOR))
            if len(parts) != len(FIELDS):  # folding keeps U+0001 as it is; be safe anyway
                parts = tuple(fold(SEPARATOR.join(grouped.get(field, ()))) for field in FIELDS)
            number = len(sections)
            sections.append((briefing, section))
            fields.append(parts)
            for part, postings in zip(parts, pairs, strict=True):
                for pair in set(map(add, part, part[1:])):
                    postings[pair].append(number)
            for character in set("".join(parts)):
                characters[character].append(number)
    return _Built(
        tuple(sections),
        tuple(fields),
        tuple(dict(postings) for postings in pairs),
        dict(characters),
    )


_NO_SECTIONS: list[int] = []


def _score(index: _Built, term: str) -> dict[int, float]:
    """The score of `term` in every section that contains it: the weights of its fields."""
    scores: dict[int, float] = {}
    get = scores.get
    for position, weight in enumerate(WEIGHTS):
        for section in _field_matches(index, position, term):
            scores[section] = get(section, 0.0) + weight
    return scores


def _field_matches(index: _Built, position: int, term: str) -> Iterable[int]:
    """Sections whose field at `position` contains `term`."""
    if len(term) == 1:
        candidates = index.characters.get(term, _NO_SECTIONS)
        fields = index.fields
        return [s for s in candidates if term in fields[s][position]]
    postings = index.pairs[position]
    if len(term) == 2:  # a pair's postings are exact
        return postings.get(term, _NO_SECTIONS)
    shortest: list[int] | None = None
    for i in range(len(term) - 1):
        found = postings.get(term[i : i + 2])
        if found is None:
            return _NO_SECTIONS
        if shortest is None or len(found) < len(shortest):
            shortest = found
    assert shortest is not None
    fields = index.fields
    return [s for s in shortest if term in fields[s][position]]


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
