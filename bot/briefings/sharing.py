"""Loaded briefings share what repeats: field-name sets, short strings and dates.

pydantic gives every model instance its own set of the fields that were written
(`model_fields_set`): 200-700 bytes each, for a value that is one of a handful of
combinations. With 10,000 briefings (65,000 sections, 130,000 sources) those sets were
78 MB of the 312 MB their models took, and equal short strings (source names and
publishers, tags, headings, reactions) and dates, each parsed into its own object,
another 30 MB. `SharedParts` hands out one object per distinct value during a load.

Nothing observable changes: every field keeps an equal value, and pydantic only ever
copies a fields set before changing it (`model_copy`, `model_construct` make their own).
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from bot.briefings.models import Briefing, Section, Source

# Longer texts (points, body paragraphs) almost never repeat: not worth a look-up.
SHARED_STRING_LENGTH = 64


# Per model, the fields whose values often repeat: single texts, lists of texts, dates.
_REPEATING: dict[type[BaseModel], tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    Briefing: (("title", "language", "subtitle"), ("tags", "takeaways"), ("updated",)),
    Section: (("id", "heading", "question", "answer", "lead"), ("reactions",), ("published",)),
}
_SOURCE_TEXTS = ("name", "publisher", "description")  # a `Source` has slots, not a dict


class SharedParts:
    """One object per distinct field set, short string and date seen in one load."""

    def __init__(self) -> None:
        self._field_sets: dict[frozenset[str], set[str]] = {}
        self._strings: dict[str, str] = {}
        self._dates: dict[dt.date, dt.date] = {}

    def share(self, briefing: Briefing) -> Briefing:
        """The briefing itself, its models now sharing what earlier ones hold too."""
        share = self._share
        share(briefing, *_REPEATING[Briefing])
        section_fields = _REPEATING[Section]
        for section in briefing.sections:
            share(section, *section_fields)
            for source in section.sources:
                self._share_source(source)
        return briefing

    def _share_source(self, source: Source) -> None:
        strings = self._strings
        for name in _SOURCE_TEXTS:
            value = getattr(source, name)
            if value is not None and len(value) <= SHARED_STRING_LENGTH:
                object.__setattr__(source, name, strings.setdefault(value, value))
        if source.published is not None:
            object.__setattr__(
                source, "published", self._dates.setdefault(source.published, source.published)
            )

    def _share(
        self,
        model: BaseModel,
        texts: tuple[str, ...],
        lists: tuple[str, ...],
        dates: tuple[str, ...],
    ) -> None:
        strings = self._strings
        values = model.__dict__
        for name in texts:
            value = values[name]
            if value is not None and len(value) <= SHARED_STRING_LENGTH:
                values[name] = strings.setdefault(value, value)
        for name in lists:
            items = values[name]
            if items:
                values[name] = tuple(
                    strings.setdefault(v, v) if len(v) <= SHARED_STRING_LENGTH else v for v in items
                )
        for name in dates:
            day = values[name]
            if day is not None:
                values[name] = self._dates.setdefault(day, day)
        written = model.__pydantic_fields_set__
        field_set = self._field_sets.setdefault(frozenset(written), written)
        if field_set is not written:
            object.__setattr__(model, "__pydantic_fields_set__", field_set)
