"""What full-text search keeps in memory, and where a term is found.

`FoldedText` holds the folded text of every column of every document (briefing overviews
and sections), column by column, one entry per text so that no match can cross from one
text into the next. Folding leaves most Japanese text as it is, and such a text is kept
as the very string the briefing holds: only texts that folding changes (English, with
its capitals; full-width letters) take memory of their own, once per distinct text.

Two indexes find the documents that hold a term:

* `CharacterIndex`, built with the text: for each character, the briefings that use it.
  A briefing can hold a term only if it uses every character of it, so a word nobody
  wrote, or a rare one, is answered from a few briefings (or none) instead of all of them.
* `TermIndex`, built lazily, term by term: for each term and column, the set of documents
  whose text there holds the term, found by scanning the candidate briefings once and
  kept for the next query (up to `TERM_CACHE_BYTES`). The sets are exact, for Japanese
  (anywhere in the text) and for words (only where a word starts) alike.

Building an index of every pair of characters up front would cost more than loading the
briefings itself (the loader's budget is 1.3x bare YAML parsing), so postings are built
for the terms people search for, when they first do.
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_left
from collections import OrderedDict, defaultdict, deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial, reduce
from itertools import accumulate, chain, compress, repeat
from operator import and_, contains, or_
from unicodedata import normalize

from bot.briefings.bitmaps import from_members, spread, to_flags
from bot.briefings.excerpts import fold, starts_a_word_in
from bot.briefings.ranking import Term, TermHits

_nfkc = partial(normalize, "NFKC")  # with casefold, `fold`, applied in C to many texts
SEPARATOR = "\x01"  # between the texts of one briefing while they are folded together
# Below this share of candidate briefings, a scan visits their runs one by one; above, it
# scans the whole column in one pass (and a term's first search reads only the short
# section columns of every section).
SPARSE_CANDIDATES = 1 / 3
# Below this share, a term's first search works out every column: there is little to read.
RARE_CANDIDATES = 1 / 8
TERM_CACHE_BYTES = 24 * 1024 * 1024
TERM_CACHE_ENTRIES = 4096


@dataclass(frozen=True, slots=True)
class ColumnTexts:
    """One column of one briefing's documents: their texts in order, and how many each
    document has (None: exactly one each)."""

    texts: list[str]
    counts: list[int] | None = None


@dataclass(frozen=True, slots=True)
class TextColumn:
    """The texts of one column: document d's are `texts[starts[d]:starts[d + 1]]`, or just
    `texts[d]` when every document has exactly one (`starts` is then None).

    Each text is the briefing's own string. Most are folded already (folding leaves them
    as they are); the positions of the others are in `unfolded`, and a search folds those
    as it reads them, so that they take no memory of their own. `kept[i]` is 1 when text
    i needs no folding (None when none does).
    """

    texts: tuple[str, ...]
    starts: array[int] | None  # per document, its first text; one more at the end
    owner: array[int] | None  # per text, its document (None with `starts`)
    unfolded: array[int]  # ascending
    unfolded_briefings: array[int]  # per unfolded text, its briefing
    kept: bytes | None
    alphabet: frozenset[str] | None = None  # every character its texts may hold, if known

    def text_range(self, first: int, last: int) -> tuple[int, int]:
        """Where the texts of documents first..last-1 are."""
        if self.starts is None:
            return first, last
        return self.starts[first], self.starts[last]

    def folded_texts(self) -> Iterator[str]:
        """Every text, folded."""
        if self.kept is None:
            yield from self.texts
            return
        for text, kept in zip(self.texts, self.kept, strict=True):
            yield text if kept else fold(text)


class _ColumnBuilder:
    def __init__(self, alphabet: str | None) -> None:
        self.alphabet = None if alphabet is None else frozenset(alphabet)
        self.texts: list[str] = []
        self.counts: array[int] = array("I")
        self.unfolded: array[int] = array("I")
        self.unfolded_briefings: array[int] = array("I")
        self.single = True

    def add(
        self, briefing: int, texts: list[str], counts: list[int] | None, unfolded: Sequence[int]
    ) -> None:
        base = len(self.texts)
        self.unfolded.extend(base + position for position in unfolded)
        self.unfolded_briefings.extend(repeat(briefing, len(unfolded)))
        self.texts.extend(texts)
        if counts is None:
            self.counts.extend(repeat(1, len(texts)))
        else:
            self.counts.extend(counts)
            self.single = False

    def finish(self) -> TextColumn:
        kept = None
        if self.unfolded:
            flags = bytearray(b"\x01") * len(self.texts)
            for position in self.unfolded:
                flags[position] = 0
            kept = bytes(flags)
        texts, alphabet = tuple(self.texts), self.alphabet
        if self.single:
            return TextColumn(
                texts, None, None, self.unfolded, self.unfolded_briefings, kept, alphabet
            )
        counts = self.counts
        starts = array("I", accumulate(counts, initial=0))
        owner = array("I", chain.from_iterable(map(repeat, range(len(counts)), counts)))
        return TextColumn(
            texts, starts, owner, self.unfolded, self.unfolded_briefings, kept, alphabet
        )


def _folded(texts: list[str]) -> tuple[list[int], str]:
    """Which of the texts folding changes, and all of them folded and joined (for the
    character index)."""
    raw = SEPARATOR.join(texts)
    joined = fold(raw)
    if joined == raw:
        return [], joined
    parts = joined.split(SEPARATOR)
    if len(parts) != len(texts):  # a text holds the separator itself
        parts = [fold(text) for text in texts]
        joined = SEPARATOR.join(parts)
    return [i for i, (text, part) in enumerate(zip(texts, parts, strict=True)) if text != part], (
        joined
    )


@dataclass(frozen=True)
class FoldedText:
    """Every column's texts, and which sections belong to which briefing."""

    overviews: tuple[TextColumn, ...]  # document b: briefing b's own fields
    sections: tuple[TextColumn, ...]  # document d: a section, in reading order
    first_section: array[int]  # per briefing (and one past the last), its first section
    owner: array[int]  # per section, its briefing
    characters: CharacterIndex

    @property
    def briefing_count(self) -> int:
        """How many briefings there are."""
        return len(self.first_section) - 1

    def every_text(self) -> Iterable[str]:
        """Every folded text of every column."""
        for column in (*self.overviews, *self.sections):
            yield from column.folded_texts()


