"""Leadership on PostgreSQL: one session holds the leader lock; a standby takes over."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest_asyncio

from bot.store.postgres import PostgresStore
from bot.store.postgres.database import LEADER_LOCK


@pytest_asyncio.fixture
async def two(postgres_url: str) -> AsyncIterator[tuple[PostgresStore, PostgresStore]]:
    """Two open stores (two pools) on one database."""
    first, second = PostgresStore(postgres_url), PostgresStore(postgres_url)
    await first.open()
    await second.open()
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()


async def lock_holder(connection: asyncpg.Connection) -> int | None:
    """The server process holding the leader lock, if any."""
    pid = await connection.fetchval(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
        " AND classid = $1::bigint::oid AND objid = $2::bigint::oid AND objsubid = 1",
        LEADER_LOCK >> 32,
        LEADER_LOCK & 0xFFFFFFFF,
    )
    return None if pid is None else int(pid)


async def test_one_leads_and_a_standby_takes_over_when_the_leaders_session_ends(
    two: tuple[PostgresStore, PostgresStore], postgres_url: str
) -> None:
    leader, standby = two
    assert leader.leadership.confirm_while_leading  # a session can be lost: keep confirming
    assert not leader.leadership.leading
    assert await leader.leadership.try_lead()
    assert await leader.leadership.try_lead()  # confirms it still leads
    assert not await standby.leadership.try_lead()
    assert not standby.leadership.leading
    admin = await asyncpg.connect(postgres_url)
    try:
        holder = await lock_holder(admin)
        assert holder is not None
        # The leader's session dies, as when its process is killed or its network goes.
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", holder)
        for _ in range(100):
            if not leader.leadership.leading:
                break
            await asyncio.sleep(0.02)
        assert not leader.leadership.leading  # it stops leading without asking anything
        assert await standby.leadership.try_lead()
        assert not await leader.leadership.try_lead()  # reconnected, now a standby
        assert await lock_holder(admin) != holder
    finally:
        await admin.close()


async def test_stepping_down_or_closing_hands_the_lock_over_at_once(
    two: tuple[PostgresStore, PostgresStore],
) -> None:
    first, second = two
    assert await first.leadership.try_lead()
    await first.leadership.step_down()
    assert not first.leadership.leading
    assert await second.leadership.try_lead()
    await second.close()
    assert await first.leadership.try_lead()
