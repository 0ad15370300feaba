"""What a digest contains, and when: pure composition and layout for scheduled digests.

Nothing here touches Discord, the database or the clock. A digest is composed from the
loaded library and the *snapshot* of sections the subscription's last delivered digest
covered (briefing id, section id, content hash, heading): `changes` mode lists sections
that are new or whose content hash differs and the sections that disappeared; `full`
mode summarises every subscribed briefing. The layout reuses the shared card writer, so
every message stays inside Discord's limits however long the digest is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal
from zoneinfo import ZoneInfo

from bot.briefings.library import Library
from bot.briefings.models import Briefing, Section
from bot.briefings.presentation import source_line
from bot.digests.schedule import Schedule, due_times_between, next_due
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

Mode = Literal["changes", "full"]
State = Literal["active", "paused", "failing"]
MODES: tuple[Mode, ...] = ("changes", "full")
ALL_TOPICS = "all"
NONCE_LIMIT = 25
# Discord error codes a failing subscription may carry.
MISSING_ACCESS = 50001
MISSING_PERMISSIONS = 50013
_TICK = dt.timedelta(microseconds=1)
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Subscription:
    """A channel's digest subscription, as stored."""

    id: int
    guild_id: int
    channel_id: int
    topics: tuple[str, ...] | None  # None: every topic
    schedule: str
    timezone: str
    mode: Mode
    language: str
    state: State
    next_due: dt.datetime
    failure_code: int | None = None
    failure_reason: str | None = None
    failure_notified: bool = False
    last_digest_at: dt.datetime | None = None
    snapshot_hash: str | None = None
    missed_from: dt.datetime | None = None
    missed_until: dt.datetime | None = None
    retry_error: str | None = None  # the last error of a delivery still being retried


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


@dataclass(frozen=True)
class DuePlan:
    """What a due subscription does at `now`: which due time it delivers, what it skips."""

    deliver_at: dt.datetime | None
    next_due: dt.datetime
    missed: tuple[dt.datetime, dt.datetime] | None = None
    coalesced: int = 0


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


def failure_reason(code: int | None, reason: str | None, language: str) -> str:
    """Why Discord refused a digest, in the reader's language when the code is known."""
    if code == MISSING_ACCESS:
        return translate("digest.reason.missing_access", language)
    if code == MISSING_PERMISSIONS:
        return translate("digest.reason.missing_permissions", language)
    return reason or "?"


def discord_time(moment: dt.datetime, style: str = "f") -> str:
    """A Discord timestamp that each reader sees in their own time zone."""
    return f"<t:{int(moment.timestamp())}:{style}>"


def topics_text(topics: Sequence[str] | None, language: str) -> str:
    """A subscription's topics as shown to staff."""
    if topics is None:
        return translate("digest.all_topics", language)
    return ", ".join(f"`{topic}`" for topic in topics)


def subscription_lines(
    subscription: Subscription, language: str, catch_up_hours: float
) -> list[str]:
    """What `/digest list` says about one subscription: state, topics, times, problems."""
    sub = subscription
    if sub.state == "failing":
        reason = failure_reason(sub.failure_code, sub.failure_reason, language)
        lines = [translate("digest.state.failing", language, reason=reason)]
    else:
        lines = [translate(f"digest.state.{sub.state}", language)]
    lines.append(
        translate("digest.line.topics", language, topics=topics_text(sub.topics, language))
    )
    mode = translate(f"digest.mode.{sub.mode}", language)
    lines.append(
        translate(
            "digest.line.schedule",
            language,
            schedule=sub.schedule,
            timezone=sub.timezone,
            mode=mode,
        )
    )
    if sub.state == "active":
        when = f"{discord_time(sub.next_due)} ({discord_time(sub.next_due, 'R')})"
        lines.append(translate("digest.line.next_due", language, when=when))
    if sub.last_digest_at is not None:
        lines.append(
            translate("digest.line.last_digest", language, when=discord_time(sub.last_digest_at))
        )
    if sub.retry_error:
        lines.append(translate("digest.line.retrying", language, error=sub.retry_error))
    if sub.missed_from is not None and sub.missed_until is not None:
        lines.append(
            translate(
                "digest.line.missed",
                language,
                start=discord_time(sub.missed_from),
                end=discord_time(sub.missed_until),
                hours=f"{catch_up_hours:g}",
            )
        )
    return lines


