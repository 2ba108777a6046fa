-- Why: the NOTIFY of V9's statement trigger ran inside every transaction that wrote an event, and
-- PostgreSQL serializes the commits of notifying transactions (one global lock held through the
-- commit): every send's commit waited for every other's, and the drain lost about a third of its
-- sends (bench/README.md, "events outbox"). The hub now wakes its own readers after its commits and
-- tells the other nodes with one coalesced NOTIFY from outside the writing transactions
-- (org.wahub.event.EventNotifier). Readers rely on positions, never on notifications, for what they
-- read, so nothing depended on the trigger's exact timing.
DROP TRIGGER events_notify ON events;
DROP FUNCTION events_notify();
