-- Command sync: the hash of the last command tree synced, per scope ('global' or a guild id).
CREATE TABLE command_sync (
    scope text PRIMARY KEY,
    payload_hash text NOT NULL,
    synced_at timestamptz NOT NULL
);

-- Every version of every section ever loaded, so "changed since" survives restarts.
-- Every process reloads the same files, so versions are inserted ON CONFLICT DO NOTHING.
CREATE TABLE section_versions (
    briefing_id text NOT NULL,
    section_id text NOT NULL,
    content_hash text NOT NULL,
    heading text NOT NULL,
    first_seen timestamptz NOT NULL,
    PRIMARY KEY (briefing_id, section_id, content_hash)
);
