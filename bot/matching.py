"""Forgiving name matching for autocomplete and "did you mean" suggestions."""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

EXACT, PREFIX, WORD_PREFIX, SUBSTRING = 4.0, 3.0, 2.5, 2.0
MIN_FUZZY_SCORE = 0.5


def normalize(text: str) -> str:
    """Fold width, compatibility forms and case, so ｕｋｒａｉｎｅ matches Ukraine."""
    return unicodedata.normalize("NFKC", text).casefold().strip()


def bigrams(text: str) -> set[str]:
    """The set of adjacent character pairs; a single character stands for itself."""
    if len(text) < 2:
        return {text} if text else set()
    return {text[i : i + 2] for i in range(len(text) - 1)}


@dataclass(frozen=True)
class _Key:
    entry: int
    text: str
    pair_count: int


class FuzzyIndex(Generic[T]):
    """Ranks values by how well any of their names matches a typed query.

    Exact, prefix and substring matches rank first. When those are too few, names
    sharing most of the query's character pairs fill in, which tolerates typos.
    """

    def __init__(self, entries: Iterable[tuple[T, Sequence[str]]]) -> None:
        self._values: list[T] = []
        self._keys: list[_Key] = []
        self._by_bigram: dict[str, list[int]] = defaultdict(list)
        for value, names in entries:
            entry = len(self._values)
            self._values.append(value)
            for name in dict.fromkeys(normalize(n) for n in names if n.strip()):
                key_index = len(self._keys)
                pairs = bigrams(name)
                self._keys.append(_Key(entry, name, len(pairs)))
                for pair in pairs:
                    self._by_bigram[pair].append(key_index)

    def __len__(self) -> int:
        return len(self._values)

    def values(self) -> list[T]:
        """Every value, in insertion order."""
        return list(self._values)

    def lookup(self, query: str, limit: int = 25) -> list[T]:
        """The best `limit` values for `query`, best first; an empty query lists the first ones."""
        wanted = normalize(query)
        if not wanted:
            return self._values[:limit]
        best: dict[int, float] = {}
        for key in self._keys:
            score = _literal_score(wanted, key.text)
            if score and score > best.get(key.entry, 0.0):
                best[key.entry] = score
        if len(best) < limit:
            for entry, score in self._fuzzy(wanted).items():
                if entry not in best:
                    best[entry] = score
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
        return [self._values[entry] for entry, _ in ranked[:limit]]

    def _fuzzy(self, wanted: str) -> dict[int, float]:
        pairs = bigrams(wanted)
        if not pairs:
            return {}
        shared: Counter[int] = Counter()
        for pair in pairs:
            shared.update(self._by_bigram.get(pair, ()))
        scores: dict[int, float] = {}
        for key_index, count in shared.items():
            key = self._keys[key_index]
            coverage = count / len(pairs)
            if coverage < MIN_FUZZY_SCORE:
                continue
            # Containment ranks first; similarity in length breaks ties.
            score = coverage + count / (len(pairs) + key.pair_count)
            if score > scores.get(key.entry, 0.0):
                scores[key.entry] = score
        return scores


def _literal_score(wanted: str, name: str) -> float:
    if wanted == name:
        return EXACT
    if name.startswith(wanted):
        return PREFIX + len(wanted) / len(name)
    position = name.find(wanted)
    if position < 0:
        return 0.0
    if not name[position - 1].isalnum():
        return WORD_PREFIX + len(wanted) / len(name)
    return SUBSTRING + len(wanted) / len(name)
