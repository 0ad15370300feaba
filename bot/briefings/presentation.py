"""What a briefing looks like, as cards: overview, sections, sources, lists and search hits.

Everything here is pure, so the same layout feeds Discord embeds (`bot.discord.rendering`)
and the terminal preview. Text that does not fit one place continues in the next field or
on the next card; nothing is dropped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.briefings.library import Library
from bot.briefings.models import Briefing, Section, Source
from bot.briefings.reflow import reflow
from bot.briefings.visibility import hidden_mark
from bot.text.cards import (
    Card,
    CardWriter,
    DateFormat,
    Page,
    bullet_lines,
    card_text,
    escape_markdown,
    iso_date,
    link_url,
    number_pages,
    paginate,
)
from bot.text.i18n import translate

LIST_PAGE_SIZE = 10


def source_line(
    briefing: Briefing, section: Section, source: Source, library: Library, date: DateFormat
) -> str:
    """One source as a markdown link (plain, without a url) with its publisher, date, staleness."""
    name = escape_markdown(source.name)
    line = f"[{name}]({link_url(source.url)})" if source.url else name
    if source.publisher:
        line += f" — {escape_markdown(source.publisher)}"
    published = section.source_date(source)
    if published is not None:
        line += f" · {date(published)}"
    if library.is_stale(briefing, section, source):
        line += f" · ⚠️ {translate('label.stale', briefing.language)}"
    return line


def overview_cards(briefing: Briefing, date: DateFormat) -> list[Card]:
    """The overview: title, subtitle, summary, each section's answer, takeaways, update."""
    lang = briefing.language
    writer = CardWriter(briefing.title, lang)
    summary = reflow(briefing.summary)
    intro = f"**{briefing.subtitle}**\n{summary}" if briefing.subtitle else summary
    writer.describe(intro)
    for number, section in enumerate(briefing.sections, start=1):
        writer.add_field(f"{number}. {section.heading}", reflow(section.answer))
    takeaways = bullet_lines(map(reflow, briefing.takeaways), "💡")
    writer.add_field(translate("label.takeaways", lang), takeaways)
    if briefing.closing:
        writer.add_field(translate("label.closing", lang), reflow(briefing.closing))
    writer.add_field(translate("label.updated", lang), date(briefing.updated), inline=True)
    writer.add_field(translate("label.sections", lang), str(len(briefing.sections)), inline=True)
    return writer.finish()


def section_cards(
    briefing: Briefing,
    section: Section,
    library: Library,
    date: DateFormat,
    *,
    number: int | None = None,
) -> list[Card]:
    """One section in full: question, answer, points, date, commentary, body, sources.

    `number` is the section's 1-based number when the caller knows it; otherwise it is
    looked up by id (never by comparing whole sections).
    """
    lang = briefing.language
    if number is None:
        number = briefing.section_number(section)
    writer = CardWriter(f"{number}. {section.heading}", lang)
    head = [f"> {reflow(section.question)}"] if section.question else []
    head.append(f"**{reflow(section.answer)}**")
    if section.lead:
        head.append(reflow(section.lead))
    writer.describe("\n".join(head))
    points = bullet_lines(map(reflow, section.points), "✅")
    writer.add_field(translate("label.key_points", lang), points)
    if section.published:
        writer.add_field(translate("label.published", lang), date(section.published), inline=True)
    writer.add_field(translate("label.commentary", lang), reflow(section.commentary or ""))
    writer.add_field(translate("label.body", lang), "\n\n".join(map(reflow, section.body)))
    sources = [source_line(briefing, section, s, library, date) for s in section.sources]
    writer.add_field(translate("label.sources", lang), "\n".join(sources))
    reactions = bullet_lines(map(reflow, section.reactions), "💬")
    writer.add_field(translate("label.reactions", lang), reactions)
    return writer.finish()


def sources_cards(
    briefing: Briefing, sections: Sequence[Section], library: Library, date: DateFormat
) -> list[Card]:
    """Every source of the given sections, grouped by section."""
    lang = briefing.language
    writer = CardWriter(translate("label.sources_of", lang, title=briefing.title), lang)
    any_source = False
    for section in sections:
        lines = []
        for source in section.sources:
            line = source_line(briefing, section, source, library, date)
            if source.description:
                line += f"\n  {escape_markdown(source.description)}"
            lines.append(line)
        if lines:
            any_source = True
            number = briefing.section_number(section)
            writer.add_field(f"{number}. {section.heading}", "\n".join(lines))
    if not any_source:
        writer.describe(translate("label.no_sources", lang))
    return writer.finish()


def briefing_list_cards(library: Library, language: str, date: DateFormat) -> list[Card]:
    """Every topic with its title, update date and section count, a page at a time."""
    briefings = list(library)
    if not briefings:
        return [
            Card(translate("label.briefings", language), translate("label.no_briefings", language))
        ]
    cards: list[Card] = []
    for start in range(0, len(briefings), LIST_PAGE_SIZE):
        writer = CardWriter(translate("label.briefings", language), language)
        for briefing in briefings[start : start + LIST_PAGE_SIZE]:
            count = translate("label.section_count", language, count=len(briefing.sections))
            updated = translate("label.updated", language)
            writer.add_field(
                briefing.title, f"`{briefing.id}` · {updated} {date(briefing.updated)} · {count}"
            )
        cards.extend(writer.finish())
    return cards


def briefing_pages(briefing: Briefing, library: Library, date: DateFormat) -> list[Page]:
    """The whole briefing to page through: the overview, then every section in order."""
    pages = paginate(overview_cards(briefing, date))
    for number, section in enumerate(briefing.sections, start=1):
        cards = section_cards(briefing, section, library, date, number=number)
        pages.extend(paginate(cards, section.id))
    return number_pages(pages, briefing.language)


def _section_header(briefing: Briefing, section: Section, now: dt.datetime | None) -> str:
    """A preview's line above a section: its number and id, and whether members see it."""
    parts = [f"section {briefing.section_number(section)}", f"id {section.id}"]
    if briefing.has_default_id(section):
        parts[-1] += " (from its position; give it an id to keep links stable)"
    mark = hidden_mark(section, now) if now is not None else None
    if mark is not None:
        parts.append(f"hidden from members: {mark}")
    return "── " + " · ".join(parts) + " ──\n"


def plain_text_preview(
    library: Library, topic: str, section_name: str | None, now: dt.datetime | None = None
) -> str:
    """A briefing or one section as plain text, laid out exactly as the bot shows it.

    Every section is shown, with a line naming its number and id; with `now`, what
    members cannot see at that moment (embargoed or expired) is marked so.
    """
    briefing = library.find_topic(topic)
    out: list[str] = []
    mark = hidden_mark(briefing, now) if now is not None else None
    if mark is not None:
        out.append(f"── {briefing.id} · hidden from members: {mark} ──\n")
    if section_name is None:
        pages = briefing_pages(briefing, library, iso_date)
    else:
        section = library.find_section(briefing, section_name)
        cards = section_cards(briefing, section, library, iso_date)
        pages = number_pages(paginate(cards, section.id), briefing.language)
    current: str | None = None
    for page in pages:
        if page.section_id is not None and page.section_id != current:
            current = page.section_id
            found = briefing.section(current)
            if found is not None:
                out.append(_section_header(briefing, found, now))
        out.extend(card_text(card) for card in page.cards)
    return "\n".join(out)
