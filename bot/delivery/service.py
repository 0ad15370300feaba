"""Scheduled digests: the service the bot starts, stops and asks to deliver what is due.

`deliver_due(now)` is the one entry point for delivery; the APScheduler jobs, the
catch-up at start-up and `/digest send` all end up on the same path:

1. finish ledger rows still pending or failed (retried with the *same* nonces, so a
   message Discord already created is returned rather than posted again); rows older
   than the catch-up window are given up, logged and shown in `/digest list`;
2. claim the subscriptions due at `now`: compose each digest, then in one transaction
   advance every due time and write a pending ledger row per digest to send;
3. send the claimed digests through the process's one paced `DeliveryQueue`, and mark
   each row sent (moving the subscription's snapshot) as soon as it is.

A subscription's lock is held from composing its digest until the row is settled, so a
scheduled run and `/digest send` never deliver the same changes twice.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time
import weakref
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.briefings.library import Library
from bot.delivery.queue import (
    ChannelForbidden,
    ChannelGone,
    DeliveryError,
    DeliveryFailed,
    DeliveryQueue,
    DeliveryRejected,
    OutgoingMessage,
    QueueClosed,
)
from bot.digests.compose import (
    LayoutMemo,
    compose_digest,
    decode_snapshot,
    digest_messages,
    parse_topics,
)
from bot.digests.due_plan import plan_due
from bot.digests.listing import failure_reason
from bot.digests.nonces import blob_hash, delivery_nonce, notice_nonce
from bot.digests.records import MODES, Blob, Delivery, DigestClaim, Mode, Subscription
from bot.digests.schedule import next_due, parse_schedule, parse_timezone
from bot.discord.rendering import messages_json
from bot.errors import ChannelNotInGuild, NotSubscribed
from bot.text.cards import Card, discord_date
from bot.text.i18n import translate

if TYPE_CHECKING:
    from bot.discord.client import BriefBot

log = logging.getLogger(__name__)

DEFAULT_SCHEDULE = "daily 09:00"
STOP_TIMEOUT = 30.0
KEEP_LEDGER = dt.timedelta(days=30)
PRUNE_EVERY = dt.timedelta(days=1)
TICK_JOB = "digest-tick"
WAKE_JOB = "digest-wake"
_CACHE_LIMIT = 256
YIELD_AFTER = 0.005  # seconds of planning between two yields to the event loop
DIGESTS_IN_FLIGHT = 64
CLAIM_BATCH = 250  # due subscriptions composed and claimed per transaction
_LAYOUT_LIMIT = 4096  # entries kept by the layout memo (about 20 MB at most)


def scheduler_now() -> dt.datetime:
    """The wall clock APScheduler schedules against (tests give both a virtual one)."""
    return dt.datetime.now(dt.UTC)


@dataclass
class DeliveryReport:
    """What one `deliver_due` (or `/digest send`) did."""

    sent: int = 0  # digests delivered in full
    messages: int = 0  # Discord messages those took
    unchanged: int = 0  # due, but nothing changed: nothing posted, due time advanced
    skipped: int = 0  # due times given up as later than the catch-up window
    failed: int = 0  # digests not delivered now (retried later, or see paused/removed)
    paused: int = 0  # subscriptions paused as failing (403, or a message Discord refuses)
    removed: int = 0  # subscriptions removed because their channel is gone
    coalesced: int = 0  # extra due times folded into one catch-up digest
    claimed: int = 0  # digests newly claimed in the ledger for sending
    selection_seconds: float = 0.0  # finding, composing and claiming every due digest
    compose_seconds: float = 0.0  # the part of selection_seconds spent composing digests
    first_sends_after: float | None = None  # seconds until the first batch's sends started
    errors: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any((self.sent, self.unchanged, self.skipped, self.failed, self.removed))


@dataclass(frozen=True)
class Rendered:
    """A composed digest, ready to store: its messages and the snapshot it leaves."""

    payload: Blob
    snapshot: Blob
    message_count: int


@dataclass(frozen=True)
class SendOutcome:
    """The result of `/digest send`."""

    status: Literal["sent", "unchanged", "failed", "removed"]
    messages: int = 0
    reason: str | None = None


class _Layouts:
    """Digest layouts for one library snapshot, within a memory bound.

    Within a run each briefing's cards and each card's stored JSON are worked out once;
    each briefing's snapshot rows are kept for later runs too, while the library stays.
    """

    def __init__(self) -> None:
        self._memo: LayoutMemo | None = None
        self.card_json: dict[Card, str] = {}

    def for_library(self, library: Library) -> LayoutMemo:
        """The memo for this library (a fresh one when it was swapped or grew too big)."""
        memo = self._memo
        if memo is None or memo.library is not library or memo.size > _LAYOUT_LIMIT:
            memo = self._memo = LayoutMemo(library)
            self.card_json = {}
        elif len(self.card_json) > _LAYOUT_LIMIT:
            self.card_json = {}
        return memo

    def forget_cards(self) -> None:
        """Drop the laid-out cards and their JSON, the bulk of the memo, keeping snapshots."""
        self.card_json = {}
        if self._memo is not None:
            self._memo.cards.clear()


class _Locks:
    """One asyncio lock per subscription id, forgotten when nobody holds a reference."""

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    def __call__(self, key: int) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock


class DigestService:
    """Delivers digests to subscribed channels at their due times."""

    def __init__(self, bot: BriefBot) -> None:
        self.bot = bot
        settings = bot.settings
        self.delivery = DeliveryQueue(
            bot,
            rate=settings.delivery.rate_per_second,
            max_attempts=settings.delivery.max_attempts,
        )
        self.catch_up = dt.timedelta(hours=settings.digest.catch_up_hours)
        self.tick = dt.timedelta(seconds=settings.digest.tick_seconds)
        self._locks = _Locks()
        self._run_lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[Any]] = set()  # catch-up and scheduled runs
        self._sends: set[asyncio.Task[None]] = set()  # one per digest being delivered
        self._scheduler: AsyncIOScheduler | None = None
        self._closing = False
        self._last_prune: dt.datetime | None = None
        self._blobs: dict[str, str] = {}
        self._outgoing: dict[str, list[OutgoingMessage]] = {}
        self._layouts = _Layouts()
        # The report of the run in progress, filled in as it goes (None between runs).
        self.current_run: DeliveryReport | None = None
        # Digests loaded and being sent at once: the rest wait unloaded, so a tick with
        # thousands due holds only this many payloads in memory.
        self._digests_in_flight = asyncio.Semaphore(DIGESTS_IN_FLIGHT)

    @property
    def window(self) -> dt.timedelta:
        """How late a due time may be and still be delivered: catch-up hours plus one tick."""
        return self.catch_up + self.tick

    # --- Life cycle ----------------------------------------------------------------------

    async def start(self) -> None:
        """Catch up on digests missed while down, then start the scheduler."""
        self._closing = False
        self.delivery.closed = False
        scheduler = AsyncIOScheduler(
            timezone=dt.UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        scheduler.add_job(
            self._tick, IntervalTrigger(seconds=self.tick.total_seconds()), id=TICK_JOB
        )
        scheduler.start()
        self._scheduler = scheduler
        self._spawn(self._tick(), name="digest-catch-up")

    async def stop(self) -> None:
        """Finish in-flight sends and stop the scheduler."""
        self._closing = True
        if self._scheduler is not None:
            if self._scheduler.running:
                self._scheduler.shutdown(wait=False)
            self._scheduler = None
        # Sends on the wire finish; digests still waiting for a slot stay pending in the
        # ledger and go out, with the same nonces, after the next start.
        await self.delivery.close()
        for task in self._sends:
            task.cancel()
        current = asyncio.current_task()
        pending = [t for t in self._tasks | self._sends if t is not current and not t.done()]
        if pending:
            _, still = await asyncio.wait(pending, timeout=STOP_TIMEOUT)
            for task in still:
                task.cancel()

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
        if self._closing or self._run_lock.locked():
            return  # a run in progress covers it; otherwise the next tick does
        try:
            now = self.bot.clock()
            report = await self.deliver_due(now)
            if report:
                log.info("digests: %s", report)
            if self._last_prune is None or now - self._last_prune >= PRUNE_EVERY:
                self._last_prune = now
                await self.bot.store.ledger.prune(now - KEEP_LEDGER)
            await self.bot.store.checkpoint()  # between runs, off the claims' path
            await self._arm_wake()
        except Exception:
            log.exception("the scheduled digest run failed; the next tick tries again")

    async def _arm_wake(self) -> None:
        """Wake at the earliest due time when that comes before the next tick."""
        scheduler = self._scheduler
        if scheduler is None or self._closing:
            return
        earliest = await self.bot.store.subscriptions.earliest_due()
        delay = None if earliest is None else (earliest - self.bot.clock()).total_seconds()
        if delay is None or delay <= 0 or delay >= self.tick.total_seconds():
            # Nothing sooner than the tick (what is overdue but blocked waits for it).
            if scheduler.get_job(WAKE_JOB) is not None:
                scheduler.remove_job(WAKE_JOB)
            return
        # APScheduler keeps the wall clock; only the delay comes from the bot's clock.
        run_at = scheduler_now() + dt.timedelta(seconds=delay + 0.05)
        scheduler.add_job(
            self._tick, DateTrigger(run_date=run_at), id=WAKE_JOB, replace_existing=True
        )

    # --- Delivery ------------------------------------------------------------------------

    async def deliver_due(self, now: dt.datetime) -> DeliveryReport:
        """Deliver every digest due at `now` (and retry unfinished ones); report what happened.

        Runs one at a time. Safe to call again with the same `now`: nothing is due twice.
        """
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        async with self._run_lock:
            report = self.current_run = DeliveryReport()
            try:
                await self._retry_unfinished(now, report)
                await self._deliver_newly_due(now, report)
            finally:
                self.current_run = None
            return report

    async def _retry_unfinished(self, now: dt.datetime, report: DeliveryReport) -> None:
        repository = self.bot.store
        work: list[Coroutine[Any, Any, None]] = []
        for subscription, row in await repository.ledger.unfinished():
            if row.due_at < now - self.window:
                await repository.ledger.expire(subscription, row, now)
                report.skipped += 1
                log.warning(
                    "digest for channel %s (guild %s) due %s was never delivered and is now "
                    "too late; giving up on it",
                    subscription.channel_id,
                    subscription.guild_id,
                    row.due_at.isoformat(),
                )
                continue
            work.append(self._locked_send(subscription, row, now, report))
        await self._run_sends(work)

    async def _locked_send(
        self, subscription: Subscription, row: Delivery, now: dt.datetime, report: DeliveryReport
    ) -> None:
        async with self._locks(subscription.id), self._digests_in_flight:
            await self._send(subscription, row, now, report)

    async def _deliver_newly_due(self, now: dt.datetime, report: DeliveryReport) -> None:
        started = time.perf_counter()
        repository = self.bot.store
        library = self.bot.library  # one snapshot for the whole run, even across a reload
        memo = self._layouts.for_library(library)
        due = await repository.subscriptions.due(now)
        unchanged = {s.id for s in due if self._unchanged(s, memo)}
        snapshots = await self._blob_texts(
            {s.snapshot_hash for s in due if s.snapshot_hash and s.id not in unchanged}
        )
        sending: list[asyncio.Task[None]] = []
        try:
            # In batches, so the first digests go out while later ones are composed, and
            # only one batch of composed digests is held in memory at a time.
            for first in range(0, len(due), CLAIM_BATCH):
                batch = due[first : first + CLAIM_BATCH]
                sends = await self._claim_batch(batch, now, library, snapshots, unchanged, report)
                sending += self._start_sends(sends)
                if sends and report.first_sends_after is None:
                    report.first_sends_after = time.perf_counter() - started
                self._layouts.forget_cards()  # stored now; snapshot rows stay for next time
        finally:
            report.selection_seconds += time.perf_counter() - started
            del library  # sends need no library: a reload meanwhile frees the old one at once
            await self._finish_sends(sending)

    async def _claim_batch(
        self,
        due: Sequence[Subscription],
        now: dt.datetime,
        library: Library,
        snapshots: dict[str, str],
        unchanged: set[int],
        report: DeliveryReport,
    ) -> list[Coroutine[Any, Any, None]]:
        """Plan and compose these due subscriptions and claim them in one transaction.

        Returns the sends of the digests claimed; each holds its subscription's lock.
        """
        held: dict[int, asyncio.Lock] = {}
        claims: list[DigestClaim] = []
        rendered: dict[tuple[Any, ...], Rendered | None] = {}
        sends: list[Coroutine[Any, Any, None]] = []
        try:
            last_yield = time.perf_counter()
            for subscription in due:
                if time.perf_counter() - last_yield >= YIELD_AFTER:
                    await asyncio.sleep(0)  # let commands in between a long run
                    last_yield = time.perf_counter()
                lock = self._locks(subscription.id)
                if lock.locked():
                    continue  # `/digest send` is busy with it; the next tick takes it
                await lock.acquire()
                held[subscription.id] = lock
                claim = self._plan(
                    subscription, now, library, snapshots, unchanged, rendered, report
                )
                if claim is not None:
                    claims.append(claim)
            rows = await self.bot.store.ledger.claim_scheduled(claims, now)
            report.claimed += len(rows)
            by_id = {claim.subscription.id: claim.subscription for claim in claims}
            for row in rows:
                lock = held.pop(row.subscription_id)
                sends.append(
                    self._send_and_release(by_id[row.subscription_id], row, now, report, lock)
                )
        finally:
            for lock in held.values():
                lock.release()
        return sends

    @staticmethod
    def _unchanged(subscription: Subscription, memo: LayoutMemo) -> bool:
        """Whether a `changes` digest would be empty: what it covers is what it last saw.

        Comparing hashes of canonical snapshots needs neither the stored snapshot nor
        a composed digest.
        """
        if subscription.mode != "changes" or subscription.snapshot_hash is None:
            return False
        return memo.current_snapshot(subscription.topics)[1] == subscription.snapshot_hash

    async def _run_sends(self, sends: list[Coroutine[Any, Any, None]]) -> None:
        """Run digest sends side by side until all are done."""
        await self._finish_sends(self._start_sends(sends))

    def _start_sends(self, sends: list[Coroutine[Any, Any, None]]) -> list[asyncio.Task[None]]:
        """Start digest sends as tasks; `stop()` cancels those not yet on the wire."""
        tasks = [asyncio.create_task(send) for send in sends]
        self._sends.update(tasks)
        return tasks

    async def _finish_sends(self, tasks: list[asyncio.Task[None]]) -> None:
        """Wait for started sends, logging any that failed unexpectedly."""
        try:
            results = await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            self._sends.difference_update(tasks)
        for result in results:
            if isinstance(result, Exception):
                log.error("a digest send failed unexpectedly", exc_info=result)

    async def _send_and_release(
        self,
        subscription: Subscription,
        row: Delivery,
        now: dt.datetime,
        report: DeliveryReport,
        lock: asyncio.Lock,
    ) -> None:
        try:
            async with self._digests_in_flight:
                await self._send(subscription, row, now, report, reread=False)
        finally:
            lock.release()

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
        plan = plan_due(schedule, zone, subscription.next_due, now, self.window)
        report.coalesced += plan.coalesced
        if plan.missed is not None:
            report.skipped += 1
            log.warning(
                "digests for channel %s (guild %s) due from %s to %s were more than %s late "
                "and are skipped",
                subscription.channel_id,
                subscription.guild_id,
                plan.missed[0].isoformat(),
                plan.missed[1].isoformat(),
                self.window,
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
                rendered[key] = self._render(subscription, previous, library)
                report.compose_seconds += time.perf_counter() - started
        digest = rendered[key]
        if digest is None:
            report.unchanged += 1
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

    def _render(
        self, subscription: Subscription, previous: Sequence[Any], library: Library
    ) -> Rendered | None:
        """The digest to store for a subscription, or None when there is nothing to post."""
        memo = self._layouts.for_library(library)
        digest = compose_digest(library, subscription.topics, subscription.mode, previous, memo)
        messages = digest_messages(digest, library, subscription.language, discord_date, memo)
        if not messages:
            return None
        payload = messages_json(messages, self._layouts.card_json)
        snapshot, snapshot_hash = memo.current_snapshot(subscription.topics)
        return Rendered(
            Blob(blob_hash(payload), payload), Blob(snapshot_hash, snapshot), len(messages)
        )

    async def _blob_texts(self, hashes: set[str]) -> dict[str, str]:
        missing = {h for h in hashes if h not in self._blobs}
        if missing:
            if len(self._blobs) > _CACHE_LIMIT:
                self._blobs.clear()
            self._blobs.update(await self.bot.store.ledger.blobs(missing))
        return {h: self._blobs[h] for h in hashes if h in self._blobs}

    async def _messages(self, payload_hash: str) -> list[OutgoingMessage]:
        """The stored digest as messages to post (parsed once per payload)."""
        cached = self._outgoing.get(payload_hash)
        if cached is not None:
            return cached
        texts = await self._blob_texts({payload_hash})
        if payload_hash not in texts:
            raise LookupError(f"digest payload {payload_hash} is missing")
        messages = [
            OutgoingMessage(item["content"] or None, tuple(item["embeds"]))
            for item in json.loads(texts[payload_hash])
        ]
        if len(self._outgoing) > _CACHE_LIMIT:
            self._outgoing.clear()
        self._outgoing[payload_hash] = messages
        return messages

    async def _send(
        self,
        subscription: Subscription,
        row: Delivery,
        now: dt.datetime,
        report: DeliveryReport,
        *,
        reread: bool = True,
    ) -> None:
        """Send the rest of one ledger row's messages and settle the row (lock held).

        `reread=False` only for a row this run has just written under the same lock.
        """
        repository = self.bot.store
        current = await repository.ledger.get(row.subscription_id, row.due_at) if reread else row
        if current is None or current.status in ("sent", "expired"):
            return  # settled meanwhile, or the subscription is gone
        sent_ids = list(current.message_ids)
        attempts = 0
        try:
            messages = await self._messages(current.payload_hash)
            for index in range(len(sent_ids), current.message_count):
                nonce = delivery_nonce(subscription.id, current.due_at, index)
                sent = await self.delivery.send(
                    subscription.channel_id, messages[index], nonce=nonce
                )
                sent_ids.append(sent.message_id)
                attempts += sent.attempts
                if len(sent_ids) < current.message_count:
                    await repository.ledger.record_progress(
                        subscription.id, current.due_at, sent_ids, attempts, now
                    )
                    attempts = 0
            await repository.ledger.mark_sent(subscription, current, sent_ids, attempts, now)
        except QueueClosed:
            log.info("shutting down: digest for channel %s stays pending", subscription.channel_id)
            return
        except ChannelGone as error:
            await repository.subscriptions.remove(subscription)
            report.failed += 1
            report.removed += 1
            report.errors.append(error.reason)
            log.warning(
                "channel %s of guild %s is gone (%s): its digest subscription is removed",
                subscription.channel_id,
                subscription.guild_id,
                error.reason,
            )
        except (ChannelForbidden, DeliveryRejected) as error:
            attempts += error.attempts
            if isinstance(error, DeliveryRejected):
                await repository.ledger.record_failure(
                    subscription.id, current.due_at, sent_ids, attempts, error.reason, now
                )
                log.error(
                    "Discord refused a digest for channel %s: %s",
                    subscription.channel_id,
                    error.reason,
                )
            else:
                await repository.ledger.record_progress(
                    subscription.id, current.due_at, sent_ids, attempts, now
                )
                log.warning(
                    "may not post in channel %s of guild %s (%s): subscription paused as failing",
                    subscription.channel_id,
                    subscription.guild_id,
                    error.reason,
                )
            report.failed += 1
            report.errors.append(error.reason)
            if await repository.subscriptions.mark_failing(
                subscription, error.code, error.reason, now
            ):
                report.paused += 1
                await self._notify_failure(subscription, error, now)
        except DeliveryFailed as error:
            await repository.ledger.record_failure(
                subscription.id,
                current.due_at,
                sent_ids,
                attempts + error.attempts,
                error.reason,
                now,
            )
            report.failed += 1
            report.errors.append(error.reason)
            log.warning(
                "digest for channel %s failed after %d attempt(s) (%s); retrying next tick",
                subscription.channel_id,
                error.attempts,
                error.reason,
            )
        except Exception as error:  # a bug: keep it from stopping every other delivery
            log.exception("unexpected error delivering to channel %s", subscription.channel_id)
            await repository.ledger.record_failure(
                subscription.id, current.due_at, sent_ids, attempts, repr(error), now
            )
            report.failed += 1
            report.errors.append(repr(error))
        else:
            report.sent += 1
            report.messages += current.message_count - len(current.message_ids)

    async def _notify_failure(
        self, subscription: Subscription, error: DeliveryError, now: dt.datetime
    ) -> None:
        """Tell the guild once, in its system channel when the bot may post there."""
        if not await self.bot.store.subscriptions.claim_failure_notice(subscription):
            return
        guild = self.bot.get_guild(subscription.guild_id)
        channel = guild.system_channel if guild is not None else None
        if guild is None or channel is None or channel.id == subscription.channel_id:
            log.info(
                "no system channel to tell guild %s about failing digests", subscription.guild_id
            )
            return
        permissions = channel.permissions_for(guild.me)
        if not (permissions.view_channel and permissions.send_messages):
            log.info("may not post in guild %s's system channel either", guild.id)
            return
        language = subscription.language
        text = translate(
            "digest.failure_notice",
            language,
            channel=f"<#{subscription.channel_id}>",
            reason=failure_reason(error.code, error.reason, language),
        )
        try:
            await self.delivery.send(
                channel.id, OutgoingMessage(text), nonce=notice_nonce(subscription.id, now)
            )
        except DeliveryError as failure:
            log.warning("could not tell guild %s about failing digests: %s", guild.id, failure)

    # --- What the commands do -------------------------------------------------------------

    async def subscribe(
        self,
        guild_id: int,
        channel_id: int,
        *,
        topics: str | None,
        schedule: str | None,
        timezone: str | None,
        mode: str,
        language: str,
        user_id: int | None,
        now: dt.datetime,
    ) -> tuple[Subscription, bool]:
        """Validate and save a subscription (new or updated); True if it is new.

        Raises InvalidTopics, InvalidSchedule or InvalidTimezone, saving nothing.
        """
        topic_ids = parse_topics(topics, self.bot.library)
        parsed = parse_schedule(schedule or DEFAULT_SCHEDULE)
        zone = parse_timezone(timezone or self.bot.settings.default_timezone)
        if mode not in MODES:
            raise ValueError(f"unknown digest mode {mode!r}")
        chosen: Mode = "full" if mode == "full" else "changes"
        try:
            saved = await self.bot.store.subscriptions.save(
                guild_id,
                channel_id,
                topics=topic_ids,
                schedule=parsed.expression,
                timezone=zone.key,
                mode=chosen,
                language=language,
                next_due=next_due(parsed, zone, now),
                user_id=user_id,
                now=now,
            )
        except PermissionError:
            raise ChannelNotInGuild() from None
        await self._arm_wake()
        return saved

    async def subscriptions(self, guild_id: int) -> list[Subscription]:
        """This guild's subscriptions."""
        return await self.bot.store.subscriptions.of_guild(guild_id)

    async def subscription(self, guild_id: int, channel_id: int) -> Subscription:
        """One channel's subscription in this guild; raises NotSubscribed."""
        found = await self.bot.store.subscriptions.in_channel(guild_id, channel_id)
        if found is None:
            raise NotSubscribed(channel=f"<#{channel_id}>")
        return found

    async def unsubscribe(self, guild_id: int, channel_id: int) -> None:
        """Remove a channel's subscription; raises NotSubscribed."""
        async with self._locks(await self._id_of(guild_id, channel_id)):
            if not await self.bot.store.subscriptions.delete(guild_id, channel_id):
                raise NotSubscribed(channel=f"<#{channel_id}>")

    async def pause(self, guild_id: int, channel_id: int, now: dt.datetime) -> Subscription:
        """Pause a channel's digests; raises NotSubscribed."""
        paused = await self.bot.store.subscriptions.pause(guild_id, channel_id, now)
        if paused is None:
            raise NotSubscribed(channel=f"<#{channel_id}>")
        return paused

    async def resume(self, guild_id: int, channel_id: int, now: dt.datetime) -> Subscription:
        """Resume a paused or failing channel from its next due time; raises NotSubscribed."""
        current = await self.subscription(guild_id, channel_id)
        zone = parse_timezone(current.timezone)
        due = next_due(parse_schedule(current.schedule), zone, now)
        resumed = await self.bot.store.subscriptions.resume(guild_id, channel_id, due, now)
        if resumed is None:
            raise NotSubscribed(channel=f"<#{channel_id}>")
        await self._arm_wake()
        return resumed

    async def preview(self, guild_id: int, channel_id: int) -> list[OutgoingMessage]:
        """Exactly what the channel's next digest would post now (nothing if unchanged)."""
        subscription = await self.subscription(guild_id, channel_id)
        unfinished = await self._unfinished(subscription)
        if unfinished:
            row = unfinished[0]
            return (await self._messages(row.payload_hash))[len(row.message_ids) :]
        rendered = await self._render_for(subscription)
        if rendered is None:
            return []
        self._blobs[rendered.payload.hash] = rendered.payload.body
        return await self._messages(rendered.payload.hash)

    async def send_now(self, guild_id: int, channel_id: int, now: dt.datetime) -> SendOutcome:
        """Deliver a channel's digest now, through the same ledger and queue as a scheduled one."""
        subscription = await self.subscription(guild_id, channel_id)
        report = DeliveryReport()
        repository = self.bot.store
        async with self._locks(subscription.id):
            for row in await self._unfinished(subscription):
                await self._send(subscription, row, now, report)
            if report.failed:
                return self._outcome(report)
            refreshed = await repository.subscriptions.in_channel(guild_id, channel_id)
            if refreshed is None:
                return SendOutcome("removed")
            rendered = await self._render_for(refreshed)
            if rendered is None:
                return self._outcome(report) if report.sent else SendOutcome("unchanged")
            due_at = now.replace(microsecond=0)
            row = await repository.ledger.claim_manual(
                refreshed, due_at, rendered.payload, rendered.snapshot, rendered.message_count, now
            )
            await self._send(refreshed, row, now, report)
        return self._outcome(report)

    @staticmethod
    def _outcome(report: DeliveryReport) -> SendOutcome:
        if report.removed:
            return SendOutcome("removed", reason=report.errors[-1] if report.errors else None)
        if report.failed:
            return SendOutcome("failed", reason=report.errors[-1] if report.errors else None)
        return SendOutcome("sent", messages=report.messages)

    async def _render_for(self, subscription: Subscription) -> Rendered | None:
        hashes = {subscription.snapshot_hash} if subscription.snapshot_hash else set()
        snapshots = await self._blob_texts(hashes)
        previous = decode_snapshot(snapshots.get(subscription.snapshot_hash or ""))
        return self._render(subscription, previous, self.bot.library)

    async def _unfinished(self, subscription: Subscription) -> list[Delivery]:
        rows = await self.bot.store.ledger.of_channel(
            subscription.guild_id, subscription.channel_id
        )
        return [row for row in rows if row.status in ("pending", "failed")]

    async def _id_of(self, guild_id: int, channel_id: int) -> int:
        return (await self.subscription(guild_id, channel_id)).id
