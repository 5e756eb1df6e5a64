-- The transactional outbox: events written in the same transaction as the state change they
-- announce, published to Kafka by the relay. Column names are Debezium's outbox-router ones
-- (id, aggregatetype, aggregateid, type, payload), so a team can swap the relay for Debezium.
create table outbox (
  id uuid primary key,
  -- Insertion order; the relay publishes by it, so one aggregate's events keep their order
  -- (its writers lock the aggregate row, so their inserts commit in sequence order).
  seq bigint generated always as identity unique,
  aggregatetype text not null,
  aggregateid text not null,
  type text not null,
  payload bytea not null,
  -- Kafka headers beyond the CloudEvents ones: traceparent, tracestate.
  headers jsonb not null default '{}'::jsonb,
  created_at timestamptz(3) not null default now(),
  published_at timestamptz(3)
);

create index outbox_unpublished on outbox (seq) where published_at is null;
create index outbox_published on outbox (published_at) where published_at is not null;