# One briefing: its overview's columns (one document), its sections' columns, and how many
# sections it has.
BriefingTexts = tuple[Sequence[ColumnTexts], Sequence[ColumnTexts], int]


def fold_documents(
    briefings: Iterable[BriefingTexts],
    overview_alphabets: Sequence[str | None],
    section_alphabets: Sequence[str | None],
) -> FoldedText:
    """Fold the texts of every briefing, column by column (one alphabet per column: every
    character its texts may hold, when that is known; None otherwise)."""
    overviews = [_ColumnBuilder(alphabet) for alphabet in overview_alphabets]
    sections = [_ColumnBuilder(alphabet) for alphabet in section_alphabets]
    first_section = array("I", [0])
    characters = _CharacterIndexBuilder()
    for number, (overview, parts, count) in enumerate(briefings):
        columns = (*overview, *parts)
        changed, joined = _folded([t for column in columns for t in column.texts])
        characters.add(number, joined)
        position = 0
        for builder, column in zip((*overviews, *sections), columns, strict=True):
            end = position + len(column.texts)
            inside = [i - position for i in changed if position <= i < end] if changed else []
            builder.add(number, column.texts, column.counts, inside)
            position = end
        first_section.append(first_section[-1] + count)
    counts = [first_section[b + 1] - first_section[b] for b in range(len(first_section) - 1)]
    owner = array("I", chain.from_iterable(map(repeat, range(len(counts)), counts)))
    return FoldedText(
        tuple(builder.finish() for builder in overviews),
        tuple(builder.finish() for builder in sections),
        first_section,
        owner,
        characters.finish(len(counts)),
    )


class _CharacterIndexBuilder:
    def __init__(self) -> None:
        self._holders: defaultdict[int, list[int]] = defaultdict(list)

    def add(self, briefing: int, text: str) -> None:
        """Note every character of a briefing's folded text."""
        characters = set(memoryview(text.encode("utf-32-le")).cast("I"))
        deque(map(list.append, map(self._holders.__getitem__, characters), repeat(briefing)), 0)

    def finish(self, briefings: int) -> CharacterIndex:
        return CharacterIndex(
            {code: from_members(found, briefings) for code, found in self._holders.items()}
        )


