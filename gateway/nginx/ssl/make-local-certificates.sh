#!/bin/sh
# The gateway's first certificate: a local certificate authority (ca.crt, ca.key) and a server certificate signed by
# it (server.crt, server.key), which the gateway reads from this directory (docker-compose.scale.yml mounts it at
# /etc/nginx/ssl; the native rehearsal points nginx at it). Trust ca.crt in your browser or client
# (curl --cacert gateway/nginx/ssl/ca.crt https://localhost/) to use it without warnings.
#
# For first use and for rehearsals only. In production, put the real certificate (full chain) and its key as
# server.crt and server.key in a directory of their own and set TLS_CERT_DIR to it (see the README's Deploy section).
#
# An existing authority is kept (so a client that trusts it keeps trusting the next server certificate); an existing
# server certificate is kept unless FORCE=1. POSIX sh, needs the openssl command. Environment:
#   TLS_HOSTNAMES   the names and addresses the server certificate is for, comma-separated
#                   (default localhost,127.0.0.1; e.g. TLS_HOSTNAMES=osool.example.com,localhost,127.0.0.1)
#   SSL_DIR         where the files go (default: this script's directory)
#   TLS_DAYS        the server certificate's validity in days (default 397, the most browsers accept)
#   FORCE           1: make a new server certificate even if one exists
set -eu

SSL_DIR=${SSL_DIR:-$(dirname "$0")}
TLS_HOSTNAMES=${TLS_HOSTNAMES:-localhost,127.0.0.1}
TLS_DAYS=${TLS_DAYS:-397}
FORCE=${FORCE:-0}
command -v openssl > /dev/null || { echo "make-local-certificates: the openssl command is needed" >&2; exit 1; }
case $TLS_DAYS in
  *[!0-9]* | '' | 0) echo "make-local-certificates: TLS_DAYS '$TLS_DAYS' is not a number of days" >&2; exit 1 ;;
esac

mkdir -p "$SSL_DIR"
cd "$SSL_DIR"
umask 077

if [ -s server.crt ] && [ -s server.key ] && [ "$FORCE" != 1 ]; then
  echo "make-local-certificates: keeping $SSL_DIR/server.crt (FORCE=1 makes a new one)"
  exit 0
fi

if [ ! -s ca.crt ] || [ ! -s ca.key ]; then
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256 -days 3650 \
    -subj "/O=Osool/CN=Osool local certificate authority" \
    -addext "basicConstraints=critical,CA:true,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout ca.key -out ca.crt 2> /dev/null
  echo "make-local-certificates: made the authority $SSL_DIR/ca.crt (trust it in your clients)"
fi

# subjectAltName: DNS: for names, IP: for addresses.
san=""
old_ifs=$IFS
IFS=,
for name in $TLS_HOSTNAMES; do
  [ -n "$name" ] || continue
  case $name in
    *[!0-9.]*) entry="DNS:$name" ;;
    *) entry="IP:$name" ;;
  esac
  case $name in
    *:*) entry="IP:$name" ;;
  esac
  san="${san:+$san,}$entry"
done
IFS=$old_ifs
[ -n "$san" ] || { echo "make-local-certificates: TLS_HOSTNAMES names nothing" >&2; exit 1; }
first=${TLS_HOSTNAMES%%,*}

extensions=$(mktemp)
trap 'rm -f "$extensions" server.csr' EXIT
printf '%s\n' "basicConstraints=critical,CA:false" "keyUsage=critical,digitalSignature,keyEncipherment" \
  "extendedKeyUsage=serverAuth" "subjectAltName=$san" > "$extensions"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256 -subj "/O=Osool/CN=$first" \
  -keyout server.key.new -out server.csr 2> /dev/null
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 -days "$TLS_DAYS" \
  -extfile "$extensions" -out server.crt.new 2> /dev/null
mv server.key.new server.key
mv server.crt.new server.crt
# The certificates are public; the keys stay 0600.
chmod 0644 ca.crt server.crt
echo "make-local-certificates: made $SSL_DIR/server.crt for $san, valid $TLS_DAYS days"
