"""The folded text full-text search keeps in memory, and the characters each briefing uses.

`FoldedText` holds the folded text of every column of every document (briefing overviews
and sections), column by column, one entry per text so that no match can cross from one
text into the next. Folding leaves most Japanese text as it is, and such a text is kept
as the very string the briefing holds: only texts that folding changes (English, with
its capitals; full-width letters) take memory of their own, once per distinct text.

`CharacterIndex`, built with the text: for each character, the briefings that use it.
A briefing can hold a term only if it uses every character of it, so a word nobody
wrote, or a rare one, is answered from a few briefings (or none) instead of all of them.
Where a term is found is worked out from this text by `bot.briefings.search_index`.

The short columns most searches read in full (`JoinedColumn`) are kept instead as one
string of their folded texts, a break between texts: checking many scattered strings
one by one costs cache misses, while a search runs through one string about three times
faster. A term cannot hold a break (a query term is printable) and a column is joined
only if none of its texts holds one, so no match spans two texts.
"""

from __future__ import annotations

import re
from array import array
from collections import defaultdict, deque
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import reduce
from itertools import accumulate, chain, compress, islice, repeat
from operator import and_

from bot.briefings.bitmaps import from_members
from bot.briefings.excerpts import WORD_CHARACTER_SET, fold
from bot.briefings.ranking import OVERVIEWS, SECTIONS

