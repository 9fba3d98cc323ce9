#!/bin/sh
# Logical backups of the Osool database (pg_dump's custom format, one file per backup) and their restore.
#   backup.sh once                 one backup now; then the backups older than the retention are removed
#   backup.sh daily                a backup at start unless one is less than a day old, then one every day at
#                                  BACKUP_AT, forever (docker-compose.scale.yml's `backup` service)
#   backup.sh check                exit 0 when the newest backup is younger than BACKUP_MAX_AGE_HOURS (a health check)
#   backup.sh restore FILE DB      restore FILE into a new database DB on DATABASE_URL's server (DB must not exist:
#                                  nothing is ever restored over data); switching to it is the operator's step
#
# A backup is written under a temporary name, read back with pg_restore --list, and only then given its name,
# osool-YYYYMMDDTHHMMSSZ.dump (UTC): a file with that name is always a whole dump. Old ones are removed only after a
# backup succeeded, so failures never empty the directory.
#
# POSIX sh, every parameter from the environment, so the same script serves the compose service and `make backup`:
#   DATABASE_URL           the database to back up, postgresql://user:password@host:port/db (required); restore
#                          connects to the same server and needs a role that may create databases and extensions
#   BACKUP_DIR             where the backups are (required, but by restore)
#   BACKUP_RETENTION_DAYS  backups this many days old or older are removed after a backup (default 7; at least 1)
#   BACKUP_AT              daily: the time of day, HH:MM in UTC (default 02:30)
#   BACKUP_MAX_AGE_HOURS   check: the oldest the newest backup may be (default 26)
#   RESTORE_OWNER          restore: the role that owns the new database (default: the connecting role)
#   PG_BINDIR              where pg_dump and pg_restore are (default: found on PATH); they must be of the server's
#                          major version or newer
set -eu

log() {
  echo "backup: $(date -u +%Y-%m-%dT%H:%M:%SZ) $*"
}

fail() {
  echo "backup: $*" >&2
  exit 1
}

: "${DATABASE_URL:?set DATABASE_URL (postgresql://user:password@host:port/db)}"
BACKUP_RETENTION_DAYS=${BACKUP_RETENTION_DAYS:-7}
BACKUP_AT=${BACKUP_AT:-02:30}
BACKUP_MAX_AGE_HOURS=${BACKUP_MAX_AGE_HOURS:-26}
bin=${PG_BINDIR:+$PG_BINDIR/}

case $BACKUP_RETENTION_DAYS in
  *[!0-9]* | '' | 0) fail "BACKUP_RETENTION_DAYS '$BACKUP_RETENTION_DAYS' must be a whole number of days, 1 or more" ;;
esac
case $BACKUP_MAX_AGE_HOURS in
  *[!0-9]* | '' | 0) fail "BACKUP_MAX_AGE_HOURS '$BACKUP_MAX_AGE_HOURS' must be a whole number of hours, 1 or more" ;;
esac

backup_once() {
  mkdir -p "$BACKUP_DIR"
  stamp=$(date -u +%Y%m%dT%H%M%SZ)
  partial="$BACKUP_DIR/.osool-$stamp.dump.partial"
  final="$BACKUP_DIR/osool-$stamp.dump"
  log "dumping into $final"
  # umask: the dump holds every user's data.
  if ! (umask 077 && "${bin}pg_dump" --format=custom --compress=6 --file="$partial" --dbname="$DATABASE_URL"); then
    rm -f "$partial"
    fail "pg_dump failed (see above); no backup was made and none was removed"
  fi
  if ! "${bin}pg_restore" --list "$partial" > /dev/null; then
    rm -f "$partial"
    fail "the dump does not read back (pg_restore --list); no backup was made and none was removed"
  fi
  mv "$partial" "$final"
  log "backup done: $final ($(wc -c < "$final" | tr -d ' ') bytes)"
  # -mtime +N: at least N+1 whole days old.
  find "$BACKUP_DIR" -type f -name 'osool-*.dump' -mtime "+$((BACKUP_RETENTION_DAYS - 1))" -print -exec rm -f {} + \
    | sed 's/^/backup: removed (older than the retention) /'
}

recent_backup_exists() {
  [ -d "$BACKUP_DIR" ] && [ -n "$(find "$BACKUP_DIR" -type f -name 'osool-*.dump' -mmin "-$1")" ]
}

seconds_until_backup_time() {
  hour=${BACKUP_AT%%:*}
  minute=${BACKUP_AT#*:}
  # Leading zeros would read as octal in $(( )).
  hour=${hour#0}
  minute=${minute#0}
  now_hour=$(date -u +%H)
  now_minute=$(date -u +%M)
  now_second=$(date -u +%S)
  now=$(((${now_hour#0} * 60 + ${now_minute#0}) * 60 + ${now_second#0}))
  wait=$(((hour * 3600 + minute * 60 - now + 86400) % 86400))
  [ "$wait" -gt 0 ] || wait=86400
  echo "$wait"
}

case "${1:-}" in
  once | daily | check) : "${BACKUP_DIR:?set BACKUP_DIR (where the backups go)}" ;;
esac

case "${1:-}" in
  once)
    backup_once
    ;;
  daily)
    case $BACKUP_AT in
      [01][0-9]:[0-5][0-9] | 2[0-3]:[0-5][0-9]) ;;
      *) fail "BACKUP_AT '$BACKUP_AT' is not HH:MM (UTC)" ;;
    esac
    if recent_backup_exists 1440; then
      log "a backup less than a day old is there; the next one at $BACKUP_AT UTC"
    else
      (backup_once) || log "the backup failed; the next try at $BACKUP_AT UTC"
    fi
    while true; do
      sleep "$(seconds_until_backup_time)"
      # A failed night is logged (and the health check turns red), not the end of the backups.
      (backup_once) || log "the backup failed; the next try at $BACKUP_AT UTC"
    done
    ;;
  check)
    recent_backup_exists "$((BACKUP_MAX_AGE_HOURS * 60))" \
      || fail "no backup in $BACKUP_DIR younger than $BACKUP_MAX_AGE_HOURS hours"
    ;;
  restore)
    file=${2:?usage: backup.sh restore FILE DATABASE}
    database=${3:?usage: backup.sh restore FILE DATABASE}
    [ -r "$file" ] || fail "cannot read $file"
    case $database in
      *[!a-z0-9_]* | '') fail "DATABASE '$database' may hold only lower-case letters, digits and _" ;;
    esac
    # The same server, another database: DATABASE_URL with its path replaced (its ?query kept).
    base=${DATABASE_URL%%\?*}
    query=${DATABASE_URL#"$base"}
    target="${base%/*}/$database$query"
    log "creating the database $database (it must not exist)"
    "${bin}createdb" --maintenance-db="$DATABASE_URL" ${RESTORE_OWNER:+"--owner=$RESTORE_OWNER"} "$database" \
      || fail "could not create the database $database (does it exist already?)"
    log "restoring $file into $database"
    if ! "${bin}pg_restore" --exit-on-error --single-transaction --dbname="$target" "$file"; then
      "${bin}dropdb" --maintenance-db="$DATABASE_URL" "$database" || true
      fail "the restore failed (see above); the database $database was removed again"
    fi
    log "restored $file into $database"
    ;;
  *)
    echo "usage: backup.sh once | daily | check | restore FILE DATABASE" >&2
    exit 64
    ;;
esac
