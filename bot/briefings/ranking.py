"""Ranking for full-text search: exact scores from where each term is found, and the best.

Documents are briefing overviews and sections. Where a term is found is a `TermHits`:
for each column, the set of documents whose text in that column holds the term
(`bot.briefings.bitmaps`), and the sections of the briefings the term names. A document
scores, for each term, the weight of every column holding it; a section also scores
`CONTEXT_WEIGHT` for each term that names its briefing, and such a term counts as found,
though one term at least must be in the section itself. Ties keep reading order: a
briefing's overview, its sections, then the next briefing.

Everything is computed on whole sets, so a query costs the same few set operations per
term and column whatever the terms are, and exactly what the definition says: there are
no bounds or shortcuts whose result could differ from scoring every document.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from bot.briefings.bitmaps import add_weighted, best

CONTEXT_WEIGHT = 0.5
# Weights are counted in half points, so that every score is a small integer.
HALF_POINTS = 2


def half_points(weight: float) -> int:
    """A column weight in half points (every weight is a multiple of 0.5)."""
    points = round(weight * HALF_POINTS)
    if points != weight * HALF_POINTS:
        raise ValueError(f"weight {weight} is not a multiple of 0.5")
    return points


@dataclass(frozen=True)
class Term:
    """One folded query term, and whether it must start a word."""

    text: str
    starts_words: bool


@dataclass(frozen=True, slots=True)
class TermHits:
    """Where one term is found: per overview column the briefings, per section column the
    sections, whose text there holds it; and every section of a briefing it names."""

    overviews: tuple[int, ...]
    sections: tuple[int, ...]
    named_sections: int

    @property
    def size(self) -> int:
        """About how many bytes the sets take."""
        sets = (*self.overviews, *self.sections, self.named_sections)
        return sum(bitmap.bit_length() // 8 + 28 for bitmap in sets)


@dataclass(frozen=True)
class Layout:
    """The weights of the columns (in half points), and which sections each briefing has."""

    overview_weights: tuple[int, ...]
    section_weights: tuple[int, ...]
    first_section: Sequence[int]  # per briefing (and one past the last), its first section
    owner: Sequence[int]  # per section, its briefing


def _rank_overviews(layout: Layout, hits: Sequence[TermHits], limit: int) -> list[tuple[int, int]]:
    """(score, briefing) of the best overviews holding every term."""
    qualifying = reduce(and_, (reduce(or_, term.overviews, 0) for term in hits))
    if not qualifying:
        return []
    planes: list[int] = []
    for term in hits:
        for weight, found in zip(layout.overview_weights, term.overviews, strict=True):
            add_weighted(planes, weight, found & qualifying)
    return best(planes, qualifying, limit)


def _rank_sections(layout: Layout, hits: Sequence[TermHits], limit: int) -> list[tuple[int, int]]:
    """(score, section) of the best sections holding every term (or named by it), one at
    least in the section itself."""
    own = [reduce(or_, term.sections, 0) for term in hits]
    qualifying = reduce(or_, own) & reduce(
        and_, (found | term.named_sections for found, term in zip(own, hits, strict=True))
    )
    if not qualifying:
        return []
    context = half_points(CONTEXT_WEIGHT)
    planes: list[int] = []
    for term in hits:
        for weight, found in zip(layout.section_weights, term.sections, strict=True):
            add_weighted(planes, weight, found & qualifying)
        add_weighted(planes, context, term.named_sections & qualifying)
    return best(planes, qualifying, limit)


def rank(layout: Layout, hits: Sequence[TermHits], limit: int) -> list[tuple[float, int, int]]:
    """The best `limit` documents as (score, briefing, section number or -1), best first."""
    if not hits or limit <= 0:
        return []
    first, owner = layout.first_section, layout.owner
    # Reading order: a briefing's overview, then its sections, then the next briefing.
    candidates = [
        (score, -(first[b] + b), b, -1) for score, b in _rank_overviews(layout, hits, limit)
    ]
    for score, document in _rank_sections(layout, hits, limit):
        b = owner[document]
        candidates.append((score, -(document + b + 1), b, document - first[b]))
    chosen = heapq.nlargest(limit, candidates)
    return [(score / HALF_POINTS, briefing, section) for score, _, briefing, section in chosen]
