-- Why: the delivery side. The send loop claims, completes and audits messages; the limiter and the
-- status counters are rebuilt from message_events and instance_events, so those need indexes by
-- (instance, kind, time); receipts find a message by the provider's id; and the simulator keeps its
-- own durable "sent folder", written before it answers the hub, like a real phone would.

DROP INDEX message_events_attempts;
CREATE INDEX message_events_instance_kind_at ON message_events (instance_id, kind, at);

CREATE INDEX messages_provider_id ON messages (instance_id, provider_message_id)
  WHERE provider_message_id IS NOT NULL;

CREATE INDEX instance_events_instance_kind_at ON instance_events (instance_id, kind, at);

-- Every send attempt the simulated phone saw, in order. No FK to messages: like a phone's log it
-- outlives the hub's own records (a deleted message stays visible here); it goes with its instance.
CREATE TABLE simulator_sends (
  id                   bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  instance_id          text        NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
  message_id           uuid        NOT NULL,
  attempt              integer     NOT NULL,
  at                   timestamptz NOT NULL,
  outcome              text        NOT NULL,
  provider_message_id  text,
  CONSTRAINT simulator_sends_outcome CHECK (outcome IN ('sent', 'deduplicated', 'failed_retriable', 'failed_permanent'))
);
CREATE INDEX simulator_sends_instance ON simulator_sends (instance_id, id);
CREATE INDEX simulator_sends_message ON simulator_sends (message_id);
