"""Full-text search over everything a reader sees in a briefing.

Each briefing is searched as its overview (title, id and aliases, tags, subtitle,
summary, takeaways, closing, the date of its update) and as each of its sections
(heading, question, answer, lead, points, commentary, body, its sources' names,
publishers and descriptions, its dates and its sources' dates, reactions). A date is
found as written in ISO form or with slashes: `2025-03-01` and `2025/03/01`. How terms
match is in `bot.briefings.excerpts`: folded text; a Latin word must start where a word
starts; Japanese matches anywhere, so two-character words such as 停戦 work.

Every term of a query must be found (AND). For a section, a term may also be found in
its briefing's names (title, aliases, tags, subtitle): `ukraine プーチン` finds the
sections about プーチン in the briefing called ukraine; but at least one term must be in
the section itself. A result scores, for each term, the weight of every column that
holds it: title and aliases 6, heading 5, answer 4, tags 4, question 3, subtitle 3,
points 2, summary and takeaways 2, lead 1.5, commentary, body, sources, dates and closing
1, reactions 0.5, and 0.5 when the term names the briefing. Ties keep reading order.

The index (`bot.briefings.search_index`) keeps each column's folded texts, sharing the
briefing's own strings wherever folding leaves them alone (the columns of
`JOINED_COLUMNS` as one folded string each, faster to search), an index of the characters
each briefing uses, and, for every term searched, the set of documents holding it in each
column, as far as ranking needed to read it; how those sets are ranked, and which
columns a query reads, is in `bot.briefings.ranking`. It is built on the first
search, and `warm()` builds it ahead of time, safely from any thread.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

from bot.briefings.excerpts import find_matches, make_excerpt, starts_words, term_pattern
from bot.briefings.matching import normalize
from bot.briefings.models import Briefing, Section
from bot.briefings.ranking import OVERVIEWS, SECTIONS, Layout, Term, TermHits, half_points, rank
from bot.briefings.search_index import (
    BriefingTexts,
    ColumnTexts,
    FoldedText,
    TermIndex,
    fold_documents,
)
from bot.briefings.spelling import Vocabulary


@dataclass(frozen=True)
class Column:
    """Fields searched together, at one weight."""

    name: str
    weight: float
    fields: tuple[str, ...]
    alphabet: str | None = None  # every character its texts can hold, when that is known


DATE_CHARACTERS = "0123456789-/"  # of the dates as `date_texts` writes them
OVERVIEW_COLUMNS = (
    Column("names", 6.0, ("title", "aliases")),
    Column("tags", 4.0, ("tags",)),
    Column("subtitle", 3.0, ("subtitle",)),
    Column("summary", 2.0, ("summary", "takeaways")),
    Column("closing", 1.0, ("closing",)),
    Column("dates", 1.0, ("dates",), DATE_CHARACTERS),
)
# The first columns name the briefing: a term found there counts for its sections too.
NAME_COLUMNS = 3
# A term's section columns are read where they can still change the result, what each
# costs to read (`TextColumn.read_cost`) weighed against what it can settle.
SECTION_COLUMNS = (
    Column("heading", 5.0, ("heading",)),
    Column("answer", 4.0, ("answer",)),
    Column("question", 3.0, ("question",)),
    Column("lead", 1.5, ("lead",)),
    Column("dates", 1.0, ("dates",), DATE_CHARACTERS),
    Column("reactions", 0.5, ("reactions",)),
    # The long columns, most of the text, come last.
    Column("points", 2.0, ("points",)),
    Column("details", 1.0, ("commentary", "body", "sources")),
)
# Columns kept as one string each (`bot.briefings.search_text.JoinedColumn`), as (side,
# number): the short ones most first searches read in full (names, tags and subtitle,
# heading, answer and question) and the points, which common words make first searches
# read for most sections. The joined points are a copy of their text (about 2.6 MB per
# 1,000 briefings); joining the lead too made the slowest first searches slower.
JOINED_COLUMNS = frozenset(
    {
        (OVERVIEWS, 0),
        (OVERVIEWS, 1),
        (OVERVIEWS, 2),
        (SECTIONS, 0),
        (SECTIONS, 1),
        (SECTIONS, 2),
        (SECTIONS, 6),
    }
)
FIELD_WEIGHTS = {
    field: column.weight
    for column in (*OVERVIEW_COLUMNS, *SECTION_COLUMNS)
    for field in column.fields
}
_OVERVIEW_COLUMN_OF = {f: n for n, c in enumerate(OVERVIEW_COLUMNS) for f in c.fields}
_SECTION_COLUMN_OF = {f: n for n, c in enumerate(SECTION_COLUMNS) for f in c.fields}


@dataclass(frozen=True)
class SearchHit:
    """One match: a briefing's overview (no `section_id`) or one of its sections.

    `field` is where the excerpt comes from; `marks` are the (start, end) of every
    matched term within the excerpt.
    """

    briefing_id: str
    section_id: str | None
    score: float
    field: str
    excerpt: str
    marks: tuple[tuple[int, int], ...]


@lru_cache(maxsize=8192)
def date_texts(day: dt.date) -> tuple[str, str]:
    """A date as it may be searched for: `2025-03-01` and `2025/03/01`."""
    iso = day.isoformat()
    return iso, iso.replace("-", "/")


def _dates(days: Iterable[dt.date | None]) -> Iterator[tuple[str, str]]:
    for day in dict.fromkeys(d for d in days if d is not None):
        for text in date_texts(day):
            yield "dates", text


def overview_texts(briefing: Briefing) -> Iterable[tuple[str, str]]:
    """Each searchable (field, text) of a briefing's own fields, in reading order."""
    yield "title", briefing.title
    for name in (briefing.id, *briefing.aliases):
        yield "aliases", name
    for tag in briefing.tags:
        yield "tags", tag
    if briefing.subtitle:
        yield "subtitle", briefing.subtitle
    yield "summary", briefing.summary
    for takeaway in briefing.takeaways:
        yield "takeaways", takeaway
    if briefing.closing:
        yield "closing", briefing.closing
    yield from _dates((briefing.updated,))


