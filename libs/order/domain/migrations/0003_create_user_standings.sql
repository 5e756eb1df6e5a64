-- What the order service knows of each user's standing, so a returning customer's CreateOrder
-- needs no call to the user service. A row is learnt from the user service's answer (active)
-- and overwritten by the UserDeactivated consumer (deactivation is final). CreateOrder reads
-- the row `for share` in the transaction that inserts the order, and the consumer updates it
-- before it cancels the user's pending orders: an order committed before the deactivation is
-- seen and cancelled by it, one after it is refused.
create table user_standings (
  user_id uuid primary key,
  active boolean not null,
  update_time timestamptz(3) not null
);
