#!/bin/sh
# Starts a Valkey Sentinel from redis/sentinel.conf: at the first start the template's ${...} are filled from the
# environment into SENTINEL_CONFIG (private: it holds the passwords), which the Sentinel then owns and rewrites; a
# later start keeps it, so a restarted Sentinel remembers which server is the primary now. Delete the file to start
# over from the template (e.g. after a password change).
#
# POSIX sh, every parameter from the environment, so the same script serves docker-compose.scale.yml (sentinel-1..3)
# and a native run on loopback ports:
#   SENTINEL_CONFIG          the Sentinel's own, writable config file (default /data/sentinel.conf)
#   SENTINEL_TEMPLATE        the template (default: sentinel.conf beside this script)
#   REDIS_MASTER_HOST        the primary at the first start (required); REDIS_MASTER_PORT, default 6379
#   REDIS_PASSWORD           the servers' password (required)
#   REDIS_SENTINEL_PASSWORD  the Sentinels' own password (required)
#   REDIS_SENTINEL_MASTER    the name the primary is watched under (default osool, as the services ask)
#   REDIS_SENTINEL_QUORUM    Sentinels that must agree the primary is down (default 2)
#   SENTINEL_PORT            the port this Sentinel listens on (default 26379)
#   SENTINEL_ANNOUNCE_HOST   the name or address the others reach this Sentinel at (default: its own address)
#   SENTINEL_DOWN_AFTER_MS   unreachable this long is down (default 5000); SENTINEL_FAILOVER_TIMEOUT_MS (30000)
#   VALKEY_SERVER            the valkey-server binary (default: found on PATH)
#   Any argument is passed on to the server (e.g. --bind 127.0.0.1).
set -eu

: "${REDIS_MASTER_HOST:?set REDIS_MASTER_HOST (the primary at the first start)}"
: "${REDIS_PASSWORD:?set REDIS_PASSWORD (the servers password)}"
: "${REDIS_SENTINEL_PASSWORD:?set REDIS_SENTINEL_PASSWORD (the Sentinels own password)}"
SENTINEL_CONFIG=${SENTINEL_CONFIG:-/data/sentinel.conf}
SENTINEL_TEMPLATE=${SENTINEL_TEMPLATE:-$(dirname "$0")/sentinel.conf}
REDIS_MASTER_PORT=${REDIS_MASTER_PORT:-6379}
REDIS_SENTINEL_MASTER=${REDIS_SENTINEL_MASTER:-osool}
REDIS_SENTINEL_QUORUM=${REDIS_SENTINEL_QUORUM:-2}
SENTINEL_PORT=${SENTINEL_PORT:-26379}
SENTINEL_ANNOUNCE_HOST=${SENTINEL_ANNOUNCE_HOST:-}
SENTINEL_DOWN_AFTER_MS=${SENTINEL_DOWN_AFTER_MS:-5000}
SENTINEL_FAILOVER_TIMEOUT_MS=${SENTINEL_FAILOVER_TIMEOUT_MS:-30000}
VALKEY_SERVER=${VALKEY_SERVER:-valkey-server}
export SENTINEL_PORT SENTINEL_ANNOUNCE_HOST REDIS_SENTINEL_PASSWORD REDIS_SENTINEL_MASTER REDIS_MASTER_HOST \
  REDIS_MASTER_PORT REDIS_SENTINEL_QUORUM REDIS_PASSWORD SENTINEL_DOWN_AFTER_MS SENTINEL_FAILOVER_TIMEOUT_MS

if [ ! -s "$SENTINEL_CONFIG" ]; then
  [ -r "$SENTINEL_TEMPLATE" ] || { echo "start-sentinel: no template at $SENTINEL_TEMPLATE" >&2; exit 1; }
  umask 077
  # Each ${NAME} from the environment; a line whose value is empty is left out; comments stay out of the copy.
  awk '
    /^[ \t]*(#|$)/ { next }
    {
      line = $0; out = ""; empty = 0
      while (match(line, /\$\{[A-Z_]+\}/)) {
        name = substr(line, RSTART + 2, RLENGTH - 3)
        if (!(name in ENVIRON)) { print "start-sentinel: " name " is not set" > "/dev/stderr"; exit 1 }
        if (ENVIRON[name] == "") empty = 1
        out = out substr(line, 1, RSTART - 1) ENVIRON[name]
        line = substr(line, RSTART + RLENGTH)
      }
      if (!empty) print out line
    }
  ' "$SENTINEL_TEMPLATE" > "$SENTINEL_CONFIG.new"
  mv "$SENTINEL_CONFIG.new" "$SENTINEL_CONFIG"
  echo "start-sentinel: $SENTINEL_CONFIG written from $SENTINEL_TEMPLATE (watching $REDIS_MASTER_HOST:$REDIS_MASTER_PORT)"
else
  echo "start-sentinel: keeping $SENTINEL_CONFIG (what this Sentinel learnt before)"
fi
exec "$VALKEY_SERVER" "$SENTINEL_CONFIG" --sentinel "$@"
