"""Ranking for full-text search: the documents that hold every term, and the best of them.

Documents are briefing overviews and sections, each a row of column texts (folded).
A document scores, for each term, the weight of every column holding it; a section also
scores `CONTEXT_WEIGHT` for each term that names its briefing, and such a term counts
as found, though one term at least must be in the section itself. Ties keep reading
order: a briefing's overview, its sections, then the next briefing.

Overviews are few and short: every one is tested for every term. Sections are many; a
query reads their short columns in full, C-level substring tests over whole columns,
and their long columns (points, commentary, body: most of the text) only where they
could still matter. Sections that hold a term in a short column are scored one by one,
best bound first, while they can still enter the results; the rest are tested in bulk,
and only when one of them could.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import compress, repeat
from operator import contains, neg

from bot.briefings.excerpts import starts_a_word_in

CONTEXT_WEIGHT = 0.5


@dataclass(frozen=True)
class Term:
    """One folded query term, and whether it must start a word."""

    text: str
    starts_words: bool


def holds(text: str, term: Term) -> bool:
    """Whether a folded text holds the term, by the term's rule."""
    if term.starts_words:
        return starts_a_word_in(text, term.text)
    return term.text in text


def holders(column: list[str], term: Term, documents: Sequence[int] | None = None) -> list[int]:
    """The documents (all when None) whose text in `column` holds `term`, in order."""
    text = term.text
    if documents is None:
        found = list(compress(range(len(column)), map(contains, column, repeat(text))))
    else:
        texts = map(column.__getitem__, documents)
        found = list(compress(documents, map(contains, texts, repeat(text))))
    if term.starts_words and found:
        found = [document for document in found if starts_a_word_in(column[document], text)]
    return found


@dataclass(frozen=True)
class Documents:
    """One kind of document: per column, its weight and the folded text of every document."""

    weights: tuple[float, ...]
    columns: tuple[list[str], ...]

    def scores(
        self, candidates: Sequence[int] | None, term: Term, columns: slice = slice(None)
    ) -> dict[int, float]:
        """Each candidate's score for one term in the given columns (only those that hold it)."""
        scores: dict[int, float] = {}
        get = scores.get
        for weight, column in zip(self.weights[columns], self.columns[columns], strict=True):
            for document in holders(column, term, candidates):
                scores[document] = get(document, 0.0) + weight
        return scores

    def holders(self, term: Term, columns: slice) -> set[int]:
        """The documents holding the term in any of the given columns."""
        return {d for column in self.columns[columns] for d in holders(column, term)}


@dataclass(frozen=True)
class Corpus:
    """Everything a query reads: overviews, sections, and which briefing owns which section."""

    overviews: Documents  # document b: briefing b's own fields
    name_columns: int  # the first overview columns name the briefing
    sections: Documents  # document d: a section, in reading order
    short_columns: int  # the first section columns are read in full for every query
    owner: list[int]  # per section, its briefing's number
    first_section: list[int]  # per briefing (and one past the last), its first section


def _rank_overviews(
    corpus: Corpus, terms: Sequence[Term]
) -> tuple[dict[int, float], list[set[int]]]:
    """Overviews holding every term, with their scores; and per term, the briefings it names."""
    total: dict[int, float] = {}
    alive: set[int] | None = None
    named: list[set[int]] = []
    names = slice(0, corpus.name_columns)
    for term in terms:
        named.append(corpus.overviews.holders(term, names))
        scores = corpus.overviews.scores(None, term)
        alive = set(scores) if alive is None else alive & scores.keys()
        for document in alive:
            total[document] = total.get(document, 0.0) + scores[document]
    return {document: total[document] for document in alive or ()}, named


