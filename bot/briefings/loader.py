"""Load and validate briefing YAML files, reporting every problem as FILE:LINE:COL.

Parsing keeps the YAML node tree so that a pydantic error location such as
`("sections", 2, "sources", 0, "url")` can be traced back to the line and column
the admin has to fix. Nothing here imports discord.

libyaml (C) composes the node tree; `_TreeBuilder` then turns nodes into plain
Python values itself instead of PyYAML's generic constructor. That is both faster and
stricter: aliases, merge keys and explicit tags other than the core ones are refused
at their position, a repeated key is reported instead of silently overwriting the
earlier value, and an impossible date such as 2025-13-45 stays text so that the date
field reports it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import gc
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from bot.briefings.models import SLUG_PATTERN, Briefing, Section, Source

try:
    from yaml import CSafeLoader as _FastSafeLoader
except ImportError:  # pragma: no cover - libyaml is present in every supported wheel
    from yaml import SafeLoader as _FastSafeLoader  # type: ignore[assignment]

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 64
SCHEMA_COMMENT = "# yaml-language-server: $schema=briefing.schema.json"

# Discord's limits for the places where briefing text is shown.
EMBED_TITLE_LIMIT = 256
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
DESCRIPTION_LIMIT = 4096

_SHOWN_VALUE_LENGTH = 60
_SLUG = re.compile(SLUG_PATTERN)

_TAG = "tag:yaml.org,2002:"
_STR, _SEQ, _MAP, _MERGE = _TAG + "str", _TAG + "seq", _TAG + "map", _TAG + "merge"
_TIMESTAMP = _TAG + "timestamp"
_SCALAR_CONSTRUCTORS: dict[str, Callable[[SafeConstructor, Any], Any]] = {
    _TAG + "null": SafeConstructor.construct_yaml_null,
    _TAG + "bool": SafeConstructor.construct_yaml_bool,
    _TAG + "int": SafeConstructor.construct_yaml_int,
    _TAG + "float": SafeConstructor.construct_yaml_float,
    _TIMESTAMP: SafeConstructor.construct_yaml_timestamp,
}


class Severity(StrEnum):
    """How serious a problem is: errors stop a file from loading, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One error or warning, located in a file by line and column (both 1-based)."""

    file: str
    line: int
    column: int
    severity: Severity
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        what = f"{self.path}: {self.message}" if self.path else self.message
        return f"{where}: {self.severity}: {what}"


class SortsProblems:
    """Splits a `problems` tuple into errors and warnings."""

    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        """Only the problems that stop a file from loading."""
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """Only the problems that are reported but do not stop loading."""
        return tuple(p for p in self.problems if p.severity is Severity.WARNING)


@dataclass(frozen=True)
class FileResult(SortsProblems):
    """The outcome of loading one file: the briefing if it is valid, and its problems."""

    path: Path
    briefing: Briefing | None
    problems: tuple[Problem, ...] = ()


class _BriefingYamlLoader(_FastSafeLoader):
    """The safe loader's parser and tag resolution, minus per-node work briefings never need.

    PyYAML calls the resolver for every node; the safe loader registers no path
    resolvers, so descending and ascending are no-ops, and implicit tags are matched
    by the scalar's first character exactly as `yaml.resolver.Resolver.resolve` does.
    """

    _implicit: ClassVar[dict[str, tuple[tuple[str, re.Pattern[str]], ...]]] = {}

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """Nothing to track: there are no path resolvers."""

    def ascend_resolver(self) -> None:
        """Nothing to track: there are no path resolvers."""

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
        """The tag of a node, as the YAML 1.1 core schema of the safe loader decides it."""
        if kind is ScalarNode:
            if implicit[0]:
                for tag, regexp in self._implicit.get(value[:1], ()):
                    if regexp.match(value):
                        return tag
            return _STR
        return _SEQ if kind is SequenceNode else _MAP


def _implicit_resolvers() -> dict[str, tuple[tuple[str, re.Pattern[str]], ...]]:
    table: dict[Any, list[tuple[str, re.Pattern[str]]]] = _FastSafeLoader.yaml_implicit_resolvers
    wildcard = table.get(None, [])
    return {
        first: (*resolvers, *wildcard) for first, resolvers in table.items() if first is not None
    }


assert not _FastSafeLoader.yaml_path_resolvers, "path resolvers would need descend_resolver"
_BriefingYamlLoader._implicit = _implicit_resolvers()


class _Refused(Exception):
    """A node the builder will not turn into a value; stops building the document."""

    def __init__(self, node: yaml.Node, message: str, *, alias: bool = False) -> None:
        super().__init__(message)
        self.node = node
        self.message = message
        self.alias = alias
        self.loc: list[int | str] = []  # filled in while the exception unwinds


_ALIAS_MESSAGE = "YAML aliases are not allowed in briefings; write the value out in full"


class _TreeBuilder:
    """Turns a composed node tree into dicts, lists and scalars, refusing what briefings never need.

    Every node is visited once. A second visit can only come from an alias, so aliases,
    and with them "billion laughs" documents, are refused before anything is expanded.
    """

    def __init__(self, *, check_aliases: bool = True) -> None:
        self._scalars = SafeConstructor()
        # Without a '*' in the text there can be no alias, so nothing needs tracking.
        self._visited: set[int] | None = set() if check_aliases else None
        self.duplicates: list[tuple[yaml.Node, yaml.Node]] = []  # (first key, repeated key)

    def build(self, node: yaml.Node, depth: int = 0) -> Any:
        """The value of `node`; raises `_Refused` for what a briefing may not contain."""
        visited = self._visited
        if visited is not None:
            if id(node) in visited:
                raise _Refused(node, _ALIAS_MESSAGE, alias=True)
            visited.add(id(node))
        kind = type(node)
        tag = node.tag
        if kind is ScalarNode:
            if tag == _STR:
                return node.value
            return self._scalar(node)
        if depth >= MAX_DEPTH:
            raise _Refused(node, f"nested deeper than {MAX_DEPTH} levels")
        if kind is MappingNode and tag == _MAP:
            return self._mapping(node, depth + 1)
        if kind is SequenceNode and tag == _SEQ:
            items: list[Any] = []
            try:
                for item in node.value:
                    items.append(self.build(item, depth + 1))
            except _Refused as exc:
                exc.loc.insert(0, len(items))
                raise
            return items
        raise _Refused(node, f"the YAML tag {_short_tag(tag)} is not supported in briefings")

    def _scalar(self, node: yaml.Node) -> Any:
        construct = _SCALAR_CONSTRUCTORS.get(node.tag)
        if construct is None:
            raise _Refused(
                node, f"the YAML tag {_short_tag(node.tag)} is not supported in briefings"
            )
        try:
            return construct(self._scalars, node)
        except (ValueError, KeyError, AttributeError, TypeError, OverflowError):
            if node.tag == _TIMESTAMP:
                # An impossible date such as 2025-13-45: keep the text, so that a date
                # field reports it with its path and any text field simply accepts it.
                return node.value
            raise _Refused(
                node, f"{_shown(node.value)} is not a valid {_short_tag(node.tag)}"
            ) from None

    def _mapping(self, node: yaml.Node, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        visited = self._visited
        for key_node, value_node in node.value:
            if visited is not None:
                if id(key_node) in visited:
                    raise _Refused(key_node, _ALIAS_MESSAGE, alias=True)
                visited.add(id(key_node))
            if type(key_node) is not ScalarNode:
                raise _Refused(key_node, "a key must be a field name, not a list or mapping")
            # Keys are field names: `1:` or `yes:` is the name "1" or "yes", not a number.
            key = key_node.value
            if key_node.tag == _MERGE:
                error = _Refused(key_node, "merge keys (<<) are not supported in briefings")
                error.loc.append(key)
                raise error
            if key in result:
                first = next(k for k, _ in node.value if k.value == key)
                self.duplicates.append((first, key_node))
            try:
                result[key] = self.build(value_node, depth)
            except _Refused as exc:
                exc.loc.insert(0, key)
                raise
        return result


def _first_alias(text: str) -> yaml.AliasEvent | None:
    """The first alias in the text, found again from parser events (nothing is expanded)."""
    try:
        for event in yaml.parse(text, Loader=_FastSafeLoader):
            if isinstance(event, yaml.AliasEvent):
                return event
    except yaml.YAMLError:
        pass
    return None


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(_TAG) if tag.startswith(_TAG) else tag


def _shown(value: object) -> str:
    """A value as quoted in a message, cut short when long."""
    text = repr(value)
    if len(text) > _SHOWN_VALUE_LENGTH:
        text = text[: _SHOWN_VALUE_LENGTH - 1] + "…"
    return text


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


def _child(node: yaml.Node, part: int | str, *, key: bool = False) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        found: yaml.Node | None = None
        # The last occurrence wins, as it does when the mapping is built.
        for key_node, value_node in node.value:
            if str(key_node.value) == str(part):
                found = key_node if key else value_node
        return found
    if (
        isinstance(node, yaml.SequenceNode)
        and isinstance(part, int)
        and 0 <= part < len(node.value)
    ):
        child: yaml.Node = node.value[part]
        return child
    return None


def _node_at(
    root: yaml.Node | None, loc: Sequence[int | str], *, key: bool = False
) -> yaml.Node | None:
    """The node at `loc`, or its nearest existing parent."""
    node = root
    if node is None:
        return None
    for index, part in enumerate(loc):
        found = _child(node, part, key=key and index == len(loc) - 1)
        if found is None:
            break
        node = found
    return node


def locate(
    root: yaml.Node | None, loc: Sequence[int | str], *, key: bool = False
) -> tuple[int, int]:
    """The 1-based line and column of the node at `loc`, or of its nearest existing parent."""
    node = _node_at(root, loc, key=key)
    if node is None:
        return 1, 1
    return node.start_mark.line + 1, node.start_mark.column + 1


def _path_to(root: yaml.Node, target: yaml.Node) -> list[int | str] | None:
    """The location of `target` (a key or value node) inside `root`, searched depth first."""
    stack: list[tuple[yaml.Node, list[int | str]]] = [(root, [])]
    while stack:
        node, loc = stack.pop()
        if node is target:
            return loc
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                scalar = isinstance(key_node, yaml.ScalarNode)
                name = str(key_node.value) if scalar else "?"
                if key_node is target:
                    return [*loc, name] if scalar else loc
                stack.append((value_node, [*loc, name]))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, [*loc, i]) for i, item in enumerate(node.value))
    return None


_MODEL_AT: dict[tuple[str, ...], type[BaseModel]] = {
    (): Briefing,
    ("sections",): Section,
    ("sections", "sources"): Source,
}


def _known_fields(loc: Sequence[int | str]) -> list[str]:
    named = tuple(part for part in loc if isinstance(part, str))
    model = _MODEL_AT.get(named)
    return list(model.model_fields) if model else []


_KINDS: dict[type, str] = {
    bool: "a boolean",
    int: "a number",
    float: "a number",
    list: "a list",
    tuple: "a list",
    dict: "a mapping",
    type(None): "nothing (null)",
    dt.date: "a date",
    dt.datetime: "a date and time",
    str: "text",
}


def _describe(value: Any) -> str:
    return _KINDS.get(type(value), type(value).__name__)


def _as_written(value: Any, node: yaml.Node | None) -> str:
    """A value as the admin wrote it (the scalar's text when there is one), quoted."""
    if isinstance(node, ScalarNode):
        return _shown(node.value)
    return _shown(value)


def _message(error: ErrorDetails, node: yaml.Node | None) -> tuple[str, bool]:
    """A readable message for one pydantic error, and whether it points at a key."""
    kind = error["type"]
    loc = error["loc"]
    value = error.get("input")
    if kind == "extra_forbidden":
        name = str(loc[-1])
        close = difflib.get_close_matches(name, _known_fields(loc[:-1]), n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"unknown key '{name}'{hint}", True
    if kind == "missing":
        return "required field is missing", False
    if kind.startswith("date"):
        if isinstance(value, str | int | float | dt.date) and not isinstance(value, bool):
            return f"invalid date {_as_written(value, node)}: write it as YYYY-MM-DD", False
        return f"expected a date written as YYYY-MM-DD, found {_describe(value)}", False
    if kind == "string_pattern_mismatch":
        return f"{_shown(value)} is not a slug: use lowercase a-z, 0-9 and single dashes", False
    if kind == "string_too_short":
        return "must not be empty", False
    if kind == "string_too_long":
        return f"is too long: at most {error.get('ctx', {}).get('max_length')} characters", False
    if kind == "too_short":
        return "must have at least one item", False
    if kind in {"string_type", "tuple_type", "list_type", "model_type", "model_attributes_type"}:
        expected = {
            "string_type": "text",
            "tuple_type": "a list",
            "list_type": "a list",
        }.get(kind, "a mapping of fields")
        message = f"expected {expected}, found {_describe(value)}"
        if kind == "string_type" and isinstance(node, ScalarNode) and node.value:
            message += f" {_shown(node.value)}; put it in quotes to keep it as text"
        return message, False
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, "), False
    return str(error["msg"]), False


class _Collector:
    """Builds problems for one file from node positions."""

    def __init__(self, path: Path, root: yaml.Node | None) -> None:
        self.path = path
        self.root = root
        self.problems: list[Problem] = []
        self._file: str | None = None

    @property
    def file(self) -> str:
        """The file as problems name it (computed only once there is a problem)."""
        if self._file is None:
            self._file = display_path(self.path)
        return self._file

    def add(
        self,
        severity: Severity,
        loc: Sequence[int | str],
        message: str,
        *,
        key: bool = False,
        position: tuple[int, int] | None = None,
    ) -> None:
        """Record a problem at `position`, or at the node found at `loc`."""
        line, column = position or locate(self.root, loc, key=key)
        self.problems.append(Problem(self.file, line, column, severity, format_path(loc), message))

    def at_node(self, node: yaml.Node, message: str, *, key: bool = False) -> None:
        """Record an error at a node, with the node's path when it can be found."""
        loc = _path_to(self.root, node) if self.root is not None else None
        position = (node.start_mark.line + 1, node.start_mark.column + 1)
        self.add(Severity.ERROR, loc or (), message, key=key, position=position)

    def error(self, loc: Sequence[int | str], message: str, *, key: bool = False) -> None:
        """Record an error at `loc`."""
        self.add(Severity.ERROR, loc, message, key=key)

    def warning(self, loc: Sequence[int | str], message: str) -> None:
        """Record a warning at `loc`."""
        self.add(Severity.WARNING, loc, message)


def _read_text(path: Path, collector: _Collector) -> str | None:
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


def _reader_position(text: str, byte_offset: int) -> tuple[int, int]:
    """Line and column of a libyaml reader error, which counts UTF-8 bytes."""
    before = text.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore")
    line = before.count("\n") + 1
    return line, len(before) - (before.rfind("\n") + 1) + 1


def _parse_yaml(text: str, collector: _Collector) -> tuple[bool, Any]:
    """Parse one document into plain values; the collector keeps its node tree for positions.

    Returns whether the document could be built at all, and its value. Repeated keys are
    reported as errors but do not stop the rest of the file from being checked.
    """
    loader = _BriefingYamlLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or "invalid YAML"
        context = f" ({exc.context})" if exc.context else ""
        collector.add(
            Severity.ERROR, (), f"invalid YAML: {problem}{context}", position=(line, column)
        )
        return False, None
    except yaml.reader.ReaderError as exc:
        position = _reader_position(text, exc.position)
        if isinstance(exc.character, int):
            problem = f"unacceptable character #x{exc.character:04x}: {exc.reason}"
        else:
            problem = str(exc.reason)
        collector.add(Severity.ERROR, (), f"invalid YAML: {problem}", position=position)
        return False, None
    except yaml.YAMLError as exc:
        collector.add(Severity.ERROR, (), f"invalid YAML: {exc}", position=(1, 1))
        return False, None
    finally:
        loader.dispose()
    collector.root = root
    if root is None:
        return True, None
    builder = _TreeBuilder(check_aliases="*" in text)
    try:
        data = builder.build(root)
    except _Refused as exc:
        start, message = exc.node.start_mark, exc.message
        position = (start.line + 1, start.column + 1)
        alias = _first_alias(text) if exc.alias else None
        if alias is not None and alias.start_mark is not None:
            position = (alias.start_mark.line + 1, alias.start_mark.column + 1)
            message = f"YAML aliases (*{alias.anchor}) are not allowed in briefings; " + (
                "write the value out in full"
            )
        collector.add(Severity.ERROR, exc.loc, message, position=position)
        return False, None
    for first, repeated in builder.duplicates:
        collector.at_node(
            repeated,
            f"duplicate key '{repeated.value}': it is already set on line "
            f"{first.start_mark.line + 1}, and only one value can be kept",
        )
    return True, data


def parse_yaml(path: Path, text: str) -> tuple[yaml.Node | None, Any, list[Problem]]:
    """Parse YAML text as briefings are parsed: its node tree, its value, and its problems.

    The value is None when the text could not be parsed; repeated keys are reported but
    still give a value. `path` only names the file in the problems.
    """
    collector = _Collector(path, None)
    parsed, data = _parse_yaml(text, collector)
    return collector.root, data if parsed else None, collector.problems


def _validate(path: Path, data: Any, collector: _Collector) -> Briefing | None:
    if not isinstance(data, dict):
        found = "an empty file" if data is None else _describe(data)
        collector.error((), f"a briefing must be a mapping of fields, found {found}")
        return None
    stem = path.stem
    payload = data
    if _SLUG.fullmatch(stem) is None or len(stem) > 64:
        collector.add(
            Severity.ERROR,
            (),
            f"file name '{path.name}' is not a valid id: use lowercase a-z, 0-9 and single "
            "dashes, at most 64 characters",
            position=(1, 1),
        )
        payload = {**data, "id": "x"}  # check everything else all the same
    elif "id" not in data:
        payload = {"id": stem, **data}
    elif data["id"] != stem:
        collector.error(["id"], f"id {_shown(data['id'])} must equal the file name '{stem}'")
        payload = {**data, "id": stem}
    try:
        return Briefing.model_validate(payload)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        failed_items = {error["loc"][:-1] for error in errors if len(error["loc"]) > 1}
        for error in errors:
            loc = error["loc"]
            if error["type"] == "too_short" and any(
                item[: len(loc)] == loc for item in failed_items
            ):
                continue  # the list is short only because its items have errors of their own
            node = _node_at(collector.root, loc)
            message, at_key = _message(error, node)
            collector.error(loc, message, key=at_key)
        return None


def _check_semantics(briefing: Briefing, collector: _Collector) -> None:
    seen: dict[str, int] = {}
    for index, section in enumerate(briefing.sections):
        if section.id in seen:
            collector.error(
                ["sections", index, "id"],
                f"duplicate section id '{section.id}' (first used by sections[{seen[section.id]}])",
            )
        else:
            seen[section.id] = index


def _check_warnings(briefing: Briefing, collector: _Collector, stale_after_days: int) -> None:
    """Warn about stale sources, undated sections and text Discord cannot show whole.

    The limits follow where the bot shows each text: the title and each numbered
    section heading are embed titles (shortened), the summary and each section's
    question, answer and lead are embed descriptions, and every other text is an embed
    field value (split over several fields).
    """

    def too_long(loc: list[int | str], length: int, limit: int, place: str) -> None:
        collector.warning(
            loc,
            f"{length:,} characters, over the {limit:,} Discord allows in {place}; "
            "the bot will have to shorten or split it",
        )

    def check_items(at: list[int | str], name: str, items: tuple[str, ...]) -> None:
        # One C-level pass finds whether any item is too long; most never are.
        if items and max(map(len, items)) > FIELD_VALUE_LIMIT:
            for index, text in enumerate(items):
                if len(text) > FIELD_VALUE_LIMIT:
                    too_long([*at, name, index], len(text), FIELD_VALUE_LIMIT, "a field value")

    if len(briefing.title) > EMBED_TITLE_LIMIT:
        too_long(["title"], len(briefing.title), EMBED_TITLE_LIMIT, "an embed title")
    intro = len(briefing.summary) + (len(briefing.subtitle) + 5 if briefing.subtitle else 0)
    if intro > DESCRIPTION_LIMIT:  # shown as "**subtitle**\nsummary"
        too_long(["summary"], intro, DESCRIPTION_LIMIT, "an embed description")
    check_items([], "takeaways", briefing.takeaways)
    if briefing.closing and len(briefing.closing) > FIELD_VALUE_LIMIT:
        too_long(["closing"], len(briefing.closing), FIELD_VALUE_LIMIT, "a field value")
    for s_index, section in enumerate(briefing.sections):
        at: list[int | str] = ["sections", s_index]
        if section.published is None:
            collector.warning([*at, "id"], "section has no published date")
        numbered = len(section.heading) + len(str(s_index + 1)) + 2  # shown as "2. heading"
        if numbered > EMBED_TITLE_LIMIT:
            too_long([*at, "heading"], numbered, EMBED_TITLE_LIMIT, "a numbered section title")
        head = [t for t in (section.question, section.answer, section.lead) if t]
        head_length = sum(map(len, head)) + len(head) - 1  # joined by line breaks
        if head_length > DESCRIPTION_LIMIT:
            first = "question" if section.question else "answer"
            too_long([*at, first], head_length, DESCRIPTION_LIMIT, "an embed description")
        if len(section.answer) > FIELD_VALUE_LIMIT:
            too_long([*at, "answer"], len(section.answer), FIELD_VALUE_LIMIT, "a field value")
        if section.commentary and len(section.commentary) > FIELD_VALUE_LIMIT:
            length = len(section.commentary)
            too_long([*at, "commentary"], length, FIELD_VALUE_LIMIT, "a field value")
        check_items(at, "points", section.points)
        check_items(at, "body", section.body)
        check_items(at, "reactions", section.reactions)
        for src_index, source in enumerate(section.sources):
            published = section.source_date(source)
            if published is not None and briefing.is_stale(section, source, stale_after_days):
                age = (briefing.updated - published).days
                loc: list[int | str] = [*at, "sources", src_index]
                loc.append("published" if source.published else "url")
                collector.warning(
                    loc,
                    f"source '{source.name}' is stale: published {published.isoformat()}, "
                    f"{age} days before the briefing's update ({stale_after_days} allowed)",
                )


def load_file(path: Path, *, stale_after_days: int = 365) -> FileResult:
    """Read, parse and validate one briefing file; never raises, whatever the file holds."""
    try:
        return _load_file(path, stale_after_days)
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
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while one file is parsed and validated.

    Parsing allocates tens of thousands of short-lived, acyclic YAML nodes and marks,
    which reference counting frees. Each allocation still counts towards the cyclic
    collector's thresholds, so it would otherwise run many times per file and rescan
    every briefing already loaded (30-40% of a large load). The pause lasts one file
    (milliseconds); allocations made meanwhile are collected as usual right after.
    A collector that someone else disabled is left alone.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _load_file(path: Path, stale_after_days: int) -> FileResult:
    collector = _Collector(path, None)
    text = _read_text(path, collector)
    briefing: Briefing | None = None
    with _cyclic_gc_paused():
        parsed, data = _parse_yaml(text, collector) if text is not None else (False, None)
        candidate = _validate(path, data, collector) if parsed else None
    if candidate is not None:
        _check_semantics(candidate, collector)
        if not collector.problems:
            _check_warnings(candidate, collector, stale_after_days)
            briefing = candidate
    return FileResult(path, briefing, tuple(sorted(collector.problems)))


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
    results = {
        path: load_file(path, stale_after_days=stale_after_days) for path in briefing_files(paths)
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
        collector = _Collector(path, _reparse_root(path))
        for loc, name in clashes:
            other = display_path(owners[name])
            collector.error(loc, f"'{name}' is already used as an id or alias by {other}")
        problems.extend(collector.problems)
        resolved[path] = FileResult(path, None, tuple(sorted(problems)))
    return resolved


def _reparse_root(path: Path) -> yaml.Node | None:
    try:
        text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
        return yaml.compose(text, Loader=_FastSafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None


def iter_problems(results: Iterable[FileResult]) -> Iterator[Problem]:
    """Every problem of the given file results, in order."""
    for result in results:
        yield from result.problems
