"""What a briefing looks like, as cards: overview, sections, sources, lists and search hits.

Everything here is pure, so the same layout feeds Discord embeds (`bot.discord.rendering`)
and the terminal preview. Text that does not fit one place continues in the next field or
on the next card; nothing is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.briefings.library import Library
from bot.briefings.models import Briefing, Section, Source
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
    """One source as a markdown link with its publisher, date and staleness."""
    line = f"[{escape_markdown(source.name)}]({link_url(source.url)})"
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
    intro = (
        f"**{briefing.subtitle}**\n{briefing.summary}" if briefing.subtitle else briefing.summary
    )
    writer.describe(intro)
    for number, section in enumerate(briefing.sections, start=1):
        writer.add_field(f"{number}. {section.heading}", section.answer)
    writer.add_field(translate("label.takeaways", lang), bullet_lines(briefing.takeaways, "💡"))
    if briefing.closing:
        writer.add_field(translate("label.closing", lang), briefing.closing)
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
    head = [f"> {section.question}"] if section.question else []
    head.append(f"**{section.answer}**")
    if section.lead:
        head.append(section.lead)
    writer.describe("\n".join(head))
    writer.add_field(translate("label.key_points", lang), bullet_lines(section.points, "✅"))
    if section.published:
        writer.add_field(translate("label.published", lang), date(section.published), inline=True)
    writer.add_field(translate("label.commentary", lang), section.commentary or "")
    writer.add_field(translate("label.body", lang), "\n\n".join(section.body))
    sources = [source_line(briefing, section, s, library, date) for s in section.sources]
    writer.add_field(translate("label.sources", lang), "\n".join(sources))
    writer.add_field(translate("label.reactions", lang), bullet_lines(section.reactions, "💬"))
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


def plain_text_preview(library: Library, topic: str, section_name: str | None) -> str:
    """A briefing or one section as plain text, laid out exactly as the bot shows it."""
    briefing = library.find_topic(topic)
    if section_name is None:
        pages = briefing_pages(briefing, library, iso_date)
    else:
        section = library.find_section(briefing, section_name)
        cards = section_cards(briefing, section, library, iso_date)
        pages = number_pages(paginate(cards), briefing.language)
    return "\n".join(card_text(card) for page in pages for card in page.cards)
