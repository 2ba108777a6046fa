-- Expiry of queued messages by instance without walking its whole backlog: the expire statement
-- and the next-expiry lookup of a paused instance are index range reads. Partial, so messages
-- without expiresAt (most) cost the intake nothing here.
CREATE INDEX messages_queued_expiry ON messages (instance_id, expires_at)
  WHERE status = 'queued' AND expires_at IS NOT NULL;
