"""Search results as cards: each hit with its briefing, section, an excerpt and the command
that opens it. Pure, like the rest of the briefing core.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.briefings.library import Library
from bot.briefings.search import SearchHit
from bot.text.cards import Card, CardWriter, escape_markdown
from bot.text.i18n import translate


def search_cards(
    library: Library, query: str, hits: Sequence[SearchHit], language: str
) -> list[Card]:
    """The best matches, each with its briefing, section and an excerpt."""
    title = translate("label.search_title", language, query=query)
    writer = CardWriter(title, language)
    if not hits:
        writer.describe(translate("label.no_results", language, query=escape_markdown(query)))
    for hit in hits:
        briefing = library.briefings[hit.briefing_id]
        section = briefing.section(hit.section_id)
        assert section is not None
        excerpt = hit.excerpt
        marked = (
            escape_markdown(excerpt[: hit.match_start])
            + f"**{escape_markdown(excerpt[hit.match_start : hit.match_end])}**"
            + escape_markdown(excerpt[hit.match_end :])
            if hit.match_end > hit.match_start
            else escape_markdown(excerpt)
        )
        command = f"`/briefing section topic:{briefing.id} section:{section.id}`"
        writer.add_field(f"{briefing.title} › {section.heading}", f"{marked}\n{command}")
    return writer.finish()