def subscription_cards(
    subscriptions: Sequence[Subscription],
    language: str,
    channel_names: dict[int, str],
    catch_up_hours: float,
) -> list[Card]:
    """`/digest list`: every subscription of a guild, one field each."""
    writer = CardWriter(translate("digest.list_title", language), language)
    if not subscriptions:
        writer.describe(translate("digest.list_empty", language))
    for sub in subscriptions:
        name = channel_names.get(sub.channel_id, str(sub.channel_id))
        lines = subscription_lines(sub, language, catch_up_hours)
        writer.add_field(f"#{name}", "\n".join(lines))
    return writer.finish()


def encode_snapshot(snapshot: Iterable[SectionState]) -> str:
    """A snapshot as canonical JSON text (the same sections give the same text)."""
    rows = sorted([s.briefing_id, s.section_id, s.content_hash, s.heading] for s in snapshot)
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def decode_snapshot(text: str | None) -> tuple[SectionState, ...]:
    """The snapshot stored by `encode_snapshot`; None or empty text is no snapshot."""
    if not text:
        return ()
    return tuple(SectionState(*row) for row in json.loads(text))


def blob_hash(text: str) -> str:
    """The SHA-256 hex digest that addresses a stored blob."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _base36(number: int) -> str:
    if number < 0:
        raise ValueError("nonce parts must not be negative")
    digits = ""
    while True:
        number, rest = divmod(number, 36)
        digits = _BASE36[rest] + digits
        if not number:
            return digits


def delivery_nonce(subscription_id: int, due_at: dt.datetime, index: int) -> str:
    """The deterministic nonce of one digest message: the same key always gives the same.

    At most 25 characters, as Discord requires: base-36 subscription id, due time in
    epoch seconds and message index.
    """
    if due_at.tzinfo is None:
        raise ValueError("due_at must be timezone-aware")
    nonce = f"{_base36(subscription_id)}.{_base36(int(due_at.timestamp()))}.{_base36(index)}"
    if len(nonce) > NONCE_LIMIT:
        raise ValueError(f"nonce {nonce!r} is longer than {NONCE_LIMIT} characters")
    return nonce


def notice_nonce(subscription_id: int, now: dt.datetime) -> str:
    """The nonce of the one notice that a subscription is failing (at most 25 characters)."""
    return f"n{_base36(subscription_id)}.{_base36(int(now.timestamp()))}"


def plan_due(
    schedule: Schedule,
    tz: ZoneInfo,
    due: dt.datetime,
    now: dt.datetime,
    window: dt.timedelta,
) -> DuePlan:
    """Plan a subscription due at `due` (<= `now`): deliver once, skip what is too late.

    Due times no older than `window` collapse into one digest for the latest of them
    (never two digests for one due time); older ones are skipped and reported. The next
    due time is the schedule's first fire time after `now`.
    """
    if due > now:
        raise ValueError("the subscription is not due yet")
    following = next_due(schedule, tz, now)
    oldest_allowed = now - window
    if due >= oldest_allowed:
        later = due_times_between(schedule, tz, due, now)
        times = [due, *later]
        return DuePlan(times[-1], following, coalesced=len(times) - 1)
    recent = due_times_between(schedule, tz, oldest_allowed - _TICK, now)
    deliver_at = recent[-1] if recent else None
    return DuePlan(
        deliver_at,
        following,
        missed=(due, oldest_allowed),
        coalesced=max(0, len(recent) - 1),
    )
