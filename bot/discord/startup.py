"""What can stop `briefbot run` from starting, each as one sentence and an exit status.

`wait_for_discord` tries Discord's API with backoff until it answers or the give-up time
passes, and `connect_within` gives the gateway as long once logged in;
`explain_discord_failure` turns what discord.py and aiohttp raise into a
`StartupFailure`. The runner checks the database itself (SQLite is confined to it). No
message holds the token: discord.py's errors do not carry it, and the runner redacts it.

The exit statuses of `briefbot run` (0, 1 and 2 are shared with the other commands):

* 0: stopped cleanly (SIGTERM, Ctrl-C);
* 1: stopped on an unexpected error;
* 2: no token, or an unusable config file;
* 3: Discord rejected the token (HTTP 401, or gateway close code 4004);
* 4: Discord could not be reached for `startup_retry_seconds` (DNS, TLS, time-out, refused);
* 5: the gateway refused the session: privileged intents (4014), sharding required (4011),
  or another close code it does not let a bot retry;
* 6: the database is unusable: locked, read-only, damaged, or written by a newer briefbot.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Iterator

import aiohttp
import discord

log = logging.getLogger(__name__)

EXIT_UNEXPECTED = 1
EXIT_CLUSTER_CONFLICT = 2  # as for a bad config: it disagrees with the running cluster
EXIT_TOKEN_REJECTED = 3
EXIT_DISCORD_UNREACHABLE = 4
EXIT_GATEWAY_REFUSED = 5
EXIT_DATABASE_UNUSABLE = 6

DEVELOPER_PORTAL = "https://discord.com/developers/applications"
FIRST_RETRY_SECONDS = 1.0
LONGEST_RETRY_SECONDS = 15.0
LONGEST_ATTEMPT_SECONDS = 10.0
SHORTEST_ATTEMPT_SECONDS = 2.0
GATEWAY_WATCH_SECONDS = 0.25
# discord.py waits 5 s between tries of a shard's first connection.
FIRST_GATEWAY_TRY_SECONDS = 6.0
NETWORK_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, ConnectionError, socket.gaierror)


class StartupFailure(Exception):
    """Start-up cannot go on: `sentence` tells the operator why, `status` is the exit status."""

    def __init__(self, status: int, sentence: str) -> None:
        super().__init__(sentence)
        self.status = status
        self.sentence = sentence


# --- Reaching Discord ----------------------------------------------------------------


def network_reason(error: BaseException) -> str:
    """A few words on why a connection failed: DNS, TLS, time-out, refused, or the error."""
    if isinstance(error, aiohttp.ClientConnectorCertificateError):
        return "its TLS certificate was not accepted"
    if isinstance(error, aiohttp.ClientSSLError | ssl.SSLError):
        return "the TLS handshake failed"
    if isinstance(error, asyncio.TimeoutError):
        return "the connection timed out"
    cause = error.os_error if isinstance(error, aiohttp.ClientConnectorError) else error
    if isinstance(cause, socket.gaierror):
        host = error.host if isinstance(error, aiohttp.ClientConnectorError) else "its host"
        return f"the name {host} could not be resolved (DNS)"
    if isinstance(cause, ConnectionRefusedError):
        return "the connection was refused"
    return str(error) or type(error).__name__


def retry_delays(
    first: float = FIRST_RETRY_SECONDS, longest: float = LONGEST_RETRY_SECONDS
) -> Iterator[float]:
    """Seconds to wait before each retry: doubling from `first`, at most `longest`."""
    delay = first
    while True:
        yield delay
        delay = min(delay * 2, longest)


async def _answers(url: str, within_seconds: float) -> None:
    """Return once `url` gives any HTTP answer; raise the network error otherwise."""
    limits = aiohttp.ClientTimeout(total=within_seconds)
    async with aiohttp.ClientSession(timeout=limits) as session, session.get(url) as response:
        await response.read()


async def wait_for_discord(
    give_up_after: float,
    *,
    url: str | None = None,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> int:
    """Try Discord's API until it answers (any status); returns how many tries it took.

    Waits between tries double (1 s, 2 s, 4 s, … at most 15 s); one last try comes at
    the deadline. Raises `StartupFailure` (Discord unreachable) when `give_up_after`
    seconds have passed without an answer. The request carries no token.
    """
    target = url or f"{discord.http.Route.BASE}/gateway"
    deadline = time.monotonic() + give_up_after
    delays = retry_delays()
    tries = 0
    while True:
        tries += 1
        remaining = deadline - time.monotonic()
        try:
            await _answers(
                target, min(LONGEST_ATTEMPT_SECONDS, max(SHORTEST_ATTEMPT_SECONDS, remaining))
            )
            return tries
        except NETWORK_ERRORS as exc:
            reason = network_reason(exc)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise StartupFailure(
                    EXIT_DISCORD_UNREACHABLE,
                    f"Could not reach Discord for {give_up_after:g} s ({tries} tries; the last "
                    f"one: {reason}); check the network, DNS, proxy and firewall, then run "
                    "briefbot again.",
                ) from exc
            delay = min(next(delays), remaining)
            log.warning(
                "Discord is not reachable (%s); trying again in %.1f s, giving up in %.0f s",
                reason,
                delay,
                remaining,
            )
            await sleep(delay)


def reached_gateway(bot: discord.Client) -> bool:
    """Whether the bot has connected to Discord's gateway (one shard at least)."""
    shards = getattr(bot, "shards", None)  # an AutoShardedBot's connected shards
    return bool(shards) or getattr(bot, "ws", None) is not None


