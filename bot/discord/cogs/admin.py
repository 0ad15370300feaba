"""`/briefing-admin`: reload briefings and see what is loaded, broken or due."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.briefings.visibility import hidden_parts
from bot.discord.rendering import reader_language, send_pages
from bot.discord.status_cards import reload_report_pages, status_pages
from bot.errors import AdminOnly, BotWideOnly
from bot.text.cards import (
    MESSAGE_EMBED_COUNT_LIMIT,
    MESSAGE_EMBED_TOTAL_LIMIT,
    CardWriter,
    Page,
    paginate,
)

if TYPE_CHECKING:
    from bot.discord.client import BriefBot

Interaction = discord.Interaction[discord.Client]
HIDDEN_TITLE = "Hidden from members (embargoed or expired)"


def with_hidden_parts(pages: list[Page], bot: BriefBot, language: str) -> list[Page]:
    """The status pages, and the briefings and sections members cannot see now, marked why."""
    lines = hidden_parts(bot.library, bot.clock())
    if not lines:
        return pages
    writer = CardWriter(HIDDEN_TITLE, language)
    writer.describe("\n".join(lines))
    cards = writer.finish()
    last = pages[-1] if pages else None
    if (
        last is not None
        and len(last.cards) + len(cards) <= MESSAGE_EMBED_COUNT_LIMIT
        and sum(c.size for c in (*last.cards, *cards)) <= MESSAGE_EMBED_TOTAL_LIMIT
    ):
        return [*pages[:-1], replace(last, cards=(*last.cards, *cards))]
    return [*pages, *paginate(cards)]


async def is_bot_wide_admin(bot: BriefBot, user: discord.abc.User) -> bool:
    """The bot's owner or a configured admin user: the people who see every server's figures."""
    return user.id in bot.settings.admin_user_ids or await bot.is_owner(user)


async def is_briefbot_admin(bot: BriefBot, interaction: Interaction) -> bool:
    """The bot's owner, a configured admin user or role, or a member with Manage Server."""
    user = interaction.user
    settings = bot.settings
    if user.id in settings.admin_user_ids:
        return True
    if isinstance(user, discord.Member):
        if user.guild_permissions.manage_guild:
            return True
        if any(role.id in settings.admin_role_ids for role in user.roles):
            return True
    return await bot.is_owner(user)


@app_commands.guild_only()
class AdminCog(
    commands.GroupCog,
    group_name="briefing-admin",
    group_description="Manage the briefings the bot serves",
):
    """The `/briefing-admin` command group."""

    def __init__(self, bot: BriefBot) -> None:
        self.bot = bot
        super().__init__()

    async def _require_admin(self, interaction: Interaction) -> str:
        if not await is_briefbot_admin(self.bot, interaction):
            raise AdminOnly()
        return reader_language(interaction)

    @app_commands.command(name="status")
    @app_commands.describe(
        everywhere="Figures for every server (the bot's owner and configured admins only)"
    )
    async def status(self, interaction: Interaction, everywhere: bool = False) -> None:
        """Show loaded topics, current errors and warnings, and digest health."""
        language = await self._require_admin(interaction)
        if everywhere and not await is_bot_wide_admin(self.bot, interaction.user):
            raise BotWideOnly()
        guild_id = None if everywhere else interaction.guild_id
        counts = await self.bot.store.subscriptions.state_counts(guild_id)
        shards = sorted(
            (shard_id, info.latency)
            for shard_id, info in self.bot.shards.items()
            if not math.isnan(info.latency)  # a shard has no latency before its first beat
        )
        pages = status_pages(
            self.bot.last_reload,
            len(self.bot.library),
            counts,
            language,
            everywhere=guild_id is None,
            shards=shards,
            members=await self.bot.cluster.members() if guild_id is None else (),
        )
        pages = with_hidden_parts(pages, self.bot, language)
        await send_pages(interaction, pages, ephemeral=True, language=language)

    @app_commands.command(name="reload")
    async def reload(self, interaction: Interaction) -> None:
        """Reload the briefing files now and report what changed."""
        language = await self._require_admin(interaction)
        report = await self.bot.reload_briefings()
        await send_pages(
            interaction, reload_report_pages(report, language), ephemeral=True, language=language
        )


async def setup(bot: BriefBot) -> None:
    """Load the `/briefing-admin` commands."""
    await bot.add_cog(AdminCog(bot))
