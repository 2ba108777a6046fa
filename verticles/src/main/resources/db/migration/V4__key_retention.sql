-- Why: idempotency keys are remembered for a while after their message is finished (DESIGN §4:
-- explicit keys 7 days, derived keys 24 h), then forgotten so the key may name a new message.
-- The pruning job walks this index oldest-first. It costs the intake nothing: rows are inserted
-- with finalized_at NULL, outside the predicate; they enter when they finish, an update that
-- changes indexed columns anyway.
CREATE INDEX messages_key_expiry ON messages (finalized_at)
  WHERE dedupe_id IS NOT NULL AND finalized_at IS NOT NULL;
