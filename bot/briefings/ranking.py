"""Ranking for full-text search: exact scores from where each term is found, and the best.

Documents are briefing overviews and sections. Where a term is found is a `TermHits`:
for each column, the set of documents whose text in that column holds the term
(`bot.briefings.bitmaps`), and the sections of the briefings the term names. A document
scores, for each term, the weight of every column holding it; a section also scores
`CONTEXT_WEIGHT` for each term that names its briefing, and such a term counts as found,
though one term at least must be in the section itself. Ties keep reading order: a
briefing's overview, its sections, then the next briefing.

Everything is computed on whole sets, so a query costs a few set operations per term
and column whatever the terms are. A term's columns need not be read everywhere
(`bot.briefings.search_index`): a column not read for a document counts in full there,
as a bound. Ranking reads only what can change the best results, in the manner of
Fagin's threshold algorithm: the documents that qualify for certain, by what they score
at least, set a floor; the documents whose bound does not beat it are out; the others
(the contenders) have the column most worth its cost read for them, those with the best
bounds first, and are read in every column once they are few. Either way the result is
exactly what scoring every document by the definition gives.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_
from typing import Protocol

from bot.briefings.bitmaps import add_weighted, at_least, best

CONTEXT_WEIGHT = 0.5
# Weights are counted in half points, so that every score is a small integer.
HALF_POINTS = 2
# Contenders this few are read in every column at once; more, and the best VERIFY_BATCH of
# them by bound are, and one column still unread is read for all of them.
VERIFIED_SECTIONS = 64
VERIFY_BATCH = 128
# Columns are read for the contenders with the best bounds first: at least this share.
TIER_SHARE = 16
TIER_SLACK = 0  # half points
# A tier this small a share of the documents that may qualify is read in every column.
SETTLED_SHARE = 64


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


OVERVIEWS, SECTIONS = 0, 1  # the two sides a document is on: overviews and sections


@dataclass(frozen=True, slots=True)
class TermHits:
    """Where one term is found: per overview column the briefings, per section column the
    sections, whose text there holds it; per column, the documents that could hold it but
    were not read there yet (`*_unread`, disjoint from what was found there); the
    briefings it names and all their sections; and every section of a briefing that could
    hold it at all."""

    overviews: tuple[int, ...]
    sections: tuple[int, ...]
    overview_unread: tuple[int, ...]
    section_unread: tuple[int, ...]
    names: int
    named_sections: int
    possible: int

    @property
    def complete(self) -> bool:
        """Whether every column is worked out for every document."""
        return not any(self.overview_unread) and not any(self.section_unread)

    @property
    def size(self) -> int:
        """About how many bytes the sets take."""
        sets = (*self.overviews, *self.sections, *self.overview_unread, *self.section_unread)
        sets += (self.names, self.named_sections, self.possible)
        return sum(bitmap.bit_length() // 8 + 28 for bitmap in sets)

    def found(self, side: int) -> tuple[int, ...]:
        """Per column of one side, the documents whose text there holds the term."""
        return self.sections if side == SECTIONS else self.overviews

    def unread(self, side: int) -> tuple[int, ...]:
        """Per column of one side, the documents not read there yet."""
        return self.section_unread if side == SECTIONS else self.overview_unread


class TermLookup(Protocol):
    """One term of a query, as ranking reads it."""

    @property
    def hits(self) -> TermHits:
        """Where the term is found, perhaps not yet in every column."""

    def read(self, known: TermHits, side: int, column: int, documents: int) -> TermHits:
        """`known`, with one column of one side read for these documents too."""


@dataclass(frozen=True)
class Layout:
    """The weights of the columns (in half points), about what reading each costs per
    document, and which sections each briefing has."""

    overview_weights: tuple[int, ...]
    section_weights: tuple[int, ...]
    first_section: Sequence[int]  # per briefing (and one past the last), its first section
    owner: Sequence[int]  # per section, its briefing
    overview_costs: tuple[float, ...] = ()  # none: every column costs the same
    section_costs: tuple[float, ...] = ()

    def weights(self, side: int) -> tuple[int, ...]:
        """The column weights of one side."""
        return self.section_weights if side == SECTIONS else self.overview_weights

    def costs(self, side: int) -> tuple[float, ...]:
        """What reading each column of one side costs per document."""
        costs = self.section_costs if side == SECTIONS else self.overview_costs
        return costs or (1.0,) * len(self.weights(side))


def _planes(
    layout: Layout, side: int, hits: Sequence[TermHits], lower: bool = False
) -> tuple[int, list[int]]:
    """The documents of one side that may qualify (all that do, perhaps more) and the
    planes of their scores; a column not read for a document counts in full for it, so
    that each score is at least the real one (equal for a document read everywhere).
    With `lower`, the documents known to qualify and what they score at least: the
    columns not read count for nothing."""
    reach = [reduce(or_, t.found(side), 0) for t in hits]
    if not lower:
        reach = [r | reduce(or_, t.unread(side), 0) for r, t in zip(reach, hits, strict=True)]
    if side == SECTIONS:
        qualifying = reduce(or_, reach) & reduce(
            and_, (found | term.named_sections for found, term in zip(reach, hits, strict=True))
        )
    else:
        qualifying = reduce(and_, reach)
    planes: list[int] = []
    if not qualifying:
        return 0, planes
    context = half_points(CONTEXT_WEIGHT)
    for term in hits:
        # Columns holding the very same set (often `possible`, nothing read yet) are added
        # together, at the sum of their weights.
        weights: dict[int, tuple[int, int]] = {}
        for weight, found, unread in zip(
            layout.weights(side), term.found(side), term.unread(side), strict=True
        ):
            bound = found if lower else found | unread if found and unread else found or unread
            if bound:
                known = weights.get(id(bound))
                weights[id(bound)] = (bound, weight + (known[1] if known else 0))
        for bound, weight in weights.values():
            add_weighted(planes, weight, bound & qualifying)
        if side == SECTIONS:
            add_weighted(planes, context, term.named_sections & qualifying)
    return qualifying, planes


def _floor(planes: Sequence[int], known: int, limit: int) -> tuple[int, int] | None:
    """The `limit`-th best (score, document) of the documents known to qualify, by what
    they score at least, if that many are known: the best `limit` do no worse."""
    floor = best(planes, known, limit)
    return floor[-1] if len(floor) == limit else None


def _contenders(planes: Sequence[int], unsettled: int, floor: tuple[int, int] | None) -> int:
    """The unsettled documents whose bound still beats the floor (ties going to reading
    order); all of them without a floor."""
    if floor is None:
        return unsettled
    score, document = floor
    tied = at_least(planes, score, unsettled)
    return at_least(planes, score + 1, tied) | (tied & ((1 << document) - 1))


def _next_read(
    layout: Layout,
    side: int,
    hits: Sequence[TermHits],
    planes: Sequence[int],
    contenders: int,
    floor: tuple[int, int] | None,
) -> tuple[int, int]:
    """The (term, column) to read for the contenders next: the one that can drop the most
    of them below the floor for its cost (the heaviest for its cost, while none can)."""
    weights, costs = layout.weights(side), layout.costs(side)
    chosen, value = (0, 0), (-1.0, -1.0)
    below: dict[int, int] = {}
    for number, term in enumerate(hits):
        for column, unread in enumerate(term.unread(side)):
            unread &= contenders
            if not unread:
                continue
            weight, each = weights[column], max(costs[column], 1e-6)
            cost = each * unread.bit_count()
            dropped = 0
            if floor is not None:
                if weight not in below:
                    # Contenders whose bound, less this weight, no longer beats the floor.
                    below[weight] = ~at_least(planes, floor[0] + weight + 1, contenders)
                dropped = (unread & below[weight]).bit_count()
            candidate = (dropped / cost, weight / each)
            if candidate > value:
                chosen, value = (number, column), candidate
    return chosen


def _rank_side(
    layout: Layout, side: int, terms: Sequence[TermLookup], limit: int
) -> list[tuple[int, int]]:
    """(score, document) of the best documents of one side: holding every term (for a
    section, or named by it, one at least in the section itself).

    The planes hold bounds, exact for the documents read in every column. Until the best
    `limit` by bound are all exact, the documents that can still beat the best exact
    scores (the contenders) are read: in every column when they are few
    (`VERIFIED_SECTIONS`); else the best `VERIFY_BATCH` by bound in every column, and one
    column, the one most worth its cost, for all contenders.
    """
    hits = [term.hits for term in terms]

    def settle(documents: int) -> None:
        for number, term in enumerate(terms):
            for column, unread in enumerate(hits[number].unread(side)):
                if unread & documents:
                    hits[number] = term.read(hits[number], side, column, documents)

    def state() -> tuple[list[int], int, int, tuple[int, int] | None]:
        qualifying, planes = _planes(layout, side, hits)
        unread = (reduce(or_, term.unread(side), 0) for term in hits)
        unsettled = reduce(or_, unread, 0) & qualifying
        known, least = _planes(layout, side, hits, lower=True)
        return planes, qualifying, unsettled, _floor(least, known, limit)

    batch = VERIFY_BATCH if VERIFIED_SECTIONS else 0
    while True:
        planes, qualifying, unsettled, floor = state()
        top = best(planes, qualifying, limit)
        if not any(unsettled >> document & 1 for _, document in top):
            return top
        contenders = _contenders(planes, unsettled, floor)
        if contenders.bit_count() <= VERIFIED_SECTIONS:
            settle(contenders)
            continue
        if batch and floor is None:
            settle(reduce(or_, (1 << d for _, d in best(planes, contenders, batch)), 0))
            continue
        tier = _tier(planes, contenders)
        if tier.bit_count() <= max(VERIFIED_SECTIONS, qualifying.bit_count() // SETTLED_SHARE):
            settle(tier)
            continue
        number, column = _next_read(layout, side, hits, planes, tier, floor)
        hits[number] = terms[number].read(hits[number], side, column, tier)


def _tier(planes: Sequence[int], contenders: int) -> int:
    """The contenders with the best bounds (within TIER_SLACK of the best, or lower),
    at least 1/TIER_SHARE of them."""
    wanted = contenders.bit_count() // TIER_SHARE
    [(bound, _)] = best(planes, contenders, 1)
    bound -= TIER_SLACK
    while bound > 0:
        tier = at_least(planes, bound, contenders)
        if tier.bit_count() >= wanted:
            return tier
        bound -= 1
    return contenders


class _Reading:
    """A term as one side's ranking reads it, on top of what the other side read."""

    def __init__(self, term: TermLookup) -> None:
        self._term = term
        self.hits = term.hits

    def read(self, known: TermHits, side: int, column: int, documents: int) -> TermHits:
        self.hits = self._term.read(known, side, column, documents)
        return self.hits


def rank(layout: Layout, terms: Sequence[TermLookup], limit: int) -> list[tuple[float, int, int]]:
    """The best `limit` documents as (score, briefing, section number or -1), best first."""
    if not terms or limit <= 0:
        return []
    first, owner = layout.first_section, layout.owner
    reading = [_Reading(term) for term in terms]
    # Reading order: a briefing's overview, then its sections, then the next briefing.
    candidates = [
        (score, -(first[b] + b), b, -1)
        for score, b in _rank_side(layout, OVERVIEWS, reading, limit)
    ]
    for score, document in _rank_side(layout, SECTIONS, reading, limit):
        b = owner[document]
        candidates.append((score, -(document + b + 1), b, document - first[b]))
    chosen = heapq.nlargest(limit, candidates)
    return [(score / HALF_POINTS, briefing, section) for score, _, briefing, section in chosen]
