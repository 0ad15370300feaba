"""Delivery leadership on SQLite: one process leads; a standby takes over when it dies."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

from bot.store.sqlite.leadership import FileLockLeadership
from tests.conftest import REPO_ROOT

HOLD = """
import asyncio, sys, time
from pathlib import Path
from bot.store.sqlite.leadership import FileLockLeadership
async def main():
    leadership = FileLockLeadership(Path(sys.argv[1]))
    print(await leadership.try_lead(), flush=True)
    time.sleep(60)
asyncio.run(main())
"""


async def test_one_leader_at_a_time_and_stepping_down_hands_over(tmp_path: Path) -> None:
    database = tmp_path / "data" / "briefbot.sqlite3"
    first, second = FileLockLeadership(database), FileLockLeadership(database)
    assert await first.try_lead()
    assert first.leading
    assert await first.try_lead()  # confirming the hold keeps it
    assert not await second.try_lead()
    assert not second.leading
    await first.step_down()
    assert not first.leading
    assert await second.try_lead()
    assert not await first.try_lead()
    await second.step_down()
    await second.step_down()  # stepping down twice is harmless


async def test_a_killed_leaders_lock_is_taken_by_the_standby(tmp_path: Path) -> None:
    database = tmp_path / "briefbot.sqlite3"
    leader = await asyncio.create_subprocess_exec(
        sys.executable, "-c", HOLD, str(database), stdout=asyncio.subprocess.PIPE, cwd=REPO_ROOT
    )
    try:
        assert leader.stdout is not None
        assert (await leader.stdout.readline()).strip() == b"True"
        standby = FileLockLeadership(database)
        assert not await standby.try_lead()
        os.kill(leader.pid, signal.SIGKILL)
        await asyncio.wait_for(leader.wait(), timeout=10)
        deadline = time.monotonic() + 10
        while not await standby.try_lead():
            assert time.monotonic() < deadline, "the lock outlived its process"
            await asyncio.sleep(0.05)
        assert standby.leading
        await standby.step_down()
    finally:
        if leader.returncode is None:
            leader.kill()
            await leader.wait()
