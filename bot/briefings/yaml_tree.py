"""YAML text to plain values, keeping the node tree so that every value has a position.

libyaml (C) composes the node tree; `TreeBuilder` then turns nodes into plain Python
values itself instead of PyYAML's generic constructor. That is both faster and stricter:
aliases, merge keys and explicit tags other than the core ones are refused at their
position, a repeated key is reported instead of silently overwriting the earlier value,
and an impossible date such as 2025-13-45 stays text so that the date field reports it.

`NodeIndex` finds the node at a location such as `("sections", 2, "sources", 0, "url")`
by one dictionary look-up per part, and every node's location in one walk of the tree,
so that placing any number of problems stays linear in the file. Nothing here knows what
a briefing is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

try:
    from yaml import CSafeLoader as FastSafeLoader
except ImportError:  # pragma: no cover - libyaml is present in every supported wheel
    from yaml import SafeLoader as FastSafeLoader  # type: ignore[assignment]

MAX_DEPTH = 64
_SHOWN_VALUE_LENGTH = 60

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
_ALIAS_MESSAGE = "YAML aliases are not allowed in briefings; write the value out in full"

Location = list[int | str]


def quote_value(value: object) -> str:
    """A value as quoted in a message, cut short when long."""
    text = repr(value)
    if len(text) > _SHOWN_VALUE_LENGTH:
        text = text[: _SHOWN_VALUE_LENGTH - 1] + "…"
    return text


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(_TAG) if tag.startswith(_TAG) else tag


class _BriefingYamlLoader(FastSafeLoader):
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
    table: dict[Any, list[tuple[str, re.Pattern[str]]]] = FastSafeLoader.yaml_implicit_resolvers
    wildcard = table.get(None, [])
    return {
        first: (*resolvers, *wildcard) for first, resolvers in table.items() if first is not None
    }


assert not FastSafeLoader.yaml_path_resolvers, "path resolvers would need descend_resolver"
_BriefingYamlLoader._implicit = _implicit_resolvers()


class Refused(Exception):
    """A node the builder will not turn into a value; stops building the document."""

    def __init__(self, node: yaml.Node, message: str, *, alias: bool = False) -> None:
        super().__init__(message)
        self.node = node
        self.message = message
        self.alias = alias
        self.loc: Location = []  # filled in while the exception unwinds


class TreeBuilder:
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
        """The value of `node`; raises `Refused` for what a briefing may not contain."""
        visited = self._visited
        if visited is not None:
            if id(node) in visited:
                raise Refused(node, _ALIAS_MESSAGE, alias=True)
            visited.add(id(node))
        kind = type(node)
        tag = node.tag
        if kind is ScalarNode:
            if tag == _STR:
                return node.value
            return self._scalar(node)
        if depth >= MAX_DEPTH:
            raise Refused(node, f"nested deeper than {MAX_DEPTH} levels")
        if kind is MappingNode and tag == _MAP:
            return self._mapping(node, depth + 1)
        if kind is SequenceNode and tag == _SEQ:
            items: list[Any] = []
            try:
                for item in node.value:
                    items.append(self.build(item, depth + 1))
            except Refused as exc:
                exc.loc.insert(0, len(items))
                raise
            return items
        raise Refused(node, f"the YAML tag {_short_tag(tag)} is not supported in briefings")

    def _scalar(self, node: yaml.Node) -> Any:
        construct = _SCALAR_CONSTRUCTORS.get(node.tag)
        if construct is None:
            raise Refused(
                node, f"the YAML tag {_short_tag(node.tag)} is not supported in briefings"
            )
        try:
            return construct(self._scalars, node)
        except (ValueError, KeyError, AttributeError, TypeError, OverflowError):
            if node.tag == _TIMESTAMP:
                # An impossible date such as 2025-13-45: keep the text, so that a date
                # field reports it with its path and any text field simply accepts it.
                return node.value
            raise Refused(
                node, f"{quote_value(node.value)} is not a valid {_short_tag(node.tag)}"
            ) from None

    def _mapping(self, node: yaml.Node, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        visited = self._visited
        first_keys: dict[str, yaml.Node] | None = None  # built at this mapping's first repeat
        for key_node, value_node in node.value:
            if visited is not None:
                if id(key_node) in visited:
                    raise Refused(key_node, _ALIAS_MESSAGE, alias=True)
                visited.add(id(key_node))
            if type(key_node) is not ScalarNode:
                raise Refused(key_node, "a key must be a field name, not a list or mapping")
            # Keys are field names: `1:` or `yes:` is the name "1" or "yes", not a number.
            key = key_node.value
            if key_node.tag == _MERGE:
                error = Refused(key_node, "merge keys (<<) are not supported in briefings")
                error.loc.append(key)
                raise error
            if key in result:
                if first_keys is None:
                    first_keys = {}
                    for earlier, _ in node.value:
                        if type(earlier) is ScalarNode:
                            first_keys.setdefault(earlier.value, earlier)
                self.duplicates.append((first_keys[key], key_node))
            try:
                result[key] = self.build(value_node, depth)
            except Refused as exc:
                exc.loc.insert(0, key)
                raise
        return result


def first_alias(text: str) -> yaml.AliasEvent | None:
    """The first alias in the text, found again from parser events (nothing is expanded)."""
    try:
        for event in yaml.parse(text, Loader=FastSafeLoader):
            if isinstance(event, yaml.AliasEvent):
                return event
    except yaml.YAMLError:
        pass
    return None


def _reader_position(text: str, byte_offset: int) -> tuple[int, int]:
    """Line and column of a libyaml reader error, which counts UTF-8 bytes."""
    before = text.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore")
    line = before.count("\n") + 1
    return line, len(before) - (before.rfind("\n") + 1) + 1


def _start(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


@dataclass(frozen=True)
class YamlError:
    """Why a document was refused, at a 1-based line and column and a location in the data."""

    line: int
    column: int
    message: str
    loc: tuple[int | str, ...] = ()


@dataclass
class Document:
    """One parsed YAML document: its node tree, its value and what was refused.

    `built` is False when the text has no value at all (invalid YAML, or a node that
    was refused); `duplicates` pairs each repeated key with the first one, which still
    gives a value (the later one wins).
    """

    root: yaml.Node | None = None
    value: Any = None
    built: bool = False
    error: YamlError | None = None
    duplicates: list[tuple[yaml.Node, yaml.Node]] = field(default_factory=list)


_KEY_AND_VALUE = re.compile(r"^\s*(?:-\s+)?([^\s'\"#\[{][^:]*?):[ \t]+(\S.*?)\s*$")


def _line_of(text: str, line: int) -> str:
    """The 1-based `line` of the text ("" past its end)."""
    lines = text.split("\n", line)
    return lines[line - 1] if 0 < line <= len(lines) else ""


def syntax_hint(text: str, line: int) -> str:
    """A hint for the commonest slips on a line YAML refused: a tab, an unquoted ': '."""
    shown = _line_of(text, line)
    if "\t" in shown:
        return "; this line holds a tab: YAML indents with spaces only, so replace it with spaces"
    found = _KEY_AND_VALUE.match(shown)
    if found is not None:
        key, value = found.groups()
        if value[0] not in "'\"|>[{" and (": " in value or value.endswith(":")):
            quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
            if len(quoted) > _SHOWN_VALUE_LENGTH:
                quoted = quoted[: _SHOWN_VALUE_LENGTH - 2] + '…"'
            return (
                f"; the value of '{key}' holds ': ', which YAML reads as another key: "
                f"put the whole value in quotes, {key}: {quoted}"
            )
    return ""


def _compose(text: str) -> yaml.Node | YamlError | None:
    loader = _BriefingYamlLoader(text)
    try:
        root: yaml.Node | None = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        context = f" ({exc.context})" if exc.context else ""
        problem = f"{exc.problem or 'invalid YAML'}{context}{syntax_hint(text, line)}"
        return YamlError(line, column, f"invalid YAML: {problem}")
    except yaml.reader.ReaderError as exc:
        line, column = _reader_position(text, exc.position)
        if isinstance(exc.character, int):
            problem = f"unacceptable character #x{exc.character:04x}: {exc.reason}"
        else:
            problem = str(exc.reason)
        return YamlError(line, column, f"invalid YAML: {problem}")
    except yaml.YAMLError as exc:
        return YamlError(1, 1, f"invalid YAML: {exc}")
    finally:
        loader.dispose()
    return root


def compose_tree(text: str) -> yaml.Node | None:
    """The document's node tree only, or None when the text is not one valid YAML document."""
    composed = _compose(text)
    return None if isinstance(composed, YamlError) else composed


