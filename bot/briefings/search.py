"""Full-text search over everything a reader sees in a briefing.

Each briefing is searched as its overview (title, id and aliases, tags, subtitle,
summary, takeaways, closing) and as each of its sections (heading, question, answer,
lead, points, commentary, body, the names and publishers of its sources, reactions).
How terms match is in `bot.briefings.excerpts`: folded text; a Latin word must start
where a word starts; Japanese matches anywhere, so two-character words such as 停戦 work.

Every term of a query must be found (AND). For a section, a term may also be found in
its briefing's names (title, aliases, tags, subtitle): `ukraine プーチン` finds the
sections about プーチン in the briefing called ukraine; but at least one term must be in
the section itself. A result scores, for each term, the weight of every column that
holds it: title and aliases 6, heading 5, answer 4, tags 4, question 3, subtitle 3,
points 2, summary and takeaways 2, lead 1.5, commentary, body, sources and closing 1,
reactions 0.5, and 0.5 when the term names the briefing. Ties keep reading order.

The index is the folded text of each column of each document, built in one folding pass
per briefing, with no postings, so building it costs little more than the folding; how a
query reads it is in `bot.briefings.ranking`. It is built on the first search, and
`warm()` builds it ahead of time, safely from any thread.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.briefings.excerpts import find_matches, fold, make_excerpt, starts_words, term_pattern
from bot.briefings.matching import normalize
from bot.briefings.models import Briefing, Section
from bot.briefings.ranking import Corpus, Documents, Term, rank
from bot.briefings.spelling import Vocabulary

# Between the texts of one column, and between columns: never typed, never whitespace.
SEPARATOR = "\x00"
FIELD_SEPARATOR = "\x01"


@dataclass(frozen=True)
class Column:
    """Fields searched together, at one weight."""

    name: str
    weight: float
    fields: tuple[str, ...]


OVERVIEW_COLUMNS = (
    Column("names", 6.0, ("title", "aliases")),
    Column("tags", 4.0, ("tags",)),
    Column("subtitle", 3.0, ("subtitle",)),
    Column("summary", 2.0, ("summary", "takeaways")),
    Column("closing", 1.0, ("closing",)),
)
# The first columns name the briefing: a term found there counts for its sections too.
NAME_COLUMNS = 3
SECTION_COLUMNS = (
    Column("heading", 5.0, ("heading",)),
    Column("answer", 4.0, ("answer",)),
    Column("question", 3.0, ("question",)),
    Column("lead", 1.5, ("lead",)),
    # The long columns, most of the text, come last: a query reads them only where needed.
    Column("points", 2.0, ("points",)),
    Column("details", 1.0, ("commentary", "body", "sources")),
    Column("reactions", 0.5, ("reactions",)),
)
SHORT_SECTION_COLUMNS = 4
FIELD_WEIGHTS = {
    field: column.weight
    for column in (*OVERVIEW_COLUMNS, *SECTION_COLUMNS)
    for field in column.fields
}


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
    for reaction in section.reactions:
        yield "reactions", reaction


def query_terms(query: str) -> list[str]:
    """The distinct folded words of a query, in the order typed."""
    words = normalize(query).split()
    return [w for w in dict.fromkeys(words) if w.isprintable()]


def _overview_columns(briefing: Briefing) -> list[str]:
    """A briefing's OVERVIEW_COLUMNS, unfolded ("" when absent)."""
    return [
        SEPARATOR.join((briefing.title, briefing.id, *briefing.aliases)),
        SEPARATOR.join(briefing.tags),
        briefing.subtitle or "",
        SEPARATOR.join((briefing.summary, *briefing.takeaways)),
        briefing.closing or "",
    ]


def _section_columns(section: Section) -> list[str]:
    """A section's SECTION_COLUMNS, unfolded ("" when absent)."""
    details = [section.commentary] if section.commentary else []
    details.extend(section.body)
    for source in section.sources:
        details.append(source.name)
        if source.publisher:
            details.append(source.publisher)
    return [
        section.heading,
        section.answer,
        section.question or "",
        section.lead or "",
        SEPARATOR.join(section.points),
        SEPARATOR.join(details),
        SEPARATOR.join(section.reactions),
    ]


@dataclass(frozen=True)
class _Built:
    briefings: tuple[Briefing, ...]
    corpus: Corpus


def _build(briefings: Sequence[Briefing]) -> _Built:
    overview_count, section_count = len(OVERVIEW_COLUMNS), len(SECTION_COLUMNS)
    overviews: tuple[list[str], ...] = tuple([] for _ in OVERVIEW_COLUMNS)
    sections: tuple[list[str], ...] = tuple([] for _ in SECTION_COLUMNS)
    owner: list[int] = []
    first_section: list[int] = []
    for number, briefing in enumerate(briefings):
        raw = _overview_columns(briefing)
        for section in briefing.sections:
            raw.extend(_section_columns(section))
        # One folding pass per briefing; folding keeps the control separators as they are.
        parts = fold(FIELD_SEPARATOR.join(raw)).split(FIELD_SEPARATOR)
        if len(parts) != len(raw):  # the text itself holds a separator
            parts = [fold(part.replace(FIELD_SEPARATOR, " ")) for part in raw]
        for column, part in zip(overviews, parts, strict=False):
            column.append(part)
        first_section.append(len(owner))
        for start in range(overview_count, len(parts), section_count):
            for column, part in zip(sections, parts[start : start + section_count], strict=True):
                column.append(part)
            owner.append(number)
    first_section.append(len(owner))
    corpus = Corpus(
        overviews=Documents(tuple(c.weight for c in OVERVIEW_COLUMNS), overviews),
        name_columns=NAME_COLUMNS,
        sections=Documents(tuple(c.weight for c in SECTION_COLUMNS), sections),
        short_columns=SHORT_SECTION_COLUMNS,
        owner=owner,
        first_section=first_section,
    )
    return _Built(tuple(briefings), corpus)


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
                corpus = index.corpus
                columns = (*corpus.overviews.columns, *corpus.sections.columns)
                self._vocabulary = Vocabulary(text for column in columns for text in column)
            return self._vocabulary

    def search(self, query: str, limit: int = 10) -> list[SearchHit]:
        """Overviews and sections holding every word of `query`, best first."""
        words = query_terms(query)
        if not words or limit <= 0:
            return []
        index = self._index()
        terms = [Term(word, starts_words(word)) for word in words]
        return [
            _hit(index, score, briefing, section, words)
            for score, briefing, section in rank(index.corpus, terms, limit)
        ]

    def spelling_fix(self, query: str) -> str | None:
        """`query` with each word that no briefing holds replaced by the closest one that
        some briefing does; None when no word needs, or has, a fix."""
        return self._words().fix(query_terms(query))
