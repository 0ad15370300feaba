"""The briefing data model: what one `briefings/<id>.yaml` file holds.

The models are strict (unknown keys are errors) and frozen, so a loaded `Library`
snapshot can be shared by every command without copying. `Briefing` is a pydantic
model; `Section` and `Source`, of which a library holds many more, are slotted pydantic
dataclasses (validated the same, without an instance dict each); `fields_of` lists the
fields of any of the three.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from functools import cached_property
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    StringConstraints,
    TypeAdapter,
    WithJsonSchema,
    model_validator,
)
from pydantic.dataclasses import dataclass
from pydantic.fields import FieldInfo
from pydantic.json_schema import SkipJsonSchema

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_WHITESPACE = re.compile(r"\s")

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
LanguageTag = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$", max_length=35)
]


# An http(s) URL of printable ASCII with a plain host: what urlsplit would accept, found
# by one match instead of a parse (a tenth of a load of 1,000 files went to urlsplit).
_PLAIN_WEB_URL = re.compile(r"https?://[A-Za-z0-9.\-_~%!$&'()*+,;=:]+(?:[/?#][!-~]*)?")


def _require_web_url(value: str) -> str:
    """Accept only absolute http(s) URLs with a host."""
    if _PLAIN_WEB_URL.fullmatch(value):
        return value
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError("must be an http:// or https:// URL")
    if _WHITESPACE.search(value):
        raise ValueError("must not contain whitespace")
    return value


WebUrl = Annotated[Text, AfterValidator(_require_web_url)]

_SLASHED_DATE = re.compile(r"^\d{4}/\d{2}/\d{2}$")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def _dashed_date(value: object) -> object:
    """Read `YYYY/MM/DD` (as the seed's 公開日 is written) as `YYYY-MM-DD`."""
    if isinstance(value, str) and _SLASHED_DATE.fullmatch(value.strip()):
        return value.strip().replace("/", "-")
    return value


Day = Annotated[
    dt.date,
    BeforeValidator(_dashed_date),
    WithJsonSchema({"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$|^\d{4}/\d{2}/\d{2}$"}),
]


def _timezone_required(value: dt.datetime) -> dt.datetime:
    """Refuse a date and time without a time zone: it would mean a different moment per host."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("has no time zone: add one, e.g. 2025-03-01T09:00:00+09:00 (or Z for UTC)")
    return value


def _moment_input(value: object) -> object:
    """Refuse what pydantic would otherwise read as a moment: a bare date, a number."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        raise ValueError(
            f"'{value.isoformat()}' is a date without a time: write a date, time and time zone, "
            f"e.g. {value.isoformat()}T09:00:00+09:00"
        )
    if isinstance(value, bool | int | float):
        raise ValueError(
            "expected a date and time with a time zone, e.g. 2025-03-01T09:00:00+09:00, "
            "found a number"
        )
    return value


Moment = Annotated[
    dt.datetime,
    BeforeValidator(_moment_input),
    AfterValidator(_timezone_required),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


def _paragraphs(value: object) -> object:
    """Text where a list of paragraphs is expected: split it at blank lines."""
    if isinstance(value, str):
        parts = [part.strip() for part in _PARAGRAPH_BREAK.split(value)]
        return [part for part in parts if part] or [value]
    return value


Paragraphs = Annotated[
    tuple[Text, ...],
    BeforeValidator(_paragraphs),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "array", "items": {"type": "string", "minLength": 1}},
                {"type": "string", "minLength": 1},
            ]
        }
    ),
]
# Fields left out of a section's content hash: when it is shown is not what it says.
_NOT_CONTENT = frozenset({"publish_at", "expires_at"})
# hashlib lets go of the GIL for inputs of this many bytes or more.
_HASHLIB_GIL_MINSIZE = 2048


def sha256_keeping_the_gil(data: bytes) -> str:
    """The SHA-256 hex digest of `data`, fed to hashlib in pieces too small to drop the GIL.

    The reload thread hashes thousands of sections. Dropping and retaking the GIL for
    each one keeps the event loop's thread from ever getting it back (each handover
    restarts its wait), so the loop stalled for 50-100 ms; holding it lets the normal
    switch interval hand it over.
    """
    digest = hashlib.sha256()
    for start in range(0, len(data), _HASHLIB_GIL_MINSIZE - 1):
        digest.update(data[start : start + _HASHLIB_GIL_MINSIZE - 1])
    return digest.hexdigest()


def default_section_id(number: int) -> str:
    """The id of the `number`th section (from 1) when the file gives it none: `s1`, `s2`, …."""
    return f"s{number}"


_STRICT = ConfigDict(extra="forbid", strict=False, str_strip_whitespace=True)


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, **_STRICT)


# A slotted dataclass, not a model: a briefing cites about 13 sources, and a model's
# instance dict took about 400 bytes of each (50 MB of 10,000 briefings).
@dataclass(frozen=True, slots=True, config=_STRICT)
class Source:
    """A cited source: who published what, where, and when."""

    name: Text = Field(description="The source's name as cited (出典), e.g. 時事ドットコム.")
    publisher: Text | None = Field(None, description="The organisation behind the source.")
    description: Text | None = Field(None, description="How the source describes itself.")
    url: WebUrl | None = Field(
        None,
        description="Link to the cited article; http or https only. Leave it out for a "
        "press conference or a printed paper.",
    )
    published: Day | None = Field(
        None, description="Publication date; defaults to the section's `published` date."
    )


def fields_of(kind: PartKind) -> Mapping[str, FieldInfo]:
    """The fields a file may give for a briefing, a section or a source, with their descriptions."""
    if issubclass(kind, BaseModel):
        return kind.model_fields
    fields: Mapping[str, FieldInfo] = vars(kind)["__pydantic_fields__"]
    return {name: info for name, info in fields.items() if info.init is not False}


