"""Search results as cards, grouped by briefing: its title once, with the show command and
any match in its own fields, then one field per matching section, each saying where
the match is (section and field), an excerpt with every matched term in bold, and the
command that opens it. A search without results suggests what may help. Pure, like the
rest of the briefing core.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.briefings.library import Library
from bot.briefings.search import SearchHit
from bot.text.cards import Card, CardWriter, escape_markdown
from bot.text.i18n import translate


def marked_excerpt(hit: SearchHit) -> str:
    """The excerpt as Discord markdown: escaped, with every match in bold."""
    pieces: list[str] = []
    at = 0
    for start, end in hit.marks:
        pieces += [escape_markdown(hit.excerpt[at:start]), "**"]
        pieces += [escape_markdown(hit.excerpt[start:end]), "**"]
        at = end
    pieces.append(escape_markdown(hit.excerpt[at:]))
    return "".join(pieces)


def _grouped(hits: Sequence[SearchHit]) -> dict[str, list[SearchHit]]:
    """Hits by briefing, briefings in the order of their best hit, hits best first."""
    groups: dict[str, list[SearchHit]] = {}
    for hit in hits:
        groups.setdefault(hit.briefing_id, []).append(hit)
    return groups


def no_results_text(library: Library, query: str, language: str) -> str:
    """Nothing matched: say so, then offer a spelling fix and the closest topics."""
    lines = [translate("label.no_results", language, query=escape_markdown(query))]
    suggestions = library.search_suggestions(query)
    if suggestions.spelling:
        command = f"`/briefing search query:{suggestions.spelling}`"
        lines.append(
            translate(
                "search.spelling",
                language,
                fixed=escape_markdown(suggestions.spelling),
                command=command,
            )
        )
    if suggestions.topics:
        topics = ", ".join(f"{escape_markdown(b.title)} (`{b.id}`)" for b in suggestions.topics)
        lines.append(translate("search.closest_topics", language, topics=topics))
    else:
        lines.append(translate("search.every_topic", language, command="`/briefing list`"))
    return "\n".join(lines)


def search_cards(
    library: Library, query: str, hits: Sequence[SearchHit], language: str
) -> list[Card]:
    """The best matches grouped by briefing, or suggestions when nothing matched."""
    writer = CardWriter(translate("label.search_title", language, query=query), language)
    if not hits:
        writer.describe(no_results_text(library, query, language))
        return writer.finish()
    for briefing_id, group in _grouped(hits).items():
        briefing = library.briefings[briefing_id]
        numbers = {section.id: n for n, section in enumerate(briefing.sections, start=1)}
        lines = [
            f"{translate(f'search.field.{hit.field}', language)}: {marked_excerpt(hit)}"
            for hit in group
            if hit.section_id is None
        ]
        lines.append(f"`/briefing show topic:{briefing.id}`")
        writer.add_field(briefing.title, "\n".join(lines))
        for hit in group:
            if hit.section_id is None:
                continue
            section = briefing.section(hit.section_id)
            assert section is not None
            where = translate(f"search.field.{hit.field}", language)
            command = f"`/briefing section topic:{briefing.id} section:{section.id}`"
            writer.add_field(
                f"› {numbers[section.id]}. {section.heading} · {where}",
                f"{marked_excerpt(hit)}\n{command}",
            )
    return writer.finish()
