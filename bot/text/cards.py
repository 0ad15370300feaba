"""Cards: one embed's worth of content as plain data, laid out within Discord's limits.

The primitives every presentation shares: Discord's limits, `Card` and `Page`, the card
writer that continues long text in the next field or on the next card (nothing is
dropped), page numbers and terminal text. Nothing here imports discord or knows what a
briefing is.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from bot.text.i18n import translate
from bot.text.split import split_text, truncate

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELD_COUNT_LIMIT = 25
FOOTER_LIMIT = 2048
MESSAGE_EMBED_TOTAL_LIMIT = 6000
MESSAGE_EMBED_COUNT_LIMIT = 10
CONTENT_LIMIT = 2000
# Room kept free on every card for the footer the pager adds afterwards.
FOOTER_RESERVE = 64
CARD_BUDGET = MESSAGE_EMBED_TOTAL_LIMIT - FOOTER_RESERVE

DateFormat = Callable[[dt.date], str]
_MARKDOWN_SPECIALS = re.compile(r"([\\*_~`|>\[\]()#])")


def discord_date(day: dt.date) -> str:
    """A Discord timestamp that every reader sees in their own locale.

    Noon UTC keeps the calendar date the same for readers from UTC-12 to UTC+11.
    """
    noon = dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC)
    return f"<t:{int(noon.timestamp())}:D>"


def iso_date(day: dt.date) -> str:
    """A plain ISO date, for the terminal."""
    return day.isoformat()


def escape_markdown(text: str) -> str:
    """Escape Discord markdown so text shows literally."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def link_url(url: str) -> str:
    """A URL that is safe inside a markdown link's parentheses."""
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


@dataclass(frozen=True)
class Field:
    """One embed field."""

    name: str
    value: str
    inline: bool = False


@dataclass(frozen=True)
class Card:
    """One embed's worth of content."""

    title: str = ""
    description: str = ""
    fields: tuple[Field, ...] = ()
    footer: str = ""
    url: str | None = None

    @property
    def size(self) -> int:
        """Characters as Discord counts them towards the 6,000 per message."""
        return (
            len(self.title)
            + len(self.description)
            + len(self.footer)
            + sum(len(f.name) + len(f.value) for f in self.fields)
        )


@dataclass(frozen=True)
class Page:
    """One message: its cards, and which section it belongs to (for the jump menu)."""

    cards: tuple[Card, ...]
    section_id: str | None = None


@dataclass
class CardWriter:
    """Fills cards with a description and fields, starting a new card when one is full."""

    title: str
    language: str
    url: str | None = None
    cards: list[Card] = field(default_factory=list)
    _description: str = ""
    _fields: list[Field] = field(default_factory=list)
    # A title too long for an embed is shown in full at the top of the first description.
    _lead: str = ""

    def __post_init__(self) -> None:
        if len(self.title) > TITLE_LIMIT:
            self._lead = f"**{self.title}**"

    def _size(self) -> int:
        fields = sum(len(f.name) + len(f.value) for f in self._fields)
        return len(self._title()) + len(self._description) + fields

    def _title(self) -> str:
        if not self.cards:
            return truncate(self.title, TITLE_LIMIT)
        return truncate(translate("label.continued", self.language, title=self.title), TITLE_LIMIT)

    def flush(self) -> None:
        """Close the current card (always producing at least one card)."""
        if self._lead:
            self.describe("")
        if self._description or self._fields or not self.cards:
            url = self.url if not self.cards else None
            self.cards.append(Card(self._title(), self._description, tuple(self._fields), url=url))
        self._description, self._fields = "", []

    def describe(self, text: str) -> None:
        """Start a card with this description, continuing on further cards when long."""
        if self._lead:
            text, self._lead = (f"{self._lead}\n{text}" if text else self._lead), ""
        if not text:
            return
        if self._description or self._fields:
            self.flush()
        pieces = [piece for piece in split_text(text, DESCRIPTION_LIMIT) if not piece.isspace()]
        for index, piece in enumerate(pieces):
            if index:
                self.flush()
            self._description = piece

    def add_field(self, name: str, value: str, *, inline: bool = False) -> None:
        """Add a field, split across several (and several cards) when the value is long."""
        if not value:
            return
        if self._lead:
            self.describe("")
        shown_name = truncate(name, FIELD_NAME_LIMIT)
        if shown_name != name:
            value = f"**{name}**\n{value}"
        # Discord rejects blank field values; a blank piece only ever holds whitespace.
        pieces = [piece for piece in split_text(value, FIELD_VALUE_LIMIT) if not piece.isspace()]
        for index, piece in enumerate(pieces):
            label = (
                shown_name
                if index == 0
                else truncate(
                    translate("label.continued", self.language, title=name), FIELD_NAME_LIMIT
                )
            )
            new = Field(label, piece, inline and len(pieces) == 1)
            too_big = self._size() + len(new.name) + len(new.value) > CARD_BUDGET
            if len(self._fields) >= FIELD_COUNT_LIMIT or too_big:
                self.flush()
            self._fields.append(new)

    def finish(self) -> list[Card]:
        """Close the last card and return every card written."""
        self.flush()
        return self.cards


def bullet_lines(items: Iterable[str], bullet: str) -> str:
    """Items as a bulleted list, one per line."""
    return "\n".join(f"{bullet} {item}" for item in items)


def paginate(cards: Sequence[Card], section_id: str | None = None) -> list[Page]:
    """One card per page, each page remembering the section it shows."""
    return [Page((card,), section_id) for card in cards]


def number_pages(pages: Sequence[Page], language: str) -> list[Page]:
    """Add "Page n/m" to the last card of every page when there is more than one page."""
    if len(pages) <= 1:
        return list(pages)
    numbered = []
    for index, page in enumerate(pages, start=1):
        label = translate("label.page", language, page=index, pages=len(pages))
        last = page.cards[-1]
        footer = f"{last.footer} · {label}" if last.footer else label
        room = MESSAGE_EMBED_TOTAL_LIMIT - sum(card.size for card in page.cards) + len(last.footer)
        limit = min(FOOTER_LIMIT, room)
        if limit >= 2:  # cards keep FOOTER_RESERVE free, so there is always room
            footer = truncate(footer, limit)
            cards = (*page.cards[:-1], replace(last, footer=footer))
            page = replace(page, cards=cards)
        numbered.append(page)
    return numbered


def card_text(card: Card) -> str:
    """A card as terminal text."""
    lines = [card.title, "=" * min(len(card.title) * 2, 60)] if card.title else []
    if card.url:
        lines.append(card.url)
    if card.description:
        lines += [card.description, ""]
    for item in card.fields:
        lines += [f"[{item.name}]", item.value, ""]
    if card.footer:
        lines.append(f"— {card.footer}")
    return "\n".join(lines).rstrip() + "\n"
