#!/usr/bin/env bash
# Creates the Secrets the local overlay reads, with fresh random values, in the namespace osool of the current
# kubectl context: osool-shared (OSOOL_SERVICE_KEY, REDIS_PASSWORD, REDIS_SENTINEL_PASSWORD), osool-auth
# (AUTH_JWT_KEYS: one RSA key) and osool-chain (CHAIN_PRIVATE_KEY: the key the development node funds). A Secret
# that exists is left as it is, so running it again changes nothing. Needs kubectl and openssl. The values exist
# only in the cluster.
#   infrastructure/kubernetes/overlays/local/create-secrets.sh
set -euo pipefail

namespace=osool
kubectl get namespace "$namespace" >/dev/null 2>&1 || kubectl create namespace "$namespace"

create() {
  local name=$1
  shift
  if kubectl -n "$namespace" get secret "$name" >/dev/null 2>&1; then
    echo "secret/$name exists; left as it is"
  else
    kubectl -n "$namespace" create secret generic "$name" "$@"
  fi
}

# URL-safe: both go into URLs and headers.
create osool-shared \
  --from-literal=OSOOL_SERVICE_KEY="$(openssl rand -hex 24)" \
  --from-literal=REDIS_PASSWORD="$(openssl rand -hex 24)" \
  --from-literal=REDIS_SENTINEL_PASSWORD="$(openssl rand -hex 24)"
# kid:base64(PEM of an RSA private key), as osool_auth.tokens.generate_signing_key_entry writes it.
signing_key=$(openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 2>/dev/null | base64 | tr -d '\n')
create osool-auth --from-literal=AUTH_JWT_KEYS="local-$(date +%Y%m%d):$signing_key"
create osool-chain \
  --from-literal=CHAIN_PRIVATE_KEY="0x$(openssl rand -hex 32)"
