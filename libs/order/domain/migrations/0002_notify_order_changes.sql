-- Every committed change of an order (its insert, each update: every update bumps its version)
-- wakes the change feed: NOTIFY order_changes with the order id. In the database rather than in
-- each writer, so none can forget it, and it costs no round trip of its own. PostgreSQL delivers
-- it on commit, never after a rollback, and a transaction's identical ones once.
create function order_changes_notify() returns trigger language plpgsql as $$
begin
  perform pg_notify('order_changes', new.id::text);
  return null;
end
$$;

create trigger order_changes_notify after insert or update on orders
  for each row execute function order_changes_notify();
