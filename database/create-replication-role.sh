#!/bin/sh
# Creates (or updates) the role the replicas stream from, on the primary: REPLICATION and LOGIN, its password from
# the environment (stored as a SCRAM-SHA-256 verifier), nothing else. Run again, it sets the password anew (rotation:
# run it, then update REPLICATION_PASSWORD for the replicas, whose primary_conninfo holds the old one).
#
# docker-compose.scale.yml mounts it into the primary's /docker-entrypoint-initdb.d/, which runs it once, at the first
# start of an empty volume, over the server's socket as POSTGRES_USER. Natively, point libpq's variables at the
# primary and run it: PGHOST=127.0.0.1 PGPORT=5433 PGUSER=postgres PGPASSWORD=... REPLICATION_PASSWORD=... sh ...
#   REPLICATION_PASSWORD  the role's password (required)
#   REPLICATION_USER      its name (default replicator, as database/pg_hba.conf admits)
#   PGUSER, PGDATABASE    a superuser and a database to connect to (default: POSTGRES_USER and POSTGRES_DB, as the
#                         image sets them, else postgres); PGHOST, PGPORT, PGPASSWORD as libpq reads them
#   PG_BINDIR             where psql is (default: found on PATH)
set -eu

: "${REPLICATION_PASSWORD:?set REPLICATION_PASSWORD (the replication role password)}"
REPLICATION_USER=${REPLICATION_USER:-replicator}
PGUSER=${PGUSER:-${POSTGRES_USER:-postgres}}
PGDATABASE=${PGDATABASE:-${POSTGRES_DB:-postgres}}
export PGUSER PGDATABASE
bin=${PG_BINDIR:+$PG_BINDIR/}

# psql's variables quote the name (:"user") and the password (:'password'): no value reaches the SQL unquoted.
"${bin}psql" -X -q -v ON_ERROR_STOP=1 -v user="$REPLICATION_USER" -v password="$REPLICATION_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I', :'user') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'user') \gexec
ALTER ROLE :"user" WITH REPLICATION LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'password';
SQL
echo "create-replication-role: $REPLICATION_USER may stream from this server"
