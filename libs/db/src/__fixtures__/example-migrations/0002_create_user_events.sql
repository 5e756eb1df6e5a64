-- Rows written in the same transaction as the state they describe (an outbox).
create table user_events (
  id bigint generated always as identity primary key,
  user_id text not null references users (id),
  type text not null,
  created_at timestamptz not null default now()
);
