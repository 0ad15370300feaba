"""A slash-command interaction as discord.py builds it from the gateway, for a REST-only client.

The loopback Discord (benchmarks.loopback_discord) has no gateway; this gives a logged-in
`discord.Client` a real `discord.Interaction`, so its responses and followups go out
through discord.py's own webhook adapter, as they do in the bot.
"""

from __future__ import annotations

import itertools

import discord

from benchmarks.loopback_channels import APPLICATION_ID

_ids = itertools.count(1_400_000_000_000_000_000)


def slash_command(client: discord.Client, *, channel_id: int = 777) -> discord.Interaction:
    """A `/briefing` interaction from a member, addressed to `client`'s application."""
    interaction_id = next(_ids)
    payload = {
        "id": str(interaction_id),
        "application_id": str(APPLICATION_ID),
        "type": 2,
        "token": f"interaction-token-{interaction_id}",
        "version": 1,
        "data": {"id": "5", "name": "briefing", "type": 1},
        "channel_id": str(channel_id),
        "locale": "en-US",
        "app_permissions": "0",
        "user": {
            "id": "42",
            "username": "member",
            "discriminator": "0",
            "avatar": None,
            "global_name": None,
        },
        "entitlements": [],
        "authorizing_integration_owners": {},
        "attachment_size_limit": 8 * 1024 * 1024,
    }
    return discord.Interaction(data=payload, state=client._connection)
