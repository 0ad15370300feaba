"""`briefbot db copy`: move a SQLite deployment into an empty PostgreSQL database.

Everything is copied as it is: subscriptions with their ids and claim versions (so
ledger nonces stay the same and no digest is posted twice), the ledger with the
message ids of half-sent digests, the stored blobs, section history and command-sync
state. The source is read from one snapshot; the target is written in one transaction
that first locks its tables and refuses a database that already holds data, then checks
the row counts of both sides before it commits. The identity of `subscriptions.id` is
moved past every id SQLite ever handed out, deleted ones included.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiosqlite
import asyncpg

from bot.store.factory import store_for_url
from bot.store.postgres import PostgresStore
from bot.store.sqlite import SqliteStore
from bot.store.sqlite.rows import from_epoch

SCHEMA_VERSION = 6  # the schema both sides must be at; a new migration must update this copy
# cluster_processes is not copied: it describes the processes running now, not data.
CHUNK = 5_000
# Failures of either database (unreachable, refused, a row PostgreSQL cannot hold). Their
# messages name hosts and tables, never a password.
DATABASE_ERRORS = (
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    sqlite3.Error,
    OSError,
    TimeoutError,
)


def _epoch(value: Any) -> Any:
    return None if value is None else from_epoch(int(value))


def _json_list(value: Any) -> Any:
    return None if value is None else list(json.loads(value))


@dataclass(frozen=True)
class Table:
    """One table to copy: its columns (the same names on both sides) and their codecs."""

    name: str
    columns: tuple[str, ...]
    codecs: dict[str, Callable[[Any], Any]]

    def convert(self, row: Sequence[Any]) -> tuple[Any, ...]:
        """A SQLite row as PostgreSQL stores it."""
        return tuple(
            self.codecs.get(column, _same)(value)
            for column, value in zip(self.columns, row, strict=True)
        )


def _same(value: Any) -> Any:
    return value


def _columns(names: str) -> tuple[str, ...]:
    return tuple(names.split())


# In an order that satisfies every foreign key.
TABLES = (
    Table("command_sync", ("scope", "payload_hash", "synced_at"), {"synced_at": _epoch}),
    Table(
        "section_versions",
        ("briefing_id", "section_id", "content_hash", "heading", "first_seen"),
        {"first_seen": _epoch},
    ),
    Table("digest_blobs", ("hash", "body"), {}),
    Table(
        "subscriptions",
        _columns(
            "id guild_id channel_id topics schedule timezone mode language state failure_code"
            " failure_reason failure_notified next_due last_digest_at snapshot_hash missed_from"
            " missed_until created_by created_at updated_at claim_version mention_role_id"
            " target forum_tags publish paused_by"
        ),
        {
            "topics": _json_list,
            "forum_tags": _json_list,
            "failure_notified": bool,
            "publish": bool,
            **{
                column: _epoch
                for column in (
                    "next_due",
                    "last_digest_at",
                    "missed_from",
                    "missed_until",
                    "created_at",
                    "updated_at",
                )
            },
        },
    ),
    Table(
        "deliveries",
        _columns(
            "subscription_id due_at kind status payload_hash snapshot_hash message_count"
            " message_ids attempts last_error created_at updated_at thread_id"
            " thread_opening_at crossposts_skipped"
        ),
        {
            "due_at": _epoch,
            "created_at": _epoch,
            "updated_at": _epoch,
            "thread_opening_at": _epoch,
            "message_ids": lambda value: [int(i) for i in json.loads(value)],
        },
    ),
    Table(
        "digest_runs",
        _columns("id subscription_id at outcome due_at channel_id message_id code reason detail"),
        {"at": _epoch, "due_at": _epoch},
    ),
)


class CopyError(Exception):
    """The copy cannot be made (its message says why); nothing was written."""


@dataclass(frozen=True)
class TableCount:
    """How many rows one table holds on each side."""

    table: str
    source: int
    target: int


@dataclass(frozen=True)
class CopyReport:
    """What `copy_database` copied: the two databases (passwords hidden) and the counts."""

    source: str
    target: str
    tables: tuple[TableCount, ...]
    last_subscription_id: int

    @property
    def rows(self) -> int:
        """How many rows were copied in all."""
        return sum(count.target for count in self.tables)

    def lines(self) -> list[str]:
        """The report as lines of text, for the command line."""
        width = max(len(count.table) for count in self.tables)
        lines = [
            f"copied {self.source}",
            f"  into {self.target}",
            f"{'table':<{width}}  {'sqlite':>10}  {'postgresql':>10}",
        ]
        lines += [f"{c.table:<{width}}  {c.source:>10}  {c.target:>10}" for c in self.tables]
        lines.append(f"new subscriptions get ids after {self.last_subscription_id}")
        return lines


async def copy_database(
    source: SqliteStore | str, target: PostgresStore | str, *, chunk: int = CHUNK
) -> CopyReport:
    """Copy a SQLite store (or `sqlite:///` URL) into an empty PostgreSQL store (or URL).

    Stores given as URLs are opened (migrations applied) and closed again; stores given
    as objects are opened if need be and left as they were found. Raises ValueError for
    a URL of no known kind or a store of the wrong kind (a usage error), and CopyError
    when the target holds data, a schema is not the one this copy knows, counts differ
    or a database fails; in every case the target is left as it was.
    """
    source_store = _as(source, SqliteStore, "the source must be a SQLite database")
    target_store = _as(target, PostgresStore, "the target must be a PostgreSQL database")
    opened = [store for store in (source_store, target_store) if not store.is_open]
    try:
        for store in opened:
            await store.open()
        for side, store in (("source", source_store), ("target", target_store)):
            version = await store.schema_version()
            if version != SCHEMA_VERSION:
                raise CopyError(
                    f"the {side} database is at schema version {version}, but db copy knows"
                    f" version {SCHEMA_VERSION}; run the same briefbot version on both"
                )
        return await _copy(source_store, target_store, chunk)
    except DATABASE_ERRORS as error:
        # The caller (the command line) may not import the drivers to catch their errors.
        raise CopyError(f"{type(error).__name__}: {error}; nothing was copied") from error
    finally:
        for store in opened:
            await store.close()


def _as(store: Any, kind: type[Any], problem: str) -> Any:
    """The store itself, or the store its URL names, which must be of `kind`."""
    if isinstance(store, str):
        store = store_for_url(store)
    if not isinstance(store, kind):
        raise ValueError(f"{problem} (got {_describe(store)})")
    return store


def _describe(store: Any) -> str:
    if isinstance(store, PostgresStore):
        return store.display_url
    if isinstance(store, SqliteStore):
        return f"sqlite:///{store.path}"
    return type(store).__name__


async def _copy(source: SqliteStore, target: PostgresStore, chunk: int) -> CopyReport:
    names = ", ".join(table.name for table in TABLES)
    async with (
        _snapshot(source) as reader,
        target.pool.acquire() as writer,
        writer.transaction(),
    ):
        # No one else writes these tables until the copy commits or rolls back.
        await writer.execute(f"LOCK TABLE {names} IN EXCLUSIVE MODE")
        present = [
            f"{table.name} ({count} rows)"
            for table in TABLES
            if (count := await writer.fetchval(f"SELECT count(*) FROM {table.name}"))
        ]
        if present:
            raise CopyError(
                f"the target database is not empty: {', '.join(present)}; db copy only fills"
                " an empty database (create a new one, or drop these rows first)"
            )
        counts = []
        for table in TABLES:
            expected = await _count(reader, table.name)
            async for rows in _chunks(reader, table, chunk):
                await writer.copy_records_to_table(
                    table.name, records=rows, columns=list(table.columns)
                )
            copied = int(await writer.fetchval(f"SELECT count(*) FROM {table.name}"))
            if copied != expected:
                raise CopyError(f"{table.name}: {expected} rows in SQLite but {copied} copied")
            counts.append(TableCount(table.name, expected, copied))
        # New rows continue after every id SQLite ever gave (AUTOINCREMENT tables).
        last_ids = {name: await _last_id(reader, name) for name in ("subscriptions", "digest_runs")}
        for table_name, last in last_ids.items():
            await writer.execute(
                f"SELECT setval(pg_get_serial_sequence('{table_name}', 'id'), $1, $2)",
                max(last, 1),
                last > 0,
            )
        last_id = last_ids["subscriptions"]
        await writer.execute(f"ANALYZE {names}")  # the planner's statistics, from the start
    return CopyReport(
        source=_describe(source),
        target=target.display_url,
        tables=tuple(counts),
        last_subscription_id=last_id,
    )


@asynccontextmanager
async def _snapshot(store: SqliteStore) -> AsyncIterator[aiosqlite.Connection]:
    """A read-only connection of its own to the SQLite file, inside one read transaction."""
    uri = f"{store.path.resolve().as_uri()}?mode=ro"
    reader = await aiosqlite.connect(uri, uri=True, isolation_level=None)
    try:
        async with reader.execute("BEGIN"):  # deferred: the first read fixes the snapshot
            pass
        yield reader
    finally:
        await reader.close()


async def _count(reader: aiosqlite.Connection, table: str) -> int:
    rows = list(await reader.execute_fetchall(f"SELECT count(*) FROM {table}"))
    return int(rows[0][0])


async def _last_id(reader: aiosqlite.Connection, table: str) -> int:
    """The highest id SQLite ever gave a row of `table` (AUTOINCREMENT remembers deleted ones)."""
    rows = list(
        await reader.execute_fetchall(
            f"SELECT max(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '{table}'),"
            f" 0), COALESCE((SELECT max(id) FROM {table}), 0))"
        )
    )
    return int(rows[0][0])


async def _chunks(
    reader: aiosqlite.Connection, table: Table, size: int
) -> AsyncIterator[list[tuple[Any, ...]]]:
    """The table's rows, converted, a chunk at a time (in primary-key order)."""
    order = "id" if table.name == "subscriptions" else "rowid"
    async with reader.execute(
        f"SELECT {', '.join(table.columns)} FROM {table.name} ORDER BY {order}"
    ) as cursor:
        while rows := await cursor.fetchmany(size):
            yield [table.convert(row) for row in rows]
