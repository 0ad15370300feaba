"""`/briefing`: read briefings, their sections and sources, and search them."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.briefings.library import Library
from bot.briefings.presentation import (
    briefing_list_cards,
    briefing_pages,
    section_cards,
    sources_cards,
)
from bot.briefings.search_cards import search_cards
from bot.discord.cogs.choices import section_choices_for, topic_choices_for
from bot.discord.cogs.follows import FollowCommands, tell_of_paused_follow
from bot.discord.rendering import ExpiredPages, reader_language, send_pages
from bot.text.cards import Card, discord_date, number_pages, paginate

if TYPE_CHECKING:
    from bot.discord.client import BriefBot

log = logging.getLogger(__name__)

SEARCH_RESULTS = 10
PRIVATE = "Show the answer only to you"
TOPIC = "The briefing's id, title or alias"
Interaction = discord.Interaction[discord.Client]


def search_result_cards(library: Library, query: str, language: str) -> list[Card]:
    """The cards answering `/briefing search`: the best matches, or suggestions."""
    return search_cards(library, query, library.search(query, SEARCH_RESULTS), language)


@app_commands.allowed_installs(guilds=True, users=True)
@app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
class BriefingCog(
    FollowCommands,
    commands.GroupCog,
    group_name="briefing",
    group_description="Read curated topic briefings",
):
    """The `/briefing` command group."""

    def __init__(self, bot: BriefBot) -> None:
        self.bot = bot
        super().__init__()

    def _library(self) -> Library:
        """The library as members see it now, by the bot's clock (embargoes and expiries)."""
        return self.bot.library.visible(self.bot.clock())

    @commands.Cog.listener()
    async def on_app_command_completion(self, interaction: Interaction, command: object) -> None:
        """Say once, after any command of a member, that Discord's refusal paused their follow."""
        await tell_of_paused_follow(self.bot, interaction)

    async def cog_load(self) -> None:
        """Answer clicks on page controls that outlived their pages (after a restart)."""
        self.bot.add_view(ExpiredPages())

    async def topic_choices(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Topics matching what the user has typed so far, typos forgiven."""
        try:
            return topic_choices_for(self._library(), current)
        except Exception:
            log.exception("topic autocomplete failed for %r", current)
            return []

    async def section_choices(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Sections of the topic already chosen in this command."""
        topic = getattr(interaction.namespace, "topic", None)
        try:
            return section_choices_for(
                self._library(), topic if isinstance(topic, str) else None, current
            )
        except Exception:
            log.exception("section autocomplete failed for %r / %r", topic, current)
            return []

    @app_commands.command(name="list")
    @app_commands.describe(private=PRIVATE)
    async def list_briefings(self, interaction: Interaction, private: bool = False) -> None:
        """List every briefing with its update date and number of sections."""
        language = reader_language(interaction)
        cards = briefing_list_cards(self._library(), language, discord_date)
        await send_pages(
            interaction,
            number_pages(paginate(cards), language),
            ephemeral=private,
            language=language,
        )

    @app_commands.command(name="show")
    @app_commands.describe(topic=TOPIC, private=PRIVATE)
    @app_commands.autocomplete(topic=topic_choices)
    async def show(self, interaction: Interaction, topic: str, private: bool = False) -> None:
        """Show a briefing's overview, with buttons to read every section."""
        library = self._library()
        briefing = library.find_topic(topic)
        # Layout grows with the briefing (up to 1 MiB): keep it off the event loop.
        pages = await asyncio.to_thread(briefing_pages, briefing, library, discord_date)
        sections = [(section.id, section.heading) for section in briefing.sections]
        # The controls speak the briefing's language, like the pages they turn.
        await send_pages(
            interaction, pages, ephemeral=private, language=briefing.language, sections=sections
        )

    @app_commands.command(name="section")
    @app_commands.describe(
        topic=TOPIC,
        section="The section's id, heading or number",
        private=PRIVATE,
    )
    @app_commands.autocomplete(topic=topic_choices, section=section_choices)
    async def section(
        self, interaction: Interaction, topic: str, section: str, private: bool = False
    ) -> None:
        """Show one section: its answer, key points, sources and commentary."""
        library = self._library()
        briefing = library.find_topic(topic)
        chosen = library.find_section(briefing, section)
        cards = await asyncio.to_thread(section_cards, briefing, chosen, library, discord_date)
        pages = number_pages(paginate(cards, chosen.id), briefing.language)
        await send_pages(interaction, pages, ephemeral=private, language=briefing.language)

    @app_commands.command(name="sources")
    @app_commands.describe(
        topic=TOPIC,
        section="Only this section's sources",
        private=PRIVATE,
    )
    @app_commands.autocomplete(topic=topic_choices, section=section_choices)
    async def sources(
        self,
        interaction: Interaction,
        topic: str,
        section: str | None = None,
        private: bool = False,
    ) -> None:
        """List every source of a briefing or one section, with dates and stale marks."""
        library = self._library()
        briefing = library.find_topic(topic)
        sections = [library.find_section(briefing, section)] if section else list(briefing.sections)
        cards = await asyncio.to_thread(sources_cards, briefing, sections, library, discord_date)
        pages = number_pages(paginate(cards), briefing.language)
        await send_pages(interaction, pages, ephemeral=private, language=briefing.language)

    @app_commands.command(name="search")
    @app_commands.describe(query="Words to look for, in any language", private=PRIVATE)
    async def search(
        self,
        interaction: Interaction,
        query: app_commands.Range[str, 1, 100],
        private: bool = False,
    ) -> None:
        """Search everything in every briefing: titles, tags, sections and sources."""
        language = reader_language(interaction)
        library = self._library()
        # The first search after a reload builds the index, and the first one without
        # results the word list for spelling fixes: keep the event loop free meanwhile.
        cards = await asyncio.to_thread(search_result_cards, library, query, language)
        await send_pages(
            interaction,
            number_pages(paginate(cards), language),
            ephemeral=private,
            language=language,
        )


async def setup(bot: BriefBot) -> None:
    """Load the `/briefing` commands."""
    await bot.add_cog(BriefingCog(bot))
