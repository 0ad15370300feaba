"""Composed digests as the ledger stores them: rendering, and the caches around it.

A digest is composed once per distinct (topics, mode, language, snapshot) in a run, laid
out into messages and stored as JSON text under its hash (the payload), beside the
snapshot it leaves. Sends read payloads back by hash, parsed once each.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.briefings.library import Library
from bot.delivery.ports import PayloadWriter
from bot.delivery.queue import OutgoingMessage
from bot.digests.compose import LayoutMemo, compose_digest, digest_messages
from bot.digests.nonces import blob_hash
from bot.digests.records import Blob, Subscription
from bot.store.interface import DeliveryLedger
from bot.text.cards import Card, discord_date

CACHE_LIMIT = 256  # payloads and parsed messages kept between runs
LAYOUT_LIMIT = 4096  # entries kept by the layout memo (about 20 MB at most)


@dataclass(frozen=True)
class Rendered:
    """A composed digest, ready to store: its messages and the snapshot it leaves."""

    payload: Blob
    snapshot: Blob
    message_count: int


class Layouts:
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
        if memo is None or memo.library is not library or memo.size > LAYOUT_LIMIT:
            memo = self._memo = LayoutMemo(library)
            self.card_json = {}
        elif len(self.card_json) > LAYOUT_LIMIT:
            self.card_json = {}
        return memo

    def forget_cards(self) -> None:
        """Drop the laid-out cards and their JSON, the bulk of the memo, keeping snapshots."""
        self.card_json = {}
        if self._memo is not None:
            self._memo.cards.clear()


class DigestPayloads:
    """Renders digests to store, and reads stored ones back as messages to post."""

    def __init__(self, ledger: DeliveryLedger, write_payload: PayloadWriter) -> None:
        self._ledger = ledger
        self._write_payload = write_payload
        self.layouts = Layouts()
        self._blobs: dict[str, str] = {}
        self._outgoing: dict[str, list[OutgoingMessage]] = {}

    def render(
        self, subscription: Subscription, previous: Sequence[Any], library: Library
    ) -> Rendered | None:
        """The digest to store for a subscription, or None when there is nothing to post."""
        memo = self.layouts.for_library(library)
        digest = compose_digest(library, subscription.topics, subscription.mode, previous, memo)
        messages = digest_messages(digest, library, subscription.language, discord_date, memo)
        if not messages:
            return None
        payload = self._write_payload(messages, self.layouts.card_json)
        snapshot, snapshot_hash = memo.current_snapshot(subscription.topics)
        return Rendered(
            Blob(blob_hash(payload), payload), Blob(snapshot_hash, snapshot), len(messages)
        )

    def remember(self, blob: Blob) -> None:
        """Keep a blob that is not stored (yet), such as a preview's payload."""
        self._blobs[blob.hash] = blob.body

    async def texts(self, hashes: set[str]) -> dict[str, str]:
        """The stored texts with these hashes (from the cache, else the ledger)."""
        missing = {h for h in hashes if h not in self._blobs}
        if missing:
            if len(self._blobs) > CACHE_LIMIT:
                self._blobs.clear()
            self._blobs.update(await self._ledger.blobs(missing))
        return {h: self._blobs[h] for h in hashes if h in self._blobs}

    async def messages(self, payload_hash: str, known: Blob | None = None) -> list[OutgoingMessage]:
        """The stored digest as messages to post (parsed once per payload).

        `known` is the payload itself when the caller has just stored it, which saves
        reading it back from the database.
        """
        cached = self._outgoing.get(payload_hash)
        if cached is not None:
            return cached
        if known is not None and known.hash == payload_hash:
            text = known.body
        else:
            texts = await self.texts({payload_hash})
            if payload_hash not in texts:
                raise LookupError(f"digest payload {payload_hash} is missing")
            text = texts[payload_hash]
        messages = [
            OutgoingMessage(item["content"] or None, tuple(item["embeds"]))
            for item in json.loads(text)
        ]
        if len(self._outgoing) > CACHE_LIMIT:
            self._outgoing.clear()
        self._outgoing[payload_hash] = messages
        return messages
