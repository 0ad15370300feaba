"""The one delivery queue of the process: paced, retried, classified message sends.

Every digest message (and every notice about a failing subscription) goes through one
`DeliveryQueue`. It stays under Discord's global limit by *pacing*, not by collecting
429s: a fixed-interval pacer on a monotonic clock starts at most `rate` sends per
second, spaced `(1 + margin) / rate` apart, and never bursts to catch up after a stall.
discord.py's own 429 handling stays in place as the fallback.

A send that fails is classified: a missing channel (404, code 10003), no access (403),
a request Discord will never accept (other 4xx), or a transient failure (5xx, 429 after
discord.py gave up, timeouts, connection errors). Only transient failures are retried,
with exponential backoff, up to `max_attempts` attempts in all. Sleeping and the clock
are injectable so tests run fast.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
import discord
from discord.http import MultipartParameters

from bot.digests.records import MISSING_ACCESS, MISSING_PERMISSIONS

log = logging.getLogger(__name__)

UNKNOWN_CHANNEL = 10003
__all__ = ["MISSING_ACCESS", "MISSING_PERMISSIONS", "UNKNOWN_CHANNEL"]
DEFAULT_MARGIN = 0.04
MIN_TOLERANCE = 0.002
DEFAULT_TIMEOUT = 30.0
# Digests ping nobody, whatever their text says.
NO_MENTIONS = discord.AllowedMentions.none()

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


class Pacer:
    """Start at most `rate` operations per second, evenly spaced, on a monotonic clock.

    Each caller reserves the next free slot, one interval after the previous one (or
    "now" after an idle spell), and sleeps until it. Nothing is held while sleeping, so
    any number of callers may wait at once. A caller that wakes more than `tolerance`
    seconds after its slot (the loop stalled) takes one fresh slot instead of sending
    late, so a stall does not turn into a burst. Lateness is what the `margin` below the
    rate absorbs: with `margin` m, requests that reach Discord up to m seconds after
    their slot still leave every one-second window with at most `rate` of them. Half of
    m is the tolerance for waking late; the other half is left for what comes after the
    start and the pacer cannot see (the HTTP client, the connection, the network).
    """

    def __init__(
        self,
        rate: float,
        *,
        margin: float = DEFAULT_MARGIN,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if margin < 0:
            raise ValueError("margin must not be negative")
        self.margin = margin
        # Seconds a caller may wake late and keep its slot: half of what one second's
        # margin absorbs (a little at least, so ordinary timer jitter never costs a slot).
        self.tolerance = max(margin / 2, MIN_TOLERANCE)
        self.rate = rate
        self._clock = clock
        self._sleep = sleep
        self._next: float | None = None

    @property
    def rate(self) -> float:
        """Operations per second at most."""
        return self._rate

    @rate.setter
    def rate(self, value: float) -> None:
        if not value > 0 or not math.isfinite(value):
            raise ValueError("rate must be a positive number")
        self._rate = value
        self.interval = (1 + self.margin) / value

    async def acquire(self) -> float:
        """Wait for a start slot and return its (monotonic) time."""
        for fresh in (False, True):
            now = self._clock()
            start = now if self._next is None else max(now, self._next)
            self._next = start + self.interval
            if start <= now:
                return start
            await self._sleep(start - now)
            if fresh or self._clock() - start <= self.tolerance:
                break
        return start


@dataclass(frozen=True)
class Backoff:
    """Delays between attempts: `base * factor ** (attempt - 1)`, at most `cap` seconds."""

    base: float = 1.0
    factor: float = 2.0
    cap: float = 60.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        return float(min(self.cap, self.base * self.factor ** max(attempt - 1, 0)))


@dataclass(frozen=True)
class OutgoingMessage:
    """One message to post: optional text and embeds, as Discord's JSON (`Embed.to_dict`)."""

    content: str | None
    embeds: Sequence[dict[str, Any]] = ()
    mention_role_id: int | None = None  # the one role this message may ping

    def pinging(self, role_id: int) -> OutgoingMessage:
        """This message with the role's mention first: the only mention it may ping."""
        content = f"<@&{role_id}> {self.content}" if self.content else f"<@&{role_id}>"
        return OutgoingMessage(content, self.embeds, role_id)

    def payload(self, nonce: str) -> dict[str, Any]:
        """The request body: the message, its nonce (enforced) and who it may ping."""
        mentions = NO_MENTIONS.to_dict()
        if self.mention_role_id is not None:
            mentions["roles"] = [str(self.mention_role_id)]  # exactly that role, nobody else
        body: dict[str, Any] = {
            "embeds": list(self.embeds),
            "nonce": nonce,
            "enforce_nonce": True,
            "allowed_mentions": mentions,
            "tts": False,
        }
        if self.content:
            body["content"] = self.content
        return body

    def discord_embeds(self) -> list[discord.Embed]:
        """The embeds as discord.py objects (for interaction replies)."""
        return [discord.Embed.from_dict(embed) for embed in self.embeds]


@dataclass(frozen=True)
class Sent:
    """A posted message and how many attempts it took."""

    message_id: int
    attempts: int