def section_texts(section: Section) -> Iterable[tuple[str, str]]:
    """Each searchable (field, text) of a section, in reading order."""
    yield "heading", section.heading
    if section.question:
        yield "question", section.question
    yield "answer", section.answer
    if section.lead:
        yield "lead", section.lead
    for point in section.points:
        yield "points", point
    if section.commentary:
        yield "commentary", section.commentary
    for paragraph in section.body:
        yield "body", paragraph
    for source in section.sources:
        yield "sources", source.name
        if source.publisher:
            yield "sources", source.publisher
        if source.description:
            yield "sources", source.description
    yield from _dates((section.published, *(source.published for source in section.sources)))
    for reaction in section.reactions:
        yield "reactions", reaction


def query_terms(query: str) -> list[str]:
    """The distinct folded words of a query, in the order typed."""
    words = normalize(query).split()
    return [w for w in dict.fromkeys(words) if w.isprintable()]


def _overview_columns(briefing: Briefing) -> list[ColumnTexts]:
    """A briefing's OVERVIEW_COLUMNS: the texts of `overview_texts`, column by column."""
    columns: list[list[str]] = [[] for _ in OVERVIEW_COLUMNS]
    for field, text in overview_texts(briefing):
        columns[_OVERVIEW_COLUMN_OF[field]].append(text)
    return [ColumnTexts(texts, [len(texts)]) for texts in columns]


def _many(per_section: list[Sequence[str]]) -> ColumnTexts:
    return ColumnTexts(list(chain.from_iterable(per_section)), list(map(len, per_section)))


def _details(section: Section) -> list[str]:
    texts = [section.commentary] if section.commentary else []
    texts.extend(section.body)
    for source in section.sources:
        texts.append(source.name)
        if source.publisher:
            texts.append(source.publisher)
        if source.description:
            texts.append(source.description)
    return texts


def _section_dates(section: Section) -> list[str]:
    return [
        text for _, text in _dates((section.published, *(s.published for s in section.sources)))
    ]


def _section_columns(sections: Sequence[Section]) -> list[ColumnTexts]:
    """The SECTION_COLUMNS of a briefing's sections, the texts of `section_texts` grouped
    by column (written out, for speed: `test_section_columns_hold_the_section_texts`)."""
    return [
        ColumnTexts([s.heading for s in sections]),
        ColumnTexts([s.answer for s in sections]),
        ColumnTexts([s.question or "" for s in sections]),
        ColumnTexts([s.lead or "" for s in sections]),
        _many([_section_dates(s) for s in sections]),
        _many([s.reactions for s in sections]),
        _many([s.points for s in sections]),
        _many([_details(s) for s in sections]),
    ]


def _texts(briefing: Briefing) -> BriefingTexts:
    sections = briefing.sections
    return _overview_columns(briefing), _section_columns(sections), len(sections)


@dataclass(frozen=True)
class _Built:
    briefings: tuple[Briefing, ...]
    text: FoldedText
    terms: TermIndex
    layout: Layout


