"""What only the SQLite store has: its file, PRAGMAs, `user_version` and WAL checkpoints."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

import bot.store.sqlite.database as database_module
from bot.store.sqlite import SqliteStore
from bot.store.sqlite.database import migrations
from tests.store.builders import GUILD_A, subscribe


@pytest_asyncio.fixture
async def repo(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    """An open SQLite store on a file of its own (this file's tests need its path)."""
    repository = SqliteStore(tmp_path / "data" / "test.sqlite3")
    await repository.open()
    try:
        yield repository
    finally:
        await repository.close()


async def test_a_new_database_gets_every_migration_and_its_user_version(repo: SqliteStore) -> None:
    latest = max(number for number, _ in migrations())
    assert latest >= 2
    assert await repo.schema_version() == latest
    with sqlite3.connect(repo.path) as raw:
        tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master")}
        assert raw.execute("PRAGMA user_version").fetchone()[0] == latest
    assert {
        "command_sync",
        "section_versions",
        "subscriptions",
        "deliveries",
        "digest_blobs",
        "cluster_processes",
    } <= tables


async def test_connection_uses_wal_foreign_keys_and_a_busy_timeout(repo: SqliteStore) -> None:
    async with repo.connection.execute("PRAGMA journal_mode") as cursor:
        assert (await cursor.fetchone()) == ("wal",)
    async with repo.connection.execute("PRAGMA foreign_keys") as cursor:
        assert (await cursor.fetchone()) == (1,)
    async with repo.connection.execute("PRAGMA busy_timeout") as cursor:
        assert (await cursor.fetchone()) == (5000,)
    async with repo.connection.execute("PRAGMA wal_autocheckpoint") as cursor:
        assert (await cursor.fetchone()) == (database_module.WAL_AUTOCHECKPOINT_PAGES,)


def file_size(path: Path) -> int:
    """The size of a file in bytes."""
    return path.stat().st_size


async def test_a_checkpoint_copies_the_log_into_the_database(repo: SqliteStore) -> None:
    assert await repo.checkpoint() == 0
    before = file_size(repo.path)
    for number in range(200):
        await subscribe(repo, GUILD_A, 900 + number, topics=(f"topic-{number}" * 20,))
    assert file_size(repo.path) == before  # so far only in the write-ahead log

    assert await repo.checkpoint() == 0
    assert file_size(repo.path) > before
    reopened = SqliteStore(repo.path)
    await reopened.open()
    try:
        assert len(await reopened.subscriptions.of_guild(GUILD_A)) == 200
    finally:
        await reopened.close()


async def test_an_old_database_is_upgraded_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    first = dict(migrations())[1]
    with sqlite3.connect(path) as raw:
        raw.executescript(first)
        raw.execute("INSERT INTO command_sync VALUES ('global', 'abc', 1)")
        raw.execute("PRAGMA user_version = 1")
    repo = SqliteStore(path)
    await repo.open()
    try:
        assert await repo.schema_version() == max(n for n, _ in migrations())
        assert await repo.state.command_tree_hash("global") == "abc"
        assert await repo.subscriptions.of_guild(GUILD_A) == []
    finally:
        await repo.close()
    reopened = SqliteStore(path)
    await reopened.open()  # nothing pending: must not try to create the tables again
    await reopened.close()


async def test_migrations_split_into_whole_statements_triggers_included() -> None:
    statements = list(database_module._statements(dict(migrations())[2]))
    trigger = next(s for s in statements if s.startswith("CREATE TRIGGER"))
    assert trigger.count(";") == 2  # the UPDATE inside, and the END
    assert all(sqlite3.complete_statement(s) for s in statements)
    with pytest.raises(ValueError, match="incomplete"):
        list(database_module._statements("CREATE TABLE x (a INTEGER)"))


async def test_a_failing_migration_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = migrations()
    broken = [*good, (len(good) + 1, "CREATE TABLE fine (x INTEGER);\nNOT SQL AT ALL;")]
    monkeypatch.setattr(database_module, "migrations", lambda: broken)
    repo = SqliteStore(tmp_path / "broken.sqlite3")
    with pytest.raises(sqlite3.OperationalError):
        await repo.open()
    await repo.close()
    with sqlite3.connect(repo.path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 0
        assert raw.execute("SELECT name FROM sqlite_master").fetchall() == []
