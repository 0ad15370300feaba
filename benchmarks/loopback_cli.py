"""Run the real `briefbot` command line with discord.py pointed at loopback servers.

    BRIEFBOT_TEST_API_BASE=http://127.0.0.1:PORT/api/v10 \\
    BRIEFBOT_TEST_GATEWAY=ws://127.0.0.1:PORT/ \\
    python -m benchmarks.loopback_cli --config config.yaml run

Only this helper reads the two variables, so production code has no way to be pointed
elsewhere: it sets `discord.http.Route.BASE` (the REST API) and the gateway discord.py
connects to, then hands the arguments to `bot.cli.main` in this same process.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import discord.gateway
import discord.http
import yarl

from bot.cli import main

API_BASE_VARIABLE = "BRIEFBOT_TEST_API_BASE"
GATEWAY_VARIABLE = "BRIEFBOT_TEST_GATEWAY"


def point_discord_at_loopback() -> None:
    """Send discord.py's REST calls and gateway connection where the variables say."""
    api_base = os.environ.get(API_BASE_VARIABLE)
    gateway = os.environ.get(GATEWAY_VARIABLE)
    if api_base:
        discord.http.Route.BASE = api_base
    if gateway:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
        # A sharded client takes the gateway's address from GET /gateway/bot instead.
        original = discord.http.HTTPClient.get_bot_gateway

        async def loopback_gateway(self: discord.http.HTTPClient) -> Any:
            shards, _, limits = await original(self)
            return shards, gateway, limits

        discord.http.HTTPClient.get_bot_gateway = loopback_gateway  # type: ignore[method-assign]


if __name__ == "__main__":
    point_discord_at_loopback()
    sys.exit(main(sys.argv[1:]))
