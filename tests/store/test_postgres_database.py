"""What only the PostgreSQL store has: its migrations table, the migration lock, the pool."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio

import bot.store.postgres.database as database_module
from bot.store.postgres import PostgresStore
from bot.store.postgres.database import BLOB_LOCK, MIGRATION_LOCK, migrations
from bot.store.sqlite import SqliteStore
from bot.store.sqlite.database import migrations as sqlite_migrations
from tests.store.builders import GUILD_A, NOW, subscribe
from tests.support.postgres import PostgresServer

TABLES = {
    "command_sync",
    "section_versions",
    "subscriptions",
    "deliveries",
    "digest_blobs",
    "cluster_processes",
    "digest_runs",
}


@pytest_asyncio.fixture
async def raw(postgres_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A plain connection to the test's database, to look at it from outside the store."""
    connection = await asyncpg.connect(postgres_url)
    try:
        yield connection
    finally:
        await connection.close()


async def tables(connection: asyncpg.Connection) -> set[str]:
    """The tables in the database's public schema."""
    rows = await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return {str(row[0]) for row in rows}


async def recorded(connection: asyncpg.Connection) -> list[tuple[int, str]]:
    """The migrations the migrations table records, in order."""
    rows = await connection.fetch("SELECT version, name FROM schema_migrations ORDER BY version")
    return [(int(row[0]), str(row[1])) for row in rows]


def test_postgresql_has_one_migration_for_each_sqlite_migration() -> None:
    numbers = [number for number, _, _ in migrations()]
    assert numbers == [number for number, _ in sqlite_migrations()]
    assert numbers == list(range(1, len(numbers) + 1))


async def test_a_new_database_gets_every_migration_recorded_once(
    postgres_url: str, raw: asyncpg.Connection
) -> None:
    store = PostgresStore(postgres_url)
    await store.open()
    try:
        expected = [(number, name) for number, name, _ in migrations()]
        assert await recorded(raw) == expected
        assert await store.schema_version() == expected[-1][0]
        assert {*TABLES, "schema_migrations"} == await tables(raw)
        first_applied = await raw.fetch("SELECT applied_at FROM schema_migrations")
    finally:
        await store.close()
    again = PostgresStore(postgres_url)
    await again.open()
    await again.close()
    assert await raw.fetch("SELECT applied_at FROM schema_migrations") == first_applied


async def test_every_index_of_the_sqlite_schema_exists_in_postgresql(
    tmp_path: Path, postgres_url: str, raw: asyncpg.Connection
) -> None:
    sqlite_store = SqliteStore(tmp_path / "schema.sqlite3")
    await sqlite_store.open()
    await sqlite_store.close()
    with sqlite3.connect(sqlite_store.path) as connection:
        wanted = {
            str(row[0])
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            )
        }
        triggers = {
            str(row[0])
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        }
    store = PostgresStore(postgres_url)
    await store.open()
    await store.close()
    indexes = {
        str(row[0])
        for row in await raw.fetch("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")
    }
    assert wanted
    assert wanted <= indexes
    pg_triggers = {str(row[0]) for row in await raw.fetch("SELECT tgname FROM pg_trigger")}
    assert triggers == {"deliveries_sent"}
    assert triggers <= pg_triggers


