"""Typed settings: `config.yaml` for everything public, the environment for secrets."""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Annotated, Any, Literal

from dotenv import dotenv_values
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from bot.briefings.loader import display_path, format_path, locate, parse_yaml
from bot.digests.schedule import parse_timezone
from bot.errors import InvalidTimezone

TOKEN_VARIABLE = "DISCORD_TOKEN"
DATABASE_URL_VARIABLE = "BRIEFBOT_DATABASE_URL"
DATABASE_SCHEMES = ("sqlite", "postgresql", "postgres")
Snowflake = Annotated[int, Field(gt=0)]

# Keys that exist on `Settings` but must never come from the config file.
_NOT_FROM_FILE = {
    "discord_token": (
        f"the bot token is a secret and does not belong in the config file; set "
        f"{TOKEN_VARIABLE} in a .env file next to it, or in the environment"
    ),
    "config_path": "is set from the file's own location; remove it",
}


class ConfigError(Exception):
    """A configuration file that cannot be used, with the file and key to fix."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DigestSettings(_Section):
    """When scheduled digests run."""

    catch_up_hours: float = Field(6, ge=0)
    tick_seconds: float = Field(60, gt=0, le=3600)


class DeliverySettings(_Section):
    """How fast digests are sent."""

    # REST requests per second in all (digests and every other request but interaction
    # responses): at most Discord's 50 per token, with room left for other processes.
    rate_per_second: float = Field(45, gt=0, le=50)
    max_attempts: int = Field(5, ge=1, le=20)


def parse_shard_ids(text: str, shard_count: int) -> tuple[int, ...]:
    """Shard ids from `0-3` or `0,2,4-7`, each once and below `shard_count`; raises ValueError."""
    ids: list[int] = []
    for part in text.replace(" ", "").split(","):
        first, dash, last = part.partition("-")
        if not first.isdigit() or (dash and not last.isdigit()):
            raise ValueError(f"{text!r} is not a shard range; write it like 0-3 or 0,2,4-7")
        low, high = int(first), int(last) if dash else int(first)
        if high < low:
            raise ValueError(f"shard range {part!r} runs backwards; write {high}-{low}")
        for shard in range(low, high + 1):
            if shard >= shard_count:
                raise ValueError(
                    f"shard {shard} is out of range: with shard_count {shard_count} the shards"
                    f" are 0-{shard_count - 1}"
                )
            if shard in ids:
                raise ValueError(f"shard {shard} is named twice in {text!r}")
            ids.append(shard)
    return tuple(sorted(ids))


class ClusterSettings(_Section):
    """Which of the bot's shards this process runs, and how fast a standby takes over."""

    # This process's shards, e.g. "0-3" (needs shard_count); None runs every shard.
    shards: str | None = None
    # Shards across the whole deployment; None asks Discord for its recommendation.
    shard_count: int | None = Field(None, ge=1, le=100_000)
    # How often a standby tries to take over digest delivery (and the leader checks it).
    leader_retry_seconds: float = Field(10, ge=1, le=300)

    @model_validator(mode="after")
    def _valid_range(self) -> ClusterSettings:
        if self.shards is not None:
            if self.shard_count is None:
                raise ValueError("shards needs shard_count: the number of shards in the cluster")
            parse_shard_ids(self.shards, self.shard_count)
        return self

    @property
    def shard_ids(self) -> tuple[int, ...] | None:
        """This process's shard ids, or None for all of them."""
        if self.shards is None or self.shard_count is None:
            return None
        return parse_shard_ids(self.shards, self.shard_count)


