"""The one delivery queue of the process: paced, retried, classified message sends.

Every digest message (and every notice about a failing subscription) goes through one
`DeliveryQueue`. It stays under Discord's global limit by *pacing*, not by collecting
429s: a fixed-interval pacer on a monotonic clock (`bot.delivery.pacing`) starts at
most `rate` requests per second, spaced `(1 + margin) / rate` apart, and never bursts
to catch up after a stall. In the bot that pacer is the token's whole budget, shared
with every other REST request the process makes; a send takes its slot once.
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
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
import discord
from discord.http import MultipartParameters

from bot.delivery.pacing import DEFAULT_MARGIN, Pacer, Sleep
from bot.digests.records import MISSING_ACCESS, MISSING_PERMISSIONS, THREAD_ARCHIVED

log = logging.getLogger(__name__)

UNKNOWN_CHANNEL = 10003
UNKNOWN_USER = 10013
GONE = (UNKNOWN_CHANNEL, UNKNOWN_USER)  # where a digest went no longer exists
__all__ = ["MISSING_ACCESS", "MISSING_PERMISSIONS", "UNKNOWN_CHANNEL", "Pacer"]
DEFAULT_TIMEOUT = 30.0
# A crosspost that cannot start within this many seconds (Discord allows 10 per channel
# an hour, and discord.py waits out a 429) is skipped: the digest goes on without it.
CROSSPOST_WAIT = 5.0
ALREADY_CROSSPOSTED = 40033
# A request that never got Discord's answer: timed out, or the connection failed.
NO_ANSWER = (TimeoutError, aiohttp.ClientError, OSError)
# Digests ping nobody, whatever their text says.
NO_MENTIONS = discord.AllowedMentions.none()


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
    channel_id: int = 0  # where it was posted


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
        rate: float | None = None,
        pacer: Pacer | None = None,
        max_attempts: int = 5,
        backoff: Backoff | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        concurrency: int | None = None,
        margin: float = DEFAULT_MARGIN,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        """Send through `client`, paced by `pacer` (the shared budget) or a new one at `rate`."""
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if (rate is None) == (pacer is None):
            raise ValueError("give either a rate or a pacer")
        self.client = client
        self.max_attempts = max_attempts
        self.backoff = backoff or Backoff()
        self.timeout = timeout
        self.pacer = pacer if pacer is not None else Pacer(rate or 0, margin=margin)
        self.sleep = sleep  # between attempts; the pacer keeps real time
        self.crosspost_wait = CROSSPOST_WAIT
        # Paced sends rarely overlap; this only bounds them when Discord answers slowly.
        bound = concurrency or max(16, min(1024, math.ceil(4 * self.pacer.rate)))
        self._slots = asyncio.Semaphore(bound)
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.closed = False
        self.sent = 0
        self.retries = 0

    @property
    def rate(self) -> float:
        """Requests per second at most (the shared budget's rate, when it has one)."""
        return self.pacer.rate

    @rate.setter
    def rate(self, value: float) -> None:
        self.pacer.rate = value

    async def send(self, channel_id: int, message: OutgoingMessage, *, nonce: str) -> Sent:
        """Post one message with a deterministic nonce; raises a `DeliveryError` subclass.

        The nonce goes with `enforce_nonce`, so a retry of a message Discord already
        created returns that message instead of posting it twice.
        """
        params = MultipartParameters(message.payload(nonce), None, None)  # built once
        posted, attempts = await self.request(
            channel_id, lambda: self.client.http.send_message(channel_id, params=params)
        )
        self.sent += 1
        return Sent(int(posted["id"]), attempts, channel_id)

    async def request(
        self,
        channel_id: int,
        call: Callable[[], Awaitable[Any]],
        *,
        recover: Callable[[], Awaitable[Any]] | None = None,
    ) -> tuple[Any, int]:
        """Make one REST request about a channel: paced, retried, its failure classified.

        Returns Discord's answer and how many attempts it took. `recover`, for a request
        that is not idempotent (a forum post), is asked before each retry whether the
        failed attempt took effect after all; an answer that is not None is returned.
        """
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._attempt(channel_id, call, attempt), attempt
            except _Transient as failure:
                if attempt >= self.max_attempts:
                    raise DeliveryFailed(
                        failure.reason, attempts=attempt, status=failure.status
                    ) from failure.__cause__
                delay = self.backoff.delay(attempt)
                log.info(
                    "request about channel %s failed (%s); attempt %d of %d in %.1fs",
                    channel_id,
                    failure.reason,
                    attempt + 1,
                    self.max_attempts,
                    delay,
                )
                self.retries += 1
                if delay > 0:
                    await self.sleep(delay)
                if recover is not None:
                    recovered = await recover()
                    if recovered is not None:
                        return recovered, attempt

    async def _attempt(
        self, channel_id: int, call: Callable[[], Awaitable[Any]], attempt: int
    ) -> Any:
        if self.closed:
            raise QueueClosed("the delivery queue is closed", attempts=attempt - 1)
        async with self._slots:
            # Paced only once a request can go straight out, so waiting for a free slot
            # never bunches requests that were spaced; in bulk, so other requests go first.
            await self.pacer.acquire(bulk=True)
            if self.closed:
                raise QueueClosed("the delivery queue is closed", attempts=attempt - 1)
            self._in_flight += 1
            self._idle.clear()
            try:
                # The slot just taken is this request's: a paced HTTP client takes no other.
                with self.pacer.holding_slot():
                    async with asyncio.timeout(self.timeout):
                        return await call()  # discord.py's own HTTP client and rate limiting
            except discord.NotFound as error:
                if error.code in GONE:
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
                if error.code == THREAD_ARCHIVED and await self._reopen_thread(channel_id):
                    raise _Transient("the thread was archived and locked; reopened", 400) from error
                raise DeliveryRejected(
                    describe_http_error(error),
                    attempts=attempt,
                    status=error.status,
                    code=error.code,
                ) from error
            except discord.RateLimited as error:
                raise _Transient(f"rate limited for {error.retry_after:.1f}s", 429) from error
            except NO_ANSWER as error:
                raise _Transient(f"{type(error).__name__}: {error}".rstrip(": "), None) from error
            finally:
                self._in_flight -= 1
                if not self._in_flight:
                    self._idle.set()

    async def _reopen_thread(self, thread_id: int) -> bool:
        """Unarchive and unlock a thread a digest goes to; False if the bot may not.

        Posting unarchives an unlocked thread by itself; a locked one needs Manage
        Threads. Without it the digest is refused, and the subscription paused with why.
        """
        try:
            async with asyncio.timeout(self.timeout):
                await self.client.http.edit_channel(
                    thread_id, archived=False, locked=False, reason="digest subscription"
                )
        except (discord.HTTPException, *NO_ANSWER) as error:
            log.warning("could not reopen archived thread %s: %s", thread_id, error)
            return False
        log.info("reopened archived thread %s to post its digest", thread_id)
        return True

    async def crosspost(self, channel_id: int, message_id: int) -> bool:
        """Publish an announcement message to the servers following its channel.

        True once it is published (or was already: a resend after a restart). False when
        Discord would not take it within `crosspost_wait` seconds (its limit of 10 per
        channel an hour) or refused it: publishing is skipped, the digest goes on. Paced
        by the HTTP client's budget like every other request.
        """
        try:
            async with asyncio.timeout(self.crosspost_wait):
                await self.client.http.publish_message(channel_id, message_id)
        except discord.HTTPException as error:
            if error.code == ALREADY_CROSSPOSTED:
                return True
            log.info("not publishing message %s: %s", message_id, describe_http_error(error))
            return False
        except (discord.RateLimited, *NO_ANSWER) as error:
            log.info("not publishing message %s now (%s)", message_id, type(error).__name__)
            return False
        return True

    async def close(self) -> None:
        """Start no more sends, and wait (up to `self.timeout`) for those on the wire."""
        self.closed = True
        if self._in_flight:
            try:
                async with asyncio.timeout(self.timeout):
                    await self._idle.wait()
            except TimeoutError:
                log.warning("%d send(s) still in flight at shutdown", self._in_flight)


async def despite_cancellation(write: Coroutine[Any, Any, Any]) -> None:
    """Finish a ledger write about a message Discord has posted, even if the send is cancelled.

    A shutdown cancels sends; once a message is posted, its id must reach the ledger, or
    the next start would post it again after Discord has forgotten its nonce.
    """
    task = asyncio.ensure_future(write)
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        await task
        raise


class _Transient(Exception):
    """A failure worth another attempt."""

    def __init__(self, reason: str, status: int | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
