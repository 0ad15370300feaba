"""Sending one claimed digest: post the rest of its messages, then settle its ledger row.

Each message carries its deterministic nonce, so a send retried after a crash returns
the message Discord already created instead of posting it again. What Discord answers
decides what happens to the subscription: a gone channel removes it, a refusal pauses
it as failing (telling the guild's staff once), a transient failure is retried later:
the guild is warned at the third in a row and the subscription paused at the fifth.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from bot.delivery.payloads import DigestPayloads
from bot.delivery.ports import NoticeChannels
from bot.delivery.queue import (
    ChannelForbidden,
    ChannelGone,
    DeliveryError,
    DeliveryFailed,
    DeliveryQueue,
    DeliveryRejected,
    OutgoingMessage,
    QueueClosed,
    despite_cancellation,
)
from bot.delivery.reports import DeliveryReport
from bot.delivery.targets import Destinations, Placement
from bot.digests.listing import failure_reason
from bot.digests.nonces import delivery_nonce, notice_nonce
from bot.digests.records import UNPUBLISHED, Blob, Delivery, Subscription
from bot.store.interface import Store
from bot.text.i18n import translate

log = logging.getLogger(__name__)

WARN_AFTER_FAILURES = 3  # transient failures in a row before the guild is warned
PAUSE_AFTER_FAILURES = 5  # ... and before the subscription is paused as failing


class LedgerSender:
    """Delivers ledger rows through the queue and records every outcome in the store."""

    def __init__(
        self,
        store: Store,
        queue: DeliveryQueue,
        payloads: DigestPayloads,
        notices: NoticeChannels,
    ) -> None:
        self._store = store
        self._queue = queue
        self._payloads = payloads
        self._notices = notices
        self._destinations = Destinations(queue, store.ledger)

    async def send(
        self,
        subscription: Subscription,
        row: Delivery,
        now: dt.datetime,
        report: DeliveryReport,
        *,
        reread: bool = True,
        may_send: Callable[[], bool] | None = None,
        payload: Blob | None = None,
    ) -> None:
        """Send the rest of one ledger row's messages and settle the row (lock held).

        `reread=False` only for a row this run has just written under the same lock,
        and `payload` is that row's payload as it was just stored.
        `may_send` is asked before every message: once it says no (this process lost
        the delivery leadership), the row stays pending for whoever leads next.
        """
        ledger = self._store.ledger
        current = await ledger.get(row.subscription_id, row.due_at) if reread else row
        if current is None or current.status in ("sent", "expired"):
            return  # settled meanwhile, or the subscription is gone
        sent_ids = list(current.message_ids)
        attempts = 0
        unpublished = 0  # messages posted but not published to following servers
        placement = Placement.of(current)
        try:
            messages = await self._payloads.messages(current.payload_hash, payload)
            for index in range(len(sent_ids), current.message_count):
                if may_send is not None and not may_send():
                    log.warning(
                        "no longer the delivery leader: digest for channel %s stays pending",
                        subscription.channel_id,
                    )
                    return
                nonce = delivery_nonce(subscription.id, current.due_at, index)
                message = messages[index]
                if index == 0 and subscription.mention_role_id is not None:
                    message = message.pinging(subscription.mention_role_id)
                sent = await self._destinations.post(
                    subscription, current, placement, index, message, nonce, now
                )
                sent_ids.append(sent.message_id)
                attempts += sent.attempts
                if (
                    subscription.publish
                    and sent.channel_id == subscription.channel_id
                    and not await self._queue.crosspost(sent.channel_id, sent.message_id)
                ):
                    unpublished += 1
                if len(sent_ids) < current.message_count:
                    await despite_cancellation(
                        ledger.record_progress(
                            subscription.id, current.due_at, sent_ids, attempts, now
                        )
                    )
                    attempts = 0
            if subscription.target == "new_thread":  # a one-message digest opens it too
                await self._destinations.ensure_thread(subscription, current, placement, now)
            await despite_cancellation(
                ledger.mark_sent(subscription, current, sent_ids, attempts, now)
            )
        except QueueClosed:
            log.info("shutting down: digest for channel %s stays pending", subscription.channel_id)
            return
        except ChannelGone as error:
            await self._store.subscriptions.remove(subscription)
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
            await self._refused(subscription, current, sent_ids, attempts, error, now, report)
        except DeliveryFailed as error:
            await ledger.record_failure(
                subscription.id,
                current.due_at,
                sent_ids,
                attempts + error.attempts,
                error.reason,
                now,
            )
            report.failed += 1
            report.errors.append(error.reason)
            await self._failed_again(subscription, current, error, now, report)
        except Exception as error:  # a bug: keep it from stopping every other delivery
            log.exception("unexpected error delivering to channel %s", subscription.channel_id)
            await ledger.record_failure(
                subscription.id, current.due_at, sent_ids, attempts, repr(error), now
            )
            report.failed += 1
            report.errors.append(repr(error))
            report.note(subscription, "retrying", now, current.due_at, reason=repr(error))
        else:
            report.sent += 1
            report.messages += current.message_count - len(current.message_ids)
            report.note(
                subscription,
                "sent",
                now,
                current.due_at,
                message_id=sent_ids[0],
                channel_id=placement.first_channel(subscription),
                detail=f"{UNPUBLISHED}{unpublished}" if unpublished else None,
            )

    async def _failed_again(
        self,
        subscription: Subscription,
        current: Delivery,
        error: DeliveryFailed,
        now: dt.datetime,
        report: DeliveryReport,
    ) -> None:
        """A transient failure, counted with the runs before it: retried next tick, with
        one warning at `WARN_AFTER_FAILURES` in a row and a pause at `PAUSE_AFTER_FAILURES`."""
        earlier = await self._store.history.recent(subscription.id, PAUSE_AFTER_FAILURES)
        in_a_row = 1
        for run in earlier:
            if run.outcome != "retrying":
                break
            in_a_row += 1
        code = error.code or error.status
        if in_a_row >= PAUSE_AFTER_FAILURES:
            reason = f"{error.reason} ({in_a_row} failures in a row)"
            paused = await self._store.subscriptions.mark_failing(subscription, code, reason, now)
            report.note(subscription, "paused", now, current.due_at, code=code, reason=reason)
            log.warning(
                "digest for channel %s failed %d times in a row (%s): paused as failing",
                subscription.channel_id,
                in_a_row,
                error.reason,
            )
            if paused:
                report.paused += 1
                await self._notify_failure(subscription, error, now)
            return
        report.note(
            subscription, "retrying", now, current.due_at, code=error.status, reason=error.reason
        )
        log.warning(
            "digest for channel %s failed after %d attempt(s) (%s); retrying next tick",
            subscription.channel_id,
            error.attempts,
            error.reason,
        )
        if in_a_row == WARN_AFTER_FAILURES and not subscription.is_follow:
            await self._warn(subscription, error, in_a_row, now)

    async def _warn(
        self, subscription: Subscription, error: DeliveryError, in_a_row: int, now: dt.datetime
    ) -> None:
        """Tell the guild, once before the pause, what keeps failing and how to fix it."""
        language = subscription.language
        await self._tell_guild(
            subscription,
            "digest.failure_warning",
            now,
            count=in_a_row,
            reason=failure_reason(error.code, error.reason, language),
            left=PAUSE_AFTER_FAILURES - in_a_row,
        )

    async def _refused(
        self,
        subscription: Subscription,
        current: Delivery,
        sent_ids: list[int],
        attempts: int,
        error: ChannelForbidden | DeliveryRejected,
        now: dt.datetime,
        report: DeliveryReport,
    ) -> None:
        """Discord will not take this digest as it is: record why and pause the subscription."""
        ledger = self._store.ledger
        if isinstance(error, DeliveryRejected):
            await ledger.record_failure(
                subscription.id, current.due_at, sent_ids, attempts, error.reason, now
            )
            log.error(
                "Discord refused a digest for channel %s: %s",
                subscription.channel_id,
                error.reason,
            )
        else:
            await ledger.record_progress(subscription.id, current.due_at, sent_ids, attempts, now)
            log.warning(
                "may not post in channel %s of guild %s (%s): subscription paused as failing",
                subscription.channel_id,
                subscription.guild_id,
                error.reason,
            )
        report.failed += 1
        report.errors.append(error.reason)
        paused = await self._store.subscriptions.mark_failing(
            subscription, error.code, error.reason, now
        )
        report.note(
            subscription,
            "paused" if paused else "failed",
            now,
            current.due_at,
            code=error.code,
            reason=error.reason,
        )
        if paused:
            report.paused += 1
            await self._notify_failure(subscription, error, now)

    async def _notify_failure(
        self, subscription: Subscription, error: DeliveryError, now: dt.datetime
    ) -> None:
        """Tell the guild once, where its staff read notices and the bot may post."""
        if subscription.is_follow:
            return  # the member hears of it with their next command, not in a channel
        if not await self._store.subscriptions.claim_failure_notice(subscription):
            return
        reason = failure_reason(error.code, error.reason, subscription.language)
        await self._tell_guild(subscription, "digest.failure_notice", now, reason=reason)

    async def _tell_guild(
        self, subscription: Subscription, key: str, now: dt.datetime, **params: object
    ) -> None:
        """Post a notice about this subscription where the guild's staff read notices."""
        channel_id = await self._notices.notice_channel(
            subscription.guild_id, subscription.channel_id
        )
        if channel_id is None:
            return
        channel = f"<#{subscription.channel_id}>"
        text = translate(key, subscription.language, channel=channel, **params)
        try:
            await self._queue.send(
                channel_id, OutgoingMessage(text), nonce=notice_nonce(subscription.id, now)
            )
        except DeliveryError as failure:
            log.warning(
                "could not tell guild %s about failing digests: %s", subscription.guild_id, failure
            )
