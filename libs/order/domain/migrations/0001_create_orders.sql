-- Orders. An order is one aggregate: its line items never change after creation, so they are
-- stored with it (jsonb) and every read is one row. `version` grows by one on every change,
-- which is what streams compare to send each change once.
create table orders (
  id uuid primary key,
  user_id uuid not null,
  -- The client's idempotency key, scoped to the owner; `request_hash` is the SHA-256 of the
  -- request's payload, so a reused key with another payload is told apart from a retry.
  request_id text not null,
  request_hash text not null,
  items jsonb not null check (jsonb_typeof(items) = 'array'),
  currency_code char(3) not null,
  total_minor bigint not null check (total_minor >= 0),
  status text not null check (status in ('pending', 'confirmed', 'cancelled')),
  version bigint not null check (version >= 1),
  create_time timestamptz(3) not null,
  update_time timestamptz(3) not null,
  cancel_reason text not null default '',
  unique (user_id, request_id)
);

-- ListOrders walks a user's orders, or all of them (admins), oldest first by (create_time, id).
create index orders_user_create_time_id_idx on orders (user_id, create_time, id);
create index orders_create_time_id_idx on orders (create_time, id);
