"""What a digest contains, and when: pure composition and layout for scheduled digests.

Nothing here touches Discord, the database or the clock. A digest is composed from the
loaded library and the *snapshot* of sections the subscription's last delivered digest
covered (briefing id, section id, content hash, heading): `changes` mode lists sections
that are new or whose content hash differs and the sections that disappeared; `full`
mode summarises every subscribed briefing. The layout reuses the shared card writer, so
every message stays inside Discord's limits however long the digest is.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from bot.briefings.library import Library
from bot.briefings.models import Briefing, Section
from bot.briefings.presentation import source_line
from bot.digests.nonces import blob_hash
from bot.digests.records import Mode
from bot.errors import InvalidTopics
from bot.text.cards import (
    FIELD_COUNT_LIMIT,
    FOOTER_RESERVE,
    MESSAGE_EMBED_COUNT_LIMIT,
    MESSAGE_EMBED_TOTAL_LIMIT,
    Card,
    CardWriter,
    DateFormat,
    escape_markdown,
)
from bot.text.i18n import translate
from bot.text.split import truncate

ALL_TOPICS = "all"


@dataclass(frozen=True)
class SectionState:
    """One section as a digest saw it."""

    briefing_id: str
    section_id: str
    content_hash: str
    heading: str


@dataclass(frozen=True)
class SectionChange:
    """A section to announce: new since the last digest, or changed."""

    briefing: Briefing
    section: Section
    kind: Literal["new", "changed"]


@dataclass(frozen=True)
class RemovedSection:
    """A section the last digest covered that no longer exists."""

    briefing_id: str
    heading: str


@dataclass(frozen=True)
class Digest:
    """What one digest says, and the snapshot it leaves behind once delivered."""

    mode: Mode
    changes: tuple[SectionChange, ...] = ()
    removed: tuple[RemovedSection, ...] = ()
    briefings: tuple[Briefing, ...] = ()
    snapshot: tuple[SectionState, ...] = ()

    @property
    def is_empty(self) -> bool:
        """Whether there is nothing to post."""
        if self.mode == "full":
            return not self.briefings
        return not self.changes and not self.removed


@dataclass(frozen=True)
class DigestMessage:
    """One Discord message of a digest: optional text and up to ten cards."""

    content: str
    cards: tuple[Card, ...]

    @property
    def size(self) -> int:
        """Embed characters as Discord counts them towards the 6,000 per message."""
        return sum(card.size for card in self.cards)


def parse_topics(text: str | None, library: Library) -> tuple[str, ...] | None:
    """Topic ids from comma-separated ids or aliases; None means all. Raises InvalidTopics."""
    if text is None:
        return None
    names = [name.strip() for name in text.replace("、", ",").split(",")]
    names = [name for name in names if name]
    if not names:
        raise InvalidTopics(value=[text])
    if any(name.lower() in (ALL_TOPICS, "*") for name in names):
        return None
    ids: list[str] = []
    unknown: list[str] = []
    for name in names:
        briefing = library.get(name)
        if briefing is None:
            unknown.append(name)
        elif briefing.id not in ids:
            ids.append(briefing.id)
    if unknown:
        suggestions = [b.id for name in unknown[:1] for b in library.complete_topics(name, 3)]
        raise InvalidTopics(value=unknown, suggestions=suggestions)
    return tuple(sorted(ids))


def subscribed_briefings(library: Library, topics: Sequence[str] | None) -> list[Briefing]:
    """The loaded briefings a subscription covers, in library (id) order."""
    if topics is None:
        return list(library)
    found = (library.briefings.get(topic) for topic in sorted(set(topics)))
    return [briefing for briefing in found if briefing is not None]


class LayoutMemo:
    """What digests for one library have in common, worked out once.

    Digests that fall due together often cover the same briefings; each briefing's
    snapshot entries and cards are then built once. A memo belongs to the library it
    was made for and must not be used with another.
    """

    def __init__(self, library: Library) -> None:
        # Weakly, so a memo kept between runs never keeps a replaced library alive.
        self._library = weakref.ref(library)
        self.snapshots: dict[str, tuple[SectionState, ...]] = {}
        self.cards: dict[tuple[object, ...], list[Card]] = {}
        self._encoded: dict[str, str] = {}
        self._current: dict[tuple[str, ...] | None, tuple[str, str]] = {}

    @property
    def library(self) -> Library | None:
        """The library this memo was made for, or None once it has been freed."""
        return self._library()

    def snapshot_of(self, briefing: Briefing) -> tuple[SectionState, ...]:
        """The briefing's sections as a digest sees them now."""
        found = self.snapshots.get(briefing.id)
        if found is None:
            found = self.snapshots[briefing.id] = take_snapshot([briefing])
        return found

    def current_snapshot(self, topics: Sequence[str] | None) -> tuple[str, str]:
        """`encode_snapshot` of what these topics cover now, and its blob hash.

        Built from each briefing's own encoded rows: the canonical order sorts by
        briefing id first, and `subscribed_briefings` lists briefings in id order, so
        joining their rows gives the same text.
        """
        key = None if topics is None else tuple(topics)
        found = self._current.get(key)
        if found is None:
            library = self.library
            if library is None:
                raise RuntimeError("the memo's library has been freed")
            pieces = []
            for briefing in subscribed_briefings(library, topics):
                piece = self._encoded.get(briefing.id)
                if piece is None:
                    piece = encode_snapshot(self.snapshot_of(briefing))[1:-1]
                    self._encoded[briefing.id] = piece
                if piece:
                    pieces.append(piece)
            text = f"[{','.join(pieces)}]"
            found = self._current[key] = (text, blob_hash(text))
        return found

    @property
    def size(self) -> int:
        """How many entries the memo holds (to bound its memory)."""
        return len(self.cards) + len(self._current) + len(self.snapshots)