async def test_two_stores_opening_together_wait_on_the_lock_and_migrate_once(
    postgres_url: str, raw: asyncpg.Connection
) -> None:
    # Hold the migration lock, as a third process in the middle of migrating would.
    holder = await asyncpg.connect(postgres_url)
    await holder.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
    first, second = PostgresStore(postgres_url), PostgresStore(postgres_url)
    opening = [asyncio.create_task(store.open()) for store in (first, second)]
    try:
        for _ in range(100):  # until both wait for the lock
            waiting = await raw.fetchval(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            )
            if waiting == 2:
                break
            await asyncio.sleep(0.02)
        assert waiting == 2
        assert not any(task.done() for task in opening)
        assert await tables(raw) == set()  # neither has started migrating
        await holder.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)
        await asyncio.gather(*opening)
        latest = migrations()[-1][0]
        assert await first.schema_version() == await second.schema_version() == latest
        assert await recorded(raw) == [(n, name) for n, name, _ in migrations()]
        # The lock is transaction-level: nobody holds it once the stores are open.
        held = await raw.fetchval("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
        assert held == 0
    finally:
        await holder.close()
        for task in opening:
            if not task.done():
                task.cancel()
        await asyncio.gather(*opening, return_exceptions=True)
        await first.close()
        await second.close()


async def test_stores_opening_at_once_on_fresh_databases_never_collide(
    postgres_server: PostgresServer,
) -> None:
    for _ in range(3):
        name = postgres_server.create_database()
        url = postgres_server.url(name)
        stores = [PostgresStore(url) for _ in range(4)]
        try:
            await asyncio.gather(*(store.open() for store in stores))
            connection = await asyncpg.connect(url)
            try:
                assert await recorded(connection) == [(n, m) for n, m, _ in migrations()]
            finally:
                await connection.close()
        finally:
            for store in stores:
                await store.close()
            postgres_server.drop_database(name)


async def test_a_failing_migration_changes_nothing(
    postgres_url: str, raw: asyncpg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = migrations()
    broken = [*good, (len(good) + 1, "999_broken", "CREATE TABLE fine (x integer);\nNOT SQL;")]
    monkeypatch.setattr(database_module, "migrations", lambda: broken)
    store = PostgresStore(postgres_url)
    with pytest.raises(asyncpg.PostgresSyntaxError):
        await store.open()
    assert not store.is_open
    await store.close()
    assert await tables(raw) == set()  # not even the migrations table
    assert (
        await raw.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        )
        == 1
    )


async def test_a_failing_later_migration_keeps_the_earlier_ones(
    postgres_url: str, raw: asyncpg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = PostgresStore(postgres_url)
    await store.open()
    await subscribe(store)
    await store.close()
    good = migrations()
    broken = [*good, (len(good) + 1, "999_broken", "CREATE TABLE fine (x integer); NOT SQL;")]
    monkeypatch.setattr(database_module, "migrations", lambda: broken)
    with pytest.raises(asyncpg.PostgresSyntaxError):
        await store.open()
    assert await recorded(raw) == [(n, name) for n, name, _ in good]
    assert "fine" not in await tables(raw)
    assert await raw.fetchval("SELECT count(*) FROM subscriptions") == 1


async def test_an_old_database_is_upgraded_and_keeps_its_data(
    postgres_url: str, raw: asyncpg.Connection
) -> None:
    number, name, first = migrations()[0]
    await raw.execute(database_module.MIGRATIONS_TABLE)
    await raw.execute(first)
    await raw.execute("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", number, name)
    await raw.execute("INSERT INTO command_sync VALUES ('global', 'abc', now())")
    store = PostgresStore(postgres_url)
    await store.open()
    try:
        assert await store.schema_version() == migrations()[-1][0]
        assert await store.state.command_tree_hash("global") == "abc"
        assert await store.subscriptions.of_guild(GUILD_A) == []
    finally:
        await store.close()


async def test_times_are_stored_as_timestamptz_and_come_back_in_utc(
    postgres_url: str, raw: asyncpg.Connection
) -> None:
    store = PostgresStore(postgres_url)
    await store.open()
    try:
        await raw.execute("SET TIME ZONE 'Asia/Tokyo'")
        sub = await subscribe(store)
        kinds = {
            str(row[0]): str(row[1])
            for row in await raw.fetch(
                "SELECT column_name, data_type FROM information_schema.columns"
                " WHERE table_name = 'subscriptions'"
            )
        }
        assert kinds["next_due"] == "timestamp with time zone"
        assert kinds["topics"] == "ARRAY"
        assert await raw.fetchval("SELECT next_due FROM subscriptions") == NOW
        assert sub.next_due.utcoffset() == dt.timedelta(0)
    finally:
        await store.close()


async def test_the_password_is_never_shown(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    # The test server trusts local connections, so it ignores the password it is given.
    with_password = postgres_url.replace("postgres:@", "postgres:s3cret-pw@")
    assert "s3cret-pw" in with_password
    store = PostgresStore(with_password)
    with caplog.at_level(logging.DEBUG, logger="bot.store"):
        await store.open()
    try:
        assert "s3cret-pw" not in repr(store)
        assert "postgres:***@" in store.display_url
        assert any("connected to PostgreSQL" in record.getMessage() for record in caplog.records)
        assert not any("s3cret-pw" in record.getMessage() for record in caplog.records)
        assert await store.checkpoint() == 0  # PostgreSQL checkpoints by itself
    finally:
        await store.close()


async def test_pruning_waits_for_claims_that_are_storing_blobs(
    postgres_url: str, raw: asyncpg.Connection
) -> None:
    store = PostgresStore(postgres_url)
    await store.open()
    try:
        # An open claim holds the blob lock shared from its first blob until it commits.
        claiming = raw.transaction()
        await claiming.start()
        await raw.execute("SELECT pg_advisory_xact_lock_shared($1)", BLOB_LOCK)
        pruning = asyncio.create_task(store.ledger.prune(NOW))
        await asyncio.sleep(0.3)
        assert not pruning.done()
        await claiming.commit()
        assert await asyncio.wait_for(pruning, 5) == 0
    finally:
        await store.close()