def _build(briefings: Sequence[Briefing]) -> _Built:
    text = fold_documents(
        map(_texts, briefings),
        [column.alphabet for column in OVERVIEW_COLUMNS],
        [column.alphabet for column in SECTION_COLUMNS],
        JOINED_COLUMNS,
    )
    layout = Layout(
        overview_weights=tuple(half_points(c.weight) for c in OVERVIEW_COLUMNS),
        section_weights=tuple(half_points(c.weight) for c in SECTION_COLUMNS),
        first_section=text.first_section,
        owner=text.owner,
        overview_costs=tuple(c.read_cost(text.briefing_count) for c in text.overviews),
        section_costs=tuple(c.read_cost(len(text.owner)) for c in text.sections),
    )
    terms = TermIndex(text, NAME_COLUMNS)
    return _Built(tuple(briefings), text, terms, layout)


@dataclass(frozen=True)
class _Lookup:
    """One term of a query, looked up in the index (`bot.briefings.ranking.TermLookup`)."""

    index: TermIndex
    term: Term
    hits: TermHits

    def read(self, known: TermHits, side: int, column: int, documents: int) -> TermHits:
        return self.index.read(self.term, known, side, column, documents)


def _display_texts(briefing: Briefing, section: Section | None) -> list[tuple[str, str]]:
    """The (field, text) pairs an excerpt may come from; names and tags on one line each."""
    if section is not None:
        texts: list[tuple[str, str]] = []
        for field, text in section_texts(section):
            if field != "sources":
                texts.append((field, text))
        for source in section.sources:
            shown = f"{source.name} ({source.publisher})" if source.publisher else source.name
            texts.append(("sources", shown))
            if source.description:
                texts.append(("sources", source.description))
        return texts
    joined = {"aliases": " · ", "tags": ", "}
    grouped: dict[str, list[str]] = {}
    texts = []
    for field, text in overview_texts(briefing):
        if field in joined:
            if field not in grouped:
                grouped[field] = []
                texts.append((field, ""))
            grouped[field].append(text)
        else:
            texts.append((field, text))
    return [(f, joined[f].join(grouped[f]) if f in grouped else t) for f, t in texts]


def _hit(
    index: _Built, score: float, number: int, position: int, terms: Sequence[str]
) -> SearchHit:
    """The hit for one ranked document, its excerpt from the field that matches best."""
    briefing = index.briefings[number]
    section = briefing.sections[position] if position >= 0 else None
    patterns = [term_pattern(term) for term in terms]
    best: tuple[int, float, str, str] | None = None
    for field, text in _display_texts(briefing, section):
        _, found = find_matches(text, patterns)
        if not found:
            continue
        candidate = (len(found), FIELD_WEIGHTS[field], field, text)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    if best is not None:
        field, text = best[2], best[3]
    elif section is not None:  # only reached if the text and the index ever disagree
        field, text = "answer", section.answer
    else:
        field, text = "summary", briefing.summary
    excerpt = make_excerpt(text, patterns)
    return SearchHit(
        briefing.id, section.id if section else None, score, field, excerpt.text, excerpt.marks
    )


class SearchIndex:
    """An immutable index of everything a reader sees, for full-text search."""

    def __init__(self, briefings: Iterable[Briefing]) -> None:
        self._briefings = tuple(briefings)
        self._section_count = sum(len(b.sections) for b in self._briefings)
        self._lock = threading.Lock()
        self._built: _Built | None = None
        self._vocabulary: Vocabulary | None = None

    def __len__(self) -> int:
        return self._section_count

    @property
    def ready(self) -> bool:
        """Whether the index is built, so a search costs only the query itself."""
        return self._built is not None

    def warm(self) -> None:
        """Build the index now if it is not built yet; safe to call from any thread."""
        self._index()

    def _index(self) -> _Built:
        built = self._built
        if built is not None:
            return built
        with self._lock:
            if self._built is None:
                self._built = _build(self._briefings)
            return self._built

    def _words(self) -> Vocabulary:
        vocabulary = self._vocabulary
        if vocabulary is not None:
            return vocabulary
        index = self._index()
        with self._lock:
            if self._vocabulary is None:
                self._vocabulary = Vocabulary(index.text.every_text())
            return self._vocabulary

    def search(self, query: str, limit: int = 10) -> list[SearchHit]:
        """Overviews and sections holding every word of `query`, best first."""
        words = query_terms(query)
        if not words or limit <= 0:
            return []
        index = self._index()
        terms = [Term(word, starts_words(word)) for word in words]
        lookups = [_Lookup(index.terms, term, index.terms.hits(term)) for term in terms]
        return [
            _hit(index, score, briefing, section, words)
            for score, briefing, section in rank(index.layout, lookups, limit)
        ]

    def spelling_fix(self, query: str) -> str | None:
        """`query` with each word that no briefing holds replaced by the closest one that
        some briefing does; None when no word needs, or has, a fix."""
        return self._words().fix(query_terms(query))
