"""What a delivery run did, as plain data: the run's report and the result of `/digest send`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from bot.digests.compose import Digest
from bot.digests.records import DigestRun, RunOutcome, Subscription


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
    runs: list[DigestRun] = field(default_factory=list)  # for the run history, once stored

    def note(
        self,
        subscription: Subscription,
        outcome: RunOutcome,
        now: dt.datetime,
        due_at: dt.datetime | None,
        *,
        message_id: int | None = None,
        channel_id: int | None = None,
        code: int | None = None,
        reason: str | None = None,
        detail: str | None = None,
    ) -> None:
        """Remember what this run did for one subscription, for `/digest why`."""
        self.runs.append(
            DigestRun(
                subscription.id,
                now,
                outcome,
                due_at,
                channel_id or (subscription.channel_id if message_id is not None else None),
                message_id,
                code,
                reason,
                detail,
            )
        )

    def __bool__(self) -> bool:
        return any((self.sent, self.unchanged, self.skipped, self.failed, self.removed))


@dataclass(frozen=True)
class SendOutcome:
    """The result of `/digest send`."""

    status: Literal["sent", "unchanged", "failed", "removed"]
    messages: int = 0
    reason: str | None = None

    @classmethod
    def of(cls, report: DeliveryReport) -> SendOutcome:
        """The outcome a manual send's report amounts to."""
        if report.removed:
            return cls("removed", reason=report.errors[-1] if report.errors else None)
        if report.failed:
            return cls("failed", reason=report.errors[-1] if report.errors else None)
        return cls("sent", messages=report.messages)


@dataclass(frozen=True)
class Explanation:
    """What `/digest why` shows: the subscription, its last runs, what would be sent now."""

    subscription: Subscription
    runs: list[DigestRun]
    waiting: Digest | None  # None while an earlier digest is still being delivered
