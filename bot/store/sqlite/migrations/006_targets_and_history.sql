-- Where a digest goes, and what happened to each run.

-- 'channel': messages in the channel (text, announcement, voice chat) or existing thread;
-- 'forum': a new post per digest in a forum or media channel, with `forum_tags`;
-- 'new_thread': the first message in the channel opens a thread holding the rest;
-- 'dm': a member's personal follow; `channel_id` is the member's user id, guild 0.
ALTER TABLE subscriptions ADD COLUMN target TEXT NOT NULL DEFAULT 'channel'
    CHECK (target IN ('channel', 'forum', 'new_thread', 'dm'));
ALTER TABLE subscriptions ADD COLUMN forum_tags TEXT;  -- JSON list of tag ids
ALTER TABLE subscriptions ADD COLUMN publish INTEGER NOT NULL DEFAULT 0;
ALTER TABLE subscriptions ADD COLUMN paused_by INTEGER;  -- NULL: paused by the bot

-- A forum post or thread opened for a digest. `thread_opening_at` is written just before
-- the request that opens it, so a restart that finds it set (and no `thread_id`) looks
-- for the thread Discord may have created before it opens another.
ALTER TABLE deliveries ADD COLUMN thread_id INTEGER;
ALTER TABLE deliveries ADD COLUMN thread_opening_at INTEGER;
ALTER TABLE deliveries ADD COLUMN crossposts_skipped INTEGER NOT NULL DEFAULT 0;

-- What each run did for a subscription, for `/digest why`: the newest 50 are kept.
CREATE TABLE digest_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    subscription_id INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    outcome TEXT NOT NULL
        CHECK (outcome IN ('sent', 'unchanged', 'skipped', 'failed', 'paused', 'retrying')),
    due_at INTEGER,
    channel_id INTEGER,
    message_id INTEGER,
    code INTEGER,
    reason TEXT,
    detail TEXT
);

CREATE INDEX digest_runs_by_subscription ON digest_runs (subscription_id, id);
