"""Forgiving name matching for autocomplete and "did you mean" suggestions.

Names are folded with `normalize` (NFKC, case), so ｕｋｒａｉｎｅ, UKRAINE and ukraine are
one name. A query ranks names in tiers that never overlap, best first:

* exact (4.0);
* prefix (3.0-3.5), shorter names first;
* word prefix (2.5-3.0): the query starts a word inside the name, e.g. `ceasefire`
  in `ukraine-ceasefire`;
* substring (2.0-2.5), which is what lets a Japanese title fragment match;
* fuzzy (at most 1.5): names sharing most of the query's character pairs, which
  tolerates typos such as `ukrane`. Only consulted when the literal tiers found too few.

Lookups are built for autocomplete, which runs on every keystroke: prefixes come from
a sorted list (bisect), substrings from one `str.find` scan over all names, typos from
a character-pair index whose counts are added up set by set. No lookup scores every
name in Python.
"""

from __future__ import annotations

import heapq
import math
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from itertools import accumulate
from typing import Generic, TypeVar

from bot.briefings.bitmaps import add_weighted, at_least, best, from_members

T = TypeVar("T")

EXACT, PREFIX, WORD_PREFIX, SUBSTRING = 4.0, 3.0, 2.5, 2.0
# Within a tier, the share of the name the query covers adds up to this much.
TIER_SPREAD = 0.5
MIN_FUZZY_SCORE = 0.5
# Substring occurrences examined per lookup; beyond this the query is too common to matter.
MAX_SUBSTRING_HITS = 5_000
# Names with the most shared pairs that the fuzzy tier scores, per result wanted.
FUZZY_SHORTLIST = 8
# A pair held by more than one name in this many is kept as a set of names.
COMMON_PAIR_SHARE = 32
_NAME_SEPARATOR = "\n"
_AFTER_EVERYTHING = "\U0010ffff"


def normalize(text: str) -> str:
    """Fold width, compatibility forms and case, so ｕｋｒａｉｎｅ matches Ukraine."""
    return unicodedata.normalize("NFKC", text).casefold().strip()


def _indexed(name: str) -> str:
    """A name as the index keeps it: normalized, the separator between names a space (the
    name itself when that changes nothing, so as not to keep a copy)."""
    indexed = normalize(name).replace(_NAME_SEPARATOR, " ")
    return name if indexed == name else indexed


def bigrams(text: str) -> set[str]:
    """The set of adjacent character pairs; a single character stands for itself."""
    if len(text) < 2:
        return {text} if text else set()
    return {text[i : i + 2] for i in range(len(text) - 1)}


def literal_score(wanted: str, name: str) -> float:
    """How well a folded query matches a folded name literally; 0.0 when it does not."""
    if wanted == name:
        return EXACT
    if not wanted:
        return 0.0
    share = TIER_SPREAD * len(wanted) / len(name) if name else 0.0
    if name.startswith(wanted):
        return PREFIX + share
    position = name.find(wanted)
    while position > 0:
        if not name[position - 1].isalnum():
            return WORD_PREFIX + share
        position = name.find(wanted, position + 1)
    return SUBSTRING + share if wanted in name else 0.0