class DeliveryError(Exception):
    """A message that could not be posted; `attempts` were made."""

    def __init__(
        self, reason: str, *, attempts: int, status: int | None = None, code: int | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.attempts = attempts
        self.status = status
        self.code = code


class ChannelGone(DeliveryError):
    """The channel no longer exists (404, Unknown Channel)."""


class ChannelForbidden(DeliveryError):
    """The bot may not post there (403: Missing Access or Missing Permissions)."""


class DeliveryRejected(DeliveryError):
    """Discord refused the message itself (another 4xx); retrying will not help."""


class DeliveryFailed(DeliveryError):
    """Transient failures (5xx, timeouts) used up every attempt; try again later."""


class QueueClosed(DeliveryError):
    """The queue is shutting down; nothing was sent by this call."""


def describe_http_error(error: discord.HTTPException) -> str:
    """Discord's reason for a failed request, e.g. `Missing Permissions (403, 50013)`."""
    text = (error.text or "").strip() or "no reason given"
    return f"{text} ({error.status}, {error.code})" if error.code else f"{text} ({error.status})"


class DeliveryQueue:
    """Posts messages for the whole process: paced, bounded in flight, retried."""

    def __init__(
        self,
        client: discord.Client,
        *,
        rate: float,
        max_attempts: int = 5,
        backoff: Backoff | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        concurrency: int | None = None,
        margin: float = DEFAULT_MARGIN,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.client = client
        self.max_attempts = max_attempts
        self.backoff = backoff or Backoff()
        self.timeout = timeout
        self.pacer = Pacer(rate, margin=margin)
        self.sleep = sleep  # between attempts; the pacer keeps real time
        # Paced sends rarely overlap; this only bounds them when Discord answers slowly.
        self._slots = asyncio.Semaphore(concurrency or max(16, min(1024, math.ceil(4 * rate))))
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.closed = False
        self.sent = 0
        self.retries = 0

    @property
    def rate(self) -> float:
        """Messages per second at most."""
        return self.pacer.rate

    @rate.setter
    def rate(self, value: float) -> None:
        self.pacer.rate = value

    async def send(self, channel_id: int, message: OutgoingMessage, *, nonce: str) -> Sent:
        """Post one message with a deterministic nonce; raises a `DeliveryError` subclass.

        The nonce goes with `enforce_nonce`, so a retry of a message Discord already
        created returns that message instead of posting it twice.
        """
        attempt = 0
        while True:
            attempt += 1
            try:
                message_id = await self._attempt(channel_id, message, nonce, attempt)
            except _Transient as failure:
                if attempt >= self.max_attempts:
                    raise DeliveryFailed(
                        failure.reason, attempts=attempt, status=failure.status
                    ) from failure.__cause__
                delay = self.backoff.delay(attempt)
                log.info(
                    "sending to channel %s failed (%s); attempt %d of %d in %.1fs",
                    channel_id,
                    failure.reason,
                    attempt + 1,
                    self.max_attempts,
                    delay,
                )
                self.retries += 1
                if delay > 0:
                    await self.sleep(delay)
                continue
            self.sent += 1
            return Sent(message_id, attempt)

    async def _attempt(
        self, channel_id: int, message: OutgoingMessage, nonce: str, attempt: int
    ) -> int:
        if self.closed:
            raise QueueClosed("the delivery queue is closed", attempts=attempt - 1)
        async with self._slots:
            # Paced only once a send can go straight out, so waiting for a free slot
            # never bunches sends that were spaced.
            await self.pacer.acquire()
            if self.closed:
                raise QueueClosed("the delivery queue is closed", attempts=attempt - 1)
            self._in_flight += 1
            self._idle.clear()
            try:
                # discord.py's own HTTP client and rate limiting; the body is built once.
                params = MultipartParameters(message.payload(nonce), None, None)
                async with asyncio.timeout(self.timeout):
                    posted = await self.client.http.send_message(channel_id, params=params)
                return int(posted["id"])
            except discord.NotFound as error:
                if error.code == UNKNOWN_CHANNEL:
                    raise ChannelGone(
                        describe_http_error(error), attempts=attempt, status=404, code=error.code
                    ) from error
                raise _Transient(describe_http_error(error), 404) from error
            except discord.Forbidden as error:
                raise ChannelForbidden(
                    describe_http_error(error), attempts=attempt, status=403, code=error.code
                ) from error
            except discord.HTTPException as error:
                if error.status >= 500 or error.status == 429:
                    raise _Transient(describe_http_error(error), error.status) from error
                raise DeliveryRejected(
                    describe_http_error(error),
                    attempts=attempt,
                    status=error.status,
                    code=error.code,
                ) from error
            except discord.RateLimited as error:
                raise _Transient(f"rate limited for {error.retry_after:.1f}s", 429) from error
            except (TimeoutError, aiohttp.ClientError, OSError) as error:
                raise _Transient(f"{type(error).__name__}: {error}".rstrip(": "), None) from error
            finally:
                self._in_flight -= 1
                if not self._in_flight:
                    self._idle.set()

    async def close(self) -> None:
        """Start no more sends, and wait (up to `self.timeout`) for those on the wire."""
        self.closed = True
        if self._in_flight:
            try:
                async with asyncio.timeout(self.timeout):
                    await self._idle.wait()
            except TimeoutError:
                log.warning("%d send(s) still in flight at shutdown", self._in_flight)


class _Transient(Exception):
    """A failure worth another attempt."""

    def __init__(self, reason: str, status: int | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
