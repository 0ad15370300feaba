-- The processes of a deployment, each as its last heartbeat left it: which shards it
-- runs out of how many, and whether it delivers digests. Rows of processes that stopped
-- beating are ignored, and removed when a process stops cleanly.
CREATE TABLE cluster_processes (
    process_id TEXT PRIMARY KEY,  -- host:pid:start
    shard_ids TEXT,               -- JSON array; NULL for every shard
    shard_count INTEGER,          -- NULL when Discord's recommendation is used
    leads INTEGER NOT NULL DEFAULT 0,  -- delivers digests
    started_at INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL
);