class Settings(_Section):
    """Everything the bot needs to run, loaded by `load_settings`."""

    config_path: Path | None = None
    briefings_dir: Path = Path("briefings")
    database_path: Path = Path("data/briefbot.sqlite3")
    # sqlite:///data/briefbot.sqlite3 (the default, as database_path) or postgresql://...;
    # BRIEFBOT_DATABASE_URL overrides it, so a password can stay out of this file.
    database_url: SecretStr | None = Field(None, repr=False)
    # Where start-up keeps what it parsed, so that the next one reads only changed files
    # (`bot.briefings.warm_start`). Unset: beside the SQLite database; none on PostgreSQL.
    startup_cache: Path | None = None
    default_timezone: str = "Asia/Tokyo"
    stale_after_days: int = Field(365, ge=1)
    dev_guild_id: Snowflake | None = None
    admin_user_ids: tuple[Snowflake, ...] = ()
    admin_role_ids: tuple[Snowflake, ...] = ()
    admin_channel_id: Snowflake | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    watch: bool = True
    # How long `briefbot run` retries, with backoff, while Discord cannot be reached.
    startup_retry_seconds: float = Field(60, ge=0, le=3600)
    digest: DigestSettings = DigestSettings()
    delivery: DeliverySettings = DeliverySettings()
    cluster: ClusterSettings = ClusterSettings()
    discord_token: SecretStr | None = Field(None, exclude=True, repr=False)

    @property
    def startup_cache_path(self) -> Path | None:
        """The start-up cache's file: as set, else beside the SQLite database (none on
        PostgreSQL unless set)."""
        if self.startup_cache is not None:
            return self.startup_cache
        if self.database_url is not None:
            return None
        return self.database_path.with_name(f"{self.database_path.stem}.briefings-cache")

    @field_validator("default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            zone = parse_timezone(value)
        except InvalidTimezone as exc:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name") from exc
        return zone.key

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            scheme, colon, _ = value.get_secret_value().partition(":")
            if not colon or scheme.lower() not in DATABASE_SCHEMES:
                raise ValueError(
                    "use sqlite:///relative/path.sqlite3, sqlite:////absolute/path.sqlite3 "
                    "or postgresql://user:password@host:port/database"
                )
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_case_level(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


def _read_token(base: Path) -> SecretStr | None:
    """The bot token from the environment, else from `.env` in `base`; never from the config."""
    token = os.environ.get(TOKEN_VARIABLE) or dotenv_values(base / ".env").get(TOKEN_VARIABLE)
    return SecretStr(token.strip()) if token and token.strip() else None


def _fields_at(loc: tuple[int | str, ...]) -> list[str]:
    model: type[BaseModel] = Settings
    for part in loc:
        annotation = model.model_fields.get(str(part))
        candidate = annotation.annotation if annotation else None
        if not (isinstance(candidate, type) and issubclass(candidate, BaseModel)):
            return []
        model = candidate
    return [name for name in model.model_fields if name not in _NOT_FROM_FILE]


def _home_of(name: str, model: type[BaseModel] = Settings, prefix: str = "") -> str | None:
    """Where a setting of this name lives (`delivery.rate_per_second`), if anywhere."""
    for field, info in model.model_fields.items():
        if field in _NOT_FROM_FILE:
            continue
        here = f"{prefix}{field}"
        if field == name:
            return here
        inner = info.annotation
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            found = _home_of(name, inner, f"{here}.")
            if found is not None:
                return found
    return None


def _error_message(error: ErrorDetails) -> tuple[str, bool]:
    """A message for one validation error (never echoing the value), and whether it is a key."""
    loc = error["loc"]
    if error["type"] == "extra_forbidden":
        name = str(loc[-1])
        close = difflib.get_close_matches(name, _fields_at(loc[:-1]), n=1, cutoff=0.6)
        if close:
            hint = f"; did you mean '{close[0]}'?"
        elif (home := _home_of(name)) is None:
            hint = ""
        elif "." in home:
            hint = f"; it goes under '{home.rsplit('.', 1)[0]}:' ({home})"
        else:
            hint = "; it goes at the top level of the file"
        return f"unknown setting '{name}'{hint}", True
    return str(error["msg"]).removeprefix("Value error, "), False


def load_settings(path: Path | str = "config.yaml", *, missing_ok: bool = False) -> Settings:
    """Load settings from a YAML file; relative paths resolve against the file's folder.

    With `missing_ok`, a file that does not exist gives the defaults, resolved against
    the folder it would be in. Raises `ConfigError` naming the file, line and key to fix.
    """
    path = Path(path)
    base = path.resolve().parent
    shown = display_path(path)
    if missing_ok and not path.exists():
        data: Any = {}
        root = None
    else:
        try:
            text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
        except OSError as exc:
            raise ConfigError(f"{shown}: cannot read config: {exc.strerror or exc}") from exc
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{shown}: the config file is not UTF-8 ({exc.reason})") from exc
        root, data, problems = parse_yaml(path, text)
        if problems:
            raise ConfigError("\n".join(str(problem) for problem in problems))
        if data is None:
            data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{shown}:1:1: error: the config must be a mapping of settings")
    found: list[tuple[int, int, str]] = []
    for key, why in _NOT_FROM_FILE.items():
        if key in data:
            line, column = locate(root, [key], key=True)
            found.append((line, column, f"{shown}:{line}:{column}: error: {key}: {why}"))
    try:
        settings = Settings.model_validate(
            {k: v for k, v in data.items() if k not in _NOT_FROM_FILE}
        )
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            message, at_key = _error_message(error)
            line, column = locate(root, error["loc"], key=at_key)
            where = f"{shown}:{line}:{column}: error: {format_path(error['loc'])}"
            found.append((line, column, f"{where}: {message}"))
    if found:
        raise ConfigError("\n".join(text for _, _, text in sorted(found)))

    def resolve(value: Path) -> Path:
        value = value.expanduser()
        return value if value.is_absolute() else base / value

    database_path, database_url = resolve(settings.database_path), settings.database_url
    from_environment = os.environ.get(DATABASE_URL_VARIABLE, "").strip()
    if from_environment:
        try:
            database_url = Settings(database_url=SecretStr(from_environment)).database_url
        except ValidationError as exc:
            reason = exc.errors(include_url=False)[0]["msg"].removeprefix("Value error, ")
            raise ConfigError(f"{DATABASE_URL_VARIABLE}: not a database URL; {reason}") from None
    if database_url is not None:
        scheme, _, rest = database_url.get_secret_value().partition(":")
        if scheme.lower() == "sqlite":  # a file: resolved like database_path
            database_path, database_url = resolve(Path(rest.removeprefix("///"))), None
    return settings.model_copy(
        update={
            "config_path": path.resolve(),
            "briefings_dir": resolve(settings.briefings_dir),
            "database_path": database_path,
            "database_url": database_url,
            "startup_cache": settings.startup_cache and resolve(settings.startup_cache),
            "discord_token": _read_token(base),
        }
    )
