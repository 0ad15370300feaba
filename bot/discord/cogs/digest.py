"""`/digest`: subscribe channels to scheduled digests of what changed in the briefings.

Guild only, hidden from members without Manage Channels (`default_permissions`), and
checked again when it runs: the member needs Manage Channels where the command is used
and in the channel it names. Every reply is private and mentions nobody.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.digests.explain import why_cards
from bot.digests.listing import discord_time, subscribed_text, subscription_cards
from bot.digests.posts import choose_forum_tags
from bot.digests.records import SubscriptionRequest
from bot.discord.cogs.choices import (
    Choices,
    digest_topic_choices,
    forum_tag_choices,
    schedule_choices_for,
    timezone_choices_for,
)
from bot.discord.cogs.digest_channels import (
    GuildChannel,
    check_bot_can_ping,
    check_bot_can_post,
    digest_target,
)
from bot.discord.rendering import reader_language, send_pages, send_private, send_private_message
from bot.errors import NotAllowed, NotAnnouncementChannel
from bot.text.cards import number_pages, paginate
from bot.text.i18n import language_of, translate

if TYPE_CHECKING:
    from bot.discord.client import BriefBot

Interaction = discord.Interaction[discord.Client]


def _digest_language(interaction: Interaction) -> str:
    """The language of a channel's digests: the server's, else the member's."""
    locale = interaction.guild_locale or interaction.locale
    return language_of(locale.value)


class ManageChannelsRequired(app_commands.CheckFailure, NotAllowed):
    """The run-time check failed: a check failure for discord.py, a NotAllowed for users."""

    def __init__(self, permission: str) -> None:
        NotAllowed.__init__(self, permission=permission)


