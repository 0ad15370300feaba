"""Spelling fixes for searches that found nothing: the closest word some briefing holds.

Only words of scripts that space their words (Latin, Greek, Cyrillic) are corrected;
Japanese has no words to compare without segmenting it, and the closest topic names
(`Library.search_suggestions`) cover it instead.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

from bot.briefings.excerpts import WORD
from bot.briefings.matching import FuzzyIndex, edit_distance

# Names close to a typo that are compared letter by letter.
CANDIDATES = 8
SHORTEST_CORRECTED_WORD = 3


def allowed_edits(word: str) -> int:
    """How many edits a typo of this length may be away from what was meant."""
    return 1 if len(word) <= 4 else 2


class Vocabulary:
    """Every word in some folded texts, for telling known words from typos."""

    def __init__(self, texts: Iterable[str]) -> None:
        words: set[str] = set()
        for text in texts:
            words.update(WORD.findall(text))
        self._sorted = sorted(words)
        self._similar = FuzzyIndex((word, (word,)) for word in self._sorted)

    def __len__(self) -> int:
        return len(self._sorted)

    def knows(self, term: str) -> bool:
        """Whether some word starts with `term`, so that searching for it finds something."""
        position = bisect_left(self._sorted, term)
        return position < len(self._sorted) and self._sorted[position].startswith(term)

    def closest(self, term: str) -> str | None:
        """The known word a typo most likely meant, if one is close enough."""
        allowed = allowed_edits(term)
        best: tuple[int, str] | None = None
        for word in self._similar.lookup(term, CANDIDATES):
            distance = edit_distance(term, word, allowed)
            if distance <= allowed and (best is None or distance < best[0]):
                best = (distance, word)
        return best[1] if best else None

    def fix(self, terms: Iterable[str]) -> str | None:
        """The terms with each unknown word replaced by its closest known word; None when
        no word needs, or has, a fix."""
        fixed: list[str] = []
        changed = False
        for term in terms:
            replacement = None
            worth_fixing = len(term) >= SHORTEST_CORRECTED_WORD and WORD.fullmatch(term)
            if worth_fixing and not self.knows(term):
                replacement = self.closest(term)
            fixed.append(replacement or term)
            changed = changed or replacement is not None
        return " ".join(fixed) if changed else None
