"""Reading a news document of the seed's shape: what each line is, and where sections are.

The shape, one piece of text per line (docs/authoring.md has an example):

    title?subtitle                         the subtitle run into the title
    summary
    heading                                each section: four lines,
    question                               then its marked lines
    answer
    lead
    公開日:2025/03/14                       optional (English: `Published:`)
    ✅ point                                one or more
    さらに読む ⇒NAME:DESCRIPTION出典/画像元: URLcommentary
    commentary
    body…
    reader reaction
    closing                                after the last section, two lines
    💡 takeaway                             one or more

Only marked lines are recognised here: 公開日, ✅, さらに読む and 💡 (and their
English forms). The text lines between them are kept together as runs, and
`bot.authoring.importer` decides by position which field each line of a run belongs to.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from enum import Enum

HEADING_BLOCK_LINES = 4  # heading, question, answer, lead

_DATE_LINE = re.compile(r"^(?:公開日|Published)\s*[:：]\s*(?P<text>.*)$", re.IGNORECASE)
_POINT_LINE = re.compile("^\u2705\ufe0f?\\s*(?P<text>.*)$")
_TAKEAWAY_LINE = re.compile("^\U0001f4a1\ufe0f?\\s*(?P<text>.*)$")
_SOURCE_LINE = re.compile(
    r"^(?:さらに読む|Read more)\s*(?:⇒|→|=>|->|:|：)\s*(?P<text>.*)$", re.IGNORECASE
)
_DATE_VALUE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_CREDIT_LABEL = re.compile(r"(?:出典[/／]画像元|出典|画像元|Source/Image|Source)\s*[:：]\s*")
_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
# An English word run into the end of a URL: `…/winter-2025Late-shift workers …`.
_WORD_RUN_INTO_URL = re.compile(r"(?<=[a-z0-9])[A-Z][a-z]+(?:[-'][A-Za-z]+)*[,.;:!?]?$")
_NAME_SEPARATOR = re.compile(r"\s*[:：]\s*")
_PUBLISHER_PATTERNS = (
    re.compile(r"^(?P<publisher>.+?)が運営する"),
    re.compile(r"\b(?:run|operated|published|owned) by (?P<publisher>[^,;:]+?)\.?$"),
)


class LineKind(Enum):
    """What a non-blank line of a document is."""

    TEXT = "text"
    DATE = "date"  # 公開日:YYYY/MM/DD
    POINT = "point"  # ✅
    SOURCE = "source"  # さらに読む ⇒ … 出典/画像元: URL
    TAKEAWAY = "takeaway"  # 💡


_SECTION_MARKS = (LineKind.DATE, LineKind.POINT, LineKind.SOURCE)


class DocumentShapeError(ValueError):
    """The document has nothing of the seed's shape that a briefing could be made from."""


@dataclass(frozen=True)
class DocumentLine:
    """One non-blank line: its number (from 1), its kind, and its text after any marker."""

    number: int
    kind: LineKind
    text: str


@dataclass(frozen=True)
class CitedSource:
    """What a さらに読む line says: the source, and the commentary run into its end."""

    line: int
    name: str
    description: str | None
    publisher: str | None
    url: str | None
    tail: str  # text after the URL on the same line: the start of the commentary
    doubts: tuple[tuple[str, str], ...] = ()  # (field, message) for the importer to warn


@dataclass
class MarkedItem:
    """A ✅ point or 💡 takeaway, with the unmarked lines that continue it."""

    line: DocumentLine
    continuations: list[DocumentLine] = field(default_factory=list)


@dataclass
class SectionMarks:
    """The marked lines of one section, and unmarked lines found among them."""

    date: DocumentLine | None = None
    lead_continuations: list[DocumentLine] = field(default_factory=list)
    points: list[MarkedItem] = field(default_factory=list)
    sources: list[CitedSource] = field(default_factory=list)
    first_line: int = 0


@dataclass
class DocumentLayout:
    """A document cut at its marked lines.

    `runs[k]` holds the unmarked lines before `sections[k]`'s marks, and `runs[-1]`
    those after the last section's marks, up to the takeaways: one more run than there
    are sections.
    """

    runs: list[list[DocumentLine]]
    sections: list[SectionMarks]
    takeaways: list[MarkedItem]
    early_takeaways: list[int]  # indexes into `takeaways` of 💡 lines found before the end


def classify_line(number: int, line: str) -> DocumentLine | None:
    """The kind and text of one line, or None when it is blank."""
    stripped = line.strip()
    if not stripped:
        return None
    for kind, pattern in (
        (LineKind.DATE, _DATE_LINE),
        (LineKind.POINT, _POINT_LINE),
        (LineKind.TAKEAWAY, _TAKEAWAY_LINE),
        (LineKind.SOURCE, _SOURCE_LINE),
    ):
        match = pattern.match(stripped)
        if match:
            return DocumentLine(number, kind, match["text"].strip())
    return DocumentLine(number, LineKind.TEXT, stripped)