@app_commands.guild_only()
@app_commands.default_permissions(manage_channels=True)
class DigestCog(
    commands.GroupCog,
    group_name="digest",
    group_description="Post scheduled digests of briefing updates to channels",
):
    """The `/digest` command group."""

    def __init__(self, bot: BriefBot) -> None:
        self.bot = bot
        super().__init__()

    async def interaction_check(self, interaction: Interaction, /) -> bool:
        """Re-check Manage Channels at run time, here and in the channel named."""
        member = interaction.user
        guild = interaction.guild
        if guild is None or not isinstance(member, discord.Member):
            raise app_commands.NoPrivateMessage()
        allowed = interaction.permissions.manage_channels
        target = getattr(interaction.namespace, "channel", None)
        if allowed and target is not None:
            channel = guild.get_channel(int(target.id))
            if channel is not None:
                allowed = channel.permissions_for(member).manage_channels
        if not allowed:
            permission = translate("permission.manage_channels", reader_language(interaction))
            raise ManageChannelsRequired(permission)
        return True

    # --- Autocomplete ----------------------------------------------------------------------

    async def topic_choices(self, interaction: Interaction, current: str) -> Choices:
        """Complete the last of the comma-separated topics; `all` is offered too."""
        library = self.bot.library.visible(self.bot.clock())  # embargoed topics stay hidden
        label = translate("digest.all_topics", reader_language(interaction))
        return digest_topic_choices(library, current, label)

    async def schedule_choices(self, interaction: Interaction, current: str) -> Choices:
        """The accepted forms, starting with what was typed."""
        return schedule_choices_for(current)

    async def timezone_choices(self, interaction: Interaction, current: str) -> Choices:
        """IANA zone names containing what was typed."""
        return timezone_choices_for(current, self.bot.settings.default_timezone)

    async def tag_choices(self, interaction: Interaction, current: str) -> Choices:
        """The tags of the forum chosen in this command (none before a forum is chosen)."""
        picked = getattr(interaction.namespace, "channel", None)
        guild = interaction.guild
        forum = guild.get_channel(int(picked.id)) if guild is not None and picked else None
        if not isinstance(forum, discord.ForumChannel):
            return []
        return forum_tag_choices((tag.name for tag in forum.available_tags), current)

    # --- Helpers ---------------------------------------------------------------------------

    def _guild_id(self, interaction: Interaction) -> int:
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage()
        return interaction.guild_id

    # --- Commands --------------------------------------------------------------------------

    @app_commands.command(name="subscribe")
    @app_commands.describe(
        channel="The channel that gets the digests",
        topics="Topic ids separated by commas, or all (the default)",
        schedule="daily HH:MM, weekdays HH:MM, weekly mon HH:MM, or a 5-field cron",
        timezone="An IANA time zone such as Asia/Tokyo (the default comes from the config)",
        mode="changes: only what changed (default); full: a summary of every briefing",
        mention="A role to ping in the first message of each digest (it must be mentionable)",
        publish="Announcement channels: publish each message to the servers that follow it",
        tags="Forum channels: tags for each digest's post, separated by commas",
        thread="new: each digest opens a thread from its first message, holding the rest",
    )
    @app_commands.autocomplete(
        topics=topic_choices, schedule=schedule_choices, timezone=timezone_choices, tags=tag_choices
    )
    async def subscribe(
        self,
        interaction: Interaction,
        channel: GuildChannel,
        topics: str | None = None,
        schedule: str | None = None,
        timezone: str | None = None,
        mode: Literal["changes", "full"] = "changes",
        mention: discord.Role | None = None,
        publish: bool = False,
        tags: str | None = None,
        thread: Literal["new", "none"] = "none",
    ) -> None:
        """Send a channel scheduled digests of what changed (subscribing again updates it)."""
        locale = reader_language(interaction)
        target = digest_target(channel, thread, tags)
        check_bot_can_post(channel, locale, target)
        if mention is not None:
            check_bot_can_ping(channel, mention)
        if publish and not (isinstance(channel, discord.TextChannel) and channel.is_news()):
            raise NotAnnouncementChannel(channel=channel.mention)
        forum_tags: tuple[int, ...] = ()
        if isinstance(channel, discord.ForumChannel):
            forum_tags = choose_forum_tags(
                tags,
                [(tag.id, tag.name) for tag in channel.available_tags],
                required=channel.flags.require_tag,
                forum=channel.mention,
            )
        request = SubscriptionRequest(
            language=_digest_language(interaction),
            topics=topics,
            schedule=schedule,
            timezone=timezone,
            mode=mode,
            mention_role_id=mention.id if mention is not None else None,
            publish=publish,
            target=target,
            forum_tags=forum_tags,
        )
        subscription, created = await self.bot.digests.subscribe(
            self._guild_id(interaction),
            channel.id,
            request,
            user_id=interaction.user.id,
            now=self.bot.clock(),
        )
        text = subscribed_text(
            subscription,
            created=created,
            channel=channel.mention,
            tag_names={tag.id: tag.name for tag in getattr(channel, "available_tags", ())},
            language=locale,
        )
        await send_private(interaction, text)

    @app_commands.command(name="unsubscribe")
    @app_commands.describe(channel="The channel that should stop getting digests")
    async def unsubscribe(self, interaction: Interaction, channel: GuildChannel) -> None:
        """Stop a channel's digests."""
        await self.bot.digests.unsubscribe(self._guild_id(interaction), channel.id)
        text = translate(
            "digest.unsubscribed", reader_language(interaction), channel=channel.mention
        )
        await send_private(interaction, text)

    @app_commands.command(name="list")
    async def list_subscriptions(self, interaction: Interaction) -> None:
        """List this server's digest subscriptions: state, schedule and next due time."""
        locale = reader_language(interaction)
        guild = interaction.guild
        assert guild is not None
        subscriptions = await self.bot.digests.subscriptions(guild.id)
        names = {c.id: c.name for c in guild.channels}
        cards = subscription_cards(
            subscriptions, locale, names, self.bot.settings.digest.catch_up_hours
        )
        await send_pages(
            interaction, number_pages(paginate(cards), locale), ephemeral=True, language=locale
        )

    @app_commands.command(name="preview")
    @app_commands.describe(channel="The subscribed channel")
    async def preview(self, interaction: Interaction, channel: GuildChannel) -> None:
        """Show privately exactly what the channel's next digest would post now."""
        locale = reader_language(interaction)
        messages = await self.bot.digests.preview(
            self._guild_id(interaction), channel.id, self.bot.clock()
        )
        if not messages:
            text = translate("digest.preview_empty", locale, channel=channel.mention)
            await send_private(interaction, text)
            return
        intro = translate("digest.preview_intro", locale, channel=channel.mention)
        for index, message in enumerate(messages):
            content = f"{intro}\n{message.content or ''}".strip() if index == 0 else message.content
            await send_private_message(interaction, message, content)

    @app_commands.command(name="send")
    @app_commands.describe(channel="The subscribed channel")
    async def send(self, interaction: Interaction, channel: GuildChannel) -> None:
        """Deliver the channel's digest now, the same way a scheduled one is delivered."""
        locale = reader_language(interaction)
        guild_id = self._guild_id(interaction)
        await self.bot.digests.subscription(guild_id, channel.id)  # NotSubscribed, at once
        await interaction.response.defer(ephemeral=True, thinking=True)
        outcome = await self.bot.digests.send_now(guild_id, channel.id, self.bot.clock())
        if outcome.status == "sent":
            text = translate("digest.sent", locale, channel=channel.mention, count=outcome.messages)
        elif outcome.status == "unchanged":
            text = translate("digest.unchanged", locale, channel=channel.mention)
        else:
            text = translate(
                "digest.send_failed", locale, channel=channel.mention, reason=outcome.reason or "?"
            )
        await send_private(interaction, text)

    @app_commands.command(name="why")
    @app_commands.describe(channel="The subscribed channel")
    async def why(self, interaction: Interaction, channel: GuildChannel) -> None:
        """Why didn't it post? The channel's last runs, next due time and what waits."""
        locale = reader_language(interaction)
        explanation = await self.bot.digests.explain(
            self._guild_id(interaction), channel.id, self.bot.clock()
        )
        cards = why_cards(
            explanation.subscription,
            explanation.runs,
            explanation.waiting,
            f"#{channel.name}",
            locale,
            self.bot.settings.digest.catch_up_hours,
        )
        await send_pages(
            interaction, number_pages(paginate(cards), locale), ephemeral=True, language=locale
        )

    @app_commands.command(name="pause")
    @app_commands.describe(channel="The subscribed channel")
    async def pause(self, interaction: Interaction, channel: GuildChannel) -> None:
        """Pause a channel's digests until resumed."""
        await self.bot.digests.pause(
            self._guild_id(interaction), channel.id, self.bot.clock(), by=interaction.user.id
        )
        text = translate("digest.paused", reader_language(interaction), channel=channel.mention)
        await send_private(interaction, text)

    @app_commands.command(name="resume")
    @app_commands.describe(channel="The subscribed channel")
    async def resume(self, interaction: Interaction, channel: GuildChannel) -> None:
        """Resume a paused or failing channel's digests from its next due time."""
        locale = reader_language(interaction)
        guild_id = self._guild_id(interaction)
        current = await self.bot.digests.subscription(guild_id, channel.id)
        check_bot_can_post(channel, locale, current.target)
        resumed = await self.bot.digests.resume(guild_id, channel.id, self.bot.clock())
        text = translate(
            "digest.resumed",
            locale,
            channel=channel.mention,
            next_due=discord_time(resumed.next_due),
        )
        await send_private(interaction, text)


async def setup(bot: BriefBot) -> None:
    """Load the `/digest` commands."""
    await bot.add_cog(DigestCog(bot))
