"""The narrow interfaces delivery is given by whoever wires it (never the bot class).

A clock, the library currently served, a way to turn composed messages into the stored
payload, a way to find where a guild's staff read notices, and a way to hand memory a
large run has freed back to the operating system. The store comes as
`bot.store.interface.Store` and the sender as `bot.delivery.queue.DeliveryQueue`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.briefings.library import Library
from bot.digests.compose import DigestMessage
from bot.text.cards import Card

Clock = Callable[[], dt.datetime]
CurrentLibrary = Callable[[], Library]
# Gives freed heap memory back to the system (blocking; delivery runs it in a thread).
MemoryRelease = Callable[[], object]


def keep_freed_memory() -> None:
    """The `MemoryRelease` where none is given: leave freed memory to the allocator."""


class PayloadWriter(Protocol):
    """Turns a digest's messages into the JSON text the ledger stores and sends from."""

    def __call__(
        self, messages: Sequence[DigestMessage], card_json: dict[Card, str] | None, /
    ) -> str:
        """The stored payload; `card_json` memoises each card's JSON within a run."""
        ...


class NoticeChannels(Protocol):
    """Where a guild's staff are told about a failing subscription."""

    async def notice_channel(self, guild_id: int, failing_channel_id: int) -> int | None:
        """A channel of the guild the bot may post in, other than the failing one; or None."""
        ...


@dataclass(frozen=True)
class DeliveryPolicy:
    """The settings delivery runs by."""

    catch_up: dt.timedelta  # how late a due time may be and still be delivered
    tick: dt.timedelta  # how often the scheduler wakes
    default_timezone: str  # for subscriptions that name none
    # How often a standby tries to take over delivery (and the leader checks its hold).
    leader_retry: dt.timedelta = dt.timedelta(seconds=10)

    @property
    def window(self) -> dt.timedelta:
        """How late a due time may be and still be delivered: catch-up plus one tick."""
        return self.catch_up + self.tick
