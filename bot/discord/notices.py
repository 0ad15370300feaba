"""Where a guild's staff are told that a digest subscription is failing."""

from __future__ import annotations

import logging

import discord

log = logging.getLogger(__name__)


class SystemChannelNotices:
    """Notices go to the guild's system channel, when the bot may post there."""

    def __init__(self, client: discord.Client) -> None:
        self._client = client

    def notice_channel(self, guild_id: int, failing_channel_id: int) -> int | None:
        """The guild's system channel, unless it is the failing one or the bot may not post."""
        guild = self._client.get_guild(guild_id)
        channel = guild.system_channel if guild is not None else None
        if guild is None or channel is None or channel.id == failing_channel_id:
            log.info("no system channel to tell guild %s about failing digests", guild_id)
            return None
        permissions = channel.permissions_for(guild.me)
        if not (permissions.view_channel and permissions.send_messages):
            log.info("may not post in guild %s's system channel either", guild.id)
            return None
        return channel.id
