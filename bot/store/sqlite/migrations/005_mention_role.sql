-- A role a subscription pings in the first message of each digest (NULL: nobody).
ALTER TABLE subscriptions ADD COLUMN mention_role_id INTEGER;
