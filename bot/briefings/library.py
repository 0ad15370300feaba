"""The immutable snapshot of loaded briefings that every command reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from bot.briefings.loader import LoadResult, load_files
from bot.briefings.matching import FuzzyIndex, normalize
from bot.briefings.models import Briefing, Section, Source
from bot.briefings.search import SearchHit, SearchIndex
from bot.briefings.visibility import boundaries, epoch, visible_briefing
from bot.errors import SectionNotFound, TopicNotFound

MAX_SUGGESTIONS = 3
# Views kept per library: the current one and the one before it is enough for the clock.
VIEWS_KEPT = 2


@dataclass(frozen=True)
class SearchSuggestions:
    """For a search without results: the query with its typos fixed, and the closest topics."""

    spelling: str | None
    topics: tuple[Briefing, ...]


class Library:
    """Briefings by id, with alias lookup, autocomplete, search and staleness rules.

    A library never changes after it is built; a reload builds a new one and swaps it
    in whole, so a command always sees one consistent snapshot.
    """

    def __init__(
        self,
        briefings: Iterable[Briefing],
        *,
        stale_after_days: int = 365,
        loaded_at: dt.datetime | None = None,
    ) -> None:
        ordered = sorted(briefings, key=lambda b: b.id)
        self.briefings: Mapping[str, Briefing] = MappingProxyType({b.id: b for b in ordered})
        self.stale_after_days = stale_after_days
        self.loaded_at = loaded_at or dt.datetime.now(dt.UTC)
        names: dict[str, Briefing] = {}
        for briefing in ordered:
            for name in (briefing.id, *briefing.aliases):
                names.setdefault(normalize(name), briefing)
        for briefing in ordered:
            # Exact titles come after every id and alias, which always win.
            names.setdefault(normalize(briefing.title), briefing)
        self._by_name = names
        self._topics = FuzzyIndex(
            (b, (b.id, b.title, *(b.subtitle or "",), *b.aliases, *b.tags)) for b in ordered
        )
        self._section_indexes: dict[str, FuzzyIndex[Section]] = {}
        self._search = SearchIndex(ordered)
        self._moments = boundaries(ordered)
        self._views: dict[int, Library] = {}

    def visible(self, now: dt.datetime) -> Library:
        """The library as members see it at `now`: embargoed and expired parts left out.

        Without any `publish_at` or `expires_at` this is the library itself. Otherwise a
        view is built once for each interval between the moments the briefings name, so
        every read at any `now` in it shares one view (and its search index).
        """
        key = epoch(self._moments, now)
        if not self._moments:
            return self
        view = self._views.get(key)
        if view is None:
            shown = (visible_briefing(b, now) for b in self.briefings.values())
            view = Library(
                (b for b in shown if b is not None),
                stale_after_days=self.stale_after_days,
                loaded_at=self.loaded_at,
            )
            if len(self._views) >= VIEWS_KEPT:
                self._views.clear()
            self._views[key] = view
        return view

    def __len__(self) -> int:
        return len(self.briefings)

    def __iter__(self) -> Iterator[Briefing]:
        return iter(self.briefings.values())

    @property
    def section_count(self) -> int:
        """How many sections all briefings hold together."""
        return len(self._search)

    def get(self, name: str) -> Briefing | None:
        """The briefing with this id, alias or exact title (case- and width-insensitive)."""
        return self._by_name.get(normalize(name))

    def complete_topics(self, typed: str, limit: int = 25) -> list[Briefing]:
        """Briefings whose id, title, alias or tag best matches what the user typed."""
        return self._topics.lookup(typed, limit)

    def find_topic(self, name: str) -> Briefing:
        """The briefing named by id, alias or title; raises `TopicNotFound` with suggestions."""
        briefing = self.get(name)
        if briefing is None:
            suggestions = [b.id for b in self._topics.lookup(name, MAX_SUGGESTIONS)] if name else []
            raise TopicNotFound(value=name, suggestions=suggestions)
        return briefing

    def _sections_of(self, briefing: Briefing) -> FuzzyIndex[Section]:
        index = self._section_indexes.get(briefing.id)
        if index is None:
            index = FuzzyIndex((s, (s.id, s.heading)) for s in briefing.sections)
            self._section_indexes[briefing.id] = index
        return index

    def complete_sections(self, briefing: Briefing, typed: str, limit: int = 25) -> list[Section]:
        """Sections of a briefing whose id or heading best matches what the user typed."""
        if not normalize(typed):
            return list(briefing.sections[:limit])
        return self._sections_of(briefing).lookup(typed, limit)

    def find_section(self, briefing: Briefing, name: str) -> Section:
        """A section by id, exact heading or 1-based number; raises `SectionNotFound`."""
        wanted = normalize(name)
        for number, section in enumerate(briefing.sections, start=1):
            if wanted in {section.id, normalize(section.heading), str(number)}:
                return section
        suggestions = [s.id for s in self._sections_of(briefing).lookup(name, MAX_SUGGESTIONS)]
        raise SectionNotFound(topic=briefing.id, value=name, suggestions=suggestions)

    def warm(self) -> None:
        """Build the search index now (in a worker thread), not on the first query."""
        self._search.warm()

    def search(self, query: str, limit: int = 10) -> list[SearchHit]:
        """Overviews and sections matching every word of `query`, best first."""
        return self._search.search(query, limit)

    def search_suggestions(self, query: str) -> SearchSuggestions:
        """What may help when `query` finds nothing: a spelling fix, the closest topics."""
        topics = self._topics.lookup(query, MAX_SUGGESTIONS)
        for word in query.split():
            if len(topics) >= MAX_SUGGESTIONS:
                break
            shown = {b.id for b in topics}
            topics += [b for b in self._topics.lookup(word, MAX_SUGGESTIONS) if b.id not in shown]
        return SearchSuggestions(self._search.spelling_fix(query), tuple(topics[:MAX_SUGGESTIONS]))

    def is_stale(self, briefing: Briefing, section: Section, source: Source) -> bool:
        """Whether a source is older than `stale_after_days` before the briefing's update."""
        return briefing.is_stale(section, source, self.stale_after_days)


def load_library(
    paths: Iterable[Path], *, stale_after_days: int = 365, now: dt.datetime | None = None
) -> tuple[Library, LoadResult]:
    """Load every briefing file under `paths` into a library, with the per-file report."""
    result = load_files(paths, stale_after_days=stale_after_days)
    library = Library(result.briefings, stale_after_days=stale_after_days, loaded_at=now)
    return library, result
