"""Full-text search over every section of every briefing.

All section text is folded (NFKC, case) into one string, so a query is a handful of
`str.find` scans in C. Substring matching needs no word segmentation, which is what
makes two-character Japanese queries such as 停戦 work.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from bot.matching import normalize
from bot.models import Briefing, Section

FIELD_WEIGHTS: dict[str, float] = {
    "heading": 5.0,
    "answer": 4.0,
    "question": 3.0,
    "points": 2.0,
    "lead": 1.5,
    "commentary": 1.0,
    "body": 1.0,
}
MAX_COUNTED_PER_FIELD = 3
MAX_SCANNED_HITS = 50_000
EXCERPT_RADIUS = 40
SEPARATOR = "\x00"


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


@dataclass(frozen=True)
class _Segment:
    section: int
    field: str
    text: str
    start: int
    end: int


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


class SearchIndex:
    """An immutable index of section text for substring search."""

    def __init__(self, briefings: Iterable[Briefing]) -> None:
        self._sections: list[tuple[str, str]] = []
        self._segments: list[_Segment] = []
        parts: list[str] = []
        offset = 0
        for briefing in briefings:
            for section in briefing.sections:
                section_index = len(self._sections)
                self._sections.append((briefing.id, section.id))
                for field, text in section_texts(section):
                    folded = normalize(text)
                    end = offset + len(folded)
                    self._segments.append(_Segment(section_index, field, text, offset, end))
                    parts.append(folded)
                    offset = end + len(SEPARATOR)
        self._blob = SEPARATOR.join(parts)
        self._starts = [segment.start for segment in self._segments]

    def __len__(self) -> int:
        return len(self._sections)

    def search(self, query: str, limit: int = 10) -> list[SearchHit]:
        """Sections containing every word of `query`, best first."""
        terms = [term for term in dict.fromkeys(normalize(query).split()) if SEPARATOR not in term]
        if not terms:
            return []
        scores: dict[int, float] | None = None
        first_match: dict[int, tuple[float, int]] = {}
        for term in terms:
            term_scores: dict[int, float] = defaultdict(float)
            for segment_index, count in self._term_counts(term).items():
                segment = self._segments[segment_index]
                weight = FIELD_WEIGHTS[segment.field]
                term_scores[segment.section] += weight * min(count, MAX_COUNTED_PER_FIELD)
                best = first_match.get(segment.section)
                if term == terms[0] and (best is None or weight > best[0]):
                    first_match[segment.section] = (weight, segment_index)
            if scores is None:
                scores = dict(term_scores)
            else:
                scores = {s: v + term_scores[s] for s, v in scores.items() if s in term_scores}
            if not scores:
                return []
        assert scores is not None
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
        return [
            self._hit(section, score, terms[0], first_match[section][1])
            for section, score in ranked
        ]

    def _term_counts(self, term: str) -> dict[int, int]:
        blob = self._blob
        counts: dict[int, int] = defaultdict(int)
        if blob.count(term) <= MAX_SCANNED_HITS:
            position = blob.find(term)
            while position >= 0:
                counts[bisect_right(self._starts, position) - 1] += 1
                position = blob.find(term, position + len(term))
        else:
            for index, segment in enumerate(self._segments):
                found = blob.count(term, segment.start, segment.end)
                if found:
                    counts[index] = found
        return counts

    def _hit(self, section: int, score: float, term: str, segment_index: int) -> SearchHit:
        briefing_id, section_id = self._sections[section]
        segment = self._segments[segment_index]
        excerpt, start, end = make_excerpt(segment.text, term)
        return SearchHit(briefing_id, section_id, score, segment.field, excerpt, start, end)


def make_excerpt(text: str, term: str, radius: int = EXCERPT_RADIUS) -> tuple[str, int, int]:
    """A short window of `text` around `term`, and where the match sits in that window."""
    folded = normalize(text)
    position = folded.find(term)
    if position < 0 or len(folded) != len(text):
        # Folding changed the length, so offsets do not carry over: search the original.
        position = text.casefold().find(term)
    if position < 0:
        snippet = text[: radius * 2]
        return (snippet + "…" if len(text) > len(snippet) else snippet), 0, 0
    start = max(0, position - radius)
    end = min(len(text), position + len(term) + radius)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    excerpt = prefix + text[start:end] + suffix
    match_start = len(prefix) + position - start
    return excerpt, match_start, match_start + len(term)