def take_snapshot(briefings: Iterable[Briefing]) -> tuple[SectionState, ...]:
    """Every section of these briefings as a digest sees it now."""
    return tuple(
        SectionState(b.id, s.id, s.content_hash, s.heading) for b in briefings for s in b.sections
    )


def compose_digest(
    library: Library,
    topics: Sequence[str] | None,
    mode: Mode,
    previous: Iterable[SectionState],
    memo: LayoutMemo | None = None,
) -> Digest:
    """The digest for a subscription whose last delivered digest saw `previous`."""
    briefings = subscribed_briefings(library, topics)
    if memo is None:
        snapshot = take_snapshot(briefings)
    else:
        snapshot = tuple(state for b in briefings for state in memo.snapshot_of(b))
    if mode == "full":
        return Digest("full", briefings=tuple(briefings), snapshot=snapshot)
    seen = {(s.briefing_id, s.section_id): s for s in previous}
    changes = []
    for briefing in briefings:
        for section in briefing.sections:
            before = seen.get((briefing.id, section.id))
            if before is None:
                changes.append(SectionChange(briefing, section, "new"))
            elif before.content_hash != section.content_hash:
                changes.append(SectionChange(briefing, section, "changed"))
    current = {(s.briefing_id, s.section_id) for s in snapshot}
    covered = None if topics is None else set(topics)
    removed = tuple(
        RemovedSection(s.briefing_id, s.heading)
        for s in seen.values()
        if (s.briefing_id, s.section_id) not in current
        and (covered is None or s.briefing_id in covered)
    )
    return Digest("changes", changes=tuple(changes), removed=removed, snapshot=snapshot)


def _briefing_change_cards(
    briefing_id: str,
    changes: Sequence[SectionChange],
    removed: Sequence[RemovedSection],
    library: Library,
    date: DateFormat,
) -> list[Card]:
    briefing = library.briefings.get(briefing_id)
    lang = briefing.language if briefing else "en"
    writer = CardWriter(briefing.title if briefing else briefing_id, lang)
    for change in changes:
        mark = translate("label.new" if change.kind == "new" else "label.changed", lang)
        section = change.section
        lines = [f"**{section.answer}**"]
        if section.sources:
            lines.append(source_line(change.briefing, section, section.sources[0], library, date))
        writer.add_field(f"{mark} · {section.heading}", "\n".join(lines))
    if removed:
        headings = "\n".join(f"• ~~{escape_markdown(r.heading)}~~" for r in removed)
        writer.add_field(f"🗑️ {translate('label.removed', lang)}", headings)
    return writer.finish()


