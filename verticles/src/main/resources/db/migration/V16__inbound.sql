-- Why: what the other side of a chat tells the hub (DESIGN §3, §8a). Providers hand the instance
-- inbound messages, receipts and poll votes; webhook providers retry and replay, so each item must
-- be stored exactly once, and each stored item becomes an outbox event in the same transaction.
--
-- inbound: one row per item a provider reported. The invariant "a replayed provider event is
-- ignored, a new item is never" is the unique key inbound_once: (instance, provider event id,
-- content hash). A webhook retry repeats the event id and the content, so it hits the key and is
-- dropped; a new message has a new event id; and should a provider ever reuse an event id for
-- different content, the hash differs, so the new item is still stored rather than silently lost.
-- content_hash is SHA-256 of the item's content without its timestamp (a provider that stamps
-- "now" when its payload has no time must not turn a replay into a new item).
--
-- No FK to messages: like events, the record outlives the message it was about; it goes with its
-- instance.
CREATE TABLE inbound (
  id                   bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id            text        NOT NULL,
  instance_id          text        NOT NULL,
  provider_event_id    text        NOT NULL,
  content_hash         bytea       NOT NULL,
  kind                 text        NOT NULL,             -- message | receipt | vote | vote_failed
  at                   timestamptz NOT NULL,             -- the provider's time of the item
  received_at          timestamptz NOT NULL,             -- when the hub stored it
  chat_id              text,                             -- message: the chat it came from
  sender               text,                             -- message: who wrote it; vote: the voter
  provider_message_id  text,                             -- message: its own id; receipt/vote: the hub's message it is about
  message_kind         text,                             -- message: text, image, … as the provider says
  body                 text,                             -- message: its text (or caption/title)
  receipt_status       text,                             -- receipt: sent | delivered | read | failed
  error                text,                             -- receipt: the provider's failure reason
  options              text[],                           -- vote: the voter's whole selection
  message_id           uuid,                             -- receipt/vote: the hub's message, when found
  -- what the item did: stored (a message), applied (moved a message or counted a vote), late
  -- (recorded in the message's history, not applied), redundant, unmatched (no such message here)
  outcome              text        NOT NULL,
  CONSTRAINT inbound_instance_fk FOREIGN KEY (instance_id, tenant_id) REFERENCES instances (id, tenant_id) ON DELETE CASCADE,
  CONSTRAINT inbound_once UNIQUE (instance_id, provider_event_id, content_hash),
  CONSTRAINT inbound_hash_len CHECK (octet_length(content_hash) = 32),
  CONSTRAINT inbound_event_id_len CHECK (char_length(provider_event_id) BETWEEN 1 AND 512),
  CONSTRAINT inbound_kind CHECK (kind IN ('message', 'receipt', 'vote', 'vote_failed')),
  CONSTRAINT inbound_outcome CHECK (outcome IN ('stored', 'applied', 'late', 'redundant', 'unmatched')),
  CONSTRAINT inbound_message_shape CHECK (kind <> 'message' OR (chat_id IS NOT NULL AND sender IS NOT NULL)),
  CONSTRAINT inbound_receipt_shape CHECK (kind <> 'receipt'
    OR (provider_message_id IS NOT NULL AND receipt_status IN ('sent', 'delivered', 'read', 'failed'))),
  CONSTRAINT inbound_vote_shape CHECK (kind NOT IN ('vote', 'vote_failed')
    OR (provider_message_id IS NOT NULL AND sender IS NOT NULL AND (kind = 'vote_failed' OR options IS NOT NULL)))
);
-- GET /instances/:id/inbound: one instance's received messages, keyset on id.
CREATE INDEX inbound_messages_page ON inbound (instance_id, id) WHERE kind = 'message';

-- The ballot box: each voter's current selection on a poll the hub sent (PollTally): one row per
-- (poll, voter), replaced by a newer vote. A failed vote never touches it (not a withdrawal).
CREATE TABLE poll_votes (
  message_id   uuid        NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  voter        text        NOT NULL,
  options      text[]      NOT NULL,      -- empty: the voter withdrew every choice
  voted_at     timestamptz NOT NULL,      -- the provider's time of the vote that counts
  inbound_id   bigint      NOT NULL,      -- the inbound row of that vote
  updated_at   timestamptz NOT NULL,
  PRIMARY KEY (message_id, voter)
);
