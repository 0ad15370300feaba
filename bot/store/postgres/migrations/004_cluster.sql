-- The processes of a deployment, each as its last heartbeat left it: which shards it
-- runs out of how many, and whether it delivers digests. Rows of processes that stopped
-- beating are ignored, and removed when a process stops cleanly.
CREATE TABLE cluster_processes (
    process_id text PRIMARY KEY,  -- host:pid:start
    shard_ids integer[],          -- NULL for every shard
    shard_count integer,          -- NULL when Discord's recommendation is used
    leads boolean NOT NULL DEFAULT false,  -- delivers digests
    started_at timestamptz NOT NULL,
    heartbeat_at timestamptz NOT NULL
);
