-- Why: retention (DESIGN §9, issue 16 §5). A dead letter nobody has touched for
-- HUB_FAILED_ARCHIVE_DAYS is archived: it stays readable (GET /messages/:id,
-- GET /messages?archived=true) and retryable by id, but leaves the dead-letter lists, retry-all and
-- the failed_messages health check, so an old failure no longer alarms anyone. History rows older
-- than HUB_HISTORY_RETENTION_DAYS are pruned.

ALTER TABLE messages ADD COLUMN archived_at timestamptz;
-- only a failed message is archived; a retry brings it back (and clears the mark)
ALTER TABLE messages ADD CONSTRAINT messages_archived_only_failed CHECK (archived_at IS NULL OR status = 'failed');

-- the archiver's scan: failed and not yet archived, oldest first (dead letters are few)
CREATE INDEX messages_failed_unarchived ON messages (finalized_at) WHERE status = 'failed' AND archived_at IS NULL;

-- History pruning by age. BRIN, not a btree: both tables are append-only in time order, so block
-- ranges are tight, and the send completion, which writes a history row per attempt, pays nearly
-- nothing for the entry.
CREATE INDEX message_events_at ON message_events USING brin (at) WITH (autosummarize = on);
CREATE INDEX instance_events_at ON instance_events USING brin (at) WITH (autosummarize = on);
