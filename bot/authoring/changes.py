"""Editing a briefing file in place: check the new text, say what it changes, swap it in.

`BriefingFiles.review` checks new bytes exactly as the loader would check them at
`briefings/<topic>.yaml` (ids and aliases of the other topics included) and compares the
result with the version being served. `BriefingFiles.apply` is a compare-and-swap: it
writes only if the file still has the content hash it had when it was reviewed, keeps the
file it replaces in the topic's history, and replaces it atomically. Applies in one
process take turns; nothing here imports discord.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.authoring.history import (
    HISTORY_LIMIT,
    History,
    Version,
    check_topic,
    content_hash,
    read_bytes,
    write_atomically,
)
from bot.briefings.loader import FileResult, Problem, SortsProblems, load_file, resolve_conflicts
from bot.briefings.models import Briefing, Section, fields_of

# One apply at a time in this process, whichever `BriefingFiles` it goes through.
_APPLY_LOCK = threading.Lock()
_BRIEFING_FIELDS = tuple(name for name in Briefing.model_fields if name not in {"id", "sections"})
_SECTION_FIELDS = tuple(name for name in fields_of(Section) if name != "id")


@dataclass(frozen=True)
class SectionChange:
    """A section that was added, removed or edited: its id, number, heading and what changed."""

    id: str
    number: int  # its 1-based position: in the new briefing, or in the old one if removed
    heading: str
    fields: tuple[str, ...] = ()  # for an edited section, the fields that differ


@dataclass(frozen=True)
class BriefingDiff:
    """What a new version of a briefing changes, section by section."""

    added: tuple[SectionChange, ...] = ()
    removed: tuple[SectionChange, ...] = ()
    edited: tuple[SectionChange, ...] = ()
    fields: tuple[str, ...] = ()  # the briefing's own fields that differ (title, summary, …)
    reordered: bool = False  # sections both versions have are in another order
    is_new: bool = False  # there was no version to compare with

    @property
    def changes_anything(self) -> bool:
        """Whether a reader would see any difference."""
        return self.is_new or bool(
            self.added or self.removed or self.edited or self.fields or self.reordered
        )


def _changed_fields(old: object, new: object, names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(name for name in names if getattr(old, name) != getattr(new, name))


def diff_briefings(old: Briefing | None, new: Briefing) -> BriefingDiff:
    """Sections added, removed and edited (matched by id) from `old` to `new`, and more."""
    if old is None:
        added = tuple(
            SectionChange(s.id, n, s.heading) for n, s in enumerate(new.sections, start=1)
        )
        return BriefingDiff(added=added, is_new=True)
    before = {section.id: (n, section) for n, section in enumerate(old.sections, start=1)}
    after = {section.id: (n, section) for n, section in enumerate(new.sections, start=1)}
    added = tuple(
        SectionChange(sid, n, section.heading)
        for sid, (n, section) in after.items()
        if sid not in before
    )
    removed = tuple(
        SectionChange(sid, n, section.heading)
        for sid, (n, section) in before.items()
        if sid not in after
    )
    edited = []
    for sid, (n, section) in after.items():
        if sid in before and before[sid][1] != section:
            changed = _changed_fields(before[sid][1], section, _SECTION_FIELDS)
            edited.append(SectionChange(sid, n, section.heading, changed))
    kept_before = [sid for sid in before if sid in after]
    kept_after = [sid for sid in after if sid in before]
    return BriefingDiff(
        added=added,
        removed=removed,
        edited=tuple(edited),
        fields=_changed_fields(old, new, _BRIEFING_FIELDS),
        reordered=kept_before != kept_after,
    )


@dataclass(frozen=True)
class Review(SortsProblems):
    """New bytes for a topic's file, checked: their problems and, if they load, what they change.

    `base_hash` is the content hash of the file on disk when it was reviewed (None: there
    was no file), which `BriefingFiles.apply` requires to be unchanged.
    """

    topic: str
    data: bytes
    base_hash: str | None
    briefing: Briefing | None
    problems: tuple[Problem, ...]
    diff: BriefingDiff | None  # None when the new file does not load

    @property
    def identical(self) -> bool:
        """Whether the new bytes are exactly the file already on disk."""
        return self.base_hash == content_hash(self.data)


@dataclass(frozen=True)
class Applied:
    """A change written to disk: the file, and the version of it kept in the history."""

    path: Path
    kept: Version | None  # None when the change created the file


class FileChanged(RuntimeError):
    """The file is no longer the one the change was reviewed against; nothing was written."""

    def __init__(self, topic: str) -> None:
        super().__init__(f"briefings/{topic}.yaml changed since the change was reviewed")
        self.topic = topic


class BriefingFiles:
    """The briefing files of one folder as edits read, check and replace them, with history."""

    def __init__(self, briefings_dir: Path, *, keep: int = HISTORY_LIMIT) -> None:
        self.directory = briefings_dir
        self.history = History(briefings_dir, keep=keep)

    def path_of(self, topic: str) -> Path:
        """The file a topic is served from."""
        return self.directory / f"{check_topic(topic)}.yaml"

    def read(self, topic: str) -> bytes | None:
        """The topic's file as it is on disk, or None when there is none."""
        return read_bytes(self.path_of(topic))

    def versions(self, topic: str) -> list[tuple[Version, bool]]:
        """The topic's kept versions, newest first, each with whether it equals the file now."""
        current = content_hash(self.read(topic))
        return [(v, content_hash(v.read()) == current) for v in self.history.versions(topic)]

    def review(
        self,
        topic: str,
        data: bytes,
        *,
        served: Briefing | None,
        others: Mapping[Path, Briefing],
        stale_after_days: int,
    ) -> Review:
        """Check `data` as the loader would check it at `briefings/<topic>.yaml`.

        `served` is the topic's version being served (what the change is compared with),
        `others` the briefings served from every other file, whose ids and aliases the
        new file may not take. Problems carry the line and column in `data`.
        """
        base_hash = content_hash(self.read(topic))
        with tempfile.TemporaryDirectory(prefix="briefbot-review-") as folder:
            candidate = Path(folder) / f"{check_topic(topic)}.yaml"
            candidate.write_bytes(data)
            result = load_file(candidate, stale_after_days=stale_after_days)
            if result.briefing is not None and others:
                results = {path: FileResult(path, briefing) for path, briefing in others.items()}
                results[candidate] = result
                result = resolve_conflicts(results, keep_first=list(others))[candidate]
        briefing = result.briefing
        diff = diff_briefings(served, briefing) if briefing is not None else None
        return Review(topic, data, base_hash, briefing, result.problems, diff)

    def apply(self, review: Review, now: dt.datetime) -> Applied:
        """Write a reviewed change if the file is still as it was reviewed; `FileChanged` if not.

        The file being replaced is kept in the topic's history first; the new bytes then
        replace the file in one step.
        """
        if review.briefing is None:
            raise ValueError("a file with errors cannot be applied")
        path = self.path_of(review.topic)
        with _APPLY_LOCK:
            current = read_bytes(path)
            if content_hash(current) != review.base_hash:
                raise FileChanged(review.topic)
            kept = self.history.save(review.topic, current, now) if current is not None else None
            write_atomically(path, review.data)
        return Applied(path, kept)
