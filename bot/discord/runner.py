"""Running the bot for real: check the database, reach Discord, log in, serve until stopped.

`run_bot` returns the exit status; every failure at start-up becomes one sentence on
stderr (the statuses are listed in `bot.discord.startup`), and `debug` adds the
traceback. SIGHUP reloads the briefings and SIGTERM shuts down cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sqlite3
import sys
import traceback
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import discord

from bot.config import Settings
from bot.delivery.planning import YIELD_AFTER
from bot.discord import event_loop
from bot.discord.client import BriefBot, create_bot
from bot.discord.cluster import ClusterConflict
from bot.discord.startup import (
    EXIT_CLUSTER_CONFLICT,
    EXIT_DATABASE_UNUSABLE,
    EXIT_UNEXPECTED,
    OneLineReconnects,
    StartupFailure,
    connect_within,
    explain_discord_failure,
    wait_for_discord,
)
from bot.store.factory import redacted_url, store_for_url
from bot.store.sqlite.database import migrations

log = logging.getLogger(__name__)

EXIT_OK = 0
# How long a thread may hold the GIL while another waits for it. A busy event loop
# releases the GIL for an instant each time it polls (at least every `YIELD_AFTER` while
# composing digests), and each release restarts the waiting thread's timer: with
# Python's default of 5 ms the SQLite thread's claims waited for a whole batch to be
# composed (85 ms instead of 15). Well below the yield period, they overlap it.
THREAD_SWITCH_SECONDS = YIELD_AFTER / 5
DATABASE_BUSY_SECONDS = 5.0
REDACTED = "[token]"
UNEXPECTED_DETAIL_LIMIT = 200


def install_signal_handlers(bot: BriefBot) -> Callable[[], None]:
    """SIGHUP reloads the briefings and SIGTERM shuts down cleanly; returns an uninstaller."""
    loop = asyncio.get_running_loop()
    background: set[asyncio.Task[object]] = set()

    def spawn(coroutine: Coroutine[Any, Any, object]) -> None:
        task: asyncio.Task[object] = loop.create_task(coroutine)
        background.add(task)
        task.add_done_callback(background.discard)

    installed: list[signal.Signals] = []
    with contextlib.suppress(NotImplementedError):  # signals are POSIX-only
        loop.add_signal_handler(signal.SIGHUP, lambda: spawn(bot.reload_briefings()))
        installed.append(signal.SIGHUP)
        loop.add_signal_handler(signal.SIGTERM, lambda: spawn(bot.close()))
        installed.append(signal.SIGTERM)

    def uninstall() -> None:
        for number in installed:
            loop.remove_signal_handler(number)

    return uninstall


# --- The database ----------------------------------------------------------------------


def known_schema_version() -> int:
    """The highest database migration this version of briefbot ships."""
    return max((number for number, _ in migrations()), default=0)


def database_failure(path: Path, error: sqlite3.Error | OSError) -> StartupFailure:
    """The sentence for a database that SQLite or the file system will not let the bot use."""
    name = getattr(error, "sqlite_errorname", "") or ""
    where = "set another database_path in config.yaml"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        why = (
            f"The database {path} is locked by another process (is another briefbot using "
            f"it?); stop that process, or {where}."
        )
    elif name.startswith("SQLITE_READONLY"):
        why = (
            f"The database {path} is read-only; let the user running briefbot write the "
            f"file and its folder, or {where}."
        )
    elif name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")):
        why = (
            f"The database {path} is damaged ({error}); restore it from a backup, or move it "
            "away to start with an empty one."
        )
    elif isinstance(error, OSError):
        why = f"Cannot create the database folder {path.parent}: {error.strerror or error}."
    else:
        why = f"Cannot use the database {path} ({error}); {where}."
    return StartupFailure(EXIT_DATABASE_UNUSABLE, why)


def check_database(path: Path, *, busy_seconds: float = DATABASE_BUSY_SECONDS) -> None:
    """Open the database and try a write; raise `StartupFailure` if it cannot serve the bot.

    A missing file is fine (the bot creates it). A file written by a newer briefbot,
    whose schema this version does not know, is refused rather than used half-understood.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, timeout=busy_seconds, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise database_failure(path, exc) from exc
    try:
        row = connection.execute("PRAGMA user_version").fetchone()
        version = int(row[0]) if row else 0
        known = known_schema_version()
        if version > known:
            raise StartupFailure(
                EXIT_DATABASE_UNUSABLE,
                f"The database {path} was written by a newer briefbot (schema version "
                f"{version}; this one knows up to {known}); upgrade briefbot, or set another "
                "database_path in config.yaml.",
            )
        # Writing the version it already has needs the write lock and a writable file.
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(f"PRAGMA user_version = {version}")
        connection.execute("ROLLBACK")
    except sqlite3.Error as exc:
        raise database_failure(path, exc) from exc
    finally:
        connection.close()


# --- Logging without the token -------------------------------------------------------------


class HideToken(logging.Filter):
    """Replace the token in every log record (message and traceback) before it is written."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drop it."""
        message = record.getMessage()
        if self.token in message:
            record.msg, record.args = message.replace(self.token, REDACTED), None
        if record.exc_info and not record.exc_text:
            text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            record.exc_text = text.replace(self.token, REDACTED)
        return True


