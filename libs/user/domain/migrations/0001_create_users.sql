-- Accounts. Emails are unique whatever their case: the unique index is on lower(email), and
-- sign-in looks accounts up the same way. Times have millisecond precision, the precision of
-- google.protobuf.Timestamp values the service produces, so list cursors compare exactly.
create table users (
  id uuid primary key,
  email text not null,
  display_name text not null,
  password_hash text not null,
  role text not null check (role in ('user', 'admin')),
  status text not null check (status in ('active', 'deactivated')),
  create_time timestamptz(3) not null,
  update_time timestamptz(3) not null,
  deactivate_time timestamptz(3),
  deactivate_reason text,
  check ((status = 'deactivated') = (deactivate_time is not null))
);

create unique index users_email_lower_key on users (lower(email));

-- ListUsers walks accounts oldest first by (create_time, id).
create index users_create_time_id_idx on users (create_time, id);
