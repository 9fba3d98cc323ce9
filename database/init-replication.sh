#!/bin/sh
# Makes this server a streaming replica of the primary, then runs the command given (the server), if any:
#   init-replication.sh [postgres -c config_file=... ...]
#
# - An empty (or missing) PGDATA: creates the replica's replication slot on the primary unless it exists
#   (pg_receivewal --create-slot --if-not-exists), then clones the primary into PGDATA with pg_basebackup -R
#   (standby.signal, primary_conninfo and primary_slot_name written for the server) through that slot, so the
#   primary keeps every WAL segment the replica has not received yet.
# - A PGDATA that is already a replica's (standby.signal in it, left by an earlier clone): nothing is cloned, the
#   server starts from it and catches up (a container's restart).
# - Any other non-empty PGDATA (a primary's data, an interrupted copy, anything else): refused with exit status 1,
#   and nothing in it is touched. Empty it yourself if it is to be cloned again.
#
# POSIX sh, every parameter from the environment, so the same script serves docker-compose.scale.yml (postgres-replica-1
# and -2) and a native run on loopback ports:
#   PGDATA                the replica's data directory (required)
#   PRIMARY_HOST          the primary's host (required); PRIMARY_PORT, default 5432
#   REPLICATION_USER      the role with REPLICATION (default replicator, as database/pg_hba.conf admits)
#   REPLICATION_PASSWORD  its password (required; see database/create-replication-role.sh)
#   REPLICATION_SLOT      this replica's physical slot on the primary: one per replica, [a-z0-9_] (required)
#   PRIMARY_WAIT_SECONDS  how long to wait for the primary to accept connections (default 120)
#   PG_BINDIR             where pg_isready, pg_receivewal and pg_basebackup are (default: found on PATH)
# Run it as the user the server runs as (PostgreSQL refuses a data directory owned by anyone else).
set -eu

fail() {
  echo "init-replication: $*" >&2
  exit 1
}

: "${PGDATA:?set PGDATA (the replica data directory)}"
: "${PRIMARY_HOST:?set PRIMARY_HOST (the primary server)}"
: "${REPLICATION_PASSWORD:?set REPLICATION_PASSWORD (the replication role password)}"
: "${REPLICATION_SLOT:?set REPLICATION_SLOT (this replica slot on the primary, e.g. replica_1)}"
PRIMARY_PORT=${PRIMARY_PORT:-5432}
REPLICATION_USER=${REPLICATION_USER:-replicator}
PRIMARY_WAIT_SECONDS=${PRIMARY_WAIT_SECONDS:-120}
bin=${PG_BINDIR:+$PG_BINDIR/}

case $REPLICATION_SLOT in
  *[!a-z0-9_]* | '') fail "REPLICATION_SLOT '$REPLICATION_SLOT' may hold only lower-case letters, digits and _" ;;
esac
case $PRIMARY_WAIT_SECONDS in
  *[!0-9]* | '') fail "PRIMARY_WAIT_SECONDS '$PRIMARY_WAIT_SECONDS' is not a number of seconds" ;;
esac

start() {
  if [ "$#" -gt 0 ]; then
    exec "$@"
  fi
  exit 0
}

if [ -d "$PGDATA" ] && [ -n "$(ls -A "$PGDATA")" ]; then
  if [ -f "$PGDATA/standby.signal" ] && [ -f "$PGDATA/PG_VERSION" ]; then
    echo "init-replication: $PGDATA is already a replica; starting it as it is"
    start "$@"
  fi
  fail "$PGDATA is not empty and is not a replica: refusing to clone over it (empty it to make a new replica)"
fi

# The tools read the password from the environment; it is never on a command line.
PGPASSWORD=$REPLICATION_PASSWORD
export PGPASSWORD
PGCONNECT_TIMEOUT=${PGCONNECT_TIMEOUT:-5}
export PGCONNECT_TIMEOUT

echo "init-replication: waiting for the primary $PRIMARY_HOST:$PRIMARY_PORT"
waited=0
until "${bin}pg_isready" -q -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$REPLICATION_USER" -t 2; do
  waited=$((waited + 2))
  [ "$waited" -lt "$PRIMARY_WAIT_SECONDS" ] || fail "the primary $PRIMARY_HOST:$PRIMARY_PORT did not answer in ${PRIMARY_WAIT_SECONDS}s"
  sleep 2
done

# The slot first: a replica cloned again (its volume emptied) takes up the slot it had.
"${bin}pg_receivewal" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$REPLICATION_USER" -w \
  --slot="$REPLICATION_SLOT" --create-slot --if-not-exists \
  || fail "could not create the replication slot $REPLICATION_SLOT on $PRIMARY_HOST:$PRIMARY_PORT"

echo "init-replication: cloning $PRIMARY_HOST:$PRIMARY_PORT into $PGDATA through the slot $REPLICATION_SLOT"
mkdir -p "$PGDATA"
chmod 0700 "$PGDATA"
# application_name: the primary's pg_stat_replication names this replica by its slot.
"${bin}pg_basebackup" \
  --dbname="host=$PRIMARY_HOST port=$PRIMARY_PORT user=$REPLICATION_USER application_name=$REPLICATION_SLOT" -w \
  --pgdata="$PGDATA" --write-recovery-conf --wal-method=stream --slot="$REPLICATION_SLOT" --checkpoint=fast \
  || fail "pg_basebackup from $PRIMARY_HOST:$PRIMARY_PORT failed (see above); $PGDATA was left empty"
[ -f "$PGDATA/standby.signal" ] || fail "pg_basebackup wrote no standby.signal into $PGDATA"
echo "init-replication: $PGDATA is a replica of $PRIMARY_HOST:$PRIMARY_PORT"
start "$@"
