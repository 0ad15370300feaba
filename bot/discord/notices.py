"""Where a guild's staff are told that a digest subscription is failing."""

from __future__ import annotations

import logging

import discord

log = logging.getLogger(__name__)


class SystemChannelNotices:
    """Notices go to the guild's system channel, when the bot may post there."""

    def __init__(self, client: discord.Client) -> None:
        self._client = client

    async def notice_channel(self, guild_id: int, failing_channel_id: int) -> int | None:
        """The guild's system channel, unless it is the failing one or the bot may not post."""
        guild = self._client.get_guild(guild_id)
        if guild is None and not self._client.is_ready():
            return await self._fetched_system_channel(guild_id, failing_channel_id)
        channel = guild.system_channel if guild is not None else None
        if guild is None or channel is None or channel.id == failing_channel_id:
            log.info("no system channel to tell guild %s about failing digests", guild_id)
            return None
        permissions = channel.permissions_for(guild.me)
        if not (permissions.view_channel and permissions.send_messages):
            log.info("may not post in guild %s's system channel either", guild.id)
            return None
        return channel.id

    async def _fetched_system_channel(self, guild_id: int, failing_channel_id: int) -> int | None:
        """Without a gateway (the worker) the guild comes over REST; a refusal is logged."""
        try:
            data = await self._client.http.get_guild(guild_id)
        except discord.HTTPException as error:
            log.info("could not look up guild %s for a notice: %s", guild_id, error)
            return None
        found = data.get("system_channel_id")
        channel_id = int(found) if found else None
        return None if channel_id in (None, failing_channel_id) else channel_id
