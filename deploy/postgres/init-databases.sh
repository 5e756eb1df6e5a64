#!/bin/sh
# Run once by the postgres image's entrypoint, on an empty data directory
# (/docker-entrypoint-initdb.d): one role and one database per service, each service owning its
# own database and nothing else. The passwords come from the container's environment
# (docker-compose.yml passes them from .env); the services' DATABASE_URL use the same ones.
# The fulfillment worker has no database.
set -eu

create_database() {
  # $1: role and database name, $2: the role's password
  psql --variable=ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    --set=name="$1" --set=password="$2" <<'SQL'
CREATE ROLE :"name" LOGIN PASSWORD :'password';
CREATE DATABASE :"name" OWNER :"name";
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
SQL
}

create_database user_service "$USER_SERVICE_DB_PASSWORD"
create_database order_service "$ORDER_SERVICE_DB_PASSWORD"
