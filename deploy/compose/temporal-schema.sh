#!/bin/sh
# One-shot: creates Temporal's two databases on the shared Postgres and brings their schemas to the version
# the server image expects. Safe to run on every `docker compose up`: each step skips what is already done.
set -eu
: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"
tool() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -u "$POSTGRES_USER" -p "${DB_PORT:-5432}" "$@"; }
for db in temporal temporal_visibility; do
  case "$db" in
    temporal) schema=/etc/temporal/schema/postgresql/v12/temporal/versioned ;;
    *) schema=/etc/temporal/schema/postgresql/v12/visibility/versioned ;;
  esac
  # `create` fails when the database exists; that is the already-done case.
  tool --db "$db" create 2>/dev/null || echo "database $db exists"
  # setup-schema -v 0.0 only creates the version table when it is missing; update-schema applies what is new.
  tool --db "$db" setup-schema -v 0.0
  tool --db "$db" update-schema -d "$schema"
done
echo 'temporal schema is current'