SEPARATOR = "\x01"  # between the texts of one briefing while they are folded together
# Reading a text costs about as much as comparing this many of its characters.
READ_CHARACTERS = 16
DOCUMENT_BREAK = "\x00"  # in a joined column, after each document's texts
TEXT_BREAK = "\x02"  # and between the texts of one document
# Reading a document of a joined column costs about this share of reading one text, and
# a character of it about 1/JOINED_CHARACTERS of reading one text.
JOINED_READ = 0.3
JOINED_CHARACTERS = 64
_START = re.Match.start


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
    counts: Sequence[int] | None = None  # with `starts`: per document, how many texts

    def read_cost(self, documents: int) -> float:
        """About what reading this column costs per document (texts, and their length)."""
        sample = self.texts[:: max(1, len(self.texts) // 512)]
        length = sum(map(len, sample)) / len(sample) if sample else 0.0
        return len(self.texts) * (1 + length / READ_CHARACTERS) / max(1, documents)

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


@dataclass(frozen=True, slots=True)
class JoinedColumn:
    """The folded texts of one column as one string: `DOCUMENT_BREAK` after each
    document's texts but the last, `TEXT_BREAK` between the texts of one document.
    Document d's are at `text[starts[d]:starts[d + 1] - 1]` (`starts` has one more entry,
    one past the end); `counts`, when a document may have other than one text, says how
    many each has.

    A match is found with the regular expression engine (faster than `str.find` on short
    Japanese terms) and its document by counting the breaks before it, in C.
    """

    text: str
    starts: array[int]
    alphabet: frozenset[str] | None = None
    counts: Sequence[int] | None = None

    def read_cost(self, documents: int) -> float:
        """About what reading this column costs per document, as `TextColumn.read_cost`."""
        each = len(self.text) / max(1, len(self.starts) - 1)
        return (len(self.starts) - 1) * (JOINED_READ + each / JOINED_CHARACTERS) / max(1, documents)

    def folded_texts(self) -> Iterator[str]:
        """Every text, folded."""
        if len(self.starts) < 2:
            return
        pieces = self.text.split(DOCUMENT_BREAK)
        if self.counts is None:
            yield from pieces
            return
        for piece, count in zip(pieces, self.counts, strict=True):
            if count:
                yield from piece.split(TEXT_BREAK)

    def _pattern(self, wanted: str) -> re.Pattern[str] | None:
        if not wanted or DOCUMENT_BREAK in wanted or TEXT_BREAK in wanted:
            return None  # no text holds a break
        if self.alphabet is not None and not self.alphabet.issuperset(wanted):
            return None
        return re.compile(re.escape(wanted))

    def within(self, wanted: str, words: bool, first: int, last: int) -> list[int]:
        """Documents first..last-1 whose texts hold `wanted` (where a word starts, with
        `words`), ascending, perhaps with repeats."""
        pattern = self._pattern(wanted)
        if last <= first or pattern is None:
            return []
        text, low = self.text, self.starts[first]
        at = list(map(_START, pattern.finditer(text, low, self.starts[last])))
        if words and at:
            at = [p for p in at if not p or text[p - 1] not in WORD_CHARACTER_SET]
        if not at:
            return []
        breaks = map(text.count, repeat(DOCUMENT_BREAK), chain((low,), at), at)
        return list(islice(accumulate(breaks, initial=first), 1, None))

    def among(self, wanted: str, words: bool, documents: list[int]) -> list[int]:
        """Those of the given documents whose texts hold `wanted` (as `within`)."""
        pattern = self._pattern(wanted)
        if not documents or pattern is None:
            return []
        text, starts = self.text, self.starts
        lows = list(map(starts.__getitem__, documents))
        highs = map(starts.__getitem__, map((1).__add__, documents))
        at = map(text.find, repeat(wanted), lows, highs)  # here faster than the pattern
        found = list(compress(documents, map((0).__le__, at)))
        if words and found:
            found = [d for d in found if self.within(wanted, True, d, d + 1)]
        return found


AnyColumn = TextColumn | JoinedColumn


class _ColumnBuilder:
    def __init__(self, alphabet: str | None, joined: bool = False) -> None:
        self.alphabet = None if alphabet is None else frozenset(alphabet)
        self.joined = joined  # texts come folded, to be kept as a `JoinedColumn`
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

    def finish(self) -> TextColumn | JoinedColumn:
        joined = self._joined() if self.joined else None
        if joined is not None:
            return joined
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
        small: Sequence[int] = counts
        if not counts or max(counts) < 256:
            small = array("B", counts)  # a byte each, most of the time
        return TextColumn(
            texts, starts, owner, self.unfolded, self.unfolded_briefings, kept, alphabet, small
        )

    def _joined(self) -> JoinedColumn | None:
        """The texts as a `JoinedColumn`, if none holds a break."""
        texts, counts = self.texts, self.counts
        if self.single:
            joined = DOCUMENT_BREAK.join(texts)
            lengths: Iterable[int] = map(len, texts)
            breaks = 0
        else:
            ends = list(accumulate(counts, initial=0))
            spans = map(texts.__getitem__, map(slice, ends, ends[1:]))
            pieces = list(map(TEXT_BREAK.join, spans))
            joined = DOCUMENT_BREAK.join(pieces)
            lengths = map(len, pieces)
            breaks = len(texts) - sum(1 for count in counts if count)
        if joined.count(DOCUMENT_BREAK) != max(0, len(counts) - 1):
            return None
        if joined.count(TEXT_BREAK) != breaks:
            return None
        starts = array("I", accumulate(map((1).__add__, lengths), initial=0))
        if self.single:
            return JoinedColumn(joined, starts, self.alphabet)
        small = array("B", counts) if not counts or max(counts) < 256 else counts
        return JoinedColumn(joined, starts, self.alphabet, small)


def _folded(texts: list[str]) -> tuple[list[int], str, list[str] | None]:
    """Which of the texts folding changes, all of them folded and joined (for the
    character index), and each folded (None when folding changes none)."""
    raw = SEPARATOR.join(texts)
    joined = fold(raw)
    if joined == raw:
        return [], joined, None
    parts = joined.split(SEPARATOR)
    if len(parts) != len(texts):  # a text holds the separator itself
        parts = [fold(text) for text in texts]
        joined = SEPARATOR.join(parts)
    changed = [i for i, (text, part) in enumerate(zip(texts, parts, strict=True)) if text != part]
    return changed, joined, parts


@dataclass(frozen=True)
class FoldedText:
    """Every column's texts, and which sections belong to which briefing."""

    overviews: tuple[AnyColumn, ...]  # document b: briefing b's own fields
    sections: tuple[AnyColumn, ...]  # document d: a section, in reading order
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
    joined: Collection[tuple[int, int]] = (),
) -> FoldedText:
    """Fold the texts of every briefing, column by column (one alphabet per column: every
    character its texts may hold, when that is known; None otherwise), keeping the
    `joined` columns, (side, number), as `JoinedColumn`s."""
    overviews = [
        _ColumnBuilder(alphabet, (OVERVIEWS, n) in joined)
        for n, alphabet in enumerate(overview_alphabets)
    ]
    sections = [
        _ColumnBuilder(alphabet, (SECTIONS, n) in joined)
        for n, alphabet in enumerate(section_alphabets)
    ]
    first_section = array("I", [0])
    characters = _CharacterIndexBuilder()
    for number, (overview, parts, count) in enumerate(briefings):
        columns = (*overview, *parts)
        changed, joined_text, folded = _folded([t for column in columns for t in column.texts])
        characters.add(number, joined_text)
        position = 0
        for builder, column in zip((*overviews, *sections), columns, strict=True):
            end = position + len(column.texts)
            if builder.joined:
                texts = column.texts if folded is None else folded[position:end]
                builder.add(number, texts, column.counts, ())
            else:
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
