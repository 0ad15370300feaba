"""Choosing the store from a database URL, and showing URLs without their passwords."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.store.factory import ACCEPTED_FORMS, redacted_url, sqlite_path, store_for_url
from bot.store.postgres import PostgresStore
from bot.store.sqlite import SqliteStore
from tests.store.builders import GUILD_A, subscribe

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_a_bot_on_sqlite_never_loads_the_postgresql_driver() -> None:
    script = (
        "import sys, bot.cli, bot.discord.runner, bot.discord.client\n"
        "from bot.store.factory import redacted_url, store_for_url\n"
        "store_for_url('sqlite:///data/briefbot.sqlite3')\n"
        "redacted_url('postgresql://bot:secret@db/briefbot')\n"
        "print(sorted(m for m in sys.modules if m.startswith(('asyncpg', 'bot.store.postgres'))))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO_ROOT, check=True
    )
    assert loaded.stdout.strip() == "[]"


def test_a_sqlite_url_with_three_slashes_is_relative_and_with_four_absolute() -> None:
    relative = store_for_url("sqlite:///data/briefbot.sqlite3")
    assert isinstance(relative, SqliteStore)
    assert relative.path == Path("data/briefbot.sqlite3")
    absolute = store_for_url("sqlite:////var/lib/briefbot/briefbot.sqlite3")
    assert isinstance(absolute, SqliteStore)
    assert absolute.path == Path("/var/lib/briefbot/briefbot.sqlite3")
    assert sqlite_path("SQLite:///with%20space.sqlite3") == Path("with space.sqlite3")


async def test_a_relative_sqlite_url_opens_under_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = store_for_url("sqlite:///data/here.sqlite3")
    await store.open()
    try:
        await subscribe(store)
    finally:
        await store.close()
    assert (tmp_path / "data" / "here.sqlite3").is_file()


@pytest.mark.parametrize("scheme", ["postgresql", "postgres", "PostgreSQL"])
def test_postgresql_urls_select_postgresql_and_hide_the_password(scheme: str) -> None:
    store = store_for_url(f"{scheme}://briefbot:hunter2@db.example:5432/briefbot")
    assert isinstance(store, PostgresStore)
    assert store.display_url == f"{scheme}://briefbot:***@db.example:5432/briefbot"
    assert "hunter2" not in repr(store)
    assert not store.is_open


async def test_a_postgresql_url_from_the_factory_opens(postgres_url: str) -> None:
    store = store_for_url(postgres_url)
    await store.open()
    try:
        mine = await subscribe(store)
        assert await store.subscriptions.of_guild(GUILD_A) == [mine]
    finally:
        await store.close()


@pytest.mark.parametrize(
    "url",
    [
        "mysql://root:topsecret@localhost/briefbot",
        "",
        "data/briefbot.sqlite3",
        "sqlite:",
        "sqlite://data/briefbot.sqlite3",
        "sqlite:///",
        "sqlite:///data/",
        "sqlite:///data/briefbot.sqlite3?mode=ro",
        "postgresql:/db.example/briefbot",
        "postgresql+asyncpg://user:topsecret@db.example/briefbot",
    ],
)
def test_anything_else_is_refused_naming_the_accepted_forms(url: str) -> None:
    with pytest.raises(ValueError, match="sqlite:///") as caught:
        store_for_url(url)
    message = str(caught.value)
    assert "postgresql://" in message or "takes no options" in message
    assert "topsecret" not in message


def test_the_accepted_forms_name_both_stores() -> None:
    assert "sqlite:///relative" in ACCEPTED_FORMS
    assert "sqlite:////absolute" in ACCEPTED_FORMS
    assert "postgresql://" in ACCEPTED_FORMS


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://bot:pw@host/db", "postgresql://bot:***@host/db"),
        ("postgresql://bot:p%40ss%3Aword@host:5433/db", "postgresql://bot:***@host:5433/db"),
        ("postgresql://:pw@host/db", "postgresql://:***@host/db"),
        ("postgresql://bot@host/db", "postgresql://bot@host/db"),
        (
            "postgresql://bot:@/db?host=/run/postgresql",
            "postgresql://bot:@/db?host=/run/postgresql",
        ),
        (
            "postgresql://bot@host/db?sslmode=require&password=pw",
            "postgresql://bot@host/db?sslmode=require&password=***",
        ),
        ("postgresql://bot:pw@h1:5432,h2:5432/db", "postgresql://bot:***@h1:5432,h2:5432/db"),
        ("postgresql://bot:un/escaped@host/db", "postgresql://bot:***@host/db"),
        ("sqlite:///data/briefbot.sqlite3", "sqlite:///data/briefbot.sqlite3"),
    ],
)
def test_redacted_urls_hide_every_password(url: str, shown: str) -> None:
    assert redacted_url(url) == shown


def test_redacting_a_url_it_cannot_parse_still_hides_everything() -> None:
    shown = redacted_url("postgresql://bot:pw@[not-an-ip/db")
    assert "pw" not in shown
    assert shown.startswith("postgresql:")
