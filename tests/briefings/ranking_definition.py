"""The search ranking by its definition, document by document, for tests to compare with."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.briefings.excerpts import fold, term_pattern
from bot.briefings.models import Briefing
from bot.briefings.ranking import CONTEXT_WEIGHT
from bot.briefings.search import (
    NAME_COLUMNS,
    OVERVIEW_COLUMNS,
    SECTION_COLUMNS,
    Column,
    overview_texts,
    query_terms,
    section_texts,
)


def column_texts(columns: tuple[Column, ...], texts: Iterable[tuple[str, str]]) -> list[str]:
    """Each column's texts, folded, joined by a character no term holds (no match crosses)."""
    joined: dict[str, list[str]] = {}
    for field, text in texts:
        joined.setdefault(field, []).append(fold(text))
    return ["\x00".join(t for f in column.fields for t in joined.get(f, [])) for column in columns]


def brute_force(
    briefings: list[Briefing], query: str, limit: int
) -> list[tuple[str, str | None, float]]:
    """The ranking by definition, document by document in reading order."""
    patterns = [term_pattern(term) for term in query_terms(query)]
    if not patterns:
        return []
    ranked = []
    order = 0
    for b in briefings:
        overview = column_texts(OVERVIEW_COLUMNS, overview_texts(b))
        names = overview[:NAME_COLUMNS]

        def weights(texts: list[str], columns: tuple[Column, ...], pattern: Any) -> float:
            return sum(c.weight for c, t in zip(columns, texts, strict=True) if pattern.search(t))

        scores = [weights(overview, OVERVIEW_COLUMNS, p) for p in patterns]
        if all(scores):
            ranked.append((-sum(scores), order, (b.id, None, sum(scores))))
        order += 1
        for s in b.sections:
            texts = column_texts(SECTION_COLUMNS, section_texts(s))
            own = [weights(texts, SECTION_COLUMNS, p) for p in patterns]
            named = [any(p.search(t) for t in names) for p in patterns]
            if any(own) and all(o or n for o, n in zip(own, named, strict=True)):
                score = sum(own) + CONTEXT_WEIGHT * sum(named)
                ranked.append((-score, order, (b.id, s.id, score)))
            order += 1
    return [item for _, _, item in sorted(ranked)[:limit]]
