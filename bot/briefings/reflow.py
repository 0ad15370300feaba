"""Briefing text as Discord should show it: lines broken mid-sentence joined again.

A YAML block scalar (`summary: |`) keeps every line break the admin typed, and Discord
shows each one, so a sentence wrapped at 80 columns in the editor comes out broken
mid-line. `reflow` joins a single line break inside a paragraph, unless the line ends a
sentence (`.`, `!`, `?`, `:`, `。`, `！`, `？`, `：`, `…`, maybe followed by a closing quote
or bracket) or the next line looks like a list item (`- `, `* `, `• `, `✅`, `💡`, `1.`,
`1)`); paragraph breaks (blank lines) stay. Between two CJK characters the lines are
joined with nothing, elsewhere with a space. The stored text never changes, so content
hashes and digests do not either.
"""

from __future__ import annotations

import re

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_ENDS_SENTENCE = re.compile(r"[.!?:。！？：…]['\"”’」』)）\]]*$")
_LIST_ITEM = re.compile(r"^(?:[-*•・※▶→✅💡💬]|\d{1,3}[.)、．）])(?:\s|$)|^[✅💡💬※・•]")
# Scripts written without spaces between words: Japanese kana, CJK ideographs, Hangul is
# not (it uses spaces), full-width forms.
_NO_SPACE = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def _join(before: str, after: str) -> str:
    """The two lines as one: with nothing between CJK characters, else with a space."""
    if _NO_SPACE.match(before[-1:]) and _NO_SPACE.match(after[:1]):
        return before + after
    return f"{before} {after}"


def _reflow_paragraph(paragraph: str) -> str:
    lines = [line.strip() for line in paragraph.split("\n")]
    out = lines[0]
    for line in lines[1:]:
        if _ENDS_SENTENCE.search(out) or _LIST_ITEM.match(line) or not out:
            out += "\n" + line
        else:
            out = _join(out, line)
    return out


def reflow(text: str) -> str:
    """The text with single line breaks inside a sentence joined; paragraphs and lists kept."""
    if "\n" not in text:
        return text
    return "\n\n".join(_reflow_paragraph(p) for p in _PARAGRAPH_BREAK.split(text.strip()))
