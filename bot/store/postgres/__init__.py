"""The PostgreSQL store: one database that several bot processes share, through asyncpg.

`PostgresStore` implements the same interface as the SQLite store, with the same
semantics; claims lock the rows they change, so any number of processes may claim at
once. All of its SQL lives in this package, its migrations in `migrations/`.
"""

from bot.store.postgres.store import PostgresStore

__all__ = ["PostgresStore"]
