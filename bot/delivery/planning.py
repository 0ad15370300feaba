"""Planning a delivery run's due subscriptions: what each does now, its digest composed.

`DuePlanner.plan_batch` takes a batch of due subscriptions, locks each one (skipping
those `/digest send` holds), works out from its schedule whether a digest is due now or
was missed, and composes the digests that have something to post, once per distinct
layout. What it returns is claimed by `bot.delivery.run` in one transaction.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.briefings.library import Library
from bot.delivery.payloads import DigestPayloads, Rendered
from bot.delivery.ports import DeliveryPolicy
from bot.delivery.reports import DeliveryReport
from bot.digests.compose import LayoutMemo, decode_snapshot
from bot.digests.due_plan import plan_due
from bot.digests.records import DigestClaim, Subscription
from bot.digests.schedule import parse_schedule, parse_timezone

log = logging.getLogger(__name__)

YIELD_AFTER = 0.001  # seconds of planning between two yields to the event loop


class SubscriptionLocks:
    """One asyncio lock per subscription id, forgotten when nobody holds a reference."""

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    def __call__(self, key: int) -> asyncio.Lock:
        """The lock of one subscription."""
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock


@dataclass
class PlannedBatch:
    """Due subscriptions locked and planned, waiting to be claimed in one transaction."""

    held: dict[int, asyncio.Lock] = field(default_factory=dict)
    claims: list[DigestClaim] = field(default_factory=list)

    def release(self) -> None:
        """Release every lock still held (those of claims that will not be sent)."""
        for lock in self.held.values():
            lock.release()
        self.held.clear()


class DuePlanner:
    """Locks and plans due subscriptions, composing the digests they post."""

    def __init__(
        self, locks: SubscriptionLocks, payloads: DigestPayloads, policy: DeliveryPolicy
    ) -> None:
        self._locks = locks
        self._payloads = payloads
        self._policy = policy

    @staticmethod
    def unchanged(subscription: Subscription, memo: LayoutMemo) -> bool:
        """Whether a `changes` digest would be empty: what it covers is what it last saw.

        Comparing hashes of canonical snapshots needs neither the stored snapshot nor
        a composed digest.
        """
        if subscription.mode != "changes" or subscription.snapshot_hash is None:
            return False
        return memo.current_snapshot(subscription.topics)[1] == subscription.snapshot_hash

    async def plan_batch(
        self,
        due: Sequence[Subscription],
        now: dt.datetime,
        library: Library,
        snapshots: dict[str, str],
        unchanged: set[int],
        report: DeliveryReport,
    ) -> PlannedBatch:
        """Lock and plan these due subscriptions, composing the digests they post."""
        planned = PlannedBatch()
        rendered: dict[tuple[Any, ...], Rendered | None] = {}
        try:
            last_yield = time.perf_counter()
            for subscription in due:
                if time.perf_counter() - last_yield >= YIELD_AFTER:
                    await asyncio.sleep(0)  # let commands (and the claim under way) in
                    last_yield = time.perf_counter()
                lock = self._locks(subscription.id)
                if lock.locked():
                    continue  # `/digest send` is busy with it; the next tick takes it
                await lock.acquire()
                planned.held[subscription.id] = lock
                claim = self._plan(
                    subscription, now, library, snapshots, unchanged, rendered, report
                )
                if claim is not None:
                    planned.claims.append(claim)
        except BaseException:
            planned.release()
            raise
        return planned

    def _plan(
        self,
        subscription: Subscription,
        now: dt.datetime,
        library: Library,
        snapshots: dict[str, str],
        unchanged: set[int],
        rendered: dict[tuple[Any, ...], Rendered | None],
        report: DeliveryReport,
    ) -> DigestClaim | None:
        """Decide what a due subscription does now, composing its digest if it has one."""
        try:
            schedule = parse_schedule(subscription.schedule)
            zone = parse_timezone(subscription.timezone)
        except Exception:
            log.exception("subscription %s has an unusable schedule", subscription.id)
            return None
        window = self._policy.window
        plan = plan_due(schedule, zone, subscription.next_due, now, window)
        report.coalesced += plan.coalesced
        if plan.missed is not None:
            report.skipped += 1
            report.note(
                subscription, "skipped", now, plan.missed[0], detail=plan.missed[1].isoformat()
            )
            log.warning(
                "digests for channel %s (guild %s) due from %s to %s were more than %s late "
                "and are skipped",
                subscription.channel_id,
                subscription.guild_id,
                plan.missed[0].isoformat(),
                plan.missed[1].isoformat(),
                window,
            )
        if plan.deliver_at is None:
            return DigestClaim(subscription, plan.next_due, missed=plan.missed)
        key = (
            subscription.topics,
            subscription.mode,
            subscription.language,
            subscription.snapshot_hash,
        )
        if key not in rendered:
            if subscription.id in unchanged:
                rendered[key] = None
            else:
                started = time.perf_counter()
                previous = decode_snapshot(snapshots.get(subscription.snapshot_hash or ""))
                rendered[key] = self._payloads.render(subscription, previous, library)
                report.compose_seconds += time.perf_counter() - started
        digest = rendered[key]
        if digest is None:
            report.unchanged += 1
            report.note(subscription, "unchanged", now, plan.deliver_at)
            return DigestClaim(subscription, plan.next_due, missed=plan.missed)
        return DigestClaim(
            subscription,
            plan.next_due,
            due_at=plan.deliver_at,
            payload=digest.payload,
            snapshot=digest.snapshot,
            message_count=digest.message_count,
            missed=plan.missed,
        )