# A slotted dataclass, as `Source` is: 400 bytes less for each of 65,000 sections.
@dataclass(frozen=True, slots=True, config=_STRICT)
class Section:
    """One ordered section of a briefing: a question, its answer, and the evidence."""

    id: Slug = Field(
        description="A slug, unique within the briefing. Optional: it defaults to s1, s2, … "
        "by position; an explicit id keeps links and digest history stable when sections move."
    )
    heading: Text = Field(description="The section heading.")
    question: Text | None = Field(None, description="The hook line that poses the question.")
    answer: Text = Field(description="The one-line answer; shown in overviews and digests.")
    lead: Text | None = Field(None, description="A lead sentence under the answer.")
    published: Day | None = Field(None, description="Publication date (公開日).")
    points: tuple[Text, ...] = Field((), description="Key points (the ✅ lines).")
    sources: tuple[Source, ...] = Field((), description="Cited sources.")
    commentary: Text | None = Field(None, description="The editor's commentary.")
    body: Paragraphs = Field(
        (), description="Body paragraphs, in order; text is split at blank lines."
    )
    reactions: Paragraphs = Field(
        (), description="Reader reactions, quoted as given; text is split at blank lines."
    )
    publish_at: Moment | None = Field(
        None, description="Hidden from members before this date and time (with a time zone)."
    )
    expires_at: Moment | None = Field(
        None, description="Hidden from members from this date and time (with a time zone)."
    )

    # `content_hash`, once worked out: not a field of the file (no schema, no dump).
    _content_hash: SkipJsonSchema[Annotated[str | None, Field(exclude=True)]] = dataclasses.field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def content_hash(self) -> str:
        """A stable digest of everything a reader sees in this section."""
        found = self._content_hash
        if found is None:
            canonical = json.dumps(
                _SECTION_DUMP.dump_python(self, mode="json", exclude=set(_NOT_CONTENT)),
                ensure_ascii=False,
                sort_keys=True,
                separators=(",", ":"),
            )
            found = sha256_keeping_the_gil(canonical.encode("utf-8"))
            object.__setattr__(self, "_content_hash", found)
        return found

    def source_date(self, source: Source) -> dt.date | None:
        """The date a source counts as published: its own, else the section's."""
        return source.published or self.published


_SECTION_DUMP: TypeAdapter[Section] = TypeAdapter(Section)


class Briefing(_Strict):
    """A curated briefing on one topic."""

    id: Slug = Field(description="Equals the file's stem; a slug of a-z, 0-9 and dashes.")
    title: Text = Field(description="The briefing's title.")
    subtitle: Text | None = Field(None, description="A subtitle under the title.")
    summary: Text = Field(description="The lead paragraph under the title.")
    language: LanguageTag = Field("en", description="BCP 47 language tag of the content.")
    tags: tuple[Text, ...] = Field((), description="Free-form tags that help search.")
    aliases: tuple[Slug, ...] = Field((), description="Other ids users may type.")
    updated: Day = Field(description="The date of the briefing's latest update.")
    sections: tuple[Section, ...] = Field(min_length=1, description="Ordered sections.")
    takeaways: tuple[Text, ...] = Field((), description="Closing takeaways (the 💡 lines).")
    closing: Text | None = Field(None, description="An optional closing paragraph.")
    publish_at: Moment | None = Field(
        None, description="Hidden from members before this date and time (with a time zone)."
    )
    expires_at: Moment | None = Field(
        None, description="Hidden from members from this date and time (with a time zone)."
    )

    @model_validator(mode="wrap")
    @classmethod
    def _default_section_ids(
        cls, data: Any, handler: ModelWrapValidatorHandler[Briefing]
    ) -> Briefing:
        """Give each section written without an `id` the one its position gives (s1, s2, …)."""
        if isinstance(data, dict) and isinstance(data.get("sections"), list):
            sections = [
                {"id": default_section_id(number), **section}
                if isinstance(section, dict) and "id" not in section
                else section
                for number, section in enumerate(data["sections"], start=1)
            ]
            data = {**data, "sections": sections}
        return handler(data)

    @cached_property
    def _numbers_by_id(self) -> dict[str, int]:
        """Each section id's 1-based number (its first use, should an id repeat)."""
        numbers: dict[str, int] = {}
        for number, section in enumerate(self.sections, start=1):
            numbers.setdefault(section.id, number)
        return numbers

    def section(self, section_id: str) -> Section | None:
        """The section with this id, if any."""
        number = self._numbers_by_id.get(section_id)
        return None if number is None else self.sections[number - 1]

    def section_number(self, section: Section) -> int:
        """The 1-based number of a section of this briefing; ValueError if it has none such."""
        number = self._numbers_by_id.get(section.id)
        if number is None:
            raise ValueError(f"briefing {self.id!r} has no section {section.id!r}")
        return number

    def is_stale(self, section: Section, source: Source, stale_after_days: int) -> bool:
        """Whether a source is more than `stale_after_days` older than this briefing's update."""
        published = section.source_date(source)
        return published is not None and (self.updated - published).days > stale_after_days

    def has_default_id(self, section: Section) -> bool:
        """Whether a section's id is the one its position gives, so moving it changes it."""
        return section.id == default_section_id(self.section_number(section))

    @property
    def base_language(self) -> str:
        """The primary language subtag, lower-cased (`ja` for `ja-JP`)."""
        return self.language.split("-", 1)[0].lower()


# What a briefing file describes: the briefing, its sections, their sources.
PartKind = type[Briefing] | type[Section] | type[Source]
