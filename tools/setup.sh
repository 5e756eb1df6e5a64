#!/usr/bin/env bash
# Everything the tests need on a fresh machine, then the workspace's npm dependencies:
#   - Node 20.19+ (checked, not installed: use .nvmrc);
#   - PostgreSQL server binaries for the PostgreSQL cases of libs/db and `npm run dev`'s database
#     (Debian packages, through apt-get; as root or with sudo). `npm test` starts a throwaway
#     server from them itself; `npm run dev` a kept one in .data/postgres (PGlite without them).
#   - Java 17+ and Maven for the local Kafka broker (tools/kafka), when missing;
#   - curl (with HTTP/2), for the tests that send repeated metadata;
#   - etcd (Debian's etcd-server) and openssl for the chart's API server (tools/kube);
#   - Prometheus (Debian's prometheus) for `npm run dev`'s metrics UI, and Chromium (Debian's
#     chromium) for the dev stack's browser check (tools/dev/observability.spec.mjs).
# Idempotent: what is already there is not installed again.
set -euo pipefail
cd "$(dirname "$0")/.."

node -e '
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    console.error(`Node ${process.versions.node} is too old: the workspace needs 20.19+ (see .nvmrc)`);
    process.exit(1);
  }'

packages=()
if ! compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null && ! command -v pg_ctl >/dev/null; then
  packages+=(postgresql)
fi
# The local Kafka broker (tools/kafka) runs on Java 17+; Maven fetches its jars from Maven Central.
command -v java >/dev/null || packages+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || packages+=(maven)
# Tests send repeated metadata (two authorization values) with curl: Node's HTTP/2 client cannot.
command -v curl >/dev/null || packages+=(curl)
# The chart's suite validates against a real API server (tools/kube): Debian's etcd beneath it,
# openssl for the certificates it makes at start. kube-apiserver and helm are built with Go.
command -v etcd >/dev/null || packages+=(etcd-server)
command -v openssl >/dev/null || packages+=(openssl)
# `npm run dev` starts Prometheus on its apps (tools/dev/prometheus.mjs); the dev stack's spec opens
# its UI and Zipkin's in a headless Chromium through playwright-core (no browser download).
command -v prometheus >/dev/null || packages+=(prometheus)
command -v chromium >/dev/null || packages+=(chromium)
if [ ${#packages[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${packages[*]} (Debian packages)"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${packages[@]}"
fi

npm ci --no-audit --no-fund
