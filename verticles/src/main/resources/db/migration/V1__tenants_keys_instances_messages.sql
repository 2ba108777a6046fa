-- Why: the first schema of wa-hub. Everything the intake promises (a durable 202, one message per
-- idempotency key, a queue cap per instance, a tenant never seeing another's rows) is enforced
-- here by constraints, not only in Java, so a bug or a second node cannot break it.

CREATE TABLE tenants (
  id          text        PRIMARY KEY,
  name        text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT tenants_name_len CHECK (char_length(name) BETWEEN 1 AND 200),
  CONSTRAINT tenants_name_uniq UNIQUE (name)
);

-- API keys are random 256-bit tokens; only their SHA-256 is stored. tenant_id NULL = admin key.
CREATE TABLE api_keys (
  id          text        PRIMARY KEY,
  tenant_id   text        REFERENCES tenants (id) ON DELETE CASCADE,
  key_hash    bytea       NOT NULL,
  prefix      text        NOT NULL,
  label       text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz,
  CONSTRAINT api_keys_hash_uniq UNIQUE (key_hash),
  CONSTRAINT api_keys_hash_len CHECK (octet_length(key_hash) = 32),
  CONSTRAINT api_keys_label_len CHECK (label IS NULL OR char_length(label) <= 200)
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id);

-- One row per WhatsApp number/session. Ids are global (they appear in provider webhook URLs and
-- bus addresses); a tenant only ever reaches its own rows.
CREATE TABLE instances (
  id               text        PRIMARY KEY,
  tenant_id        text        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name             text,
  provider_type    text        NOT NULL,
  provider_config  jsonb       NOT NULL DEFAULT '{}'::jsonb,   -- secrets included: never returned by the API
  per_minute       integer     NOT NULL,
  per_hour         integer     NOT NULL,
  per_day          integer     NOT NULL,
  min_interval_ms  integer     NOT NULL,
  jitter_ms        integer     NOT NULL,
  max_queue        integer     NOT NULL,
  -- non-terminal (queued + sending) messages, kept exact by the trigger below; intake locks the
  -- row and checks it, so the cap holds under concurrent posts from any number of nodes
  queue_depth      integer     NOT NULL DEFAULT 0,
  desired_state    text        NOT NULL DEFAULT 'running',
  state            text        NOT NULL DEFAULT 'STARTING',
  state_since      timestamptz NOT NULL DEFAULT now(),
  last_error       text,
  version          integer     NOT NULL DEFAULT 1,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT instances_id_tenant_uniq UNIQUE (id, tenant_id),   -- target of the messages FK below
  CONSTRAINT instances_id_format CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
  CONSTRAINT instances_provider_type CHECK (provider_type IN ('simulator', 'cloud-api', 'waha', 'adapter')),
  CONSTRAINT instances_limits_nonneg CHECK (per_minute >= 0 AND per_hour >= 0 AND per_day >= 0),
  CONSTRAINT instances_pacing_nonneg CHECK (min_interval_ms >= 0 AND jitter_ms >= 0),
  CONSTRAINT instances_max_queue_pos CHECK (max_queue >= 1),
  CONSTRAINT instances_queue_depth_nonneg CHECK (queue_depth >= 0),
  CONSTRAINT instances_desired_state CHECK (desired_state IN ('running', 'stopped')),
  CONSTRAINT instances_state CHECK (state IN ('STARTING', 'NEEDS_QR', 'READY', 'DISCONNECTED', 'RESTARTING',
                                              'AUTH_FAILURE', 'FAILED', 'STOPPED'))
);
CREATE INDEX instances_tenant ON instances (tenant_id, id);

-- One row per accepted message. Status values equal org.wahub.hub.message.MessageStatus#wire().
CREATE TABLE messages (
  id                   uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  seq                  bigint      GENERATED ALWAYS AS IDENTITY,   -- accept order: FIFO ties and list cursors
  tenant_id            text        NOT NULL,
  instance_id          text        NOT NULL,
  chat_id              text        NOT NULL,
  recipient            text        NOT NULL,
  kind                 text        NOT NULL,
  payload              jsonb       NOT NULL,
  metadata             jsonb,
  -- NULL once the key's retention ran out (the row stays for its history; the key may be reused)
  idempotency_key      text,
  -- 128 bits of SHA-256(tenant_id, idempotency_key): the one-column unique key the intake probes
  -- and arbitrates on. One column and one index, so no cached generic plan can ever pick another
  -- tenant_id-prefixed index and scan a whole tenant instead of probing one key.
  dedupe_id            uuid,
  key_derived          boolean     NOT NULL,
  payload_hash         text        NOT NULL,
  status               text        NOT NULL DEFAULT 'queued',
  attempts             integer     NOT NULL DEFAULT 0,
  next_attempt_at      timestamptz,
  send_at              timestamptz,
  expires_at           timestamptz,
  order_at             timestamptz NOT NULL,   -- coalesce(send_at, accept time): the per-chat FIFO key
  lease_owner          text,
  lease_until          timestamptz,
  fence                bigint      NOT NULL DEFAULT 0,
  provider_message_id  text,
  last_error_code      text,
  last_error           text,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  sent_at              timestamptz,
  delivered_at         timestamptz,
  read_at              timestamptz,
  finalized_at         timestamptz,
  -- one FK check per row covers both: the instance exists and belongs to the message's tenant
  CONSTRAINT messages_instance_fk FOREIGN KEY (instance_id, tenant_id) REFERENCES instances (id, tenant_id) ON DELETE CASCADE,
  CONSTRAINT messages_dedupe_uniq UNIQUE (dedupe_id),
  CONSTRAINT messages_dedupe_iff_key CHECK ((idempotency_key IS NULL) = (dedupe_id IS NULL)),
  CONSTRAINT messages_kind CHECK (kind IN ('text', 'media', 'location', 'contact', 'poll')),
  CONSTRAINT messages_status CHECK (status IN ('queued', 'sending', 'sent', 'delivered', 'read',
                                               'failed', 'cancelled', 'expired', 'in_doubt')),
  CONSTRAINT messages_attempts_nonneg CHECK (attempts >= 0),
  CONSTRAINT messages_key_len CHECK (idempotency_key IS NULL OR char_length(idempotency_key) BETWEEN 1 AND 255),
  CONSTRAINT messages_lease_iff_sending CHECK ((status = 'sending') = (lease_until IS NOT NULL)),
  CONSTRAINT messages_expiry_after_send_at CHECK (expires_at IS NULL OR send_at IS NULL OR expires_at > send_at),
  CONSTRAINT messages_finalized_iff_terminal CHECK ((status IN ('queued', 'sending')) = (finalized_at IS NULL))
);
-- the claim and the per-chat head check: pending work of one instance (bounded by its queue cap)
CREATE INDEX messages_pending_chat ON messages (instance_id, chat_id, order_at, seq) WHERE status IN ('queued', 'sending');
-- lists by tenant/instance/status, keyset on seq
CREATE INDEX messages_tenant_seq ON messages (tenant_id, seq);
CREATE INDEX messages_instance_status_seq ON messages (instance_id, status, seq);
-- the lease sweeper
CREATE INDEX messages_lease ON messages (lease_until) WHERE status = 'sending';

-- Audit trail: every transition and attempt after acceptance (acceptance itself is the message
-- row's created_at, which spares the intake a second row per message). Source of the history in
-- GET /messages/:id and of the limiter rebuild (one completion event per send attempt).
CREATE TABLE message_events (
  id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  message_id   uuid        NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  instance_id  text        NOT NULL,
  at           timestamptz NOT NULL DEFAULT now(),
  kind         text        NOT NULL,
  from_status  text,
  to_status    text,
  attempt      integer     NOT NULL DEFAULT 0,
  detail       text
);
CREATE INDEX message_events_message ON message_events (message_id, id);
CREATE INDEX message_events_attempts ON message_events (instance_id, at) WHERE kind = 'attempt';

-- State changes, disconnects and restarts of instances (the reconnect ladder is rebuilt from it).
CREATE TABLE instance_events (
  id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  instance_id  text        NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
  at           timestamptz NOT NULL DEFAULT now(),
  kind         text        NOT NULL,
  from_state   text,
  to_state     text,
  detail       text
);
CREATE INDEX instance_events_instance ON instance_events (instance_id, at);

-- Keeps instances.queue_depth equal to the number of queued + sending messages. Statement-level
-- with transition tables: one aggregate per statement, so a 256-row group commit costs one
-- UPDATE per instance, not 256.
CREATE FUNCTION messages_queue_depth_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE instances i SET queue_depth = i.queue_depth + d.n
    FROM (SELECT instance_id, count(*)::int AS n FROM new_rows
           WHERE status IN ('queued', 'sending') GROUP BY instance_id) d
   WHERE i.id = d.instance_id;
  RETURN NULL;
END $$;

CREATE FUNCTION messages_queue_depth_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE instances i SET queue_depth = i.queue_depth + d.n
    FROM (SELECT instance_id, sum(n)::int AS n FROM (
            SELECT instance_id, count(*) AS n FROM new_rows WHERE status IN ('queued', 'sending') GROUP BY instance_id
            UNION ALL
            SELECT instance_id, -count(*) AS n FROM old_rows WHERE status IN ('queued', 'sending') GROUP BY instance_id
          ) x GROUP BY instance_id) d
   WHERE i.id = d.instance_id AND d.n <> 0;
  RETURN NULL;
END $$;

CREATE FUNCTION messages_queue_depth_del() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE instances i SET queue_depth = i.queue_depth - d.n
    FROM (SELECT instance_id, count(*)::int AS n FROM old_rows
           WHERE status IN ('queued', 'sending') GROUP BY instance_id) d
   WHERE i.id = d.instance_id;
  RETURN NULL;
END $$;

CREATE TRIGGER messages_queue_depth_ins AFTER INSERT ON messages
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION messages_queue_depth_ins();
CREATE TRIGGER messages_queue_depth_upd AFTER UPDATE ON messages
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION messages_queue_depth_upd();
CREATE TRIGGER messages_queue_depth_del AFTER DELETE ON messages
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION messages_queue_depth_del();
