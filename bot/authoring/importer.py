"""Importing a news document of the seed's shape as briefing YAML (`briefbot import`).

`bot.authoring.document` finds the marked lines (公開日, ✅, さらに読む, 💡). Here each
run of unmarked lines between them is cut by position into the fields the shape puts
there:

    before the first section:  title(?subtitle), summary, heading, question, answer, lead
    between two sections:      commentary ×2, body…, reaction, heading, question, answer, lead
    after the last section:    commentary ×2, body…, reaction, closing ×2

The text run into a source line's URL is the first commentary line. The field marked
`…` takes every line left over, so a longer body never needs a warning. A run with
fewer lines than its fixed fields is filled in order of need (heading and answer
first), and each of its lines is reported with its number, because where it went is a
guess. No text is ever dropped: every line ends up in a field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.authoring.document import (
    CitedSource,
    DocumentLayout,
    DocumentLine,
    LineKind,
    MarkedItem,
    parse_date,
    read_layout,
)
from bot.authoring.yaml_writer import Block, Entry, render_yaml
from bot.briefings.loader import SCHEMA_COMMENT, Problem, Severity
from bot.briefings.models import SLUG_PATTERN

_KANA = re.compile("[\u3040-\u30ff]")
# The subtitle run into the title: the text after the title's last ?/! when no space follows.
_TITLE_AND_SUBTITLE = re.compile(r"^(?P<title>.*[?!？！])(?P<subtitle>[^\s?!？！][^?!？！]*)$")
_HEADING_BLOCK = ("heading", "question", "answer", "lead")


@dataclass(frozen=True)
class ImportResult:
    """The briefing YAML made from a document, and each placement the importer doubts."""

    yaml_text: str
    warnings: tuple[Problem, ...]
    section_count: int


@dataclass(frozen=True)
class _Shape:
    """The fields of one run: fixed ones at each end, and one taking the lines between."""

    front: tuple[str, ...]
    middle: str
    back: tuple[str, ...]
    need: tuple[int, ...]  # positions in front + back, most needed first

    @property
    def fixed(self) -> tuple[str, ...]:
        return self.front + self.back


_HEADER = _Shape(("title", "summary"), "summary", _HEADING_BLOCK, need=(0, 2, 4, 1, 3, 5))
_BETWEEN = _Shape(
    ("commentary", "commentary"), "body", ("reactions", *_HEADING_BLOCK), need=(0, 3, 5, 2, 4, 6, 1)
)
_LAST = _Shape(
    ("commentary", "commentary"), "body", ("reactions", "closing", "closing"), need=(0, 2, 3, 1, 4)
)


def _allocate(
    lines: Sequence[DocumentLine], shape: _Shape
) -> tuple[dict[str, list[DocumentLine]], bool]:
    """Each field's lines, and whether the run was too short to place its lines surely."""
    placed: dict[str, list[DocumentLine]] = {name: [] for name in (*shape.fixed, shape.middle)}
    fixed = shape.fixed
    if len(lines) >= len(fixed):
        back_start = len(lines) - len(shape.back)
        for name, line in zip(shape.front, lines, strict=False):
            placed[name].append(line)
        placed[shape.middle].extend(lines[len(shape.front) : back_start])
        for name, line in zip(shape.back, lines[back_start:], strict=True):
            placed[name].append(line)
        return placed, False
    for position, line in zip(sorted(shape.need[: len(lines)]), lines, strict=True):
        placed[fixed[position]].append(line)
    return placed, True


@dataclass
class _SectionDraft:
    heading: str = ""
    question: str | None = None
    answer: str = ""
    lead: str | None = None
    published: dt.date | str | None = None
    points: list[str] = field(default_factory=list)
    sources: list[CitedSource] = field(default_factory=list)
    commentary: str | None = None
    body: list[str] = field(default_factory=list)
    reactions: list[str] = field(default_factory=list)


