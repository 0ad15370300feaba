-- Scheduled digests: subscriptions, the delivery ledger, and the blobs both point at.
-- All times are UTC seconds since the epoch.

-- Immutable text addressed by its SHA-256: rendered digests and section snapshots.
-- Identical digests to many channels share one row.
CREATE TABLE digest_blobs (
    hash TEXT PRIMARY KEY,
    body TEXT NOT NULL
);

-- One subscription per channel; the guild that owns the channel owns the subscription.
-- AUTOINCREMENT: an id is never reused, so delivery nonces derived from it never repeat.
CREATE TABLE subscriptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id INTEGER NOT NULL,
    channel_id INTEGER NOT NULL UNIQUE,
    topics TEXT,                -- JSON array of briefing ids, NULL for every topic
    schedule TEXT NOT NULL,     -- canonical text from bot.schedule.parse_schedule
    timezone TEXT NOT NULL,     -- IANA zone name
    mode TEXT NOT NULL CHECK (mode IN ('changes', 'full')),
    language TEXT NOT NULL,     -- language of the digest's own labels
    state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'paused', 'failing')),
    failure_code INTEGER,       -- Discord's error code when failing
    failure_reason TEXT,        -- Discord's error text when failing
    failure_notified INTEGER NOT NULL DEFAULT 0,
    next_due INTEGER NOT NULL,
    last_digest_at INTEGER,     -- due time of the last digest delivered
    snapshot_hash TEXT REFERENCES digest_blobs (hash),  -- sections as that digest saw them
    missed_from INTEGER,        -- digests due from here ...
    missed_until INTEGER,       -- ... to here were skipped as too late
    created_by INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE INDEX subscriptions_by_guild ON subscriptions (guild_id);
CREATE INDEX subscriptions_by_due ON subscriptions (state, next_due);

-- The delivery ledger: one row per (subscription, due time), written before sending.
-- A row stays 'pending' or 'failed' until every message is sent, then it is 'sent'.
-- 'expired' rows were too late to send (see digest.catch_up_hours).
CREATE TABLE deliveries (
    subscription_id INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    due_at INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('scheduled', 'manual')),
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'expired')),
    payload_hash TEXT NOT NULL REFERENCES digest_blobs (hash),
    snapshot_hash TEXT NOT NULL REFERENCES digest_blobs (hash),
    message_count INTEGER NOT NULL CHECK (message_count > 0),
    message_ids TEXT NOT NULL DEFAULT '[]',  -- JSON array, one id per message sent so far
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (subscription_id, due_at)
);

CREATE INDEX deliveries_unfinished ON deliveries (status) WHERE status IN ('pending', 'failed');
CREATE INDEX deliveries_by_payload ON deliveries (payload_hash);
CREATE INDEX deliveries_by_snapshot ON deliveries (snapshot_hash);
CREATE INDEX subscriptions_by_snapshot ON subscriptions (snapshot_hash);

-- Marking a ledger row sent moves its subscription's snapshot forward in the same
-- statement, so the two can never disagree, not even after a crash.
CREATE TRIGGER deliveries_sent AFTER UPDATE OF status ON deliveries
WHEN NEW.status = 'sent' AND OLD.status != 'sent'
BEGIN
    UPDATE subscriptions
    SET snapshot_hash = NEW.snapshot_hash,
        last_digest_at = MAX(COALESCE(last_digest_at, 0), NEW.due_at)
    WHERE id = NEW.subscription_id;
END;