class FuzzyIndex(Generic[T]):
    """Ranks values by how well any of their names matches a typed query.

    Each distinct name is kept once, with every value that has it (shared tags and
    titles are scanned once, however many topics share them). Ties rank by insertion
    order, so the same query always gives the same list.
    """

    def __init__(self, entries: Iterable[tuple[T, Sequence[str]]]) -> None:
        self._values: list[T] = []
        holders: defaultdict[str, list[int]] = defaultdict(list)
        for value, names in entries:
            entry = len(self._values)
            self._values.append(value)
            for name in dict.fromkeys(_indexed(n) for n in names if n.strip()):
                holders[name].append(entry)
        self._names = sorted(holders)
        # Per distinct name: the entries that have it, in insertion order.
        self._holders = [tuple(holders[name]) for name in self._names]
        # Numbers are kept in arrays, not lists of int objects: a third of the memory.
        self._lengths = array("I", map(len, self._names))
        pair_counts = array("I")
        by_bigram: defaultdict[str, array[int]] = defaultdict(lambda: array("I"))
        for key_index, name in enumerate(self._names):
            pairs = bigrams(name)
            pair_counts.append(len(pairs))
            for pair in pairs:
                by_bigram[pair].append(key_index)
        self._pair_counts = pair_counts
        # A pair many names share is kept as a set of names (`bot.briefings.bitmaps`),
        # smaller than their list and counted for all of them at once; a rarer one as
        # the list of its names.
        size = len(self._names)
        self._pairs_as_sets = {
            pair: from_members(holders, size)
            for pair, holders in by_bigram.items()
            if len(holders) * COMMON_PAIR_SHARE > size
        }
        self._pairs_as_lists = {
            pair: holders for pair, holders in by_bigram.items() if pair not in self._pairs_as_sets
        }
        step = len(_NAME_SEPARATOR)
        self._starts = array("I", accumulate((len(n) + step for n in self._names[:-1]), initial=0))
        self._blob = _NAME_SEPARATOR.join(self._names)

    def __len__(self) -> int:
        return len(self._values)

    def values(self) -> list[T]:
        """Every value, in insertion order."""
        return list(self._values)

    def lookup(self, query: str, limit: int = 25) -> list[T]:
        """The best `limit` values for `query`, best first; an empty query lists the first ones."""
        wanted = _indexed(query)
        if limit <= 0:
            return []
        if not wanted:
            return self._values[:limit]
        best: dict[int, float] = {}
        self._add_prefixes(wanted, limit, best)
        if len(best) < limit:
            self._add_substrings(wanted, best)
        if len(best) < limit:
            for entry, score in self._fuzzy(wanted, limit).items():
                if score > best.get(entry, 0.0):
                    best[entry] = score
        ranked = heapq.nsmallest(limit, best.items(), key=lambda item: (-item[1], item[0]))
        return [self._values[entry] for entry, _ in ranked]

    def _add_prefixes(self, wanted: str, limit: int, best: dict[int, float]) -> None:
        """Score names that start with `wanted`; only the shortest few when there are many."""
        names = self._names
        low = bisect_left(names, wanted)
        high = bisect_left(names, wanted + _AFTER_EVERYTHING, low)
        if high <= low:
            return
        candidates: Iterable[tuple[int, int]] = list(
            zip(self._lengths[low:high], range(low, high), strict=True)
        )
        if high - low > 16 * limit:
            # A shorter name scores higher, so the best entries are among the shortest names.
            # Several names of one entry may crowd the shortlist; then score them all.
            shortlist = heapq.nsmallest(4 * limit, candidates)
            if len({e for _, key in shortlist for e in self._holders[key]}) >= limit:
                candidates = shortlist
        size = len(wanted)
        holders, get = self._holders, best.get
        for length, key_index in candidates:
            score = EXACT if length == size else PREFIX + TIER_SPREAD * size / length
            for entry in holders[key_index]:
                if score > get(entry, 0.0):
                    best[entry] = score

    def _add_substrings(self, wanted: str, best: dict[int, float]) -> None:
        """Score names that contain `wanted` after their first character.

        Each name once, by its best occurrence (one at a word start beats one inside a
        word); then the search jumps to the next name.
        """
        blob, starts, names, holders = self._blob, self._starts, self._names, self._holders
        get = best.get
        size = len(wanted)
        step = len(_NAME_SEPARATOR)
        position = blob.find(wanted)
        seen = 0
        while position >= 0 and seen < MAX_SUBSTRING_HITS:
            seen += 1
            key_index = bisect_right(starts, position) - 1
            name = names[key_index]
            offset = position - starts[key_index] or name.find(wanted, 1)
            tier = 0.0
            while offset > 0:
                if not name[offset - 1].isalnum():
                    tier = WORD_PREFIX
                    break
                tier = SUBSTRING
                offset = name.find(wanted, offset + 1)
            if tier:
                score = tier + TIER_SPREAD * size / len(name)
                for entry in holders[key_index]:
                    if score > get(entry, 0.0):
                        best[entry] = score
            position = blob.find(wanted, starts[key_index] + len(name) + step)

    def _fuzzy(self, wanted: str, limit: int) -> dict[int, float]:
        """Entries whose names share most of the query's character pairs (typos)."""
        pairs = bigrams(wanted)
        if not pairs:
            return {}
        # Per name, how many of the query's pairs it shares, counted set by set.
        shared: list[int] = []
        size = len(self._names)
        for pair in pairs:
            holders = self._pairs_as_sets.get(pair)
            if holders is None:
                names = self._pairs_as_lists.get(pair)
                if names is None:
                    continue  # no name has it
                holders = from_members(names, size)
            add_weighted(shared, 1, holders)
        needed = math.ceil(MIN_FUZZY_SCORE * len(pairs))
        sharing = at_least(shared, needed, (1 << size) - 1)
        scores: dict[int, float] = {}
        # Only names sharing the most pairs can rank; a common query shares a few with many.
        for count, key_index in best(shared, sharing, FUZZY_SHORTLIST * limit):
            # Containment ranks first; similarity in length breaks ties.
            score = count / len(pairs) + count / (len(pairs) + self._pair_counts[key_index])
            for entry in self._holders[key_index]:
                if score > scores.get(entry, 0.0):
                    scores[entry] = score
        return scores


def edit_distance(first: str, second: str, limit: int) -> int:
    """Edits (insert, delete, replace, swap two neighbours) from one word to the other.

    Counting stops early: any distance over `limit` is returned as `limit + 1`.
    """
    if abs(len(first) - len(second)) > limit:
        return limit + 1
    before: list[int] | None = None
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, start=1):
        current = [i] + [0] * len(second)
        for j, b in enumerate(second, start=1):
            cost = 0 if a == b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if before is not None and j > 1 and a == second[j - 2] and first[i - 2] == b:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return min(previous[-1], limit + 1)
