-- A committed outbox insert wakes the relay (LISTEN outbox_events) whoever wrote it: recordEvent,
-- a service in another language writing the same table, or a hand-made fix-up. In the database,
-- not in each writer: it costs no round trip of its own. One NOTIFY per statement; PostgreSQL
-- folds a transaction's identical notifications into one, and delivers it only on commit.
create function outbox_notify() returns trigger language plpgsql as $$
begin
  perform pg_notify('outbox_events', '');
  return null;
end
$$;

create trigger outbox_notify after insert on outbox for each statement execute function outbox_notify();
