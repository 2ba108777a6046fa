-- Why: the ordered outbox of domain events (DESIGN §8, §8a). Every change worth telling writes its
-- event here in the same statement or transaction as the change, so an event exists iff its change
-- committed. SSE replay and webhook dispatch page through it by position.
--
-- Position = (tx, seq). seq alone is not commit-ordered (a reader that saw 105 may later see 104
-- commit), so readers only read rows with tx < pg_snapshot_xmin(pg_current_snapshot()): every
-- transaction below the snapshot's xmin has ended, so no row can ever appear behind a position a
-- reader has passed. Rows are read in (tx, seq) order; the API shows a position as "<tx>-<seq>".
--
-- No foreign keys: the outbox outlives the rows it tells about (a deleted message or instance keeps
-- its events until retention), and the send completion, which writes a row here on every send,
-- should not pay an extra key check for it. Readers always scope by tenant_id.
CREATE TABLE events (
  tx           xid8        NOT NULL DEFAULT pg_current_xact_id(),
  seq          bigint      GENERATED ALWAYS AS IDENTITY,
  tenant_id    text        NOT NULL,
  instance_id  text,
  message_id   uuid,                       -- messages.id is a uuid
  type         text        NOT NULL,       -- org.wahub.hub.event.EventType#wire()
  at           timestamptz NOT NULL,       -- when the change happened (the hub's clock, as the change)
  data         jsonb       NOT NULL,       -- the "data" member of the event body
  PRIMARY KEY (tx, seq),
  CONSTRAINT events_type_format CHECK (type ~ '^[a-z_]+\.[a-z_]+$')
);

-- SSE and per-tenant readers: one tenant's events in position order.
CREATE INDEX events_tenant_position ON events (tenant_id, tx, seq);
-- Retention by age. BRIN, not a btree: rows arrive in time order, so block ranges are tight, and a
-- BRIN entry costs the send completion nearly nothing where a btree would cost an index insert.
CREATE INDEX events_at ON events USING brin (at) WITH (autosummarize = on);

-- Wakes readers when events commit: LISTEN wahub_events (one subscriber per hub node). A statement
-- trigger, so a statement writing many events notifies once per tenant; PostgreSQL folds equal
-- notifications of one transaction into one and delivers them only on commit. The payload is the
-- tenant id, so a node can wake only the streams that care.
CREATE FUNCTION events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('wahub_events', t.tenant_id) FROM (SELECT DISTINCT tenant_id FROM new_rows) t;
  RETURN NULL;
END $$;

CREATE TRIGGER events_notify AFTER INSERT ON events
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION events_notify();
