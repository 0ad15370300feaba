-- Every claim that will post a digest is a compare-and-set on this number: the claim
-- names the version it composed against and bumps it, so of two claims composed from
-- the same state (a scheduled run and `/digest send`, or two processes) only the first
-- posts; the second finds the version moved and posts nothing.
ALTER TABLE subscriptions ADD COLUMN claim_version bigint NOT NULL DEFAULT 0;
