"""`briefbot db copy`: a SQLite deployment moved into PostgreSQL, row for row.

The SQLite side is made through the store itself, as the bot makes it: subscriptions in
several guilds in every state, a half-delivered digest (a pending row with some of its
message ids), a failed, an expired, a sent and a manual row, section history and
command-sync state, and a deleted subscription with the highest id of all.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import pytest_asyncio

from bot.briefings.library import load_library
from bot.digests.nonces import delivery_nonce
from bot.digests.records import DigestClaim, DigestRun
from bot.store.copy import TABLES, CopyError, CopyReport, copy_database
from bot.store.postgres import PostgresStore
from bot.store.sqlite import SqliteStore
from tests.conftest import REAL_BRIEFINGS
from tests.store.builders import NOW, blob, claim, subscribe

GUILDS = (1001, 2002, 3003)
LATER = NOW + dt.timedelta(days=3)
DELETED_CHANNEL = 999


async def make_deployment(path: Path) -> SqliteStore:
    """A SQLite store with something of everything in it, left closed."""
    store = SqliteStore(path)
    await store.open()
    try:
        subs = []
        for n, guild in enumerate(GUILDS * 3):
            subs.append(
                await subscribe(
                    store,
                    guild,
                    100 + n,
                    next_due=NOW + dt.timedelta(hours=n % 4),
                    topics=None if n % 3 == 0 else ("ukraine-ceasefire", f"topic-{n}")[: n % 3],
                )
            )
        half, failed, expired, sent, manual, paused, failing = subs[:7]
        # A digest of three messages with the first two sent: half-delivered.
        [row] = await store.ledger.claim_scheduled([claim(half, NOW, messages=3)], NOW)
        await store.ledger.record_progress(half.id, row.due_at, [5001, 5002], 2, NOW)
        [row] = await store.ledger.claim_scheduled([claim(failed, failed.next_due)], NOW)
        await store.ledger.record_failure(failed.id, row.due_at, [], 5, "HTTP 503", NOW)
        [row] = await store.ledger.claim_scheduled([claim(expired, expired.next_due)], NOW)
        await store.ledger.expire(expired, row, NOW)
        [row] = await store.ledger.claim_scheduled([claim(sent, sent.next_due, payload="x")], NOW)
        await store.ledger.mark_sent(sent, row, [6001], 1, NOW)
        await store.history.record(
            [
                DigestRun(sent.id, NOW, "sent", NOW, sent.channel_id, 6001),
                DigestRun(failing.id, NOW, "paused", NOW, code=50013, reason="Missing Permissions"),
                DigestRun(half.id, NOW, "retrying", NOW, reason="HTTP 503"),
            ]
        )
        manual_row = await store.ledger.claim_manual(
            manual, NOW, blob("m"), blob("ms"), 2, NOW + dt.timedelta(minutes=1)
        )
        assert manual_row is not None
        missed = (NOW - dt.timedelta(days=2), NOW - dt.timedelta(days=1))
        moved = DigestClaim(paused, paused.next_due + dt.timedelta(days=1), missed=missed)
        await store.ledger.claim_scheduled([moved], NOW)
        await store.subscriptions.pause(paused.guild_id, paused.channel_id, NOW)
        await store.subscriptions.mark_failing(failing, 50013, "Missing Permissions", NOW)
        await store.subscriptions.claim_failure_notice(failing)
        gone = await subscribe(store, GUILDS[0], DELETED_CHANNEL)
        await store.ledger.claim_scheduled([claim(gone, NOW)], NOW)
        assert await store.subscriptions.remove(gone)
        library, _ = load_library([REAL_BRIEFINGS], now=NOW)
        assert await store.sections.record_versions(library, NOW) > 0
        await store.state.remember_command_tree("global", "tree-hash", NOW)
        await store.state.remember_command_tree(str(GUILDS[1]), "guild-hash", NOW)
    finally:
        await store.close()
    return store


@pytest_asyncio.fixture
async def deployment(tmp_path: Path) -> SqliteStore:
    """A closed SQLite store made by `make_deployment`."""
    return await make_deployment(tmp_path / "data" / "briefbot.sqlite3")


@pytest_asyncio.fixture
async def raw(postgres_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A plain connection to the test's database."""
    connection = await asyncpg.connect(postgres_url)
    try:
        yield connection
    finally:
        await connection.close()


