"""Deterministic keys of the delivery ledger: message nonces and blob hashes.

The same digest message always gets the same nonce, so a send retried after a crash is
recognised by Discord (`enforce_nonce`) instead of being posted twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib

NONCE_LIMIT = 25


_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def blob_hash(text: str) -> str:
    """The SHA-256 hex digest that addresses a stored blob."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _base36(number: int) -> str:
    if number < 0:
        raise ValueError("nonce parts must not be negative")
    digits = ""
    while True:
        number, rest = divmod(number, 36)
        digits = _BASE36[rest] + digits
        if not number:
            return digits


def delivery_nonce(subscription_id: int, due_at: dt.datetime, index: int) -> str:
    """The deterministic nonce of one digest message: the same key always gives the same.

    At most 25 characters, as Discord requires: base-36 subscription id, due time in
    epoch seconds and message index.
    """
    if due_at.tzinfo is None:
        raise ValueError("due_at must be timezone-aware")
    nonce = f"{_base36(subscription_id)}.{_base36(int(due_at.timestamp()))}.{_base36(index)}"
    if len(nonce) > NONCE_LIMIT:
        raise ValueError(f"nonce {nonce!r} is longer than {NONCE_LIMIT} characters")
    return nonce


def notice_nonce(subscription_id: int, now: dt.datetime) -> str:
    """The nonce of the one notice that a subscription is failing (at most 25 characters)."""
    return f"n{_base36(subscription_id)}.{_base36(int(now.timestamp()))}"
