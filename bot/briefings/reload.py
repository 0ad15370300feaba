"""Reloading briefings while the bot runs, keeping each file's last good version.

`reload_catalog` is pure and thread-safe: it reads files, validates them and builds
a new `Library`, and never touches the one being served. The caller swaps it in.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from bot.briefings.library import Library
from bot.briefings.loader import (
    FileResult,
    Problem,
    SortsProblems,
    briefing_files,
    load_file,
    resolve_conflicts,
)
from bot.briefings.models import Briefing
from bot.briefings.sharing import SharedParts


@dataclass(frozen=True, slots=True)
class FileState:
    """What is known about one briefing file: its latest outcome and last good version."""

    path: Path
    signature: tuple[int, int]
    result: FileResult
    good: Briefing | None  # the last version that loaded; it keeps serving through errors


@dataclass(frozen=True)
class Catalog:
    """Every known briefing file, keyed by path, and the briefings served from them."""

    files: Mapping[Path, FileState] = field(default_factory=lambda: MappingProxyType({}))
    served: Mapping[str, Briefing] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class ReloadReport(SortsProblems):
    """What a reload changed, and every file's current errors and warnings."""

    at: dt.datetime
    seconds: float
    loaded: tuple[str, ...]
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    problems: tuple[Problem, ...]
    files_read: int

    def summary(self) -> str:
        """One line for the log."""
        return (
            f"reloaded briefings in {self.seconds * 1000:.0f} ms: {len(self.loaded)} loaded, "
            f"{len(self.added)} added, {len(self.changed)} changed, {len(self.removed)} removed, "
            f"{len(self.errors)} error(s), {len(self.warnings)} warning(s), "
            f"{self.files_read} file(s) read"
        )


def _signature(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def reload_catalog(
    previous: Catalog,
    directory: Path,
    *,
    stale_after_days: int,
    now: dt.datetime,
    force: bool = False,
) -> tuple[Catalog, Library, ReloadReport]:
    """Re-read changed files and build a new library; broken edits keep the last good version.

    A file whose modification time and size are unchanged is not read again unless
    `force` is set. A deleted file drops its topic; a file that never loaded is absent.
    """
    started = time.perf_counter()
    states: dict[Path, FileState] = {}
    files_read = 0
    shared = SharedParts()
    for path in briefing_files([directory]) if directory.is_dir() else []:
        signature = _signature(path)
        if signature is None:
            continue
        old = previous.files.get(path)
        if old is not None and old.signature == signature and not force:
            states[old.path] = old  # its own path: one object per file, however it came
            continue
        result = load_file(path, stale_after_days=stale_after_days, shared=shared)
        files_read += 1
        good = result.briefing or (old.good if old else None)
        states[path] = FileState(path, signature, result, good)

    serving_before = [p for p, s in previous.files.items() if s.good is not None]
    candidates = {
        path: FileResult(path, state.good, state.result.problems) for path, state in states.items()
    }
    resolved = resolve_conflicts(candidates, keep_first=serving_before)
    briefings: list[Briefing] = []
    problems: list[Problem] = []
    for outcome in resolved.values():
        problems.extend(outcome.problems)
        if outcome.briefing is not None:
            briefings.append(outcome.briefing)
    library = Library(briefings, stale_after_days=stale_after_days, loaded_at=now)
    library.warm()
    for briefing in briefings:
        for section in briefing.sections:
            # Hash here, in the worker thread, not later on the event loop.
            _ = section.content_hash

    before = previous.served
    after = {b.id: b for b in briefings}
    report = ReloadReport(
        at=now,
        seconds=time.perf_counter() - started,
        loaded=tuple(sorted(after)),
        added=tuple(sorted(set(after) - set(before))),
        changed=tuple(sorted(i for i in set(after) & set(before) if after[i] != before[i])),
        removed=tuple(sorted(set(before) - set(after))),
        problems=tuple(problems),
        files_read=files_read,
    )
    catalog = Catalog(MappingProxyType(states), MappingProxyType(after))
    return catalog, library, report


def release_gradually(replaced: list[object]) -> None:
    """Let go of a replaced catalog and library one briefing at a time (in a worker thread).

    Freeing a whole snapshot at once is one uninterrupted cascade inside the interpreter
    (about 25 ms for 1,000 briefings) that holds the GIL, and so stalls the event loop,
    throughout. Freed a briefing at a time, the GIL changes hands in between. `replaced`
    must hold the only references left; it is emptied.
    """
    briefings = [b for item in replaced if isinstance(item, Library) for b in item]
    replaced.clear()  # the containers and indexes go; the briefings stay with `briefings`
    while briefings:
        briefings.pop()