@dataclass(frozen=True)
class CharacterIndex:
    """For each character (by code point), the set of briefings whose text uses it."""

    holders: dict[int, int]

    def candidates(self, text: str) -> int:
        """The briefings that use every character of `text`."""
        get = self.holders.get
        return reduce(and_, (get(ord(c), 0) for c in set(text)), -1) if text else 0


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
            if chosen:
                folded = map(str.casefold, map(_nfkc, map(texts.__getitem__, chosen)))
                found.extend(compress(chosen, map(contains, folded, repeat(wanted))))
    if term.starts_words and found:
        kept = column.kept
        found = [
            i
            for i in found
            if starts_a_word_in(texts[i] if kept is None or kept[i] else fold(texts[i]), wanted)
        ]
    return found


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


class TermIndex:
    """Where each term is found, worked out on its first search and then kept.

    A term's first search works out every column of the briefings that can hold it when
    they are few; when they are many, only the overview columns and the first
    `short_columns` section columns (short texts, the heaviest weights), leaving the
    others (most of the text) for `complete`, which ranking calls only if the best
    sections cannot be told apart without them.

    Safe to use from several threads: a term two threads look up at once may be worked out
    twice, never wrongly.
    """

    def __init__(self, text: FoldedText, name_columns: int, short_columns: int) -> None:
        self._text = text
        self._name_columns = name_columns  # the first overview columns name the briefing
        self._short_columns = short_columns
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
        return self._keep(term, self._find(term, None))

    def complete(self, term: Term) -> TermHits:
        """Where the term is found, in every column."""
        known = self.hits(term)
        if known.complete:
            return known
        return self._keep(term, self._find(term, known))

    def columns_holding(self, term: Term, section: int) -> list[int]:
        """The section columns whose text in this one section holds the term."""
        holding = []
        for number, column in enumerate(self._text.sections):
            low, high = column.text_range(section, section + 1)
            if high > low and _scan(column, term, ((low, high),)):
                holding.append(number)
        return holding

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

    def _find(self, term: Term, known: TermHits | None) -> TermHits:
        text = self._text
        candidates = text.characters.candidates(term.text)
        if not candidates:
            nothing = (0,) * len(text.sections)
            return TermHits((0,) * len(text.overviews), nothing, 0, 0, 0)
        briefings = text.briefing_count
        flags = to_flags(candidates, briefings)
        count = candidates.bit_count()
        chosen = _runs(flags) if count < SPARSE_CANDIDATES * briefings else None
        if known is None:
            overviews = tuple(
                self._documents(column, term, chosen, flags, None, briefings)
                for column in text.overviews
            )
            names = reduce(or_, overviews[: self._name_columns], 0)
            possible = spread(candidates, self._section_counts)
            named_sections = spread(names, self._section_counts)
            earlier: tuple[int | None, ...] = (None,) * len(text.sections)
        else:
            overviews, names = known.overviews, known.names
            possible, named_sections, earlier = known.possible, known.named_sections, known.sections
        rare = count < RARE_CANDIDATES * briefings
        wanted = len(text.sections) if rare or known else self._short_columns
        total = len(text.owner)
        sections = tuple(
            found
            if found is not None
            else self._documents(column, term, chosen, flags, text.first_section, total)
            if number < wanted
            else None
            for number, (column, found) in enumerate(zip(text.sections, earlier, strict=True))
        )
        return TermHits(overviews, sections, names, named_sections, possible)

    @staticmethod
    def _documents(
        column: TextColumn,
        term: Term,
        briefings: Sequence[tuple[int, int]] | None,
        flags: bytes,
        first: Sequence[int] | None,
        size: int,
    ) -> int:
        """The set of documents whose text in `column` holds the term, looking only at the
        documents of the given runs of briefings (all when None; `flags` marks them)."""
        ranges = None
        if briefings is not None:
            spans = briefings if first is None else ((first[b], first[e]) for b, e in briefings)
            ranges = [column.text_range(low, high) for low, high in spans]
        found = _scan(column, term, ranges, flags)
        if column.owner is None:
            return from_members(found, size)
        return from_members(map(column.owner.__getitem__, found), size)
