-- Events a consumer group has applied, written in the same transaction as the effect: a
-- redelivered event finds its row and is skipped.
create table event_inbox (
  consumer_group text not null,
  event_id text not null,
  event_type text not null,
  handled_at timestamptz(3) not null default now(),
  primary key (consumer_group, event_id)
);

create index event_inbox_handled_at on event_inbox (handled_at);
