-- Why: outbound webhooks (DESIGN §8, Standard Webhooks). A tenant registers endpoints; every
-- event of the outbox (`events`, V9) that an endpoint asks for becomes one durable delivery row,
-- sent at least once, retried on a schedule across restarts, listed and replayable when it fails.
-- The database is the truth: what is due, what is in flight (a lease), what was sent. Nothing
-- here refers to `events` by foreign key: a delivery carries the exact body it sends, so pruning
-- the outbox never breaks a retry or a replay.

-- One endpoint. Its secrets are stored in clear (they are HMAC keys the hub needs) and never
-- returned by the API after the answer that created or rotated them.
CREATE TABLE webhooks (
  id                          text        PRIMARY KEY,
  tenant_id                   text        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  -- only this instance's events, or (NULL) every instance of the tenant
  instance_id                 text,
  url                         text        NOT NULL,
  description                 text,
  -- validated by hub/ EventTypeFilter: known types, category wildcards (message.*) or *
  event_types                 text[]      NOT NULL,
  secret                      text        NOT NULL,
  -- after a rotation the previous secret signs beside the new one until it expires
  previous_secret             text,
  previous_secret_expires_at  timestamptz,
  enabled                     boolean     NOT NULL DEFAULT true,
  -- why it is disabled: 'gone' (the endpoint answered 410) or 'disabled' (by its owner)
  disabled_reason             text,
  disabled_at                 timestamptz,
  -- events at or after this time go to the endpoint: its creation, or when it was last enabled
  events_since                timestamptz NOT NULL,
  version                     integer     NOT NULL DEFAULT 1,
  created_at                  timestamptz NOT NULL,
  updated_at                  timestamptz NOT NULL,
  -- an instance filter must name an instance of the same tenant; deleting the instance deletes
  -- the endpoints that listened only to it (they could never hear anything again)
  CONSTRAINT webhooks_instance_fk FOREIGN KEY (instance_id, tenant_id)
    REFERENCES instances (id, tenant_id) ON DELETE CASCADE,
  CONSTRAINT webhooks_id_format CHECK (id ~ '^wh_[0-9a-z]{20}$'),
  CONSTRAINT webhooks_url_len CHECK (char_length(url) BETWEEN 8 AND 2048),
  CONSTRAINT webhooks_description_len CHECK (description IS NULL OR char_length(description) <= 500),
  CONSTRAINT webhooks_event_types_count CHECK (cardinality(event_types) BETWEEN 1 AND 64),
  CONSTRAINT webhooks_secret_format CHECK (secret LIKE 'whsec\_%' AND (previous_secret IS NULL OR previous_secret LIKE 'whsec\_%')),
  CONSTRAINT webhooks_previous_secret_iff_expiry CHECK ((previous_secret IS NULL) = (previous_secret_expires_at IS NULL)),
  CONSTRAINT webhooks_disabled_iff_reason CHECK (enabled = (disabled_reason IS NULL) AND enabled = (disabled_at IS NULL)),
  CONSTRAINT webhooks_disabled_reason CHECK (disabled_reason IS NULL OR disabled_reason IN ('gone', 'disabled'))
);
CREATE INDEX webhooks_tenant ON webhooks (tenant_id, id);
CREATE INDEX webhooks_instance ON webhooks (instance_id) WHERE instance_id IS NOT NULL;

-- One event (or test ping) for one endpoint. Status values equal
-- org.wahub.hub.webhook.DeliveryStatus#wire(). The id is a v7 UUID, sent as the webhook-id header:
-- the same on every retry and replay, so receivers can deduplicate.
CREATE TABLE webhook_deliveries (
  id                uuid        PRIMARY KEY,
  webhook_id        text        NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  -- the event's outbox position; NULL for a test ping, which has no event
  event_tx          xid8,
  event_seq         bigint,
  event_type        text        NOT NULL,
  message_id        text,
  -- deliveries with the same key reach their endpoint in position order: the message id, or the
  -- instance for instance events; NULL: no order (test pings)
  order_key         text,
  -- the exact bytes sent and signed, {"type","timestamp","data"}, the same on every attempt
  body              text        NOT NULL,
  status            text        NOT NULL DEFAULT 'pending',
  attempts          integer     NOT NULL DEFAULT 0,
  next_attempt_at   timestamptz NOT NULL,
  lease_owner       text,
  lease_until       timestamptz,
  -- bumped by every claim; a completion must name it, so a stale worker never overwrites a newer result
  fence             bigint      NOT NULL DEFAULT 0,
  last_attempt_at   timestamptz,
  last_status       integer,
  last_error_code   text,
  last_error        text,
  last_duration_ms  integer,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  finished_at       timestamptz,
  CONSTRAINT webhook_deliveries_event_uniq UNIQUE (webhook_id, event_tx, event_seq),
  CONSTRAINT webhook_deliveries_position_pair CHECK ((event_tx IS NULL) = (event_seq IS NULL)),
  CONSTRAINT webhook_deliveries_only_pings_without_event CHECK (event_tx IS NOT NULL OR event_type = 'webhook.test'),
  CONSTRAINT webhook_deliveries_status CHECK (status IN ('pending', 'sending', 'succeeded', 'failed', 'cancelled')),
  CONSTRAINT webhook_deliveries_lease_iff_sending CHECK ((status = 'sending') = (lease_until IS NOT NULL)),
  CONSTRAINT webhook_deliveries_finished_iff_ended CHECK ((status IN ('pending', 'sending')) = (finished_at IS NULL)),
  CONSTRAINT webhook_deliveries_attempts_nonneg CHECK (attempts >= 0),
  CONSTRAINT webhook_deliveries_body_len CHECK (octet_length(body) <= 262144)
);
-- the claim and the endpoint's next due time: its pending deliveries by due time
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (webhook_id, next_attempt_at) WHERE status = 'pending';
-- per-message order: an open delivery with an earlier position and the same key holds a later one back
CREATE INDEX webhook_deliveries_open_key ON webhook_deliveries (webhook_id, order_key, event_tx, event_seq)
  WHERE status IN ('pending', 'sending');
-- leases of a crashed node, found by any node
CREATE INDEX webhook_deliveries_lease ON webhook_deliveries (lease_until) WHERE status = 'sending';
-- GET /webhooks/:id/deliveries, keyset on id (creation order)
CREATE INDEX webhook_deliveries_list ON webhook_deliveries (webhook_id, id);
-- retention: ended deliveries, oldest first
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (finished_at) WHERE finished_at IS NOT NULL;

-- How far the fan-out has read the outbox: every event at or before this position has its
-- deliveries. One row, locked (SKIP LOCKED) by the node fanning out, so nodes take turns.
CREATE TABLE webhook_dispatch_cursor (
  id   boolean PRIMARY KEY DEFAULT true,
  tx   xid8    NOT NULL,
  seq  bigint  NOT NULL,
  CONSTRAINT webhook_dispatch_cursor_one_row CHECK (id)
);
INSERT INTO webhook_dispatch_cursor (tx, seq) VALUES ('0', 0);
