-- Command sync: the hash of the last command tree synced, per scope ('global' or a guild id).
CREATE TABLE command_sync (
    scope TEXT PRIMARY KEY,
    payload_hash TEXT NOT NULL,
    synced_at INTEGER NOT NULL
);

-- Every version of every section ever loaded, so "changed since" survives restarts.
CREATE TABLE section_versions (
    briefing_id TEXT NOT NULL,
    section_id TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    heading TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    PRIMARY KEY (briefing_id, section_id, content_hash)
);
