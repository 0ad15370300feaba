"""Two processes on one PostgreSQL: concurrent claims post each digest exactly once.

Each store has its own pool, as two processes would, so the claims race on separate
connections and only the database's locking keeps them apart.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Sequence

import asyncpg
import pytest_asyncio

from bot.briefings.library import load_library
from bot.digests.records import Delivery, DigestClaim, NewSubscription, Subscription
from bot.store.postgres import PostgresStore
from tests.conftest import REAL_BRIEFINGS
from tests.store.builders import GUILD_A, GUILD_B, NOW, blob, claim

SUBSCRIPTIONS = 240
ROUNDS = 4
BATCH = 30


@pytest_asyncio.fixture
async def two(postgres_url: str) -> AsyncIterator[tuple[PostgresStore, PostgresStore]]:
    """Two stores (two pools) on one database, with many subscriptions due at NOW."""
    first, second = PostgresStore(postgres_url), PostgresStore(postgres_url)
    await asyncio.gather(first.open(), second.open())
    entries = [
        NewSubscription(
            GUILD_A if n % 3 else GUILD_B,
            10_000 + n,
            None,
            "daily 09:00",
            "UTC",
            "changes",
            "en",
            NOW,
        )
        for n in range(SUBSCRIPTIONS)
    ]
    assert await first.subscriptions.add_many(entries, NOW) == SUBSCRIPTIONS
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()


def batches(claims: Sequence[DigestClaim], *, reverse: bool) -> list[list[DigestClaim]]:
    """Claims in batches of BATCH, optionally last batch first."""
    chunks = [list(claims[i : i + BATCH]) for i in range(0, len(claims), BATCH)]
    return chunks[::-1] if reverse else chunks


async def claim_all(
    store: PostgresStore, claims: Sequence[DigestClaim], now: dt.datetime, *, reverse: bool
) -> list[Delivery]:
    """Claim in batches, one after another, as a delivery run does."""
    written: list[Delivery] = []
    for chunk in batches(claims, reverse=reverse):
        written += await store.ledger.claim_scheduled(chunk, now)
    return written


async def ledger_rows(store: PostgresStore) -> list[tuple[int, dt.datetime, str]]:
    """Every ledger row's key and kind."""
    rows = await store.pool.fetch("SELECT subscription_id, due_at, kind FROM deliveries")
    return [(int(r[0]), r[1], str(r[2])) for r in rows]


async def settle(
    store: PostgresStore, subs: Sequence[Subscription], rows: Sequence[Delivery]
) -> None:
    """Mark every row sent, so the subscriptions fall due again the next day."""
    by_id = {sub.id: sub for sub in subs}
    await asyncio.gather(
        *(store.ledger.mark_sent(by_id[row.subscription_id], row, [1], 1, NOW) for row in rows)
    )


async def claim_versions(store: PostgresStore) -> dict[int, int]:
    """Each subscription's claim version, by id."""
    rows = await store.pool.fetch("SELECT id, claim_version FROM subscriptions")
    return {int(row[0]): int(row[1]) for row in rows}


async def test_two_processes_claiming_one_due_set_write_each_row_exactly_once(
    two: tuple[PostgresStore, PostgresStore],
) -> None:
    first, second = two
    for day in range(ROUNDS):
        now = NOW + dt.timedelta(days=day)
        # Both read the same due set before either claims, as two schedulers ticking at once.
        due_first, due_second = await asyncio.gather(
            first.subscriptions.due(now), second.subscriptions.due(now)
        )
        assert len(due_first) == len(due_second) == SUBSCRIPTIONS
        claims_first = [claim(s, s.next_due, payload=f"day-{day}") for s in due_first]
        claims_second = [claim(s, s.next_due, payload=f"day-{day}") for s in due_second]
        won_first, won_second = await asyncio.gather(
            claim_all(first, claims_first, now, reverse=False),
            claim_all(second, claims_second, now, reverse=True),
        )
        ids_first = [row.subscription_id for row in won_first]
        ids_second = [row.subscription_id for row in won_second]
        assert not set(ids_first) & set(ids_second)
        assert sorted(ids_first + ids_second) == sorted(s.id for s in due_first)
        rows = [r for r in await ledger_rows(first) if r[1] == now]
        assert len(rows) == SUBSCRIPTIONS
        assert len({r[0] for r in rows}) == SUBSCRIPTIONS
        assert await first.subscriptions.due(now) == []
        await settle(first, due_first, [*won_first, *won_second])
    total = await ledger_rows(second)
    assert len(total) == SUBSCRIPTIONS * ROUNDS
    versions = await first.pool.fetch("SELECT DISTINCT claim_version FROM subscriptions")
    assert [int(v[0]) for v in versions] == [ROUNDS]


