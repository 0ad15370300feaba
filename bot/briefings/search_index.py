"""Where a term is found, worked out from the folded text and kept.

The text is `bot.briefings.search_text.FoldedText`, with its `CharacterIndex` of the
briefings that use each character. `TermIndex` is built lazily, term by term: for each
term and column, the set of documents whose text there holds the term, found by scanning
the candidate briefings (those using every character of the term) and kept for the next
query (up to `TERM_CACHE_BYTES`). The sets are exact, for Japanese (anywhere in the text)
and for words (only where a word starts) alike. A set may cover only some documents of
its column: what ranking needed read (`bot.briefings.ranking`); the rest is read when a
later query needs it.

Building an index of every pair of characters up front would cost more than loading the
briefings itself (the loader's budget is 1.3x bare YAML parsing), so postings are built
for the terms people search for, when they first do.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from functools import partial, reduce
from itertools import chain, compress, repeat, starmap
from operator import contains, or_
from unicodedata import normalize

from bot.briefings.bitmaps import from_members, members, spread, spread_flags, to_flags
from bot.briefings.excerpts import fold, starts_a_word_in
from bot.briefings.ranking import SECTIONS, Term, TermHits
from bot.briefings.search_text import (
    AnyColumn,
    BriefingTexts,
    ColumnTexts,
    FoldedText,
    JoinedColumn,
    TextColumn,
    fold_documents,
)

__all__ = ["BriefingTexts", "ColumnTexts", "FoldedText", "TermIndex", "fold_documents"]

_nfkc = partial(normalize, "NFKC")  # with casefold, `fold`, applied in C to many texts
_INVERT = bytes.maketrans(b"\x00\x01", b"\x01\x00")
# Below this share of candidate briefings, a first search visits their runs one by one;
# above, it scans the whole column in one pass.
SPARSE_CANDIDATES = 1 / 3
# Below this many sections in the briefings that can hold a term, its first search works
# out every section column: there is little to read.
EAGER_SECTIONS = 256
# A column read for at least this share of its documents is read in one pass; for at most
# 1/RANGED_READ of them, document by document; in between, through flags over its texts.
DENSE_READ = 0.75
RANGED_READ = 8
TERM_CACHE_BYTES = 24 * 1024 * 1024
TERM_CACHE_ENTRIES = 4096


def _scan(
    column: TextColumn,
    term: Term,
    ranges: Sequence[tuple[int, int]] | None,
    candidates: bytes | None = None,
) -> list[int]:
    """The positions of the texts in `ranges` (all when None) that hold the term; with
    `candidates` (one byte per briefing, 1 for those that may hold it), texts to fold are
    folded only in those briefings."""
    texts, wanted = column.texts, term.text
    if column.alphabet is not None and not column.alphabet.issuperset(wanted):
        return []
    spans = [(0, len(texts))] if ranges is None else ranges
    found: list[int] = []
    for low, high in spans:
        if high > low:
            inside = map(contains, texts if ranges is None else texts[low:high], repeat(wanted))
            found.extend(compress(range(low, high), inside))
    if column.kept is not None:
        # Texts that fold to something else: their raw match does not count; fold them.
        found = list(compress(found, map(column.kept.__getitem__, found)))
        unfolded = column.unfolded
        for low, high in spans:
            if ranges is None and candidates is not None:
                wanted_here = map(candidates.__getitem__, column.unfolded_briefings)
                chosen: Sequence[int] = list(compress(unfolded, wanted_here))
            else:
                chosen = unfolded[bisect_left(unfolded, low) : bisect_left(unfolded, high)]
            found.extend(_holding_once_folded(texts, chosen, wanted))
    if term.starts_words and found:
        found = _at_word_starts(column, found, wanted)
    return found


def _holding_once_folded(texts: Sequence[str], positions: Sequence[int], wanted: str) -> list[int]:
    """Those of the given text positions whose text, folded as it is read, holds `wanted`."""
    folded = map(str.casefold, map(_nfkc, map(texts.__getitem__, positions)))
    return list(compress(positions, map(contains, folded, repeat(wanted))))


def _at_word_starts(column: TextColumn, found: list[int], wanted: str) -> list[int]:
    """Those of the found text positions where the term occurs where a word starts."""
    texts, kept = column.texts, column.kept
    return [
        i
        for i in found
        if starts_a_word_in(texts[i] if kept is None or kept[i] else fold(texts[i]), wanted)
    ]


def _runs(flags: bytes) -> list[tuple[int, int]]:
    """The runs of consecutive positions flagged 1, as (first, one past the last)."""
    runs = []
    start = flags.find(1)
    while start >= 0:
        end = flags.find(0, start)
        if end < 0:
            end = len(flags)
        runs.append((start, end))
        start = flags.find(1, end)
    return runs


def _scan_at(column: TextColumn, term: Term, positions: list[int]) -> list[int]:
    """Those of the given text positions whose text holds the term."""
    texts, wanted = column.texts, term.text
    if not positions or (column.alphabet is not None and not column.alphabet.issuperset(wanted)):
        return []
    kept = column.kept
    chosen, unfolded = positions, []
    if kept is not None:
        flags = bytes(map(kept.__getitem__, positions))
        chosen = list(compress(positions, flags))
        unfolded = list(compress(positions, flags.translate(_INVERT)))
    read = map(texts.__getitem__, chosen)
    found = list(compress(chosen, map(contains, read, repeat(wanted))))
    found.extend(_holding_once_folded(texts, unfolded, wanted))
    if term.starts_words and found:
        found = _at_word_starts(column, found, wanted)
    return found


class TermIndex:
    """Where each term is found, worked out as searches need it and then kept.

    A term's first search works out its overview columns, and every section column of the
    briefings that can hold it when those have few sections (`EAGER_SECTIONS`). Otherwise
    section columns are read for the sections ranking asks about (`read`), the contenders
    for the best results, and what was read is kept for the next query.

    Safe to use from several threads: a term two threads look up at once may be worked out
    twice, never wrongly.
    """

    def __init__(self, text: FoldedText, name_columns: int) -> None:
        self._text = text
        self._name_columns = name_columns  # the first overview columns name the briefing
        counts = text.first_section
        self._section_counts = [counts[b + 1] - counts[b] for b in range(len(counts) - 1)]
        self._cache: OrderedDict[Term, TermHits] = OrderedDict()
        self._cached_bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._cache)

    def hits(self, term: Term) -> TermHits:
        """Where the term is found, perhaps not yet in every section column (from the cache
        when an earlier search looked for it)."""
        with self._lock:
            found = self._cache.get(term)
            if found is not None:
                self._cache.move_to_end(term)
                return found
        return self._keep(term, self._find(term))

    def read(self, term: Term, known: TermHits, side: int, column: int, documents: int) -> TermHits:
        """`known`, with one column of one side (`bot.briefings.ranking.SECTIONS` or
        `OVERVIEWS`) read for these documents too."""
        unread = known.unread(side)
        wanted = unread[column] & documents
        if not wanted:
            return known
        holding, everywhere = self._read(term, side, column, wanted)
        found = known.found(side)
        # A read of the whole column settles it for every document, not only those asked.
        found_here = holding if everywhere else found[column] | holding
        left_here = 0 if everywhere else unread[column] & ~wanted
        found_now = (*found[:column], found_here, *found[column + 1 :])
        left = (*unread[:column], left_here, *unread[column + 1 :])
        if side == SECTIONS:
            overviews, sections = known.overviews, found_now
            overview_unread, section_unread = known.overview_unread, left
        else:
            overviews, sections = found_now, known.sections
            overview_unread, section_unread = left, known.section_unread
        refined = TermHits(
            overviews,
            sections,
            overview_unread,
            section_unread,
            known.names,
            known.named_sections,
            known.possible,
        )
        return self._keep(term, refined)

    def _keep(self, term: Term, found: TermHits) -> TermHits:
        with self._lock:
            replaced = self._cache.pop(term, None)
            if replaced is not None:
                self._cached_bytes -= replaced.size
            self._cache[term] = found
            self._cached_bytes += found.size
            while len(self._cache) > 1 and (
                self._cached_bytes > TERM_CACHE_BYTES or len(self._cache) > TERM_CACHE_ENTRIES
            ):
                _, dropped = self._cache.popitem(last=False)
                self._cached_bytes -= dropped.size
        return found

    def _find(self, term: Term) -> TermHits:
        text = self._text
        candidates = text.characters.candidates(term.text)
        if not candidates:
            overviews, sections = (0,) * len(text.overviews), (0,) * len(text.sections)
            return TermHits(overviews, sections, overviews, sections, 0, 0, 0)
        briefings = text.briefing_count
        flags = to_flags(candidates, briefings)
        count = candidates.bit_count()
        chosen = _runs(flags) if count < SPARSE_CANDIDATES * briefings else None
        possible = spread(candidates, self._section_counts)
        eager = possible.bit_count() < EAGER_SECTIONS

        def holds(column: AnyColumn) -> bool:  # whether its alphabet allows the term
            return column.alphabet is None or column.alphabet.issuperset(term.text)

        # The names are read everywhere (they count for every section); the rest of the
        # overview as ranking needs it, unless the term's briefings are few.
        overviews = tuple(
            self._documents(column, term, chosen, flags, None, briefings)
            if (number < self._name_columns or eager) and holds(column)
            else 0
            for number, column in enumerate(text.overviews)
        )
        overview_unread = tuple(
            candidates if number >= self._name_columns and not eager and holds(column) else 0
            for number, column in enumerate(text.overviews)
        )
        names = reduce(or_, overviews[: self._name_columns], 0)
        named_sections = spread(names, self._section_counts)
        total = len(text.owner)
        sections = tuple(
            self._documents(column, term, chosen, flags, text.first_section, total)
            if eager and holds(column)
            else 0
            for column in text.sections
        )
        section_unread = tuple(
            possible if not eager and holds(column) else 0 for column in text.sections
        )
        return TermHits(
            overviews, sections, overview_unread, section_unread, names, named_sections, possible
        )

    def _read(self, term: Term, side: int, number: int, wanted: int) -> tuple[int, bool]:
        """The documents whose text in that column holds the term, and whether the column
        was read whole: then they are every such document, else those among `wanted`."""
        text = self._text
        if side == SECTIONS:
            column, total = text.sections[number], len(text.owner)
        else:
            column, total = text.overviews[number], text.briefing_count
        count = wanted.bit_count()
        if isinstance(column, JoinedColumn):
            if count * RANGED_READ <= total:
                found = column.among(term.text, term.starts_words, members(wanted))
                return from_members(found, total) & wanted, False
            return from_members(column.within(term.text, term.starts_words, 0, total), total), True
        everywhere = count >= DENSE_READ * total
        if everywhere:
            # Most documents: one pass over the whole column, in the candidate briefings
            # (no other briefing can hold the term).
            flags = to_flags(text.characters.candidates(term.text), text.briefing_count)
            found = _scan(column, term, None, flags)
        else:
            starts, counts = column.starts, column.counts
            positions: list[int]
            if starts is None:
                positions = (
                    members(wanted)
                    if count * RANGED_READ <= total
                    else list(compress(range(total), to_flags(wanted, total)))
                )
            elif count * RANGED_READ <= total or counts is None:
                chosen = members(wanted)
                ends = map(starts.__getitem__, map((1).__add__, chosen))
                ranges = map(range, map(starts.__getitem__, chosen), ends)
                positions = list(chain.from_iterable(ranges))
            else:
                size = len(column.texts)
                if column.owner is not None and size <= 2 * total:
                    flags = to_flags(wanted, total)
                    chosen_texts = bytes(map(flags.__getitem__, column.owner))
                else:
                    chosen_texts = spread_flags(wanted, counts, size)
                positions = list(compress(range(size), chosen_texts))
            found = _scan_at(column, term, positions)
        if column.owner is not None:
            found = list(map(column.owner.__getitem__, found))
        holding = from_members(found, total)
        return (holding, True) if everywhere else (holding & wanted, False)

    @staticmethod
    def _documents(
        column: AnyColumn,
        term: Term,
        briefings: Sequence[tuple[int, int]] | None,
        flags: bytes,
        first: Sequence[int] | None,
        size: int,
    ) -> int:
        """The set of documents whose text in `column` holds the term, looking only at the
        documents of the given runs of briefings (all when None; `flags` marks them)."""
        ranges = None
        spans: Iterable[tuple[int, int]] = [(0, size)]
        if briefings is not None:
            spans = briefings if first is None else ((first[b], first[e]) for b, e in briefings)
        if isinstance(column, JoinedColumn):
            within = partial(column.within, term.text, term.starts_words)
            return from_members(chain.from_iterable(starmap(within, spans)), size)
        if briefings is not None:
            ranges = [column.text_range(low, high) for low, high in spans]
        found = _scan(column, term, ranges, flags)
        if column.owner is None:
            return from_members(found, size)
        return from_members(map(column.owner.__getitem__, found), size)
