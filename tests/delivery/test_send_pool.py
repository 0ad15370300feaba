"""The send pool: every send runs once, in order, `limit` at once, and a cancelled pool
starts nothing more while letting go of what its queued sends held."""

from __future__ import annotations

import asyncio
import gc
import warnings
from functools import partial

import pytest

from bot.delivery.send_pool import Job, SendPool


class Sends:
    """Sends that note when they start and end, and how many run at once."""

    def __init__(self) -> None:
        self.started: list[int] = []
        self.finished: list[int] = []
        self.undone: list[int] = []
        self.running = 0
        self.most = 0
        self.errors: list[BaseException] = []
        self.gate = asyncio.Event()

    async def send(self, number: int, *, wait: bool = False, fail: bool = False) -> None:
        self.started.append(number)
        self.running += 1
        self.most = max(self.most, self.running)
        try:
            for _ in range(3):
                await asyncio.sleep(0)
            if wait:
                await self.gate.wait()
            if fail:
                raise RuntimeError(f"send {number} failed")
            self.finished.append(number)
        finally:
            self.running -= 1

    def jobs(self, numbers: range, **options: bool) -> list[Job]:
        return [(self.send(n, **options), partial(self.undone.append, n)) for n in numbers]

    def pool(self, limit: int) -> SendPool:
        return SendPool(limit, on_error=self.errors.append)


async def test_every_send_runs_once_in_order_and_never_more_than_the_limit_at_once() -> None:
    sends = Sends()
    pool = sends.pool(3)
    pool.add(sends.jobs(range(10)))
    pool.add(sends.jobs(range(10, 14)))
    assert len(pool.workers) == 3
    await pool.finish()
    assert sends.started == list(range(14))
    assert sorted(sends.finished) == list(range(14))
    assert sends.most == 3
    assert not sends.undone
    assert not pool.workers


async def test_a_failed_send_is_reported_and_the_others_still_go() -> None:
    sends = Sends()
    pool = sends.pool(2)
    pool.add(sends.jobs(range(2)))
    pool.add(sends.jobs(range(2, 3), fail=True))
    pool.add(sends.jobs(range(3, 5)))
    await pool.finish()
    assert sorted(sends.finished) == [0, 1, 3, 4]
    assert [str(error) for error in sends.errors] == ["send 2 failed"]


async def test_a_cancelled_pool_stops_its_sends_and_undoes_those_that_never_started() -> None:
    sends = Sends()
    pool = sends.pool(2)
    pool.add(sends.jobs(range(6), wait=True))
    for _ in range(5):
        await asyncio.sleep(0)
    assert sends.started == [0, 1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a queued send dropped unawaited would warn
        pool.cancel()
        await asyncio.gather(*pool.workers, return_exceptions=True)
        gc.collect()
    assert sends.started == [0, 1]  # under way: cancelled, their own clean-up ran
    assert sends.running == 0
    assert sends.undone == [2, 3, 4, 5]  # queued: never started, each undone once
    assert not sends.finished
    assert not pool.workers


async def test_a_cancelled_wait_for_the_pool_cancels_its_sends() -> None:
    sends = Sends()
    pool = sends.pool(1)
    pool.add(sends.jobs(range(3), wait=True))
    waiting = asyncio.create_task(pool.finish())
    for _ in range(5):
        await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    await asyncio.gather(*pool.workers, return_exceptions=True)
    assert sends.started == [0]
    assert sends.undone == [1, 2]


def test_a_pool_needs_a_worker() -> None:
    with pytest.raises(ValueError, match="one worker"):
        SendPool(0, on_error=lambda error: None)
