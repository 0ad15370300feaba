"""Scripted edits to a briefing file, for `edit TOPIC ACTION ...` in the demo.

When no editor can be opened (piped input, no `$EDITOR`), a change is given on the line:

    edit TOPIC answer N TEXT        section N's answer becomes TEXT
    edit TOPIC heading N TEXT       section N's heading becomes TEXT
    edit TOPIC point N TEXT         section N gets TEXT as one more key point
    edit TOPIC add HEADING | ANSWER a new last section (its id comes from the heading)
    edit TOPIC remove N             section N is removed

N is a section's number as `/briefing section` shows it (1 is the first) or its id.
The file is read as YAML, changed and written back (its leading comment lines are
kept; other comments and layout are not), so the bot reloads it like any edit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

Action = Literal["answer", "heading", "point", "add", "remove"]
ACTIONS: tuple[Action, ...] = ("answer", "heading", "point", "add", "remove")
EDIT_SYNTAX = """\
  edit TOPIC answer N TEXT          section N's answer becomes TEXT
  edit TOPIC heading N TEXT         section N's heading becomes TEXT
  edit TOPIC point N TEXT           section N gets TEXT as one more key point
  edit TOPIC add HEADING | ANSWER   a new last section
  edit TOPIC remove N               section N is removed
  (N is a section number, 1 = the first, or a section id)"""


@dataclass(frozen=True)
class ScriptedEdit:
    """One change to one briefing's sections."""

    action: Action
    section: str = ""  # a number or a section id; empty for `add`
    text: str = ""


def parse_edit(words: str) -> ScriptedEdit:
    """`answer 1 New text` -> ScriptedEdit("answer", "1", "New text"); ValueError if malformed."""
    word, _, rest = words.strip().partition(" ")
    action = next((known for known in ACTIONS if known == word.lower()), None)
    rest = rest.strip()
    if action is None:
        raise ValueError(f"no edit {word!r}; the scripted edits are:\n{EDIT_SYNTAX}")
    if action == "add":
        heading, _, answer = rest.partition("|")
        if not heading.strip() or not answer.strip():
            raise ValueError("add takes a heading and an answer: edit TOPIC add HEADING | ANSWER")
        return ScriptedEdit("add", text=f"{heading.strip()}|{answer.strip()}")
    section, _, text = rest.partition(" ")
    if not section:
        raise ValueError(f"{action} needs a section number, e.g. edit TOPIC {action} 1 ...")
    if action == "remove":
        if text.strip():
            raise ValueError("remove takes only a section: edit TOPIC remove N")
        return ScriptedEdit("remove", section)
    if not text.strip():
        raise ValueError(f"{action} needs the new text: edit TOPIC {action} {section} TEXT")
    return ScriptedEdit(action, section, text.strip())


def _sections(data: Any) -> list[dict[str, Any]]:
    sections = data.get("sections") if isinstance(data, dict) else None
    if not isinstance(sections, list) or not all(isinstance(s, dict) for s in sections):
        raise ValueError("this file has no list of sections to edit; fix it in an editor")
    return sections


def _find(sections: list[dict[str, Any]], wanted: str) -> int:
    """The index of section `wanted` (a 1-based number or an id)."""
    if wanted.isdigit() and 1 <= int(wanted) <= len(sections):
        return int(wanted) - 1
    for index, section in enumerate(sections):
        if str(section.get("id")) == wanted:
            return index
    raise ValueError(f"no section {wanted!r}; give a number from 1 to {len(sections)} or an id")


def _new_id(heading: str, sections: list[dict[str, Any]]) -> str:
    """A slug from the heading's ASCII words, else `section-N`; unique in the briefing."""
    taken = {str(section.get("id")) for section in sections}
    base = re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")[:40].strip("-")
    base = base or f"section-{len(sections) + 1}"
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def apply_edit(data: Any, edit: ScriptedEdit) -> str:
    """Change the parsed briefing `data` in place; say what changed."""
    sections = _sections(data)
    if edit.action == "add":
        heading, _, answer = edit.text.partition("|")
        section_id = _new_id(heading, sections)
        sections.append({"id": section_id, "heading": heading, "answer": answer})
        return f"added section {len(sections)} “{heading}” (id {section_id})"
    index = _find(sections, edit.section)
    section = sections[index]
    label = f"section {index + 1} “{section.get('heading', section.get('id'))}”"
    if edit.action == "remove":
        if len(sections) == 1:
            raise ValueError("a briefing needs at least one section; add one before removing this")
        del sections[index]
        return f"removed {label}"
    if edit.action == "point":
        points = section.get("points") or []
        section["points"] = [*points, edit.text]
        return f"{label} has a new key point"
    section[edit.action] = edit.text
    return f"{label} has a new {edit.action}"


class _BlockDumper(yaml.SafeDumper):
    """Writes multi-line strings as `|` blocks, as people write them."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _represent_text)


def edit_briefing_file(path: Path, edit: ScriptedEdit) -> str:
    """Apply `edit` to the briefing file at `path` and write it back; say what changed."""
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        message = f"{path.name} is not valid YAML now ({error}); fix it in an editor"
        raise ValueError(message) from None
    done = apply_edit(data, edit)
    header = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        header.append(line)
    body = yaml.dump(
        data, Dumper=_BlockDumper, allow_unicode=True, sort_keys=False, width=100, indent=2
    )
    path.write_text("".join(f"{line}\n" for line in header) + body, encoding="utf-8")
    return done
