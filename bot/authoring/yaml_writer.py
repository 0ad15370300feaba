"""Writing YAML that a person will edit: keys in the order given, comments, block scalars.

PyYAML's emitter cannot write comments, picks quoting for itself and folds long text at
arbitrary places, so briefings are written here instead. Every text is written in the
plainest style that reads back as exactly the same string:

- several lines: a literal block (`|-`), one line of YAML per line of text;
- one line that fits in `LINE_WIDTH` columns: a plain scalar, or double quotes when a
  plain one would read back as something else (`no`, `2025-03-14`, `a: b`, `#x`);
- one longer line: a folded block (`>-`), wrapped at single spaces where it has any;
- anything a block cannot hold exactly (line separators, control characters):
  double quotes with escapes.

Japanese and other non-ASCII text is written as it is, never escaped.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import yaml

try:
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - libyaml is present in every supported wheel
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

LINE_WIDTH = 100
FOLD_WIDTH = 88
INDENT = 2

# Characters a block scalar holds exactly: YAML's printable set without the ones that a
# reader takes as line breaks (\r, \x85, \u2028, \u2029) or as a byte-order mark.
_NOT_BLOCK_SAFE = re.compile(
    "[^\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
# A space that a folded block may turn into a line break: single, between two non-spaces.
_FOLD_POINT = re.compile(r"(?<=\S) (?=\S)")
_SIMPLE_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t"}


@dataclass(frozen=True)
class Block:
    """A mapping written as one item of a list, such as a section or a source."""

    entries: tuple[Entry, ...]
    comment: tuple[str, ...] = ()
    blank_line_before: bool = False


Scalar: TypeAlias = str | dt.date
Value: TypeAlias = str | dt.date | tuple[str, ...] | tuple[Block, ...]


@dataclass(frozen=True)
class Entry:
    """One `key: value` line (or block), with optional comment lines written above it."""

    key: str
    value: Value
    comment: tuple[str, ...] = ()
    blank_line_before: bool = False
    flow: bool = False  # write a list of short texts on one line, as `[a, b]`


def render_yaml(entries: Sequence[Entry], *, header: Sequence[str] = ()) -> str:
    """The YAML text of a mapping, preceded by `header` comment lines."""
    lines = [line for text in header for line in _comment_lines(text, 0)]
    for entry in entries:
        lines.extend(_entry_lines(entry, 0, ""))
    return "\n".join(lines) + "\n"


def _comment_lines(text: str, indent: int) -> list[str]:
    """`text` as comment lines at `indent`, wrapped at spaces to fit in `LINE_WIDTH`."""
    prefix = " " * indent + "#"
    if not text:
        return [prefix]
    width = max(LINE_WIDTH - len(prefix) - 1, 20)
    wrapped = textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)
    return [f"{prefix} {line}" for line in wrapped]


def _entry_lines(entry: Entry, indent: int, item_marker: str) -> list[str]:
    """The lines of one entry whose key starts at column `indent`.

    `item_marker` is `"- "` when the entry opens a list item; the marker then sits just
    left of the key, and the comment and blank line go above the marker.
    """
    marker_indent = indent - len(item_marker)
    lines = [""] if entry.blank_line_before else []
    for text in entry.comment:
        lines.extend(_comment_lines(text, marker_indent))
    key = " " * marker_indent + item_marker + entry.key + ":"
    value = entry.value
    if isinstance(value, str | dt.date):
        lines.extend(_scalar_lines(key, value, indent, in_list=False))
        return lines
    if not value:
        lines.append(key + " []")
        return lines
    if all(isinstance(item, Block) for item in value):
        lines.append(key)
        for block in value:
            assert isinstance(block, Block)
            lines.extend(_block_item_lines(block, indent + INDENT))
        return lines
    texts = tuple(item for item in value if isinstance(item, str))
    flow = _flow_list(texts) if entry.flow else None
    if flow is not None and len(key) + 1 + len(flow) <= LINE_WIDTH:
        lines.append(f"{key} {flow}")
        return lines
    lines.append(key)
    dash = " " * (indent + INDENT) + "-"
    for text in texts:
        lines.extend(_scalar_lines(dash, text, indent + INDENT, in_list=True))
    return lines


def _block_item_lines(block: Block, dash_indent: int) -> list[str]:
    key_indent = dash_indent + INDENT
    lines = [""] if block.blank_line_before else []
    for text in block.comment:
        lines.extend(_comment_lines(text, dash_indent))
    for index, entry in enumerate(block.entries):
        marker = "- " if index == 0 else ""
        lines.extend(_entry_lines(entry, key_indent, marker))
    return lines


def _scalar_lines(prefix: str, value: Scalar, indent: int, *, in_list: bool) -> list[str]:
    """`prefix` (`key:` or `-`) and the value; block content goes at `indent` + 2."""
    if isinstance(value, dt.date):
        return [f"{prefix} {value.isoformat()}"]
    content = " " * (indent + INDENT)
    if "\n" in value:
        if _literal_is_exact(value):
            return [f"{prefix} |-", *(content + line if line else "" for line in value.split("\n"))]
        return [f"{prefix} {double_quoted(value)}"]
    one_line = f"{prefix} {value}"
    if len(one_line) <= LINE_WIDTH:
        if plain_is_exact(value, in_list=in_list):
            return [one_line]
        return [f"{prefix} {double_quoted(value)}"]
    if _literal_is_exact(value):
        return [
            f"{prefix} >-",
            *(content + line for line in fold(value, FOLD_WIDTH - len(content))),
        ]
    return [f"{prefix} {double_quoted(value)}"]


def plain_is_exact(text: str, *, in_list: bool) -> bool:
    """Whether `text` written without quotes reads back as the same string."""
    if not text or text != text.strip():
        return False
    document = f"- {text}" if in_list else f"key: {text}"
    expected: Any = [text] if in_list else {"key": text}
    try:
        return bool(yaml.load(document, Loader=_SafeLoader) == expected)
    except yaml.YAMLError:
        return False


def _literal_is_exact(text: str) -> bool:
    """Whether a block scalar (`|-` or `>-`) holds `text` exactly."""
    first_line = text.split("\n", 1)[0]
    return (
        bool(first_line)
        and not first_line[0].isspace()
        and not text.endswith(("\n", " ", "\t"))
        and _NOT_BLOCK_SAFE.search(text) is None
    )


def fold(text: str, width: int) -> list[str]:
    """Break one line of text at single spaces into lines of at most `width` where possible.

    A folded block joins its lines with one space again, so nothing changes; a word
    longer than `width` (or text without spaces, such as Japanese) stays on one line.
    """
    words = _FOLD_POINT.split(text)
    lines = [words[0]]
    for word in words[1:]:
        if len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def double_quoted(text: str) -> str:
    """`text` as a double-quoted YAML scalar; only what YAML cannot hold raw is escaped."""
    out = ['"']
    for char in text:
        if char in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[char])
        elif _NOT_BLOCK_SAFE.match(char):
            code = ord(char)
            if code <= 0xFF:
                out.append(f"\\x{code:02X}")
            elif code <= 0xFFFF:
                out.append(f"\\u{code:04X}")
            else:
                out.append(f"\\U{code:08X}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _flow_list(texts: tuple[str, ...]) -> str | None:
    """`[a, b]` when every item reads back unchanged inside a flow list, else None."""
    flow = "[" + ", ".join(texts) + "]"
    try:
        loaded = yaml.load(f"key: {flow}", Loader=_SafeLoader)
    except yaml.YAMLError:
        return None
    return flow if loaded == {"key": list(texts)} else None
