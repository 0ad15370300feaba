"""Small builders the store tests share: subscriptions, blobs and claims."""

from __future__ import annotations

import datetime as dt

from bot.digests.records import Blob, DigestClaim, NewSubscription, Subscription
from bot.store.interface import Store

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
GUILD_A, GUILD_B = 1001, 2002
CHANNEL_A, CHANNEL_B = 11, 22


async def subscribe(
    repo: Store,
    guild_id: int = GUILD_A,
    channel_id: int = CHANNEL_A,
    *,
    next_due: dt.datetime = NOW,
    topics: tuple[str, ...] | None = None,
    schedule: str = "daily 09:00",
) -> Subscription:
    """Subscribe a channel with the usual test settings; the subscription as stored."""
    entry = NewSubscription(
        guild_id, channel_id, topics, schedule, "Asia/Tokyo", "changes", "en", next_due, 7
    )
    saved, _ = await repo.subscriptions.save(entry, NOW)
    return saved


def blob(text: str) -> Blob:
    """A blob whose hash is readable in assertions."""
    return Blob(f"hash-{text}", text)


def claim(
    sub: Subscription, due_at: dt.datetime | None, *, payload: str = "payload", messages: int = 1
) -> DigestClaim:
    """A claim that moves the due time a day on, delivering a digest if `due_at` is given."""
    return DigestClaim(
        subscription=sub,
        next_due=sub.next_due + dt.timedelta(days=1),
        due_at=due_at,
        payload=blob(payload) if due_at else None,
        snapshot=blob("snapshot") if due_at else None,
        message_count=messages if due_at else 0,
    )
