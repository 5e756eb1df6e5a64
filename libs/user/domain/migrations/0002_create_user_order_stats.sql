-- Per-user order statistics, a projection of order events (written by the order-stats
-- consumer). A user without rows has no orders yet: GetUserOrderStats answers zeros.
create table user_order_stats (
  user_id uuid primary key references users (id),
  order_count bigint not null default 0,
  confirmed_count bigint not null default 0,
  cancelled_count bigint not null default 0,
  last_order_time timestamptz(3)
);

-- Lifetime totals in minor units, one row per ISO 4217 currency, so a projection update is an
-- exact int64 `total = total + amount` upsert.
create table user_order_totals (
  user_id uuid not null references users (id),
  currency_code char(3) not null,
  lifetime_total_minor bigint not null default 0,
  primary key (user_id, currency_code)
);