def _texts(lines: Sequence[DocumentLine]) -> list[str]:
    return [line.text for line in lines]


def _joined(lines: Sequence[DocumentLine]) -> str | None:
    return "\n".join(_texts(lines)) or None


def split_title(line: str) -> tuple[str, str | None]:
    """The title and the subtitle run into it: `…の行方?米ロ停戦交渉の行方` → both parts."""
    match = _TITLE_AND_SUBTITLE.match(line)
    if match is None:
        return line, None
    return match["title"].strip(), match["subtitle"].strip()


def document_language(layout: DocumentLayout) -> str:
    """`ja` when the document's own text has any kana in it, else `en`.

    Only text is looked at, not the markers: an English document may well use 公開日
    and さらに読む lines.
    """
    texts = [line.text for run in layout.runs for line in run]
    texts += [point.line.text for marks in layout.sections for point in marks.points]
    texts += [item.line.text for item in layout.takeaways]
    return "ja" if any(_KANA.search(text) for text in texts) else "en"


class _Importer:
    """Places every line of one document in a field, noting each placement it doubts."""

    def __init__(self, layout: DocumentLayout, *, language: str, source_name: str) -> None:
        self.layout = layout
        self.language = language
        self.source_name = source_name
        self.problems: list[Problem] = []
        self.sections = [_SectionDraft() for _ in layout.sections]
        self.title = ""
        self.subtitle: str | None = None
        self.summary = ""
        self.closing: str | None = None
        self.takeaways: list[str] = []

    def warn(self, line: int, path: str, message: str) -> None:
        """Report a doubt about `path`, at a line of the document."""
        problem = Problem(self.source_name, line, 1, Severity.WARNING, path, message)
        self.problems.append(problem)

    def place_all(self) -> None:
        """Fill every field from the document's runs and marked lines."""
        layout = self.layout
        last = len(layout.sections) - 1
        self._place_header(layout.runs[0])
        for index, marks in enumerate(layout.sections):
            self._place_marks(index, marks.date, marks.lead_continuations, marks.points)
            self.sections[index].sources = marks.sources
            tails = [
                DocumentLine(source.line, LineKind.TEXT, source.tail)
                for source in marks.sources
                if source.tail
            ]
            trailing = tails + layout.runs[index + 1]
            self._place_trailing(index, trailing, _LAST if index == last else _BETWEEN)
        self._place_takeaways(layout.takeaways, layout.early_takeaways)
        self._check_required()

    def _place(
        self, lines: Sequence[DocumentLine], shape: _Shape, paths: Mapping[str, str]
    ) -> dict[str, list[DocumentLine]]:
        placed, short = _allocate(lines, shape)
        if short:
            names = ", ".join(paths[name].rsplit(".", 1)[-1] for name in shape.fixed)
            for name, placed_lines in placed.items():
                for line in placed_lines:
                    self.warn(
                        line.number,
                        paths[name],
                        f"placed by a guess: lines {lines[0].number}-{lines[-1].number} hold "
                        f"{len(lines)} line(s) where the document's shape has at least "
                        f"{len(shape.fixed)} ({names}); check where this line belongs",
                    )
        return placed

    def _place_header(self, lines: Sequence[DocumentLine]) -> None:
        paths = {"title": "title", "summary": "summary"}
        paths |= {name: f"sections[0].{name}" for name in _HEADING_BLOCK}
        placed = self._place(lines, _HEADER, paths)
        if placed["title"]:
            self.title, self.subtitle = split_title(placed["title"][0].text)
        summary = placed["summary"]
        if self.subtitle is None and len(summary) > 1:
            self.subtitle, summary = summary[0].text, summary[1:]
        for extra in summary[1:]:
            self.warn(
                extra.number,
                "summary",
                "more lines before the first section than title, subtitle and summary: "
                "added to the summary",
            )
        self.summary = _joined(summary) or ""
        self._set_heading_block(0, placed)

    def _set_heading_block(self, index: int, placed: Mapping[str, list[DocumentLine]]) -> None:
        draft = self.sections[index]
        draft.heading = _joined(placed["heading"]) or ""
        draft.question = _joined(placed["question"])
        draft.answer = _joined(placed["answer"]) or ""
        draft.lead = _joined(placed["lead"])

    def _place_marks(
        self,
        index: int,
        date: DocumentLine | None,
        lead_continuations: Sequence[DocumentLine],
        points: Sequence[MarkedItem],
    ) -> None:
        draft = self.sections[index]
        at = f"sections[{index}]"
        if date is not None:
            draft.published = parse_date(date.text) or date.text
            if not isinstance(draft.published, dt.date):
                self.warn(
                    date.number,
                    f"{at}.published",
                    f"{date.text!r} is not a date (write YYYY/MM/DD): kept as written",
                )
        for line in lead_continuations:
            self.warn(
                line.number,
                f"{at}.lead",
                "a line between the published date and the ✅ points: added to the lead",
            )
        if lead_continuations:
            draft.lead = "\n".join(filter(None, [draft.lead, *_texts(lead_continuations)]))
        for number, point in enumerate(points):
            text = self._marked_text(point, f"{at}.points[{number}]", "✅ point")
            if text:
                draft.points.append(text)

    def _marked_text(self, item: MarkedItem, path: str, what: str) -> str:
        separator = "" if self.language == "ja" else " "
        for line in item.continuations:
            self.warn(
                line.number,
                path,
                f"a line after the {what} on line {item.line.number}: added to it",
            )
        return separator.join(text for text in _texts([item.line, *item.continuations]) if text)

    def _place_trailing(self, index: int, lines: Sequence[DocumentLine], shape: _Shape) -> None:
        at = f"sections[{index}]"
        paths = {name: f"{at}.{name}" for name in ("commentary", "body", "reactions")}
        if shape is _LAST:
            paths["closing"] = "closing"
        else:
            paths |= {name: f"sections[{index + 1}].{name}" for name in _HEADING_BLOCK}
        placed = self._place(lines, shape, paths)
        draft = self.sections[index]
        draft.commentary = _joined(placed["commentary"])
        draft.body = _texts(placed["body"])
        draft.reactions = _texts(placed["reactions"])
        if shape is _LAST:
            self.closing = _joined(placed["closing"])
        else:
            self._set_heading_block(index + 1, placed)

    def _place_takeaways(self, items: Sequence[MarkedItem], early: Sequence[int]) -> None:
        for number, item in enumerate(items):
            path = f"takeaways[{len(self.takeaways)}]"
            if number in early:
                self.warn(
                    item.line.number,
                    path,
                    "a 💡 line before the end of the document: moved to the takeaways",
                )
            text = self._marked_text(item, path, "💡 takeaway")
            if text:
                self.takeaways.append(text)

    def _check_required(self) -> None:
        first_line = self.layout.sections[0].first_line
        for name, value in (("title", self.title), ("summary", self.summary)):
            if not value:
                self.warn(first_line, name, "not found in the document: write it in (required)")
        for index, (draft, marks) in enumerate(
            zip(self.sections, self.layout.sections, strict=True)
        ):
            for name, value in (("heading", draft.heading), ("answer", draft.answer)):
                if not value:
                    self.warn(
                        marks.first_line,
                        f"sections[{index}].{name}",
                        "not found in the document: write it in (required)",
                    )
            for number, source in enumerate(draft.sources):
                for name, message in source.doubts:
                    self.warn(source.line, f"sections[{index}].sources[{number}].{name}", message)

    def updated(self, today: dt.date) -> dt.date:
        """The newest section date, or `today` (reported) when the document has none."""
        dates = [d.published for d in self.sections if isinstance(d.published, dt.date)]
        if dates:
            return max(dates)
        self.warn(
            1,
            "updated",
            f"no 公開日 (published date) line in the document: set to today, {today.isoformat()}",
        )
        return today

    def entries(self, updated: dt.date) -> list[Entry]:
        """The briefing's fields in the documented order, ready to be written."""
        entries = [Entry("title", self.title)]
        if self.subtitle:
            entries.append(Entry("subtitle", self.subtitle))
        entries += [
            Entry("summary", self.summary),
            Entry("language", self.language),
            Entry("tags", (), flow=True),
            Entry("aliases", (), flow=True),
            Entry("updated", updated),
        ]
        sections = tuple(
            Block(_section_entries(index, draft), blank_line_before=index > 0)
            for index, draft in enumerate(self.sections)
        )
        entries.append(Entry("sections", sections, blank_line_before=True))
        if self.takeaways:
            entries.append(Entry("takeaways", tuple(self.takeaways), blank_line_before=True))
        if self.closing:
            entries.append(Entry("closing", self.closing, blank_line_before=not self.takeaways))
        return entries


