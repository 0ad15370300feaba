"""Loaded briefings share what repeats: field-name sets, short strings and dates.

pydantic gives every model instance its own set of the fields that were written
(`model_fields_set`): 200-700 bytes each, for a value that is one of a handful of
combinations. With 10,000 briefings (65,000 sections, 130,000 sources) those sets were
78 MB of the 312 MB their models took, and equal short strings (source names and
publishers, tags, headings, reactions) and dates, each parsed into its own object,
another 30 MB. `SharedParts` hands out one object per distinct value during a load.
(Sections and sources have since become slotted dataclasses, which keep no fields set.)

Nothing observable changes: every field keeps an equal value, and pydantic only ever
copies a fields set before changing it (`model_copy`, `model_construct` make their own).
"""

from __future__ import annotations

import datetime as dt

from bot.briefings.models import Briefing, Section, Source

# Longer texts (points, body paragraphs) almost never repeat: not worth a look-up.
SHARED_STRING_LENGTH = 64


# Per model, the fields whose values often repeat: single texts, lists of texts, dates.
_REPEATING: dict[type[object], tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    Briefing: (("title", "language", "subtitle"), ("tags", "takeaways"), ("updated",)),
    Section: (("id", "heading", "question", "answer", "lead"), ("reactions",), ("published",)),
    Source: (("name", "publisher", "description"), (), ("published",)),
}


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
        section_fields, source_fields = _REPEATING[Section], _REPEATING[Source]
        for section in briefing.sections:
            share(section, *section_fields)
            for source in section.sources:
                share(source, *source_fields)
        written = briefing.__pydantic_fields_set__
        field_set = self._field_sets.setdefault(frozenset(written), written)
        if field_set is not written:
            object.__setattr__(briefing, "__pydantic_fields_set__", field_set)
        return briefing

    def day(self, value: dt.date) -> dt.date:
        """The one object for this date in this load."""
        return self._dates.setdefault(value, value)

    def _share(
        self,
        model: object,
        texts: tuple[str, ...],
        lists: tuple[str, ...],
        dates: tuple[str, ...],
    ) -> None:
        """Swap the model's repeating values for the shared ones (through `object.__setattr__`,
        past the frozen models' guard, whether the fields live in a dict or in slots)."""
        strings, put = self._strings, object.__setattr__
        for name in texts:
            value = getattr(model, name)
            if value is not None and len(value) <= SHARED_STRING_LENGTH:
                put(model, name, strings.setdefault(value, value))
        for name in lists:
            items = getattr(model, name)
            if items:
                put(
                    model,
                    name,
                    tuple(
                        strings.setdefault(v, v) if len(v) <= SHARED_STRING_LENGTH else v
                        for v in items
                    ),
                )
        for name in dates:
            day = getattr(model, name)
            if day is not None:
                put(model, name, self._dates.setdefault(day, day))
