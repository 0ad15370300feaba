"""The briefing data model: what one `briefings/<id>.yaml` file holds.

The models are strict (unknown keys are errors) and frozen, so a loaded `Library`
snapshot can be shared by every command without copying.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from functools import cached_property
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_WHITESPACE = re.compile(r"\s")

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
LanguageTag = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$", max_length=35)
]


def _require_web_url(value: str) -> str:
    """Accept only absolute http(s) URLs with a host."""
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError("must be an http:// or https:// URL")
    if _WHITESPACE.search(value):
        raise ValueError("must not contain whitespace")
    return value


WebUrl = Annotated[Text, AfterValidator(_require_web_url)]
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


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        strict=False,
        str_strip_whitespace=True,
    )


class Source(_Strict):
    """A cited source: who published what, where, and when."""

    name: Text = Field(description="The source's name as cited (出典), e.g. 時事ドットコム.")
    publisher: Text | None = Field(None, description="The organisation behind the source.")
    description: Text | None = Field(None, description="How the source describes itself.")
    url: WebUrl = Field(description="Link to the cited article; http or https only.")
    published: dt.date | None = Field(
        None, description="Publication date; defaults to the section's `published` date."
    )


class Section(_Strict):
    """One ordered section of a briefing: a question, its answer, and the evidence."""

    id: Slug = Field(description="A slug, unique within the briefing.")
    heading: Text = Field(description="The section heading.")
    question: Text | None = Field(None, description="The hook line that poses the question.")
    answer: Text = Field(description="The one-line answer; shown in overviews and digests.")
    lead: Text | None = Field(None, description="A lead sentence under the answer.")
    published: dt.date | None = Field(None, description="Publication date (公開日).")
    points: tuple[Text, ...] = Field((), description="Key points (the ✅ lines).")
    sources: tuple[Source, ...] = Field((), description="Cited sources.")
    commentary: Text | None = Field(None, description="The editor's commentary.")
    body: tuple[Text, ...] = Field((), description="Body paragraphs, in order.")
    reactions: tuple[Text, ...] = Field((), description="Reader reactions, quoted as given.")

    @cached_property
    def content_hash(self) -> str:
        """A stable digest of everything a reader sees in this section."""
        canonical = json.dumps(
            self.model_dump(mode="json"), ensure_ascii=False, sort_keys=True, separators=(",", ":")
        )
        return sha256_keeping_the_gil(canonical.encode("utf-8"))

    def source_date(self, source: Source) -> dt.date | None:
        """The date a source counts as published: its own, else the section's."""
        return source.published or self.published


class Briefing(_Strict):
    """A curated briefing on one topic."""

    id: Slug = Field(description="Equals the file's stem; a slug of a-z, 0-9 and dashes.")
    title: Text = Field(description="The briefing's title.")
    subtitle: Text | None = Field(None, description="A subtitle under the title.")
    summary: Text = Field(description="The lead paragraph under the title.")
    language: LanguageTag = Field("en", description="BCP 47 language tag of the content.")
    tags: tuple[Text, ...] = Field((), description="Free-form tags that help search.")
    aliases: tuple[Slug, ...] = Field((), description="Other ids users may type.")
    updated: dt.date = Field(description="The date of the briefing's latest update.")
    sections: tuple[Section, ...] = Field(min_length=1, description="Ordered sections.")
    takeaways: tuple[Text, ...] = Field((), description="Closing takeaways (the 💡 lines).")
    closing: Text | None = Field(None, description="An optional closing paragraph.")

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

    @property
    def base_language(self) -> str:
        """The primary language subtag, lower-cased (`ja` for `ja-JP`)."""
        return self.language.split("-", 1)[0].lower()
