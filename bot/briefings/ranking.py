"""Ranking for full-text search: exact scores from where each term is found, and the best.

Documents are briefing overviews and sections. Where a term is found is a `TermHits`:
for each column, the set of documents whose text in that column holds the term
(`bot.briefings.bitmaps`), and the sections of the briefings the term names. A document
scores, for each term, the weight of every column holding it; a section also scores
`CONTEXT_WEIGHT` for each term that names its briefing, and such a term counts as found,
though one term at least must be in the section itself. Ties keep reading order: a
briefing's overview, its sections, then the next briefing.

Everything is computed on whole sets, so a query costs the same few set operations per
term and column whatever the terms are. When a term's first search has left its long
section columns out (`bot.briefings.search_index`), those count in full as a bound, the
sections with the best bounds are read from their own text until the best of them beat
every bound left, and only if that takes too long are the columns worked out. Either way
the result is exactly what scoring every document by the definition gives.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_
from typing import Protocol

from bot.briefings.bitmaps import add_weighted, best

CONTEXT_WEIGHT = 0.5
# Weights are counted in half points, so that every score is a small integer.
HALF_POINTS = 2
# Sections read from their text, at most, before the columns a term's first search left
# out are worked out for every section instead; and how many are bounded at a time.
VERIFIED_SECTIONS = 400
VERIFY_BATCH = 32


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
    sections, whose text there holds it (None: not worked out yet); the briefings it names
    and all their sections; and every section of a briefing that could hold it at all."""

    overviews: tuple[int, ...]
    sections: tuple[int | None, ...]
    names: int
    named_sections: int
    possible: int

    @property
    def complete(self) -> bool:
        """Whether every section column is worked out."""
        return None not in self.sections

    @property
    def size(self) -> int:
        """About how many bytes the sets take."""
        sets = (*self.overviews, *self.sections, self.names, self.named_sections, self.possible)
        return sum(bitmap.bit_length() // 8 + 28 for bitmap in sets if bitmap is not None)


class TermLookup(Protocol):
    """One term of a query, as ranking reads it."""

    @property
    def hits(self) -> TermHits:
        """Where the term is found, perhaps not yet in every section column."""

    def complete(self) -> TermHits:
        """Where the term is found, every section column worked out."""

    def columns_holding(self, section: int) -> list[int]:
        """The section columns whose text in this section holds the term."""


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


def _section_planes(layout: Layout, hits: Sequence[TermHits]) -> tuple[int, list[int]]:
    """The sections that may qualify (all that do, perhaps more) and the planes of their
    scores; a column not worked out counts in full for every section that could hold the
    term, so that each score is at least the real one (equal when every column is known)."""
    reach = []
    for term in hits:
        found = reduce(or_, (f for f in term.sections if f is not None), 0)
        reach.append(found if term.complete else found | term.possible)
    qualifying = reduce(or_, reach) & reduce(
        and_, (found | term.named_sections for found, term in zip(reach, hits, strict=True))
    )
    planes: list[int] = []
    if not qualifying:
        return 0, planes
    context = half_points(CONTEXT_WEIGHT)
    for term in hits:
        unknown = 0
        for weight, column in zip(layout.section_weights, term.sections, strict=True):
            if column is None:
                unknown += weight
            else:
                add_weighted(planes, weight, column & qualifying)
        add_weighted(planes, unknown, term.possible & qualifying)
        add_weighted(planes, context, term.named_sections & qualifying)
    return qualifying, planes


def _exact_score(layout: Layout, terms: Sequence[TermLookup], section: int) -> int | None:
    """One section's score, read from its own text; None when it does not qualify."""
    briefing = layout.owner[section]
    context = half_points(CONTEXT_WEIGHT)
    total, own_any = 0, False
    for term in terms:
        own = sum(layout.section_weights[c] for c in term.columns_holding(section))
        named = term.hits.names >> briefing & 1
        if not own and not named:
            return None
        total += own + context * named
        own_any = own_any or own > 0
    return total if own_any else None


def _rank_sections(
    layout: Layout, terms: Sequence[TermLookup], limit: int
) -> list[tuple[int, int]]:
    """(score, section) of the best sections holding every term (or named by it), one at
    least in the section itself.

    With every column worked out, the planes hold the scores themselves. Otherwise they
    hold bounds: sections are read one by one, best bound first, until the best `limit`
    read beat every bound left; past `VERIFIED_SECTIONS` the missing columns are worked
    out instead.
    """
    hits = [term.hits for term in terms]
    qualifying, planes = _section_planes(layout, hits)
    if all(term.complete for term in hits) or not qualifying:
        return best(planes, qualifying, limit)
    found: list[tuple[int, int]] = []  # (-score, section) of qualifying sections read
    remaining, read = qualifying, 0
    while remaining:
        for bound, section in best(planes, remaining, max(limit, VERIFY_BATCH)):
            if len(found) >= limit and found[limit - 1] < (-bound, section):
                return [(-score, d) for score, d in found[:limit]]
            if read == VERIFIED_SECTIONS:
                qualifying, planes = _section_planes(layout, [t.complete() for t in terms])
                return best(planes, qualifying, limit)
            read += 1
            remaining &= ~(1 << section)
            score = _exact_score(layout, terms, section)
            if score is not None:
                bisect.insort(found, (-score, section))
    return [(-score, d) for score, d in found[:limit]]


def rank(layout: Layout, terms: Sequence[TermLookup], limit: int) -> list[tuple[float, int, int]]:
    """The best `limit` documents as (score, briefing, section number or -1), best first."""
    if not terms or limit <= 0:
        return []
    first, owner = layout.first_section, layout.owner
    hits = [term.hits for term in terms]
    # Reading order: a briefing's overview, then its sections, then the next briefing.
    candidates = [
        (score, -(first[b] + b), b, -1) for score, b in _rank_overviews(layout, hits, limit)
    ]
    for score, document in _rank_sections(layout, terms, limit):
        b = owner[document]
        candidates.append((score, -(document + b + 1), b, document - first[b]))
    chosen = heapq.nlargest(limit, candidates)
    return [(score / HALF_POINTS, briefing, section) for score, _, briefing, section in chosen]