def parse_date(text: str) -> dt.date | None:
    """A date written YYYY/MM/DD, YYYY-MM-DD, YYYY.MM.DD or YYYY年M月D日; None otherwise."""
    match = _DATE_VALUE.match(unicodedata.normalize("NFKC", text).strip())
    if match is None:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def parse_source_line(line: DocumentLine) -> CitedSource:
    """Split a さらに読む line into name, description, publisher, URL and the text after it."""
    doubts: list[tuple[str, str]] = []
    text = line.text
    label = _CREDIT_LABEL.search(text)
    cited, after = (text[: label.start()], text[label.end() :]) if label else ("", text)
    url_match = _URL.search(after)
    if url_match is None:
        url, tail = None, ""
        cited = f"{cited} {after}".strip() if label else after
        doubts.append(
            (
                "url",
                (
                    "no URL found on the source line: the source is written without one; "
                    "check where its name and description end"
                ),
            )
        )
    else:
        url, tail = url_match.group(), after[url_match.end() :]
        before_url = after[: url_match.start()].strip()
        if before_url:
            cited = f"{cited} {before_url}".strip()
            if label:
                doubts.append(
                    ("name", f"text between the source label and the URL: {before_url!r}")
                )
        url, tail = _unglue_english_word(url, tail, doubts)
    name, description = _split_name(cited)
    if not name:
        doubts.append(("name", "no source name found before the URL: write it in (required)"))
    return CitedSource(
        line=line.number,
        name=name,
        description=description,
        publisher=_publisher(description),
        url=url,
        tail=tail.strip(),
        doubts=tuple(doubts),
    )


def _split_name(cited: str) -> tuple[str, str | None]:
    """`時事ドットコム:時事通信社が運営するニュースサイト` → name and description."""
    parts = _NAME_SEPARATOR.split(cited.strip(), maxsplit=1)
    name = parts[0].strip()
    description = parts[1].strip() if len(parts) > 1 else ""
    return name, description or None


def _publisher(description: str | None) -> str | None:
    """The organisation a description names as running the source, if it names one."""
    if description is None:
        return None
    for pattern in _PUBLISHER_PATTERNS:
        match = pattern.search(description)
        if match:
            return match["publisher"].strip()
    return None


def _unglue_english_word(url: str, tail: str, doubts: list[tuple[str, str]]) -> tuple[str, str]:
    """Take an English word off the end of a URL when the commentary ran into it.

    Japanese commentary cannot be part of a URL, so it always separates cleanly. An
    English sentence can (`…/winter-2025Late-shift workers are …`): when the URL ends
    in a capitalised word right after a lowercase letter or digit, and more words follow,
    the word is read as the commentary's first one, and the guess is reported.
    """
    if not tail[:1].isspace() or not tail.strip():
        return url, tail
    word = _WORD_RUN_INTO_URL.search(url)
    if word is None:
        return url, tail
    url, first_word = url[: word.start()], word.group()
    doubts.append(
        (
            "url",
            f"the URL ran into the text after it: read as {url}, with {first_word!r} "
            "starting the commentary; check both",
        )
    )
    return url, first_word + tail


def read_layout(text: str) -> DocumentLayout:
    """Cut a document into runs of text and the marked lines of each section."""
    lines = [
        line
        for number, raw in enumerate(text.removeprefix("\ufeff").splitlines(), start=1)
        if (line := classify_line(number, raw)) is not None
    ]
    marked = [i for i, line in enumerate(lines) if line.kind in _SECTION_MARKS]
    if not marked:
        raise DocumentShapeError(
            "no section found: a section needs ✅ points, a 公開日 line or a さらに読む line"
        )
    footer_start = _footer_start(lines, after=marked[-1])
    takeaways: list[MarkedItem] = []
    early: list[int] = []
    runs: list[list[DocumentLine]] = []
    sections: list[SectionMarks] = []
    pending: list[DocumentLine] = []
    for line in lines[:footer_start]:
        if line.kind is LineKind.TAKEAWAY:
            early.append(len(takeaways))
            takeaways.append(MarkedItem(line))
        elif line.kind is LineKind.TEXT:
            pending.append(line)
        else:
            current = sections[-1] if sections else None
            if current is None or _starts_a_section(current, line, pending):
                runs.append(pending)
                current = SectionMarks(first_line=line.number)
                sections.append(current)
            elif current.points:
                current.points[-1].continuations.extend(pending)
            else:
                current.lead_continuations.extend(pending)
            pending = []
            _add_mark(current, line)
    runs.append(pending)
    for line in lines[footer_start:]:
        if line.kind is LineKind.TAKEAWAY:
            takeaways.append(MarkedItem(line))
        else:
            takeaways[-1].continuations.append(line)
    return DocumentLayout(runs, sections, takeaways, early)


def _footer_start(lines: list[DocumentLine], *, after: int) -> int:
    """Where the closing 💡 takeaways begin: the index of their first line, or the end.

    They are the last 💡 lines, together with the 💡 lines before them that only one
    text line at most separates them from (a takeaway wrapped onto a second line). Text
    after the last 💡 line continues it. A 💡 line further up is moved to the takeaways
    while the text around it stays where it is.
    """
    takeaway_lines = [i for i in range(after + 1, len(lines)) if lines[i].kind is LineKind.TAKEAWAY]
    if not takeaway_lines:
        return len(lines)
    start = takeaway_lines[-1]
    for index in reversed(takeaway_lines[:-1]):
        if start - index - 1 > 1:
            break
        start = index
    return start


def _starts_a_section(current: SectionMarks, line: DocumentLine, text: list[DocumentLine]) -> bool:
    """Whether a marked line after these text lines begins the next section.

    A 公開日 line always does. After a source line, any text has begun the commentary,
    so a further mark belongs to the next section (a second source line directly after
    the first adds a source). Before the source line, fewer text lines than a heading
    block are read as the continuation of a point (or of the lead), more as the end of
    this section and the heading of the next.
    """
    if line.kind is LineKind.DATE:
        return True
    if current.sources:
        return bool(text) or line.kind is LineKind.POINT
    return len(text) >= HEADING_BLOCK_LINES


def _add_mark(section: SectionMarks, line: DocumentLine) -> None:
    if line.kind is LineKind.DATE:
        section.date = line
    elif line.kind is LineKind.POINT:
        section.points.append(MarkedItem(line))
    else:
        section.sources.append(parse_source_line(line))
