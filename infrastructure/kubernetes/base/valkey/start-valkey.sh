#!/bin/sh
# Starts one Valkey of the StatefulSet valkey: the replica of the primary the Sentinels name, or, when no Sentinel
# answers (the first start of the set), the primary if this is valkey-0 and its replica otherwise. Its address is
# announced by name (valkey-N.valkey), which outlives the pod's IP.
set -eu

me="$(hostname).valkey"
primary=""
for sentinel in valkey-sentinel-0 valkey-sentinel-1 valkey-sentinel-2; do
  answer=$(valkey-cli -h "$sentinel.valkey-sentinel" -p 26379 -a "$REDIS_SENTINEL_PASSWORD" --no-auth-warning --raw \
    sentinel get-master-addr-by-name osool 2>/dev/null | head -n 1) || true
  if [ -n "$answer" ]; then
    primary=$answer
    break
  fi
done
if [ -z "$primary" ]; then
  primary=valkey-0.valkey
fi

# The password stays out of the command line (ps shows it there): a config file of its own in the /tmp emptyDir.
config=${VALKEY_CONFIG:-/tmp/valkey.conf}
umask 077
{
  echo "include /etc/valkey/redis.conf"
  echo "bind 0.0.0.0"
  echo "port 6379"
  echo "dir /data"
  echo "requirepass \"$REDIS_PASSWORD\""
  echo "masterauth \"$REDIS_PASSWORD\""
  echo "replica-announce-ip $me"
  if [ "$primary" != "$me" ]; then
    echo "replicaof $primary 6379"
  fi
} > "$config"
exec valkey-server "$config"
