"""Load and validate briefing files, reporting every problem as FILE:LINE:COL.

Reading a file, parsing it (`bot.briefings.yaml_tree`, which keeps the YAML node tree
so that a pydantic error location such as `("sections", 2, "sources", 0, "url")` can be
traced back to the line and column the admin has to fix), validating it
(`bot.briefings.validation`) and checking names across files happen here. Every step is
linear in the file, whatever it holds. Nothing here imports discord.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.briefings.models import Briefing
from bot.briefings.problems import (
    Problem,
    ProblemCollector,
    Severity,
    SortsProblems,
    display_path,
    format_path,
    sorted_problems,
)
from bot.briefings.sharing import SharedParts
from bot.briefings.validation import check_semantics, check_warnings, validate_briefing
from bot.briefings.yaml_tree import compose_tree, locate, parse_document

__all__ = [
    "MAX_FILE_BYTES",
    "SCHEMA_COMMENT",
    "FileResult",
    "LoadResult",
    "Problem",
    "Severity",
    "SortsProblems",
    "briefing_files",
    "display_path",
    "format_path",
    "iter_problems",
    "load_file",
    "load_files",
    "locate",
    "parse_yaml",
    "resolve_conflicts",
]

MAX_FILE_BYTES = 1024 * 1024
SCHEMA_COMMENT = "# yaml-language-server: $schema=briefing.schema.json"


@dataclass(frozen=True, slots=True)
class FileResult(SortsProblems):
    """The outcome of loading one file: the briefing if it is valid, and its problems."""

    path: Path
    briefing: Briefing | None
    problems: tuple[Problem, ...] = ()


def _read_text(path: Path, collector: ProblemCollector) -> str | None:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            collector.add(
                Severity.ERROR,
                (),
                f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,} (1 MiB)",
                position=(1, 1),
            )
            return None
        with path.open("rb") as stream:
            # Read at most one byte past the limit, in case the file grew since stat().
            raw = stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        collector.add(
            Severity.ERROR, (), f"cannot read file: {exc.strerror or exc}", position=(1, 1)
        )
        return None
    if len(raw) > MAX_FILE_BYTES:
        collector.add(
            Severity.ERROR,
            (),
            f"file is over {MAX_FILE_BYTES:,} bytes (1 MiB), the limit",
            position=(1, 1),
        )
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        column = len(before[line_start:].decode("utf-8", errors="replace")) + 1
        collector.add(
            Severity.ERROR,
            (),
            f"file is not UTF-8: byte 0x{raw[exc.start]:02x} at byte offset {exc.start}",
            position=(line, column),
        )
        return None
    return text.removeprefix("\ufeff")


def _parse_yaml(text: str, collector: ProblemCollector) -> tuple[bool, Any]:
    """Parse one document into plain values; the collector keeps its node tree for positions.

    Returns whether the document could be built at all, and its value. Repeated keys are
    reported as errors but do not stop the rest of the file from being checked.
    """
    document = parse_document(text)
    collector.root = document.root
    if document.error is not None:
        error = document.error
        position = (error.line, error.column)
        collector.add(Severity.ERROR, error.loc, error.message, position=position)
        return False, None
    collector.at_nodes(
        [
            (
                repeated,
                f"duplicate key '{repeated.value}': it is already set on line "
                f"{first.start_mark.line + 1}, and only one value can be kept",
            )
            for first, repeated in document.duplicates
        ]
    )
    return document.built, document.value


def parse_yaml(path: Path, text: str) -> tuple[yaml.Node | None, Any, list[Problem]]:
    """Parse YAML text as briefings are parsed: its node tree, its value, and its problems.

    The value is None when the text could not be parsed; repeated keys are reported but
    still give a value. `path` only names the file in the problems.
    """
    collector = ProblemCollector(path, None)
    parsed, data = _parse_yaml(text, collector)
    return collector.root, data if parsed else None, collector.finish()


def load_file(
    path: Path, *, stale_after_days: int = 365, shared: SharedParts | None = None
) -> FileResult:
    """Read, parse and validate one briefing file; never raises, whatever the file holds.

    The briefing shares repeated strings, dates and field sets with the others loaded
    with the same `shared` (`bot.briefings.sharing`).
    """
    try:
        return _load_file(path, stale_after_days, shared or SharedParts())
    except Exception as exc:  # a loader bug must cost one file, never the whole load
        problem = Problem(
            display_path(path),
            1,
            1,
            Severity.ERROR,
            "",
            f"internal error while loading ({type(exc).__name__}: {exc}); please report it",
        )
        return FileResult(path, None, (problem,))


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while briefing files are parsed and validated.

    Parsing allocates tens of thousands of short-lived, acyclic YAML nodes and marks per
    file, which reference counting frees, and loading creates no cyclic garbage at all.
    Each allocation still counts towards the collector's thresholds, so it would run many
    times per file and rescan every briefing already loaded: 30-40% of a large load when
    the pause lasted one file at a time, and still 15% of a load of 1,000 files. So
    `load_files` pauses it for the whole load and `load_file` for one file; what was
    allocated meanwhile is collected as usual afterwards. A collector that someone else
    disabled is left alone.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _load_file(path: Path, stale_after_days: int, shared: SharedParts) -> FileResult:
    collector = ProblemCollector(path, None)
    text = _read_text(path, collector)
    briefing: Briefing | None = None
    with cyclic_gc_paused():
        parsed, data = _parse_yaml(text, collector) if text is not None else (False, None)
        candidate = validate_briefing(path, data, collector) if parsed else None
    if candidate is not None:
        check_semantics(candidate, collector)
        if not collector.problems:
            briefing = shared.share(candidate)
            check_warnings(briefing, collector, stale_after_days)
    return FileResult(path, briefing, sorted_problems(collector.finish()))


def briefing_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into their `*.yaml` files (hidden ones skipped), sorted; files pass through.

    A file named twice, directly or through its folder, is listed once.
    """
    found: list[Path] = []
    seen: set[str] = set()
    for path in paths:
        if path.is_dir():
            candidates = sorted(
                p for p in path.glob("*.yaml") if not p.name.startswith(".") and p.is_file()
            )
        else:
            candidates = [path]
        for candidate in candidates:
            real = os.path.realpath(candidate)
            if real not in seen:
                seen.add(real)
                found.append(candidate)
    return found