def _section_entries(index: int, draft: _SectionDraft) -> tuple[Entry, ...]:
    entries = [Entry("id", f"s{index + 1}"), Entry("heading", draft.heading)]
    if draft.question:
        entries.append(Entry("question", draft.question))
    entries.append(Entry("answer", draft.answer))
    if draft.lead:
        entries.append(Entry("lead", draft.lead))
    if draft.published is not None:
        entries.append(Entry("published", draft.published))
    if draft.points:
        entries.append(Entry("points", tuple(draft.points)))
    if draft.sources:
        entries.append(Entry("sources", tuple(Block(_source_entries(s)) for s in draft.sources)))
    if draft.commentary:
        entries.append(Entry("commentary", draft.commentary))
    if draft.body:
        entries.append(Entry("body", tuple(draft.body)))
    if draft.reactions:
        entries.append(Entry("reactions", tuple(draft.reactions)))
    return tuple(entries)


def _source_entries(source: CitedSource) -> tuple[Entry, ...]:
    entries = [Entry("name", source.name)]
    if source.publisher:
        entries.append(Entry("publisher", source.publisher))
    if source.description:
        entries.append(Entry("description", source.description))
    if source.url:
        entries.append(Entry("url", source.url))
    return tuple(entries)


def _header_comment(source_name: str, dated: bool) -> list[str]:
    updated = (
        "`updated` is the newest 公開日 (published date) in the document."
        if dated
        else "`updated` is the day of the import: the document has no 公開日 (published date)."
    )
    return [
        SCHEMA_COMMENT.removeprefix("# "),
        f"Imported from {source_name} by `briefbot import`: check each field against it.",
        updated,
        "Tags and aliases are not in the document: add some, so that members find it.",
        "Section ids (s1, s2, …) are by position: words keep links and digests stable.",
    ]


def import_document(
    text: str, *, topic_id: str, source_name: str, today: dt.date | None = None
) -> ImportResult:
    """Convert a document of the seed's shape into briefing YAML for `<topic_id>.yaml`.

    `today` dates a document without any 公開日 line (default: the local date). Raises
    `DocumentShapeError` when the document has no section at all, and ValueError when
    `topic_id` is not a slug.
    """
    if re.fullmatch(SLUG_PATTERN, topic_id) is None or len(topic_id) > 64:
        raise ValueError(f"{topic_id!r} is not a valid briefing id")
    layout = read_layout(text)
    importer = _Importer(layout, language=document_language(layout), source_name=source_name)
    importer.place_all()
    dated = any(isinstance(d.published, dt.date) for d in importer.sections)
    updated = importer.updated(today or dt.datetime.now().astimezone().date())
    yaml_text = render_yaml(importer.entries(updated), header=_header_comment(source_name, dated))
    return ImportResult(yaml_text, tuple(sorted(importer.problems)), len(importer.sections))
