"""Problems found in a briefing file, each located as FILE:LINE:COL, and how they are collected.

A problem names the field it is about (`sections[2].sources[0].url`) and the line and
column the admin has to fix. `ProblemCollector` turns locations in the parsed data into
positions through a `NodeIndex`, so locating one problem costs the length of its
location, never a scan of the file. A file reports at most `MAX_PROBLEMS_PER_FILE`
problems and then says how many more it has, so a file of 50,000 bad keys is refused in
about the time it takes to parse it, with a report an admin can read.
"""

from __future__ import annotations

import os
import sys
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import total_ordering
from pathlib import Path

import yaml

from bot.briefings.yaml_tree import NodeIndex

MAX_PROBLEMS_PER_FILE = 100


class Severity(StrEnum):
    """How serious a problem is: errors stop a file from loading, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


class LaterMessage(ABC):
    """A problem's message put into words only when it is read.

    A library keeps every warning of every file for `/briefing admin`. One kind recurs by
    the ten thousand (a stale source, in a big library) and each written out would be a
    string of its own; a `LaterMessage` holds what the words are made of instead, most of
    it shared with the briefing, and writes them each time they are read.
    """

    __slots__ = ()

    @abstractmethod
    def __str__(self) -> str:
        """The message, in words."""


@total_ordering
@dataclass(frozen=True, eq=False, slots=True)
class Problem:
    """One error or warning, located in a file by line and column (both 1-based).

    Problems compare and sort by file, line, column, severity, path and message.
    """

    file: str
    line: int
    column: int
    severity: Severity
    path: str
    text: str | LaterMessage

    @property
    def message(self) -> str:
        """What is wrong, in words."""
        return self.text if isinstance(self.text, str) else str(self.text)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        what = f"{self.path}: {self.message}" if self.path else self.message
        return f"{where}: {self.severity}: {what}"

    def sort_key(self) -> tuple[str, int, int, str, str, str]:
        """The fields in the order problems sort by, as one tuple compared in C."""
        return (self.file, self.line, self.column, self.severity, self.path, self.message)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Problem):
            return NotImplemented
        return self.sort_key() == other.sort_key()

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Problem):
            return NotImplemented
        return self.sort_key() < other.sort_key()

    def __hash__(self) -> int:
        return hash(self.sort_key())


def sorted_problems(problems: Iterable[Problem]) -> tuple[Problem, ...]:
    """Problems by file, line, column, severity, path and message (the dataclass order)."""
    return tuple(sorted(problems, key=Problem.sort_key))


class SortsProblems:
    """Splits a `problems` tuple into errors and warnings."""

    __slots__ = ()
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        """Only the problems that stop a file from loading."""
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """Only the problems that are reported but do not stop loading."""
        return tuple(p for p in self.problems if p.severity is Severity.WARNING)


def display_path(path: Path) -> str:
    """The path as an admin would type it: relative to the working directory when inside it."""
    try:
        shown = os.path.relpath(path)
    except ValueError:  # pragma: no cover - a different drive on Windows
        return str(path)
    return str(path) if shown.startswith("..") else shown


def format_path(loc: Sequence[int | str]) -> str:
    """Render a location tuple as `sections[2].sources[0].url`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class ProblemCollector:
    """Builds the problems of one file, placing each at the node its location names."""

    def __init__(self, path: Path, root: yaml.Node | None) -> None:
        self.path = path
        self.nodes = NodeIndex(root)
        self.problems: list[Problem] = []
        self.omitted: dict[Severity, int] = {}  # problems past the limit, only counted
        self._file: str | None = None

    @property
    def root(self) -> yaml.Node | None:
        """The file's YAML node tree, when it could be parsed."""
        return self.nodes.root

    @root.setter
    def root(self, root: yaml.Node | None) -> None:
        self.nodes = NodeIndex(root)

    @property
    def file(self) -> str:
        """The file as problems name it (computed only once there is a problem)."""
        if self._file is None:
            self._file = display_path(self.path)
        return self._file

    @property
    def full(self) -> bool:
        """Whether further problems are only counted, not reported."""
        return len(self.problems) >= MAX_PROBLEMS_PER_FILE

    def omit(self, severity: Severity, count: int = 1) -> None:
        """Count problems that are past the limit without placing or describing them."""
        self.omitted[severity] = self.omitted.get(severity, 0) + count

    def add(
        self,
        severity: Severity,
        loc: Sequence[int | str],
        message: str | LaterMessage,
        *,
        key: bool = False,
        position: tuple[int, int] | None = None,
    ) -> None:
        """Record a problem at `position`, or at the node at `loc`; only counted once full."""
        if self.full:
            self.omit(severity)
            return
        line, column = position or self.nodes.locate(loc, key=key)
        # The same paths recur in every file (sections[0].sources[1].published): one copy.
        path = sys.intern(format_path(loc))
        self.problems.append(Problem(self.file, line, column, severity, path, message))

    def at_nodes(self, found: Sequence[tuple[yaml.Node, str]]) -> None:
        """Record an error at each node, with the node's path; one pass over the tree for all."""
        room = max(0, MAX_PROBLEMS_PER_FILE - len(self.problems))
        if len(found) > room:
            self.omit(Severity.ERROR, len(found) - room)
            found = found[:room]
        paths = self.nodes.paths_to(node for node, _ in found)
        for node, message in found:
            position = (node.start_mark.line + 1, node.start_mark.column + 1)
            loc = paths.get(id(node), [])
            self.add(Severity.ERROR, loc, message, position=position)

    def error(self, loc: Sequence[int | str], message: str, *, key: bool = False) -> None:
        """Record an error at `loc`."""
        self.add(Severity.ERROR, loc, message, key=key)

    def warning(self, loc: Sequence[int | str], message: str | LaterMessage) -> None:
        """Record a warning at `loc`."""
        self.add(Severity.WARNING, loc, message)

    def finish(self) -> list[Problem]:
        """The problems reported, and one more at 1:1 saying how many are not shown."""
        count = sum(self.omitted.values())
        if not count:
            return self.problems
        severity = Severity.ERROR if self.omitted.get(Severity.ERROR) else Severity.WARNING
        kind = "problem" if count == 1 else "problems"
        message = (
            f"{count:,} more {kind} not shown: a file reports at most "
            f"{MAX_PROBLEMS_PER_FILE}; fix these and check the file again"
        )
        return [*self.problems, Problem(self.file, 1, 1, severity, "", message)]