class _Best:
    """The best `limit` (score, section) pairs seen so far; ties go to the earlier section."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._heap: list[tuple[float, int]] = []  # (score, -section): the worst on top

    def beats(self, bound: float, section: int) -> bool:
        """Whether the best are full and no section scoring at most `bound`, at `section` or
        after it in reading order, could still enter."""
        return len(self._heap) == self.limit and self._heap[0] >= (bound, -section)

    def offer(self, score: float, section: int) -> None:
        """Keep the pair if it is among the best so far."""
        entry = (score, -section)
        if len(self._heap) < self.limit:
            heapq.heappush(self._heap, entry)
        elif entry > self._heap[0]:
            heapq.heapreplace(self._heap, entry)

    def ranked(self) -> list[tuple[float, int]]:
        """(score, section), best first."""
        return [(score, -negated) for score, negated in sorted(self._heap, reverse=True)]


def _long_scores(
    corpus: Corpus, in_candidates: bytearray, terms: Sequence[Term], named: Sequence[set[int]]
) -> dict[int, float]:
    """Candidates holding every term in a long column or their briefing's names, and one
    term at least in a long column, with their scores (the candidates hold none in a
    short column)."""
    sections, short = corpus.sections, corpus.short_columns
    first, owner = corpus.first_section, corpus.owner
    long_columns = slice(short, None)
    total: dict[int, float] | None = None
    own: set[int] = set()
    for number, (term, naming) in enumerate(zip(terms, named, strict=True)):
        alive = None if total is None else sorted(total)
        scores = sections.scores(alive, term, long_columns)
        if alive is None:
            scores = {d: score for d, score in scores.items() if in_candidates[d]}
        own.update(scores)
        if naming:
            named_here: Iterable[int]
            if number == len(terms) - 1:  # the last term: only sections holding one stay
                named_here = list(scores) if total is None else [d for d in total if d in own]
            elif total is None:
                named_here = (
                    d for b in naming for d in range(first[b], first[b + 1]) if in_candidates[d]
                )
            else:
                named_here = alive or ()
            for document in named_here:
                if owner[document] in naming:
                    scores[document] = scores.get(document, 0.0) + CONTEXT_WEIGHT
        total = scores if total is None else {d: total[d] + s for d, s in scores.items()}
        if not total:
            return {}
    return {d: score for d, score in (total or {}).items() if d in own}


def _rank_sections(
    corpus: Corpus, terms: Sequence[Term], named: Sequence[set[int]], limit: int
) -> list[tuple[float, int]]:
    """The best `limit` sections holding every term, as (score, section), best first."""
    sections, short = corpus.sections, corpus.short_columns
    owner = corpus.owner
    long_weights = sections.weights[short:]
    long_columns = sections.columns[short:]
    reach = sum(long_weights) * len(terms)  # the most the long columns can add
    # The short columns of every section, for every term.
    holders = [sections.scores(None, term, slice(0, short)) for term in terms]
    partial = holders[0] if len(holders) == 1 else {}
    if len(holders) > 1:
        for scores in holders:
            for document, score in scores.items():
                partial[document] = partial.get(document, 0.0) + score
    # The most a section can gain from the briefing's names and from its long columns.
    reach += CONTEXT_WEIGHT * sum(1 for naming in named if naming)

    def exact(document: int) -> float | None:
        """The score of a section that holds a term in a short column, if it holds all."""
        score = partial[document]
        briefing = owner[document]
        for term, held, naming in zip(terms, holders, named, strict=True):
            extra = CONTEXT_WEIGHT if briefing in naming else 0.0
            for weight, column in zip(long_weights, long_columns, strict=True):
                if holds(column[document], term):
                    extra += weight
            if not extra and document not in held:
                return None
            score += extra
        return score

    best = _Best(limit)
    # Sections with a term in a short column, best bound first, while one could enter.
    queue = list(zip(map(neg, partial.values()), partial, strict=True))
    heapq.heapify(queue)
    while queue:
        negated, document = queue[0]
        if best.beats(reach - negated, document):
            break
        heapq.heappop(queue)
        found = exact(document)
        if found is not None:
            best.offer(found, document)
    # The rest hold terms only in long columns, if anywhere: they score at most `reach`.
    if not best.beats(reach, -1):
        in_rest = bytearray(b"\x01") * len(owner)
        for document in partial:
            in_rest[document] = 0
        for document, score in _long_scores(corpus, in_rest, terms, named).items():
            best.offer(score, document)
    return best.ranked()


def rank(corpus: Corpus, terms: Sequence[Term], limit: int) -> list[tuple[float, int, int]]:
    """The best `limit` documents as (score, briefing, section number or -1), best first."""
    # The longest term first: it is usually the rarest, so the fewest documents stay in.
    ordered = sorted(terms, key=lambda term: -len(term.text))
    overviews, named = _rank_overviews(corpus, ordered)
    sections = _rank_sections(corpus, ordered, named, limit)
    first, owner = corpus.first_section, corpus.owner
    # Reading order: a briefing's overview, then its sections, then the next briefing.
    top_overviews = sorted(sorted(overviews), key=overviews.__getitem__, reverse=True)[:limit]
    candidates = [(overviews[b], -(first[b] + b), b, -1) for b in top_overviews]
    for score, document in sections:
        b = owner[document]
        candidates.append((score, -(document + b + 1), b, document - first[b]))
    best = heapq.nlargest(limit, candidates)
    return [(score, briefing, section) for score, _, briefing, section in best]
