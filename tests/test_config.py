"""Tests for bot.config: defaults, path resolution, exact errors, and the secret token."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import TOKEN_VARIABLE, ConfigError, Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "test-token-not-a-real-one.abc123"


@pytest.fixture(autouse=True)
def _no_token_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TOKEN_VARIABLE, raising=False)


def write_config(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def config_error(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    return str(caught.value)


def test_empty_config_gives_defaults_resolved_against_its_folder(tmp_path: Path) -> None:
    path = write_config(tmp_path, "# nothing set\n")

    settings = load_settings(path)

    assert settings.config_path == path.resolve()
    assert settings.briefings_dir == tmp_path.resolve() / "briefings"
    assert settings.database_path == tmp_path.resolve() / "data" / "briefbot.sqlite3"
    assert settings.default_timezone == "Asia/Tokyo"
    assert settings.stale_after_days == 365
    assert settings.log_level == "INFO"
    assert settings.watch is True
    assert settings.startup_retry_seconds == 60
    assert settings.digest.catch_up_hours == 6
    assert settings.digest.tick_seconds == 60
    assert settings.delivery.rate_per_second == 45
    assert settings.delivery.max_attempts == 5
    assert settings.admin_user_ids == ()
    assert settings.dev_guild_id is None
    assert settings.discord_token is None


def test_the_committed_config_loads_and_matches_the_defaults() -> None:
    settings = load_settings(ROOT / "config.yaml")
    defaults = Settings()

    assert settings.briefings_dir == ROOT / "briefings"
    assert settings.database_path == ROOT / "data" / "briefbot.sqlite3"
    names = ("default_timezone", "stale_after_days", "log_level", "watch", "digest")
    for name in (*names, "startup_retry_seconds"):
        assert getattr(settings, name) == getattr(defaults, name), name
    assert settings.delivery == defaults.delivery


def test_startup_retry_seconds_is_read_and_checked(tmp_path: Path) -> None:
    assert (
        load_settings(
            write_config(tmp_path / "ok", "startup_retry_seconds: 2.5\n")
        ).startup_retry_seconds
        == 2.5
    )
    assert (
        load_settings(
            write_config(tmp_path / "none", "startup_retry_seconds: 0\n")
        ).startup_retry_seconds
        == 0
    )
    path = write_config(tmp_path / "bad", "startup_retry_seconds: -1\n")
    assert config_error(path) == (
        f"{path}:1:24: error: startup_retry_seconds: Input should be greater than or equal to 0"
    )


def test_relative_paths_resolve_against_the_config_folder_not_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_config(
        tmp_path / "deploy",
        f"briefings_dir: ../content/briefings\ndatabase_path: {tmp_path / 'db.sqlite3'}\n",
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)

    settings = load_settings(path)

    assert settings.briefings_dir == tmp_path.resolve() / "deploy" / ".." / "content" / "briefings"
    assert settings.briefings_dir.resolve() == (tmp_path / "content" / "briefings").resolve()
    assert settings.database_path == tmp_path / "db.sqlite3"


def test_relative_config_path_is_resolved_from_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(tmp_path / "deploy", "briefings_dir: topics\n")
    monkeypatch.chdir(tmp_path)

    settings = load_settings("deploy/config.yaml")

    assert settings.briefings_dir == tmp_path.resolve() / "deploy" / "topics"


def test_bad_value_names_file_line_column_and_key(tmp_path: Path) -> None:
    path = write_config(tmp_path, "log_level: INFO\nstale_after_days: 0\n")

    assert config_error(path) == (
        f"{path}:2:19: error: stale_after_days: Input should be greater than or equal to 1"
    )


def test_bad_nested_value_names_the_dotted_key(tmp_path: Path) -> None:
    path = write_config(tmp_path, "digest:\n  catch_up_hours: 6\n  tick_seconds: -5\n")

    assert config_error(path) == (
        f"{path}:3:17: error: digest.tick_seconds: Input should be greater than 0"
    )


def test_every_bad_value_is_reported_in_file_order(tmp_path: Path) -> None:
    path = write_config(tmp_path, "watch: maybe\nadmin_user_ids: [12, -3]\nlog_level: LOUD\n")

    assert config_error(path).splitlines() == [
        f"{path}:1:8: error: watch: Input should be a valid boolean, unable to interpret input",
        f"{path}:2:22: error: admin_user_ids[1]: Input should be greater than 0",
        f"{path}:3:12: error: log_level: Input should be 'DEBUG', 'INFO', 'WARNING' or 'ERROR'",
    ]


def test_unknown_key_is_an_error_with_a_suggestion(tmp_path: Path) -> None:
    path = write_config(tmp_path, "stale_after_day: 30\n")

    assert config_error(path) == (
        f"{path}:1:1: error: stale_after_day: unknown setting 'stale_after_day'; "
        "did you mean 'stale_after_days'?"
    )


def test_unknown_nested_key_is_an_error_with_a_suggestion(tmp_path: Path) -> None:
    path = write_config(tmp_path, "delivery:\n  rate_per_sec: 10\n")

    assert config_error(path) == (
        f"{path}:2:3: error: delivery.rate_per_sec: unknown setting 'rate_per_sec'; "
        "did you mean 'rate_per_second'?"
    )


def test_a_setting_in_the_wrong_section_names_its_section(tmp_path: Path) -> None:
    path = write_config(tmp_path, "digest:\n  rate_per_second: 10\n")

    assert config_error(path) == (
        f"{path}:2:3: error: digest.rate_per_second: unknown setting 'rate_per_second'; "
        "it goes under 'delivery:' (delivery.rate_per_second)"
    )
    path = write_config(tmp_path, "delivery:\n  stale_after_days: 30\n")
    assert config_error(path).endswith(
        "unknown setting 'stale_after_days'; it goes at the top level of the file"
    )


def test_unknown_key_without_a_close_match(tmp_path: Path) -> None:
    path = write_config(tmp_path, "flavour: blue\n")

    assert config_error(path) == f"{path}:1:1: error: flavour: unknown setting 'flavour'"


def test_bad_timezone_is_an_error(tmp_path: Path) -> None:
    path = write_config(tmp_path, "default_timezone: Mars/Olympus_Mons\n")

    assert config_error(path) == (
        f"{path}:1:19: error: default_timezone: unknown time zone 'Mars/Olympus_Mons'; "
        "use an IANA name"
    )


def test_timezone_name_is_stored_in_its_canonical_spelling(tmp_path: Path) -> None:
    path = write_config(tmp_path, "default_timezone: europe/london\nlog_level: debug\n")

    settings = load_settings(path)

    assert settings.default_timezone == "Europe/London"
    assert settings.log_level == "DEBUG"


def test_invalid_yaml_is_an_error_with_its_position(tmp_path: Path) -> None:
    path = write_config(tmp_path, "log_level: INFO\nadmin_user_ids: [1, 2\n")

    assert config_error(path) == (
        f"{path}:3:1: error: invalid YAML: did not find expected ',' or ']' "
        "(while parsing a flow sequence)"
    )


def test_impossible_date_in_config_is_reported_not_raised(tmp_path: Path) -> None:
    path = write_config(tmp_path, "watch: 2025-13-45\n")

    assert config_error(path) == (
        f"{path}:1:8: error: watch: Input should be a valid boolean, unable to interpret input"
    )


def test_duplicate_key_in_config_is_an_error(tmp_path: Path) -> None:
    path = write_config(tmp_path, "watch: true\nwatch: false\n")

    assert config_error(path) == (
        f"{path}:2:1: error: watch: duplicate key 'watch': it is already set on line 1, "
        "and only one value can be kept"
    )


def test_config_that_is_not_a_mapping_is_an_error(tmp_path: Path) -> None:
    path = write_config(tmp_path, "- watch\n")

    assert config_error(path) == f"{path}:1:1: error: the config must be a mapping of settings"


def test_missing_config_is_an_error_unless_missing_is_allowed(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"

    assert config_error(path) == f"{path}: cannot read config: No such file or directory"
    settings = load_settings(path, missing_ok=True)
    assert settings.briefings_dir == tmp_path.resolve() / "briefings"
    assert settings.config_path == path.resolve()


def test_token_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_config(tmp_path, "")
    monkeypatch.setenv(TOKEN_VARIABLE, f"  {TOKEN}\n")

    settings = load_settings(path)

    assert settings.discord_token is not None
    assert settings.discord_token.get_secret_value() == TOKEN
    assert TOKEN not in repr(settings)
    assert TOKEN not in str(settings)
    assert TOKEN not in settings.model_dump_json()


def test_token_comes_from_dotenv_next_to_the_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_config(tmp_path / "deploy", "")
    (tmp_path / "deploy" / ".env").write_text(f"{TOKEN_VARIABLE}={TOKEN}\n", encoding="utf-8")
    (tmp_path / ".env").write_text(f"{TOKEN_VARIABLE}=from-the-cwd\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    settings = load_settings(path)

    assert settings.discord_token is not None
    assert settings.discord_token.get_secret_value() == TOKEN


def test_environment_token_wins_over_dotenv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_config(tmp_path, "")
    (tmp_path / ".env").write_text(f"{TOKEN_VARIABLE}=from-dotenv\n", encoding="utf-8")
    monkeypatch.setenv(TOKEN_VARIABLE, TOKEN)

    settings = load_settings(path)

    assert settings.discord_token is not None
    assert settings.discord_token.get_secret_value() == TOKEN


def test_empty_token_counts_as_no_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_config(tmp_path, "")
    (tmp_path / ".env").write_text(f"{TOKEN_VARIABLE}=\n", encoding="utf-8")
    monkeypatch.setenv(TOKEN_VARIABLE, "   ")

    assert load_settings(path).discord_token is None


def test_token_in_the_config_file_is_refused_without_echoing_it(tmp_path: Path) -> None:
    path = write_config(tmp_path, f"log_level: INFO\ndiscord_token: {TOKEN}\n")

    message = config_error(path)

    assert message == (
        f"{path}:2:1: error: discord_token: the bot token is a secret and does not belong in "
        "the config file; set DISCORD_TOKEN in a .env file next to it, or in the environment"
    )
    assert TOKEN not in message


def test_config_path_cannot_be_set_in_the_file(tmp_path: Path) -> None:
    path = write_config(tmp_path, "config_path: /etc/other.yaml\n")

    assert config_error(path) == (
        f"{path}:1:1: error: config_path: is set from the file's own location; remove it"
    )


def test_the_start_up_cache_sits_beside_the_database_unless_set(tmp_path: Path) -> None:
    default = load_settings(write_config(tmp_path / "a", "# nothing set\n"))
    chosen = load_settings(write_config(tmp_path / "b", "startup_cache: cache/briefings.pickle\n"))
    on_postgres = Settings(database_url="postgresql://bot@localhost/briefbot")

    assert default.startup_cache_path == (
        tmp_path.resolve() / "a" / "data" / "briefbot.briefings-cache"
    )
    assert chosen.startup_cache_path == tmp_path.resolve() / "b" / "cache" / "briefings.pickle"
    assert on_postgres.startup_cache_path is None