def parse_document(text: str) -> Document:
    """Parse one YAML document into plain values, keeping its node tree for positions."""
    composed = _compose(text)
    if isinstance(composed, YamlError):
        return Document(error=composed)
    if composed is None:
        return Document(built=True)
    builder = TreeBuilder(check_aliases="*" in text)
    try:
        value = builder.build(composed)
    except Refused as exc:
        (line, column), message = _start(exc.node), exc.message
        alias = first_alias(text) if exc.alias else None
        if alias is not None and alias.start_mark is not None:
            line, column = alias.start_mark.line + 1, alias.start_mark.column + 1
            message = f"YAML aliases (*{alias.anchor}) are not allowed in briefings; " + (
                "write the value out in full"
            )
        return Document(root=composed, error=YamlError(line, column, message, tuple(exc.loc)))
    return Document(root=composed, value=value, built=True, duplicates=builder.duplicates)


class NodeIndex:
    """Finds nodes of one tree by location, one look-up per part of the location.

    A mapping's keys are indexed the first time a location passes through it (the last
    occurrence of a repeated key wins, as when the mapping is built), so any number of
    look-ups costs the size of the mappings they pass through once, plus their lengths.
    """

    def __init__(self, root: yaml.Node | None) -> None:
        self.root = root
        self._keys: dict[int, dict[str, tuple[yaml.Node, yaml.Node]]] = {}

    def _entries(self, mapping: yaml.Node) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        entries = self._keys.get(id(mapping))
        if entries is None:
            entries = {}
            for key_node, value_node in mapping.value:
                if isinstance(key_node, ScalarNode):
                    entries[str(key_node.value)] = (key_node, value_node)
            self._keys[id(mapping)] = entries
        return entries

    def _child(self, node: yaml.Node, part: int | str, *, key: bool) -> yaml.Node | None:
        if isinstance(node, MappingNode):
            entry = self._entries(node).get(str(part))
            if entry is None:
                return None
            return entry[0] if key else entry[1]
        if isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            child: yaml.Node = node.value[part]
            return child
        return None

    def node_at(self, loc: Sequence[int | str], *, key: bool = False) -> yaml.Node | None:
        """The node at `loc` (its key node with `key`), or its nearest existing parent."""
        node = self.root
        if node is None:
            return None
        last = len(loc) - 1
        for index, part in enumerate(loc):
            found = self._child(node, part, key=key and index == last)
            if found is None:
                break
            node = found
        return node

    def locate(self, loc: Sequence[int | str], *, key: bool = False) -> tuple[int, int]:
        """The 1-based line and column of the node at `loc`, or of its nearest existing parent."""
        node = self.node_at(loc, key=key)
        return (1, 1) if node is None else _start(node)

    def paths_to(self, targets: Iterable[yaml.Node]) -> dict[int, Location]:
        """The location of each target (a key or value node), by `id`, from one walk of the tree.

        A key node's location ends with its own name, as a value node's does.
        """
        wanted = {id(node) for node in targets}
        found: dict[int, Location] = {}
        if self.root is None or not wanted:
            return found
        stack: list[tuple[yaml.Node, Location]] = [(self.root, [])]
        seen: set[int] = set()  # an alias would lead to a node twice
        while stack and len(found) < len(wanted):
            node, loc = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if id(node) in wanted:
                found.setdefault(id(node), loc)
            if isinstance(node, MappingNode):
                for key_node, value_node in node.value:
                    scalar = isinstance(key_node, ScalarNode)
                    name = str(key_node.value) if scalar else "?"
                    if id(key_node) in wanted:
                        found.setdefault(id(key_node), [*loc, name] if scalar else loc)
                    stack.append((value_node, [*loc, name]))
            elif isinstance(node, SequenceNode):
                stack.extend((item, [*loc, i]) for i, item in enumerate(node.value))
        return found


def locate(
    root: yaml.Node | None, loc: Sequence[int | str], *, key: bool = False
) -> tuple[int, int]:
    """The 1-based line and column of the node at `loc`, or of its nearest existing parent."""
    return NodeIndex(root).locate(loc, key=key)
