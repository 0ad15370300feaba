"""The token's request budget: one pacer for every REST request the process makes.

Discord allows one bot token 50 requests per second in all (the global limit), whatever
the endpoint, except interaction responses and followups. One `Pacer` per process
holds that budget. The delivery queue takes a slot for each digest message, and
`request_pacing` makes discord.py's HTTP session take one for every other request it
sends to the API (channel look-ups, threads, crossposts, DM channels, command sync...),
at the last moment before it goes on the wire, after discord.py's own per-route and
global waits; a retry after a 429 or a 5xx is a new request and takes a new slot.

A caller that has taken a slot itself marks the one request that uses it with
`Pacer.holding_slot()`, so it is not counted twice. discord.py's 429 handling stays in
place as the fallback.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import re
import time
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from types import SimpleNamespace

import aiohttp

DEFAULT_MARGIN = 0.04
MIN_TOLERANCE = 0.002

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]

# `/api/v10/...` (or `/api/...`): what follows is the route; anything else (the CDN,
# the gateway's websocket) is not a REST request against the token's budget.
_API_PATH = re.compile(r"^/api(?:/v\d+)?(/.*)$")


def counts_against_global_limit(path: str) -> bool:
    """Whether a request to this URL path spends the token's global budget.

    Only Discord API paths do, and of those not the interaction endpoints Discord
    exempts: `/interactions/{id}/{token}/callback` and everything under
    `/webhooks/{application_id}/{token}` (followups, the original response). A webhook
    addressed by id alone (`GET /webhooks/{id}`) uses the bot's token and counts.
    """
    match = _API_PATH.match(path)
    if match is None:
        return False
    parts = match.group(1).strip("/").split("/")
    if parts[0] == "interactions":
        return False
    return not (parts[0] == "webhooks" and len(parts) >= 3)


@dataclass
class _Held:
    """A slot its caller acquired for the next paced request in its context."""

    pacer: Pacer
    used: bool = False


_HELD: ContextVar[_Held | None] = ContextVar("briefbot_held_slot", default=None)


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
        self._bulk_next: float | None = None  # when the last bulk caller expects its slot
        self.granted = 0  # slots handed out so far

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

    async def acquire(self, *, bulk: bool = False) -> float:
        """Wait for a start slot and return its (monotonic) time.

        A `bulk` caller (the delivery queue) gives way to everyone else: bulk callers
        take turns, and reserve only once at most one slot is reserved ahead, so a
        request from anywhere else waits about two intervals at most, not behind every
        send of a fan-out.
        """
        if bulk:
            await self._give_way()
        start, now = self._reserve()
        if bulk and self._bulk_next is not None:
            self._bulk_next = max(self._bulk_next, start)  # later turns move with this one
        if start > now:
            await self._sleep(start - now)
            if self._clock() - start > self.tolerance:  # woke late: a fresh slot, no burst
                start, now = self._reserve()
                if start > now:
                    await self._sleep(start - now)
        self.granted += 1
        return start

    async def _give_way(self) -> None:
        """Wait until at most one slot is reserved ahead, in the order bulk callers came.

        Each bulk caller books a turn one interval after the previous one's and sleeps
        until just before it, so a fan-out's waiters wake one by one instead of all at
        once. Checking and reserving happen with no wait between them, so no lock is
        needed; a caller whose turn was taken by other requests sleeps again.
        """
        now = self._clock()
        turn = now if self._bulk_next is None else max(now, self._bulk_next + self.interval)
        self._bulk_next = turn
        if turn - self.interval > now:
            await self._sleep(turn - self.interval - now)
        while self._next is not None:
            ahead = self._next - self._clock()
            if ahead <= self.interval + self.tolerance:
                return
            await self._sleep(ahead - self.interval)

    def _reserve(self) -> tuple[float, float]:
        """The next free slot, reserved, and the time now."""
        now = self._clock()
        start = now if self._next is None else max(now, self._next)
        self._next = start + self.interval
        return start, now

    @contextlib.contextmanager
    def holding_slot(self) -> Iterator[None]:
        """Let the next paced request made inside use the slot the caller acquired already."""
        token = _HELD.set(_Held(self))
        try:
            yield
        finally:
            _HELD.reset(token)

    async def pace(self) -> None:
        """Take a slot for one request: the caller's held slot if still unused, else a new one."""
        held = _HELD.get()
        if held is not None and held.pacer is self and not held.used:
            held.used = True
            return
        await self.acquire()


def request_pacing(pacer: Pacer) -> aiohttp.TraceConfig:
    """An aiohttp trace config (discord.py's `http_trace`) pacing each API request by `pacer`.

    Every request the session starts to a path that `counts_against_global_limit` waits
    for a slot first; interaction responses, the CDN and the gateway go straight out.
    """

    async def on_request_start(
        session: aiohttp.ClientSession,
        context: SimpleNamespace,
        params: aiohttp.TraceRequestStartParams,
    ) -> None:
        if counts_against_global_limit(params.url.path):
            await pacer.pace()

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_request_start)
    return trace