@dataclass(frozen=True)
class LoadResult:
    """Every file's outcome, keyed by path, in load order."""

    files: dict[Path, FileResult] = field(default_factory=dict)

    @property
    def briefings(self) -> list[Briefing]:
        """The valid briefings, in file order."""
        return [r.briefing for r in self.files.values() if r.briefing is not None]

    @property
    def problems(self) -> list[Problem]:
        """All problems of all files."""
        return [p for r in self.files.values() for p in r.problems]

    @property
    def errors(self) -> list[Problem]:
        """All errors of all files."""
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        """All warnings of all files."""
        return [p for p in self.problems if p.severity is Severity.WARNING]


def load_files(paths: Iterable[Path], *, stale_after_days: int = 365) -> LoadResult:
    """Load every file, then check ids and aliases across files."""
    shared = SharedParts()
    with cyclic_gc_paused():
        results = {
            path: load_file(path, stale_after_days=stale_after_days, shared=shared)
            for path in briefing_files(paths)
        }
        return LoadResult(resolve_conflicts(results))


def resolve_conflicts(
    results: dict[Path, FileResult], *, keep_first: Iterable[Path] = ()
) -> dict[Path, FileResult]:
    """Reject any file whose id or alias is already taken by another loaded file.

    Files in `keep_first` claim their names first (a reload keeps what was serving);
    the others claim theirs in path order.
    """
    preferred = [p for p in keep_first if p in results]
    preferred_set = set(preferred)
    order = preferred + [p for p in results if p not in preferred_set]
    owners: dict[str, Path] = {}
    resolved = dict(results)
    for path in order:
        result = results[path]
        briefing = result.briefing
        if briefing is None:
            continue
        names: list[tuple[list[int | str], str]] = [(["id"], briefing.id)]
        names += [(["aliases", i], alias) for i, alias in enumerate(briefing.aliases)]
        clashes = [(loc, name) for loc, name in names if name in owners]
        if not clashes:
            for _, name in names:
                owners[name] = path
            continue
        problems = list(result.problems)
        collector = ProblemCollector(path, _reparse_root(path))
        for loc, name in clashes:
            other = display_path(owners[name])
            collector.error(loc, f"'{name}' is already used as an id or alias by {other}")
        problems.extend(collector.finish())
        resolved[path] = FileResult(path, None, sorted_problems(problems))
    return resolved


def _reparse_root(path: Path) -> yaml.Node | None:
    try:
        text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
    except (OSError, UnicodeDecodeError):
        return None
    return compose_tree(text)


def iter_problems(results: Iterable[FileResult]) -> Iterator[Problem]:
    """Every problem of the given file results, in order."""
    for result in results:
        yield from result.problems
