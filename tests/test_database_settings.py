"""Where the bot stores its data: database_url in the config or BRIEFBOT_DATABASE_URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import DATABASE_URL_VARIABLE, load_settings
from bot.discord.client import create_bot
from bot.store.postgres import PostgresStore
from bot.store.sqlite import SqliteStore
from tests.test_config import config_error, write_config

SECRET_URL = "postgresql://briefbot:hunter2-secret@db.example:5432/briefbot"


def test_sqlite_is_the_default_and_a_sqlite_url_is_a_path(tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path, "# defaults\n"))
    assert settings.database_url is None
    assert isinstance(create_bot(settings).store, SqliteStore)
    settings = load_settings(write_config(tmp_path, "database_url: sqlite:///db/x.sqlite3\n"))
    assert (settings.database_url, settings.database_path) == (None, tmp_path / "db" / "x.sqlite3")
    absolute = tmp_path / "abs.sqlite3"
    settings = load_settings(write_config(tmp_path, f"database_url: sqlite:///{absolute}\n"))
    assert settings.database_path == absolute


def test_a_postgresql_url_selects_postgresql_and_its_password_never_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DATABASE_URL_VARIABLE, SECRET_URL)
    settings = load_settings(write_config(tmp_path, "database_url: sqlite:///ignored.sqlite3\n"))
    assert settings.database_url is not None
    assert settings.database_url.get_secret_value() == SECRET_URL  # the environment wins
    assert "hunter2" not in repr(settings)
    assert "hunter2" not in str(settings.model_dump())
    store = create_bot(settings).store
    assert isinstance(store, PostgresStore)
    assert "hunter2" not in repr(store)


def test_an_unknown_database_is_refused_without_echoing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_config(tmp_path, "database_url: mysql://root:hunter2@host/db\n")
    error = config_error(path)
    assert error.startswith(f"{path}:1:")
    assert "database_url" in error
    assert "postgresql://" in error
    assert "hunter2" not in error
    monkeypatch.setenv(DATABASE_URL_VARIABLE, "mongodb://root:hunter2@host/db")
    error = config_error(write_config(tmp_path, "# nothing\n"))
    assert error.startswith(f"{DATABASE_URL_VARIABLE}: not a database URL; use sqlite:///")
    assert "hunter2" not in error
