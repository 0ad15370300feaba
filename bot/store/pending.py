"""What a claim of scheduled digests writes, the same in every store: ledger rows and blobs.

Both stores keep times as whole seconds (SQLite as epoch integers, PostgreSQL as
`timestamptz` truncated to the second), so a ledger row's due time is written, and
compared with the rows already there, as `whole_seconds` gives it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.digests.records import Delivery, DigestClaim


def whole_seconds(moment: dt.datetime) -> int:
    """Seconds since the epoch for an aware datetime, as both stores keep it."""
    if moment.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return int(moment.timestamp())


def check_claims(claims: Sequence[DigestClaim]) -> None:
    """Refuse a batch in which a claim that delivers lacks its payload or snapshot."""
    for claim in claims:
        if claim.due_at is not None and (
            claim.payload is None or claim.snapshot is None or claim.message_count < 1
        ):
            raise ValueError("a claim that delivers needs a payload and a snapshot")


def pending_rows(
    claims: Sequence[DigestClaim], existing: set[tuple[int, int]]
) -> tuple[list[Delivery], dict[str, str]]:
    """The ledger rows and blobs that claims write, leaving out the (subscription id, due
    second) pairs in `existing`, which the ledger already has."""
    written: list[Delivery] = []
    blobs: dict[str, str] = {}
    for claim in claims:
        if claim.due_at is None or claim.payload is None or claim.snapshot is None:
            continue
        due = whole_seconds(claim.due_at)
        if (claim.subscription.id, due) in existing:
            continue
        blobs[claim.payload.hash] = claim.payload.body
        blobs[claim.snapshot.hash] = claim.snapshot.body
        written.append(
            Delivery(
                subscription_id=claim.subscription.id,
                due_at=dt.datetime.fromtimestamp(due, dt.UTC),
                kind="scheduled",
                status="pending",
                payload_hash=claim.payload.hash,
                snapshot_hash=claim.snapshot.hash,
                message_count=claim.message_count,
            )
        )
    return written, blobs