def log_without_token(level: str, token: str, *, debug: bool = False) -> None:
    """Log to stderr as discord.py does, with the token hidden from every handler, and
    gateway retries on one line each (with their tracebacks when debugging)."""
    discord.utils.setup_logging(level=logging.getLevelName(level), root=True)
    for handler in logging.getLogger().handlers:
        if not debug:
            handler.addFilter(OneLineReconnects())
        handler.addFilter(HideToken(token))


def share_the_interpreter_promptly() -> None:
    """Let the database thread take the GIL soon while the event loop is busy."""
    sys.setswitchinterval(THREAD_SWITCH_SECONDS)


def silence_voice_warnings() -> None:
    """briefbot uses no voice: drop discord.py's "PyNaCl / davey is not installed" warnings."""
    discord.VoiceClient.warn_nacl = False
    discord.VoiceClient.warn_dave = False


# --- Running -----------------------------------------------------------------------------


async def serve(settings: Settings, token: str, *, gateway: bool = True) -> None:
    """Run the bot until SIGTERM or SIGINT; SIGHUP reloads the briefings.

    Without `gateway` (`briefbot worker`) it only logs in over REST and runs the digest
    scheduler and delivery until stopped.
    """
    bot = create_bot(settings, gateway=gateway)
    uninstall = install_signal_handlers(bot)
    try:
        async with bot:
            if gateway:
                await connect_within(bot, token, settings.startup_retry_seconds)
            else:
                await bot.login(token)
                await bot.stopped.wait()
    finally:
        uninstall()


async def check_database_server(url: str) -> None:
    """Open and close the store at a server's URL; raise `StartupFailure` if that fails."""
    store = store_for_url(url)
    try:
        await store.open()
    except Exception as exc:
        with contextlib.suppress(Exception):  # the open failure is the one to report
            await store.close()
        raise StartupFailure(
            EXIT_DATABASE_UNUSABLE,
            f"Cannot use the database at {redacted_url(url)} ({type(exc).__name__}: "
            f"{str(exc).strip() or 'no detail'}); check database_url in config.yaml or "
            "BRIEFBOT_DATABASE_URL.",
        ) from exc
    await store.close()


async def connect_and_serve(settings: Settings, token: str, *, gateway: bool = True) -> None:
    """Check a database server, wait until Discord answers (within the configured time),
    then serve."""
    log.info("event loop: %s", event_loop.loop_name(asyncio.get_running_loop()))
    if settings.database_url is not None:
        await check_database_server(settings.database_url.get_secret_value())
    await wait_for_discord(settings.startup_retry_seconds)
    await serve(settings, token, gateway=gateway)


def explain_failure(error: BaseException, database_path: Path) -> StartupFailure:
    """The one sentence and exit status for whatever stopped the bot."""
    if isinstance(error, StartupFailure):
        return error
    if isinstance(error, ClusterConflict):
        return StartupFailure(
            EXIT_CLUSTER_CONFLICT, f"This process cannot join the cluster: {error}."
        )
    if isinstance(error, sqlite3.Error):
        return database_failure(database_path, error)
    known = explain_discord_failure(error)
    if known is not None:
        return known
    detail = str(error).strip().splitlines()[0] if str(error).strip() else ""
    if len(detail) > UNEXPECTED_DETAIL_LIMIT:
        detail = detail[: UNEXPECTED_DETAIL_LIMIT - 1] + "…"
    named = f"{type(error).__name__}: {detail}" if detail else type(error).__name__
    return StartupFailure(
        EXIT_UNEXPECTED,
        f"Stopped on an unexpected error ({named}); run `briefbot run --debug` for the traceback.",
    )


def report_failure(failure: StartupFailure, error: BaseException, token: str, debug: bool) -> None:
    """Print the sentence on stderr, after the traceback when debugging; never the token."""
    if debug:
        text = "".join(traceback.format_exception(error))
        print(text.replace(token, REDACTED), file=sys.stderr, end="")
    print(f"briefbot run: {failure.sentence.replace(token, REDACTED)}", file=sys.stderr)


def run_bot(settings: Settings, *, debug: bool = False, gateway: bool = True) -> int:
    """Connect to Discord with the token from the environment and run until stopped.

    Returns the exit status: 0 when stopped, else the status of the start-up failure.
    """
    if settings.discord_token is None:
        raise RuntimeError("DISCORD_TOKEN is not set")
    token = settings.discord_token.get_secret_value()
    log_without_token(settings.log_level, token, debug=debug)
    silence_voice_warnings()
    share_the_interpreter_promptly()
    try:
        if settings.database_url is None:  # SQLite; a server is checked once the loop runs
            check_database(settings.database_path)
        with contextlib.suppress(KeyboardInterrupt):
            event_loop.run(connect_and_serve(settings, token, gateway=gateway))
    except Exception as exc:
        failure = explain_failure(exc, settings.database_path)
        report_failure(failure, exc, token, debug)
        return failure.status
    return EXIT_OK
