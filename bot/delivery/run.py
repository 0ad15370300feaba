"""The delivery run: select what is due, compose it, claim it, send it, record it.

`deliver_due(now)` is the one entry point; the scheduler's ticks, the catch-up at
start-up and `/digest send` all end up on the same path:

1. finish ledger rows still pending or failed (retried with the *same* nonces, so a
   message Discord already created is returned rather than posted again); rows older
   than the catch-up window are given up, logged and shown in `/digest list`;
2. claim the subscriptions due at `now`: plan and compose each digest
   (`bot.delivery.planning`), then in one transaction advance every due time and write
   a pending ledger row per digest to send;
3. send the claimed digests through the process's one paced queue, and mark each row
   sent (moving the subscription's snapshot) as soon as it is.

A subscription's lock is held from composing its digest until the row is settled, so a
scheduled run and `/digest send` never deliver the same changes twice in one process.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from bot.delivery.payloads import DigestPayloads, Rendered
from bot.delivery.planning import DuePlanner, PlannedBatch, SubscriptionLocks
from bot.delivery.ports import (
    CurrentLibrary,
    DeliveryPolicy,
    MemoryRelease,
    keep_freed_memory,
)
from bot.delivery.reports import DeliveryReport, SendOutcome
from bot.delivery.send_pool import Job, SendPool
from bot.delivery.sending import LedgerSender
from bot.digests.compose import (
    Digest,
    SectionState,
    compose_digest,
    decode_snapshot,
)
from bot.digests.records import Blob, Delivery, Subscription
from bot.store.interface import Store

log = logging.getLogger(__name__)

DIGESTS_IN_FLIGHT = 64
CLAIM_BATCH = 250  # due subscriptions composed and claimed per transaction
# A run that claimed at least this many digests gives the memory it freed back.
LARGE_RUN = CLAIM_BATCH


def _nothing() -> None:
    """What undoing a send that takes its own lock needs: nothing."""


def _log_failed_send(error: BaseException) -> None:
    log.error("a digest send failed unexpectedly", exc_info=error)


class DeliveryRun:
    """Delivers due digests, one run at a time, and single digests on request."""

    def __init__(
        self,
        store: Store,
        library: CurrentLibrary,
        payloads: DigestPayloads,
        sender: LedgerSender,
        locks: SubscriptionLocks,
        policy: DeliveryPolicy,
        leading: Callable[[], bool] = lambda: True,
        release_memory: MemoryRelease = keep_freed_memory,
    ) -> None:
        self._store = store
        self._release_memory = release_memory
        self._leading = leading  # scheduled sends stop the moment this says no
        self._library = library
        self._payloads = payloads
        self._sender = sender
        self._locks = locks
        self._policy = policy
        self._planner = DuePlanner(locks, payloads, policy)
        self._run_lock = asyncio.Lock()
        # Digests loaded and being sent at once: the rest wait unloaded, so a tick with
        # thousands due holds only this many payloads in memory.
        self._pool = SendPool(DIGESTS_IN_FLIGHT, on_error=_log_failed_send)
        # The report of the run in progress, filled in as it goes (None between runs).
        self.current_run: DeliveryReport | None = None

    @property
    def running(self) -> bool:
        """Whether a run is in progress."""
        return self._run_lock.locked()

    async def deliver_due(self, now: dt.datetime) -> DeliveryReport:
        """Deliver every digest due at `now` (and retry unfinished ones); report what happened.

        Runs one at a time. Safe to call again with the same `now`: nothing is due twice.
        A process that is not the delivery leader claims and sends nothing.
        """
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        if not self._leading():
            return DeliveryReport()
        async with self._run_lock:
            report = self.current_run = DeliveryReport()
            try:
                await self._retry_unfinished(now, report)
                await self._deliver_newly_due(now, report)
            finally:
                self.current_run = None
                await self._remember(report)
        if report.claimed >= LARGE_RUN:
            # Composing and sending many digests leaves memory freed but still held by
            # the C allocator (10 MB after 1,000 digests to 10,000 briefings). Done after
            # the run lock is let go, so a tick meanwhile is not skipped as covered.
            await asyncio.to_thread(self._release_memory)
        return report

    async def deliver_now(self, subscription: Subscription, now: dt.datetime) -> SendOutcome:
        """Deliver one subscription's digest now, through the same ledger and queue."""
        report = DeliveryReport()
        try:
            return await self._deliver_now(subscription, now, report)
        finally:
            await self._remember(report)

    async def _deliver_now(
        self, subscription: Subscription, now: dt.datetime, report: DeliveryReport
    ) -> SendOutcome:
        store = self._store
        async with self._locks(subscription.id):
            for row in await self.unfinished(subscription):
                await self._sender.send(subscription, row, now, report)
            if report.failed:
                return SendOutcome.of(report)
            refreshed = await store.subscriptions.in_channel(
                subscription.guild_id, subscription.channel_id
            )
            if refreshed is None:
                return SendOutcome("removed")
            rendered = await self.render_for(refreshed, now)
            if rendered is None:
                return SendOutcome.of(report) if report.sent else SendOutcome("unchanged")
            due_at = now.replace(microsecond=0)
            claimed = await store.ledger.claim_manual(
                refreshed, due_at, rendered.payload, rendered.snapshot, rendered.message_count, now
            )
            if claimed is None:  # another process claimed these changes first and posts them
                return SendOutcome.of(report) if report.sent else SendOutcome("unchanged")
            await self._sender.send(refreshed, claimed, now, report)
        return SendOutcome.of(report)

    async def _remember(self, report: DeliveryReport) -> None:
        """Store what the run did for each subscription; failing here costs only history."""
        if not report.runs:
            return
        try:
            await self._store.history.record(report.runs)
        except Exception:
            log.exception("could not record %d run(s) in the run history", len(report.runs))

    async def render_for(self, subscription: Subscription, now: dt.datetime) -> Rendered | None:
        """What the subscription's next digest would be at `now`, from its stored snapshot."""
        previous = await self._last_seen(subscription)
        return self._payloads.render(subscription, previous, self._library().visible(now))

    async def waiting(self, subscription: Subscription, now: dt.datetime) -> Digest:
        """What the subscription's digest would say at `now`, composed but not laid out."""
        previous = await self._last_seen(subscription)
        library = self._library().visible(now)
        return compose_digest(library, subscription.topics, subscription.mode, previous)

    async def _last_seen(self, subscription: Subscription) -> tuple[SectionState, ...]:
        """The sections as the subscription's last digest saw them (none before its first)."""
        hashes = {subscription.snapshot_hash} if subscription.snapshot_hash else set()
        snapshots = await self._payloads.texts(hashes)
        return decode_snapshot(snapshots.get(subscription.snapshot_hash or ""))

    async def unfinished(self, subscription: Subscription) -> list[Delivery]:
        """The subscription's ledger rows not yet sent, oldest first."""
        rows = await self._store.ledger.of_channel(subscription.guild_id, subscription.channel_id)
        return [row for row in rows if row.status in ("pending", "failed")]

    async def _retry_unfinished(self, now: dt.datetime, report: DeliveryReport) -> None:
        ledger = self._store.ledger
        work: list[Coroutine[Any, Any, None]] = []
        for subscription, row in await ledger.unfinished():
            if row.due_at < now - self._policy.window:
                await ledger.expire(subscription, row, now)
                report.skipped += 1
                report.note(subscription, "skipped", now, row.due_at)
                log.warning(
                    "digest for channel %s (guild %s) due %s was never delivered and is now "
                    "too late; giving up on it",
                    subscription.channel_id,
                    subscription.guild_id,
                    row.due_at.isoformat(),
                )
                continue
            work.append(self._locked_send(subscription, row, now, report))
        self._pool.add((send, _nothing) for send in work)
        await self._pool.finish()

    async def _locked_send(
        self, subscription: Subscription, row: Delivery, now: dt.datetime, report: DeliveryReport
    ) -> None:
        async with self._locks(subscription.id):
            await self._sender.send(subscription, row, now, report, may_send=self._leading)

    async def _deliver_newly_due(self, now: dt.datetime, report: DeliveryReport) -> None:
        started = time.perf_counter()
        # One snapshot for the whole run, even across a reload, as members see it at `now`.
        library = self._library().visible(now)
        layouts = self._payloads.layouts
        memo = layouts.for_library(library)
        due = await self._store.subscriptions.due(now)
        unchanged = {s.id for s in due if self._planner.unchanged(s, memo)}
        snapshots = await self._payloads.texts(
            {s.snapshot_hash for s in due if s.snapshot_hash and s.id not in unchanged}
        )
        claiming: asyncio.Task[None] | None = None
        try:
            # In batches, so the first digests go out while later ones are composed, and
            # only two batches of composed digests are held in memory at a time. Each
            # batch is claimed while the next one is composed (the database works on one
            # while this process composes the other), and its sends start the moment its
            # claim is done.
            for first in range(0, len(due), CLAIM_BATCH):
                batch = due[first : first + CLAIM_BATCH]
                planned = await self._planner.plan_batch(
                    batch, now, library, snapshots, unchanged, report
                )
                if claiming is not None:
                    await claiming
                    claiming = None
                claiming = asyncio.create_task(self._claim_planned(planned, now, report, started))
                layouts.forget_cards()  # stored now; snapshot rows stay for next time
            if claiming is not None:
                await claiming
                claiming = None
        finally:
            if claiming is not None:  # planning failed: settle the claim already under way
                with contextlib.suppress(Exception):
                    await claiming
            report.selection_seconds += time.perf_counter() - started
            del library  # sends need no library: a reload meanwhile frees the old one at once
            await self._pool.finish()

    def _started(self, sends: list[Job], report: DeliveryReport, started: float) -> None:
        """Start one claimed batch's sends, noting when the run's first sends began."""
        if sends and report.first_sends_after is None:
            report.first_sends_after = time.perf_counter() - started
        self._pool.add(sends)

    async def _claim_planned(
        self, planned: PlannedBatch, now: dt.datetime, report: DeliveryReport, started: float
    ) -> None:
        """Claim a planned batch in one transaction and start the sends of the digests it won.

        Each send holds its subscription's lock until its row is settled; every other
        lock of the batch is released here.
        """
        sends: list[Job] = []
        try:
            rows = await self._store.ledger.claim_scheduled(planned.claims, now)
            report.claimed += len(rows)
            by_id = {claim.subscription.id: claim for claim in planned.claims}
            for row in rows:
                lock = planned.held.pop(row.subscription_id)
                claim = by_id[row.subscription_id]
                send = self._send_and_release(
                    claim.subscription, row, now, report, lock, claim.payload
                )
                sends.append((send, lock.release))  # a send that never starts lets go
        except BaseException:
            for send, release in sends:
                send.close()
                release()
            raise
        finally:
            planned.release()
        self._started(sends, report, started)

    @property
    def sends(self) -> set[asyncio.Task[None]]:
        """The tasks sending digests now (at most `DIGESTS_IN_FLIGHT`)."""
        return self._pool.workers

    def cancel_sends(self) -> None:
        """Cancel every send in progress (their rows stay pending for the next start)."""
        self._pool.cancel()

    async def _send_and_release(
        self,
        subscription: Subscription,
        row: Delivery,
        now: dt.datetime,
        report: DeliveryReport,
        lock: asyncio.Lock,
        payload: Blob | None,
    ) -> None:
        try:
            await self._sender.send(
                subscription,
                row,
                now,
                report,
                reread=False,
                may_send=self._leading,
                payload=payload,
            )
        finally:
            lock.release()