def as_sqlite(value: Any) -> Any:
    """A PostgreSQL value as the SQLite store writes it: epoch seconds, JSON, 0/1."""
    if isinstance(value, dt.datetime):
        return int(value.timestamp())
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, list):
        return json.dumps(value)
    return value


def sqlite_rows(path: Path, table: str, columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """A SQLite table's rows, sorted, as stored."""
    with sqlite3.connect(path) as connection:
        return sorted(connection.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall())


async def postgres_rows(
    connection: asyncpg.Connection, table: str, columns: tuple[str, ...]
) -> list[tuple[Any, ...]]:
    """A PostgreSQL table's rows, sorted, in SQLite's representation."""
    rows = await connection.fetch(f"SELECT {', '.join(columns)} FROM {table}")
    return sorted(tuple(as_sqlite(value) for value in row) for row in rows)


async def test_every_row_is_copied_as_it_is(
    deployment: SqliteStore, postgres_url: str, raw: asyncpg.Connection
) -> None:
    report = await copy_database(f"sqlite:///{deployment.path}", postgres_url)

    for table in TABLES:
        source = sqlite_rows(deployment.path, table.name, table.columns)
        assert source, table.name
        assert await postgres_rows(raw, table.name, table.columns) == source, table.name
    counts = {count.table: (count.source, count.target) for count in report.tables}
    assert counts["subscriptions"] == (9, 9)
    assert counts["deliveries"] == (5, 5)
    assert set(counts) == {table.name for table in TABLES}
    assert all(source == target for source, target in counts.values())
    assert report.rows == sum(target for _, target in counts.values())


async def test_the_remaining_work_reads_back_the_same(
    deployment: SqliteStore, postgres_url: str
) -> None:
    await copy_database(deployment, postgres_url)
    sqlite_store, postgres_store = SqliteStore(deployment.path), PostgresStore(postgres_url)
    await sqlite_store.open()
    await postgres_store.open()
    try:
        unfinished = await sqlite_store.ledger.unfinished()
        assert sorted(row.status for _, row in unfinished) == ["failed", "pending", "pending"]
        half = next(row for _, row in unfinished if row.message_ids)
        assert (half.message_count, half.message_ids) == (3, (5001, 5002))
        assert await postgres_store.ledger.unfinished() == unfinished
        # The same rows give the same nonces, so Discord recognises messages already sent.
        nonces = [delivery_nonce(r.subscription_id, r.due_at, 2) for _, r in unfinished]
        copied = await postgres_store.ledger.unfinished()
        assert [delivery_nonce(r.subscription_id, r.due_at, 2) for _, r in copied] == nonces
        for moment in (NOW, NOW + dt.timedelta(hours=2), LATER):
            assert await postgres_store.subscriptions.due(moment) == (
                await sqlite_store.subscriptions.due(moment)
            )
        for guild in GUILDS:
            subs = await sqlite_store.subscriptions.of_guild(guild)
            assert await postgres_store.subscriptions.of_guild(guild) == subs
            for sub in subs:
                assert await postgres_store.ledger.of_channel(guild, sub.channel_id) == (
                    await sqlite_store.ledger.of_channel(guild, sub.channel_id)
                )
        assert await postgres_store.subscriptions.state_counts() == (
            await sqlite_store.subscriptions.state_counts()
        )
        hashes = ["hash-payload", "hash-snapshot", "hash-m", "hash-ms", "hash-x"]
        assert await postgres_store.ledger.blobs(hashes) == await sqlite_store.ledger.blobs(hashes)
        assert await postgres_store.state.command_tree_hash("global") == "tree-hash"
        assert await postgres_store.state.command_tree_hash(str(GUILDS[1])) == "guild-hash"
        library, _ = load_library([REAL_BRIEFINGS], now=NOW)
        assert await postgres_store.sections.record_versions(library, LATER) == 0
    finally:
        await sqlite_store.close()
        await postgres_store.close()


async def test_new_ids_continue_after_every_id_sqlite_ever_gave(
    deployment: SqliteStore, postgres_url: str
) -> None:
    report = await copy_database(deployment, postgres_url)
    with sqlite3.connect(deployment.path) as connection:
        [(highest,)] = connection.execute("SELECT max(id) FROM subscriptions").fetchall()
        [(ever,)] = connection.execute(
            "SELECT seq FROM sqlite_sequence WHERE name = 'subscriptions'"
        ).fetchall()
    assert ever == highest + 1  # the deleted subscription had the highest id
    assert report.last_subscription_id == ever
    store = PostgresStore(postgres_url)
    await store.open()
    try:
        fresh = await subscribe(store, GUILDS[0], 4242)
        assert fresh.id == ever + 1
    finally:
        await store.close()


async def test_the_report_prints_both_sides_without_the_password(
    deployment: SqliteStore, postgres_url: str
) -> None:
    with_password = postgres_url.replace("postgres:@", "postgres:pa55word@")
    report = await copy_database(deployment, with_password)
    lines = report.lines()
    text = "\n".join(lines)
    assert "pa55word" not in text
    assert "postgres:***@" in lines[1]
    assert str(deployment.path) in lines[0]
    assert lines[2].split() == ["table", "sqlite", "postgresql"]
    assert lines[3 + [t.table for t in report.tables].index("deliveries")].split() == [
        "deliveries",
        "5",
        "5",
    ]
    assert lines[-1] == f"new subscriptions get ids after {report.last_subscription_id}"


async def test_a_target_that_holds_data_is_refused_and_left_alone(
    deployment: SqliteStore, postgres_url: str, raw: asyncpg.Connection
) -> None:
    target = PostgresStore(postgres_url)
    await target.open()
    try:
        already = await subscribe(target, 7, 77)
        with pytest.raises(CopyError, match=r"not empty: subscriptions \(1 rows\)"):
            await copy_database(deployment, target)
        assert target.is_open  # given open, left open
        assert await target.subscriptions.of_guild(7) == [already]
    finally:
        await target.close()
    assert await raw.fetchval("SELECT count(*) FROM deliveries") == 0
    assert await raw.fetchval("SELECT count(*) FROM command_sync") == 0


async def test_a_copy_that_fails_halfway_leaves_the_target_empty(
    tmp_path: Path, postgres_url: str, raw: asyncpg.Connection
) -> None:
    store = SqliteStore(tmp_path / "odd.sqlite3")
    await store.open()
    await subscribe(store)
    await store.state.remember_command_tree("global", "copied first", NOW)
    await store.close()
    # SQLite stores a NUL character in text; PostgreSQL refuses it, half-way through.
    with sqlite3.connect(store.path) as connection:
        connection.execute(
            "INSERT INTO section_versions VALUES (?, ?, ?, ?, ?)", ("b", "s", "h", "a\x00b", 1)
        )
    with pytest.raises(CopyError, match="nothing was copied") as caught:
        await copy_database(store, postgres_url)
    assert isinstance(caught.value.__cause__, asyncpg.PostgresError)
    for table in TABLES:
        assert await raw.fetchval(f"SELECT count(*) FROM {table.name}") == 0, table.name


async def test_an_empty_deployment_copies_to_an_empty_database(
    tmp_path: Path, postgres_url: str
) -> None:
    report = await copy_database(f"sqlite:///{tmp_path / 'empty.sqlite3'}", postgres_url)
    assert isinstance(report, CopyReport)
    assert report.rows == 0
    assert report.last_subscription_id == 0
    store = PostgresStore(postgres_url)
    await store.open()
    try:
        assert (await subscribe(store)).id == 1
    finally:
        await store.close()


async def test_only_sqlite_into_postgresql(tmp_path: Path, postgres_url: str) -> None:
    sqlite_url = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    with pytest.raises(ValueError, match="source must be a SQLite"):
        await copy_database(postgres_url, postgres_url)
    with pytest.raises(ValueError, match="target must be a PostgreSQL"):
        await copy_database(sqlite_url, sqlite_url)
    with pytest.raises(ValueError, match="unsupported database URL"):
        await copy_database(sqlite_url, "mysql://root:pw@localhost/briefbot")


async def test_an_unreachable_target_is_a_copy_error(tmp_path: Path) -> None:
    nowhere = f"postgresql://briefbot:secret-pw@/briefbot?host={tmp_path / 'no-server'}"
    with pytest.raises(CopyError, match="nothing was copied") as caught:
        await copy_database(f"sqlite:///{tmp_path / 'x.sqlite3'}", nowhere)
    assert "secret-pw" not in str(caught.value)
