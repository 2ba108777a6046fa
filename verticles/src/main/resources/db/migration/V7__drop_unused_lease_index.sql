-- Nothing reads messages by lease_until: a stale owner is fenced by its claim's fence, and orphaned
-- sends are rescued per instance (status = 'sending', served by messages_pending_chat). The index
-- only cost every claim and completion an extra index write.
DROP INDEX IF EXISTS messages_lease;
