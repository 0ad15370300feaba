"""`/briefing follow`, `unfollow` and `following`: a member's own digests in their DMs.

A mixin of the `/briefing` group (its commands join that group). Every reply is
private and mentions nobody. A follow that Discord paused (DMs closed) is mentioned
once, after the member's next command, by `tell_of_paused_follow`.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.digests.explain import why_cards
from bot.digests.listing import discord_time, failure_reason, topics_text
from bot.discord.cogs.choices import (
    Choices,
    followed_topic_choices_for,
    schedule_choices_for,
    timezone_choices_for,
)
from bot.discord.cogs.choices import topic_choices_for as _topics
from bot.discord.rendering import reader_language, send_pages, send_private
from bot.text.cards import number_pages, paginate
from bot.text.i18n import translate

if TYPE_CHECKING:
    from bot.discord.client import BriefBot

log = logging.getLogger(__name__)
Interaction = discord.Interaction[discord.Client]


async def tell_of_paused_follow(bot: BriefBot, interaction: Interaction) -> None:
    """After a member's command: say once that Discord's refusal paused their follow."""
    try:
        paused = await bot.digests.follows.unheard_pause(interaction.user.id)
        if paused is None or not interaction.response.is_done():
            return
        language = paused.language
        text = translate(
            "follow.paused_notice",
            language,
            topics=topics_text(paused.topics, language),
            reason=failure_reason(paused.failure_code, paused.failure_reason, language),
        )
        await send_private(interaction, text)
    except Exception:  # the command itself has been answered; never spoil that
        log.exception("could not tell member %s their follow is paused", interaction.user.id)


class FollowCommands(commands.Cog):
    """The follow commands, mixed into the `/briefing` group cog (never loaded alone)."""

    bot: BriefBot

    async def follow_topic_choices(self, interaction: Interaction, current: str) -> Choices:
        """Topics to follow, as members see them now."""
        return _topics(self.bot.library.visible(self.bot.clock()), current)

    async def followed_topic_choices(self, interaction: Interaction, current: str) -> Choices:
        """The topics this member follows, matching what was typed."""
        followed = await self.bot.digests.follows.of_member(interaction.user.id)
        topics = (followed.topics or ()) if followed is not None else ()
        return followed_topic_choices_for(self.bot.library, topics, current)

    async def follow_schedule_choices(self, interaction: Interaction, current: str) -> Choices:
        """The accepted schedule forms."""
        return schedule_choices_for(current)

    async def follow_timezone_choices(self, interaction: Interaction, current: str) -> Choices:
        """IANA zone names containing what was typed."""
        return timezone_choices_for(current, self.bot.settings.default_timezone)

    @app_commands.command(name="follow")
    @app_commands.describe(
        topic="The briefing to follow",
        schedule="daily HH:MM, weekdays HH:MM, weekly mon HH:MM, or a 5-field cron "
        "(default: daily 09:00)",
        timezone="An IANA time zone such as Asia/Tokyo",
    )
    @app_commands.autocomplete(
        topic=follow_topic_choices,
        schedule=follow_schedule_choices,
        timezone=follow_timezone_choices,
    )
    async def follow(
        self,
        interaction: Interaction,
        topic: str,
        schedule: str | None = None,
        timezone: str | None = None,
    ) -> None:
        """Get a topic's digests in your direct messages, on your own schedule."""
        language = reader_language(interaction)
        subscription, created = await self.bot.digests.follows.follow(
            interaction.user.id,
            topic,
            schedule=schedule,
            timezone=timezone,
            language=language,
            now=self.bot.clock(),
        )
        text = translate(
            "follow.followed" if created else "follow.updated",
            language,
            topics=topics_text(subscription.topics, language),
            schedule=subscription.schedule,
            timezone=subscription.timezone,
            next_due=discord_time(subscription.next_due),
        )
        await send_private(interaction, text)

    @app_commands.command(name="unfollow")
    @app_commands.describe(topic="The briefing to stop following")
    @app_commands.autocomplete(topic=followed_topic_choices)
    async def unfollow(self, interaction: Interaction, topic: str) -> None:
        """Stop getting a topic's digests in your direct messages."""
        language = reader_language(interaction)
        result = await self.bot.digests.follows.unfollow(
            interaction.user.id, topic, self.bot.clock()
        )
        named = topics_text((result.topic,), language)
        if result.remaining is None:
            text = translate("follow.unfollowed_last", language, topic=named)
        else:
            remaining = topics_text(result.remaining.topics, language)
            text = translate("follow.unfollowed", language, topic=named, topics=remaining)
        await send_private(interaction, text)

    @app_commands.command(name="following")
    async def following(self, interaction: Interaction) -> None:
        """What you follow: the next digest, the last runs and what waits."""
        language = reader_language(interaction)
        explanation = await self.bot.digests.follows.explain(interaction.user.id, self.bot.clock())
        if explanation is None:
            await send_private(interaction, translate("follow.none", language))
            return
        subscription = explanation.subscription
        cards = why_cards(
            subscription,
            explanation.runs,
            explanation.waiting,
            translate("follow.where", language),
            language,
            self.bot.settings.digest.catch_up_hours,
        )
        heading = translate(
            "follow.title", language, topics=topics_text(subscription.topics, language)
        )
        cards[0] = dataclasses.replace(cards[0], title=heading)
        await send_pages(
            interaction, number_pages(paginate(cards), language), ephemeral=True, language=language
        )
