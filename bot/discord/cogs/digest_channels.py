"""Which channels `/digest` accepts, what the bot needs in them, and where digests go there.

Used by the `/digest` cog before it calls the digest service: a channel option is looked
up in this server only, and each refusal raises the domain error `tree.on_error` words.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.digests.records import Target
from bot.errors import (
    BotMissingPermission,
    ChannelNotInGuild,
    EveryoneNotAllowed,
    NewThreadNeedsTextChannel,
    RoleNotMentionable,
    TagsNeedForum,
)
from bot.text.i18n import translate

Interaction = discord.Interaction[discord.Client]
# What the bot needs in a digest channel, in the order it checks them.
BOT_PERMISSIONS = ("view_channel", "send_messages", "embed_links")
THREAD_PERMISSIONS = ("view_channel", "send_messages_in_threads", "embed_links")
FORUM_PERMISSIONS = ("view_channel", "send_messages", "send_messages_in_threads", "embed_links")
NEW_THREAD_PERMISSIONS = (
    *BOT_PERMISSIONS,
    "read_message_history",
    "create_public_threads",
    "send_messages_in_threads",
)
DigestTarget = discord.TextChannel | discord.Thread | discord.ForumChannel


class DigestChannel(app_commands.Transformer):
    """A text, announcement, forum or media channel, or a thread, of this server only."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        """Discord shows a channel picker."""
        return discord.AppCommandOptionType.channel

    @property
    def channel_types(self) -> list[discord.ChannelType]:
        """Only channels a digest can be posted in."""
        return [
            discord.ChannelType.text,
            discord.ChannelType.news,
            discord.ChannelType.public_thread,
            discord.ChannelType.private_thread,
            discord.ChannelType.news_thread,
            discord.ChannelType.forum,
            discord.ChannelType.media,
        ]

    async def transform(self, interaction: Interaction, value: Any, /) -> DigestTarget:
        """Look the channel or thread up in this server; refuse anything else."""
        guild = interaction.guild
        channel = guild.get_channel_or_thread(int(value.id)) if guild is not None else None
        if not isinstance(channel, discord.TextChannel | discord.Thread | discord.ForumChannel):
            raise ChannelNotInGuild()
        return channel


GuildChannel = app_commands.Transform[DigestTarget, DigestChannel]


def check_bot_can_post(channel: DigestTarget, locale: str, target: Target = "channel") -> None:
    """Raise BotMissingPermission naming the first permission the bot lacks there."""
    permissions = channel.permissions_for(channel.guild.me)
    needed: tuple[str, ...] = BOT_PERMISSIONS
    if isinstance(channel, discord.Thread):
        needed = THREAD_PERMISSIONS
    elif isinstance(channel, discord.ForumChannel):
        needed = FORUM_PERMISSIONS
    elif target == "new_thread":
        needed = NEW_THREAD_PERMISSIONS
    for name in needed:
        if not getattr(permissions, name):
            raise BotMissingPermission(
                permission=translate(f"permission.{name}", locale), channel=channel.mention
            )


def check_bot_can_ping(channel: DigestTarget, role: discord.Role) -> None:
    """Raise unless the bot may ping this one role in the channel (never @everyone)."""
    if role.is_default():
        raise EveryoneNotAllowed()
    if not (role.mentionable or channel.permissions_for(channel.guild.me).mention_everyone):
        raise RoleNotMentionable(role=role.mention, channel=channel.mention)


def digest_target(channel: DigestTarget, thread: str, tags: str | None) -> Target:
    """Where the digests go in this channel; raises when the options do not fit it."""
    if isinstance(channel, discord.ForumChannel):
        if thread == "new":
            raise NewThreadNeedsTextChannel(channel=channel.mention)
        return "forum"
    if tags:
        raise TagsNeedForum(channel=channel.mention)
    if thread == "new":
        if isinstance(channel, discord.Thread):
            raise NewThreadNeedsTextChannel(channel=channel.mention)
        return "new_thread"
    return "channel"
