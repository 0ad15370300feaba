"""The scheduler around the delivery run: wake at each tick and at the earliest due time.

APScheduler keeps the wall clock; how long to wait comes from the injected clock, so
tests can drive both. Every wake-up runs `DeliveryRun.deliver_due`, then tidies the
ledger and re-arms the next wake-up.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Coroutine
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.delivery.ports import Clock, DeliveryPolicy
from bot.delivery.queue import DeliveryQueue
from bot.delivery.run import DeliveryRun
from bot.store.interface import Leadership, Store

log = logging.getLogger(__name__)

STOP_TIMEOUT = 30.0
KEEP_LEDGER = dt.timedelta(days=30)
PRUNE_EVERY = dt.timedelta(days=1)
TICK_JOB = "digest-tick"
WAKE_JOB = "digest-wake"
LEADER_JOB = "digest-leader"


def scheduler_now() -> dt.datetime:
    """The wall clock APScheduler schedules against (tests give both a virtual one)."""
    return dt.datetime.now(dt.UTC)


class DigestScheduler:
    """Starts and stops scheduled delivery, and wakes the run when digests fall due."""

    def __init__(
        self,
        run: DeliveryRun,
        store: Store,
        queue: DeliveryQueue,
        clock: Clock,
        policy: DeliveryPolicy,
    ) -> None:
        self._run = run
        self._store = store
        self._leadership: Leadership = store.leadership
        self._queue = queue
        self._clock = clock
        self._policy = policy
        self._tasks: set[asyncio.Task[Any]] = set()  # catch-up and scheduled runs
        self._scheduler: AsyncIOScheduler | None = None
        self._closing = False
        self._last_prune: dt.datetime | None = None

    async def start(self) -> None:
        """Catch up on digests missed while down, then start the scheduler."""
        self._closing = False
        self._queue.closed = False
        scheduler = AsyncIOScheduler(
            timezone=dt.UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        scheduler.add_job(
            self._tick, IntervalTrigger(seconds=self._policy.tick.total_seconds()), id=TICK_JOB
        )
        scheduler.start()
        self._scheduler = scheduler
        await self.contend()  # leadership is known when start returns; the catch-up runs apart

    @property
    def leading(self) -> bool:
        """Whether this process delivers digests (one process of a deployment does)."""
        return self._leadership.leading

    async def contend(self) -> None:
        """Try for the delivery leadership (the leader confirms it still holds it).

        A process that just took over first finishes what the previous leader left
        pending, with the same nonces, then carries on with the schedule.
        """
        if self._closing:
            return
        was_leading = self._leadership.leading
        try:
            leading = await self._leadership.try_lead()
        except Exception:
            log.warning("could not reach the database to contend for delivery", exc_info=True)
            leading = False
        if leading and not was_leading:
            log.info("this process now delivers digests")
            self._spawn(self._tick(), name="digest-take-over")
        elif was_leading and not leading:
            log.warning("this process lost the delivery leadership; standing by")
        self._keep_contending(not leading or self._leadership.confirm_while_leading)

    def _keep_contending(self, needed: bool) -> None:
        """Run `contend` every `leader_retry` while standing by (or confirming a hold)."""
        scheduler = self._scheduler
        if scheduler is None or self._closing:
            return
        job = scheduler.get_job(LEADER_JOB)
        if needed and job is None:
            scheduler.add_job(
                self.contend,
                IntervalTrigger(seconds=self._policy.leader_retry.total_seconds()),
                id=LEADER_JOB,
            )
        elif not needed and job is not None:
            scheduler.remove_job(LEADER_JOB)

    async def stop(self) -> None:
        """Finish in-flight sends, stop the scheduler and step down as the delivery leader."""
        self._closing = True
        if self._scheduler is not None:
            if self._scheduler.running:
                self._scheduler.shutdown(wait=False)
            self._scheduler = None
        # Sends on the wire finish; digests still waiting for a slot stay pending in the
        # ledger and go out, with the same nonces, after the next start.
        await self._queue.close()
        self._run.cancel_sends()
        current = asyncio.current_task()
        pending = [t for t in self._tasks | self._run.sends if t is not current and not t.done()]
        if pending:
            _, still = await asyncio.wait(pending, timeout=STOP_TIMEOUT)
            for task in still:
                task.cancel()
        # Hand delivery over at once rather than when a standby next notices.
        await self._leadership.step_down()

    async def drain(self) -> None:
        """Wait until the background runs started so far (such as the catch-up) are done."""
        while pending := [t for t in self._tasks if not t.done()]:
            await asyncio.wait(pending)

    def _spawn(self, coroutine: Coroutine[Any, Any, Any], *, name: str) -> None:
        task = asyncio.create_task(coroutine, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _tick(self) -> None:
        """One scheduled wake-up: deliver what is due, tidy the ledger, re-arm the wake-up."""
        if self._closing or self._run.running or not self._leadership.leading:
            return  # a run in progress covers it (or another process delivers)
        try:
            now = self._clock()
            report = await self._run.deliver_due(now)
            if report:
                log.info("digests: %s", report)
            if self._last_prune is None or now - self._last_prune >= PRUNE_EVERY:
                self._last_prune = now
                await self._store.ledger.prune(now - KEEP_LEDGER)
            await self._store.checkpoint()  # between runs, off the claims' path
            await self.rearm()
        except Exception:
            log.exception("the scheduled digest run failed; the next tick tries again")

    async def rearm(self) -> None:
        """Wake at the earliest due time when that comes before the next tick."""
        scheduler = self._scheduler
        if scheduler is None or self._closing:
            return
        earliest = await self._store.subscriptions.earliest_due()
        delay = None if earliest is None else (earliest - self._clock()).total_seconds()
        if delay is None or delay <= 0 or delay >= self._policy.tick.total_seconds():
            # Nothing sooner than the tick (what is overdue but blocked waits for it).
            if scheduler.get_job(WAKE_JOB) is not None:
                scheduler.remove_job(WAKE_JOB)
            return
        # APScheduler keeps the wall clock; only the delay comes from the bot's clock.
        run_at = scheduler_now() + dt.timedelta(seconds=delay + 0.05)
        scheduler.add_job(
            self._tick, DateTrigger(run_date=run_at), id=WAKE_JOB, replace_existing=True
        )