async def connect_within(bot: discord.Client, token: str, give_up_after: float) -> None:
    """Log in, then connect to the gateway; give up (Discord unreachable) when the gateway
    has not been reached after `give_up_after` seconds (at least one try's worth).

    discord.py retries the gateway for ever, which is right once the bot has reached it.
    """
    await bot.login(token)
    connecting = asyncio.create_task(bot.connect(), name="gateway-connect")
    allowed = max(give_up_after, FIRST_GATEWAY_TRY_SECONDS)
    deadline = time.monotonic() + allowed
    while not connecting.done() and not reached_gateway(bot):
        if bot.is_closed() or time.monotonic() >= deadline:
            connecting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await connecting
            if bot.is_closed():  # stopped meanwhile (SIGTERM)
                return
            raise StartupFailure(
                EXIT_DISCORD_UNREACHABLE,
                f"Logged in, but could not reach Discord's gateway for {allowed:g} s; "
                "check that the network lets WebSocket connections to gateway.discord.gg "
                "through, then run briefbot again.",
            )
        await asyncio.wait({connecting}, timeout=GATEWAY_WATCH_SECONDS)
    await connecting


class OneLineReconnects(logging.Filter):
    """discord.py logs a traceback each time the network fails it and it retries: keep one
    line, with the reason, instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite such records in place; never drop one."""
        error = record.exc_info[1] if record.exc_info else None
        if record.name.startswith("discord.") and isinstance(error, NETWORK_ERRORS):
            reason = network_reason(error).replace("%", "%%")
            record.msg = f"{record.msg} ({reason})"
            record.exc_info, record.exc_text = None, None
        return True


# --- After connecting ------------------------------------------------------------------

_CLOSE_CODES = {
    4004: (EXIT_TOKEN_REJECTED, "Discord's gateway rejected the bot token (close code 4004)"),
    4010: (EXIT_GATEWAY_REFUSED, "Discord's gateway refused the shard (close code 4010)"),
    4011: (
        EXIT_GATEWAY_REFUSED,
        "Discord requires more shards: the bot is in too many servers for the shards it "
        "connects with (close code 4011); leave cluster.shard_count unset for Discord's "
        "recommendation, or raise it",
    ),
    4012: (EXIT_GATEWAY_REFUSED, "Discord's gateway refused the API version (close code 4012)"),
    4013: (EXIT_GATEWAY_REFUSED, "Discord's gateway refused the intents (close code 4013)"),
    4014: (
        EXIT_GATEWAY_REFUSED,
        "Discord refused privileged intents that are not enabled for this application "
        f"(close code 4014); enable them under Bot → Privileged Gateway Intents at "
        f"{DEVELOPER_PORTAL}",
    ),
}


def explain_discord_failure(error: BaseException) -> StartupFailure | None:
    """The start-up failure a discord.py or network error amounts to; None for others."""
    if isinstance(error, StartupFailure):
        return error
    if isinstance(error, discord.LoginFailure):
        return StartupFailure(
            EXIT_TOKEN_REJECTED,
            "Discord rejected the bot token (401 Unauthorized); copy it again from your "
            f"application's Bot page at {DEVELOPER_PORTAL} into DISCORD_TOKEN in .env.",
        )
    if isinstance(error, discord.PrivilegedIntentsRequired):
        status, why = _CLOSE_CODES[4014]
        return StartupFailure(status, f"{why}.")
    if isinstance(error, discord.ConnectionClosed):
        status, why = _CLOSE_CODES.get(
            error.code,
            (EXIT_GATEWAY_REFUSED, f"Discord's gateway closed the connection (code {error.code})"),
        )
        return StartupFailure(status, f"{why}.")
    if isinstance(error, discord.GatewayNotFound | discord.DiscordServerError):
        return StartupFailure(
            EXIT_DISCORD_UNREACHABLE,
            f"Discord is having trouble ({error}); try again later.",
        )
    if isinstance(error, NETWORK_ERRORS):
        return StartupFailure(
            EXIT_DISCORD_UNREACHABLE,
            f"Lost the connection to Discord while starting ({network_reason(error)}); check "
            "the network, then run briefbot again.",
        )
    return None
