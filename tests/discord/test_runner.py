"""`briefbot run` at start-up: each failure is one sentence and its own exit status.

The CLI runs as a real process. discord.py inside it talks to the loopback Discord of
`benchmarks.loopback_discord` (REST) and `tests.support.closing_gateway` (gateway),
through `benchmarks.loopback_cli`, the only place that points it there.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web

from benchmarks.loopback_cli import API_BASE_VARIABLE, GATEWAY_VARIABLE
from benchmarks.loopback_discord import Fault, LoopbackDiscord
from bot.config import TOKEN_VARIABLE
from bot.delivery.planning import YIELD_AFTER
from bot.discord.runner import (
    EXIT_OK,
    THREAD_SWITCH_SECONDS,
    check_database,
    database_failure,
    known_schema_version,
    share_the_interpreter_promptly,
)
from bot.discord.startup import (
    EXIT_DATABASE_UNUSABLE,
    EXIT_DISCORD_UNREACHABLE,
    EXIT_GATEWAY_REFUSED,
    EXIT_TOKEN_REJECTED,
    FIRST_GATEWAY_TRY_SECONDS,
    StartupFailure,
    wait_for_discord,
)
from tests.conftest import REPO_ROOT, SEED_BRIEFING
from tests.support.closing_gateway import ClosingGateway

TOKEN = "MTIzNDU2Nzg5.runner-test-token.never-shown"
Run = subprocess.CompletedProcess[str]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A folder with the seed briefing and a config that gives up on Discord after 1.5 s."""
    (tmp_path / "briefings").mkdir()
    (tmp_path / "briefings" / SEED_BRIEFING.name).write_bytes(SEED_BRIEFING.read_bytes())
    # One shard, so discord.py connects to the gateway without asking /gateway/bot first.
    (tmp_path / "config.yaml").write_text(
        "watch: false\nstartup_retry_seconds: 1.5\ncluster:\n  shard_count: 1\n",
        encoding="utf-8",
    )
    return tmp_path


