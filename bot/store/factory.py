"""Choosing the store from a database URL: `sqlite:///...` or `postgresql://...`.

`sqlite:///data/briefbot.sqlite3` is a path relative to the working folder,
`sqlite:////var/lib/briefbot/briefbot.sqlite3` an absolute one. `postgresql://` (or
`postgres://`) URLs go to asyncpg as they are, so every libpq form works, unix sockets
(`?host=/run/postgresql`) included. Show a URL only through `redacted_url`.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

from bot.store.interface import Store
from bot.store.sqlite import SqliteStore
from bot.store.urls import redacted_url

__all__ = ["ACCEPTED_FORMS", "redacted_url", "sqlite_path", "store_for_url", "url_kind"]

ACCEPTED_FORMS = (
    "sqlite:///relative/path.sqlite3, sqlite:////absolute/path.sqlite3, "
    "postgresql://user:password@host:port/database (or postgres://...)"
)
SQLITE_PREFIX = "sqlite:///"
POSTGRES_SCHEMES = ("postgresql", "postgres")


def url_kind(url: str) -> str:
    """ "sqlite" or "postgresql" for a database URL; ValueError for any other."""
    scheme, colon, rest = url.partition(":")
    if colon and scheme.lower() == "sqlite":
        sqlite_path(url)
        return "sqlite"
    if colon and scheme.lower() in POSTGRES_SCHEMES and rest.startswith("//"):
        return "postgresql"
    raise ValueError(f"unsupported database URL {redacted_url(url)!r}: use {ACCEPTED_FORMS}")


def sqlite_path(url: str) -> Path:
    """The file a `sqlite:///` URL names (relative to the working folder unless absolute)."""
    if url[: len(SQLITE_PREFIX)].lower() != SQLITE_PREFIX:
        raise ValueError(
            f"a SQLite URL has three slashes before its path, not {redacted_url(url)!r}: "
            f"use {ACCEPTED_FORMS}"
        )
    path = url[len(SQLITE_PREFIX) :]
    if "?" in path or "#" in path:
        raise ValueError(f"a SQLite URL takes no options: {url!r}")
    if not path or path.endswith("/"):
        raise ValueError(f"the SQLite URL {url!r} names no file: use {ACCEPTED_FORMS}")
    return Path(unquote(path))


def store_for_url(url: str) -> Store:
    """The store a database URL selects, not yet opened; ValueError names the accepted forms."""
    if url_kind(url) == "sqlite":
        return SqliteStore(sqlite_path(url))
    # Imported here: a deployment on SQLite never loads asyncpg (2.6 MB resident).
    from bot.store.postgres import PostgresStore

    return PostgresStore(url)