def _change_cards(
    digest: Digest, library: Library, date: DateFormat, memo: LayoutMemo | None
) -> list[Card]:
    by_briefing: dict[str, list[SectionChange]] = {}
    for change in digest.changes:
        by_briefing.setdefault(change.briefing.id, []).append(change)
    removed: dict[str, list[RemovedSection]] = {}
    for item in digest.removed:
        removed.setdefault(item.briefing_id, []).append(item)
    cards: list[Card] = []
    for briefing_id in sorted(by_briefing.keys() | removed.keys()):
        changes, removed_here = by_briefing.get(briefing_id, []), removed.get(briefing_id, [])
        if memo is None:
            cards += _briefing_change_cards(briefing_id, changes, removed_here, library, date)
            continue
        key = (
            "changes",
            briefing_id,
            tuple((c.section.id, c.section.content_hash, c.kind) for c in changes),
            tuple(r.heading for r in removed_here),
        )
        found = memo.cards.get(key)
        if found is None:
            found = _briefing_change_cards(briefing_id, changes, removed_here, library, date)
            memo.cards[key] = found
        cards += found
    return cards


def _briefing_summary_cards(briefing: Briefing, date: DateFormat) -> list[Card]:
    lang = briefing.language
    writer = CardWriter(briefing.title, lang)
    writer.describe(f"{translate('label.updated', lang)}: {date(briefing.updated)}")
    for number, section in enumerate(briefing.sections, start=1):
        writer.add_field(f"{number}. {section.heading}", section.answer)
    return writer.finish()


def _full_cards(digest: Digest, date: DateFormat, memo: LayoutMemo | None) -> list[Card]:
    cards: list[Card] = []
    for briefing in digest.briefings:
        if memo is None:
            cards += _briefing_summary_cards(briefing, date)
            continue
        key = ("full", briefing.id)
        found = memo.cards.get(key)
        if found is None:
            found = memo.cards[key] = _briefing_summary_cards(briefing, date)
        cards += found
    return cards


def _pack(cards: Sequence[Card]) -> list[list[Card]]:
    """Group cards into messages: at most ten per message and 6,000 characters with footer."""
    messages: list[list[Card]] = []
    current: list[Card] = []
    size = 0
    for card in cards:
        fits = size + card.size + FOOTER_RESERVE <= MESSAGE_EMBED_TOTAL_LIMIT
        if current and (len(current) >= MESSAGE_EMBED_COUNT_LIMIT or not fits):
            messages.append(current)
            current, size = [], 0
        current.append(card)
        size += card.size
    if current:
        messages.append(current)
    return messages


def digest_messages(
    digest: Digest,
    library: Library,
    language: str,
    date: DateFormat,
    memo: LayoutMemo | None = None,
) -> list[DigestMessage]:
    """The digest as Discord messages, each within every limit; empty if nothing to post.

    The first message opens with the digest's title; the last card ends with a pointer
    to `/briefing show`; several messages are numbered. With a `memo` (made for this
    library and date format), each briefing's cards are laid out once across digests.
    """
    if digest.is_empty:
        return []
    if digest.mode == "full":
        cards = _full_cards(digest, date, memo)
        title = translate("label.digest_full_title", language)
    else:
        cards = _change_cards(digest, library, date, memo)
        title = translate("label.digest_title", language)
    assert all(len(card.fields) <= FIELD_COUNT_LIMIT for card in cards)
    groups = _pack(cards)
    pointer = translate("label.digest_footer", language)
    messages = []
    for index, group in enumerate(groups, start=1):
        footer = pointer if index == len(groups) else ""
        if len(groups) > 1:
            label = translate("label.page", language, page=index, pages=len(groups))
            footer = f"{footer} · {label}" if footer else label
        last = replace(group[-1], footer=truncate(footer, FOOTER_RESERVE))
        content = f"**{title}**" if index == 1 else ""
        messages.append(DigestMessage(content, (*group[:-1], last)))
    return messages


def encode_snapshot(snapshot: Iterable[SectionState]) -> str:
    """A snapshot as canonical JSON text (the same sections give the same text)."""
    rows = sorted([s.briefing_id, s.section_id, s.content_hash, s.heading] for s in snapshot)
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def decode_snapshot(text: str | None) -> tuple[SectionState, ...]:
    """The snapshot stored by `encode_snapshot`; None or empty text is no snapshot."""
    if not text:
        return ()
    return tuple(SectionState(*row) for row in json.loads(text))