async def test_a_manual_and_a_scheduled_claim_racing_in_two_processes_post_once(
    two: tuple[PostgresStore, PostgresStore],
) -> None:
    first, second = two
    for day in range(ROUNDS):
        now = NOW + dt.timedelta(days=day)
        due = await first.subscriptions.due(now)
        assert len(due) == SUBSCRIPTIONS
        before = set(await ledger_rows(second))
        later = now + dt.timedelta(seconds=30)
        # One process runs `/digest send` for every channel while the other's schedule
        # claims them all, every claim composed from the same state.
        manual, scheduled = await asyncio.gather(
            asyncio.gather(
                *(
                    first.ledger.claim_manual(s, later, blob(f"m{day}"), blob(f"s{day}"), 1, later)
                    for s in due
                )
            ),
            claim_all(
                second, [claim(s, s.next_due, payload=f"d{day}") for s in due], now, reverse=True
            ),
        )
        won_manual = [row for row in manual if row is not None]
        assert {row.kind for row in won_manual} <= {"manual"}
        ids = sorted(
            [row.subscription_id for row in won_manual] + [row.subscription_id for row in scheduled]
        )
        assert ids == sorted(s.id for s in due)  # each subscription posted by exactly one
        added = set(await ledger_rows(second)) - before
        assert sorted(r[0] for r in added) == sorted(s.id for s in due)
        assert await claim_versions(second) == {s.id: s.claim_version + 1 for s in due}
        await settle(first, due, [*won_manual, *scheduled])


async def test_two_processes_recording_the_same_sections_record_each_once(
    two: tuple[PostgresStore, PostgresStore],
) -> None:
    first, second = two
    library, _ = load_library([REAL_BRIEFINGS], now=NOW)
    sections = sum(len(briefing.sections) for briefing in library)
    later = NOW + dt.timedelta(minutes=5)
    added = await asyncio.gather(
        first.sections.record_versions(library, NOW),
        second.sections.record_versions(library, later),
    )
    assert sum(added) == sections
    assert await first.pool.fetchval("SELECT count(*) FROM section_versions") == sections
    seen = {row[0] for row in await first.pool.fetch("SELECT first_seen FROM section_versions")}
    assert seen <= {NOW, later}


async def until_waiting(store: PostgresStore, sessions: int) -> None:
    """Return once this many sessions wait for a lock (fail after five seconds)."""
    for _ in range(500):
        waiting = await store.pool.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        )
        if waiting >= sessions:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{sessions} sessions never waited for a lock")


async def test_unsubscribing_while_another_process_marks_the_digest_sent_cannot_deadlock(
    two: tuple[PostgresStore, PostgresStore], postgres_url: str
) -> None:
    first, second = two
    [sub] = (await first.subscriptions.due(NOW))[:1]
    [row] = await first.ledger.claim_scheduled([claim(sub, NOW)], NOW)
    # A third session holds the subscription (as a claim in flight would), so that the
    # unsubscribe queues for it first and the delivery's mark-sent second.
    holder = await asyncpg.connect(postgres_url)
    try:
        holding = holder.transaction()
        await holding.start()
        await holder.execute("SELECT 1 FROM subscriptions WHERE id = $1 FOR UPDATE", sub.id)
        deleting = asyncio.create_task(first.subscriptions.delete(sub.guild_id, sub.channel_id))
        await until_waiting(first, 1)
        marking = asyncio.create_task(second.ledger.mark_sent(sub, row, [1], 1, NOW))
        await until_waiting(first, 2)
        await holding.commit()
        assert await asyncio.wait_for(deleting, 10)
        await asyncio.wait_for(marking, 10)  # finds the row gone: nothing to mark
    finally:
        await holder.close()
    assert await first.ledger.get(sub.id, NOW) is None