def briefbot(project: Path, *args: str, api: str = "", gateway: str = "") -> Run:
    """`briefbot --config config.yaml ARGS` in a fresh process, with the token set."""
    env = {k: v for k, v in os.environ.items() if k not in (API_BASE_VARIABLE, GATEWAY_VARIABLE)}
    env.update({TOKEN_VARIABLE: TOKEN, "PYTHONPATH": str(REPO_ROOT)})
    if api:
        env[API_BASE_VARIABLE] = api
    if gateway:
        env[GATEWAY_VARIABLE] = gateway
    module = "benchmarks.loopback_cli" if api or gateway else "bot"
    return subprocess.run(
        [sys.executable, "-m", module, "--config", str(project / "config.yaml"), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=project,
        timeout=60,
        check=False,
    )


def last_line(run: Run) -> str:
    return run.stderr.strip().splitlines()[-1]


def assert_explained(run: Run, status: int) -> None:
    """The exit status, one closing sentence, no traceback, no voice warnings, no token."""
    assert run.returncode == status, run.stderr
    assert last_line(run).startswith("briefbot run: ")
    assert "Traceback" not in run.stderr
    assert "PyNaCl" not in run.stderr
    assert "davey" not in run.stderr
    assert TOKEN not in run.stdout + run.stderr


@pytest.fixture
def loopback() -> Iterator[tuple[LoopbackDiscord, str]]:
    server = LoopbackDiscord(global_limit=10_000)
    with server.in_thread() as url:
        yield server, url


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (it was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


# --- Through the real command line ------------------------------------------------------


def test_a_token_discord_rejects_exits_3(
    project: Path, loopback: tuple[LoopbackDiscord, str]
) -> None:
    server, url = loopback
    server.add_fault(
        Fault("GET", "/users/@me", status=401, message="401: Unauthorized", times=None)
    )

    run = briefbot(project, "run", api=url)

    assert_explained(run, EXIT_TOKEN_REJECTED)
    assert "Discord rejected the bot token (401 Unauthorized)" in last_line(run)
    assert "DISCORD_TOKEN" in last_line(run)
    loop = "asyncio" if sys.platform == "win32" else "uvloop"
    assert f"event loop: {loop}" in run.stderr


def test_debug_adds_the_traceback_and_still_hides_the_token(
    project: Path, loopback: tuple[LoopbackDiscord, str]
) -> None:
    server, url = loopback
    server.add_fault(Fault("GET", "/users/@me", status=401, times=None))

    run = briefbot(project, "run", "--debug", api=url)

    assert run.returncode == EXIT_TOKEN_REJECTED
    assert "Traceback (most recent call last)" in run.stderr
    assert "discord.errors.LoginFailure" in run.stderr
    assert last_line(run).startswith("briefbot run: Discord rejected the bot token")
    assert TOKEN not in run.stdout + run.stderr


def test_discord_unreachable_is_retried_then_given_up_with_4(project: Path) -> None:
    started = time.monotonic()

    run = briefbot(project, "run", api=f"http://127.0.0.1:{closed_port()}/api/v10")

    assert_explained(run, EXIT_DISCORD_UNREACHABLE)
    assert time.monotonic() - started >= 1.5
    assert "Could not reach Discord for 1.5 s" in last_line(run)
    assert "the connection was refused" in last_line(run)
    retries = [line for line in run.stderr.splitlines() if "trying again in" in line]
    assert len(retries) >= 1


def test_a_gateway_that_cannot_be_reached_is_given_up_with_4(
    project: Path, loopback: tuple[LoopbackDiscord, str]
) -> None:
    _, url = loopback
    started = time.monotonic()

    run = briefbot(project, "run", api=url, gateway=f"ws://127.0.0.1:{closed_port()}/")

    assert_explained(run, EXIT_DISCORD_UNREACHABLE)
    assert time.monotonic() - started >= FIRST_GATEWAY_TRY_SECONDS
    waited = f"{FIRST_GATEWAY_TRY_SECONDS:g} s"  # at least one try's worth, not 1.5 s
    assert f"Logged in, but could not reach Discord's gateway for {waited}" in last_line(run)
    # discord.py's own retries are logged, one line each, with the reason.
    assert "(the connection was refused)" in run.stderr


@pytest.mark.parametrize(
    ("close_code", "says"),
    [
        pytest.param(4014, "privileged intents that are not enabled", id="intents-4014"),
        pytest.param(4011, "Discord requires more shards", id="sharding-4011"),
    ],
)
def test_a_gateway_that_refuses_the_session_exits_5(
    project: Path, loopback: tuple[LoopbackDiscord, str], close_code: int, says: str
) -> None:
    _, url = loopback
    gateway = ClosingGateway(close_code)
    with gateway.in_thread() as gateway_url:
        run = briefbot(project, "run", api=url, gateway=gateway_url)

    assert gateway.identified == 1  # it logged in, connected and identified first
    assert_explained(run, EXIT_GATEWAY_REFUSED)
    assert says in last_line(run)
    assert f"close code {close_code}" in last_line(run)


def test_a_damaged_database_exits_6_before_connecting(project: Path) -> None:
    database = project / "data" / "briefbot.sqlite3"
    database.parent.mkdir()
    database.write_bytes(b"these bytes are not an SQLite database " * 200)

    run = briefbot(project, "run")  # no loopback: it must not even try Discord

    assert_explained(run, EXIT_DATABASE_UNUSABLE)
    assert f"The database {database} is damaged (file is not a database)" in last_line(run)


def test_a_database_from_a_newer_briefbot_exits_6(project: Path) -> None:
    database = project / "data" / "briefbot.sqlite3"
    database.parent.mkdir()
    newer = known_schema_version() + 1
    with sqlite3.connect(database) as connection:
        connection.execute(f"PRAGMA user_version = {newer}")
    connection.close()

    run = briefbot(project, "run")

    assert_explained(run, EXIT_DATABASE_UNUSABLE)
    assert (
        f"was written by a newer briefbot (schema version {newer}; this one knows up to "
        f"{known_schema_version()})" in last_line(run)
    )


# --- The pieces, in process -----------------------------------------------------------------


def test_a_new_or_current_database_passes_the_check(tmp_path: Path) -> None:
    fresh = tmp_path / "nested" / "folder" / "bot.sqlite3"
    check_database(fresh)
    assert fresh.exists()
    with sqlite3.connect(fresh) as connection:
        connection.execute(f"PRAGMA user_version = {known_schema_version()}")
    connection.close()
    check_database(fresh)


def test_a_locked_database_is_reported_as_locked(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("CREATE TABLE held (x)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StartupFailure) as caught:
            check_database(database, busy_seconds=0.1)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert caught.value.status == EXIT_DATABASE_UNUSABLE
    assert caught.value.sentence.startswith(f"The database {database} is locked")


def test_a_read_only_database_is_reported_as_read_only(tmp_path: Path) -> None:
    # Permissions do not stop root, so take the error SQLite gives a read-only connection.
    database = tmp_path / "bot.sqlite3"
    sqlite3.connect(database).close()
    reader = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        with pytest.raises(sqlite3.OperationalError) as caught:
            reader.execute("PRAGMA user_version = 1")
    finally:
        reader.close()

    failure = database_failure(database, caught.value)

    assert failure.status == EXIT_DATABASE_UNUSABLE
    assert failure.sentence.startswith(f"The database {database} is read-only")


def test_a_database_folder_that_cannot_be_made_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the folder should be", encoding="utf-8")

    with pytest.raises(StartupFailure) as caught:
        check_database(blocker / "bot.sqlite3")

    assert caught.value.status == EXIT_DATABASE_UNUSABLE
    assert caught.value.sentence.startswith(f"Cannot create the database folder {blocker}")


async def test_waiting_for_discord_retries_until_it_answers() -> None:
    port = closed_port()
    waits: list[float] = []
    app = web.Application()
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()

    async def start_discord_meanwhile(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 2:  # Discord comes up during the second wait
            await web.TCPSite(runner, "127.0.0.1", port).start()

    try:
        tries = await wait_for_discord(
            30, url=f"http://127.0.0.1:{port}/api/v10/gateway", sleep=start_discord_meanwhile
        )
    finally:
        await runner.cleanup()

    assert tries == 3  # refused, refused, then a 404: any answer means Discord is there
    assert waits == [1.0, 2.0]


async def test_waiting_for_discord_gives_up_after_the_configured_time() -> None:
    started = time.monotonic()
    with pytest.raises(StartupFailure) as caught:
        await wait_for_discord(0.5, url=f"http://127.0.0.1:{closed_port()}/")
    assert caught.value.status == EXIT_DISCORD_UNREACHABLE
    assert 0.5 <= time.monotonic() - started < 5
    assert "Could not reach Discord for 0.5 s (2 tries" in caught.value.sentence


def test_the_exit_statuses_are_distinct() -> None:
    statuses = [
        EXIT_OK,
        EXIT_TOKEN_REJECTED,
        EXIT_DISCORD_UNREACHABLE,
        EXIT_GATEWAY_REFUSED,
        EXIT_DATABASE_UNUSABLE,
    ]
    assert len(set(statuses)) == len(statuses)
    assert not {1, 2} & set(statuses)  # 1 and 2 keep their meaning from the other commands


def test_the_database_thread_may_take_the_gil_well_within_a_planning_slice() -> None:
    # A waiting thread's switch timer restarts whenever the busy loop polls; an interval
    # as long as the loop's planning slice would leave the SQLite thread waiting.
    previous = sys.getswitchinterval()
    try:
        sys.setswitchinterval(0.005)
        share_the_interpreter_promptly()
        assert sys.getswitchinterval() == pytest.approx(THREAD_SWITCH_SECONDS, rel=0.05)
        assert sys.getswitchinterval() <= YIELD_AFTER / 4
    finally:
        sys.setswitchinterval(previous)
