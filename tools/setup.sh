#!/usr/bin/env bash
# Everything the tests need on a fresh machine, then the workspace's npm dependencies:
#   - Node 20.19+ (checked, not installed: use .nvmrc);
#   - PostgreSQL server binaries for the PostgreSQL cases of libs/db (Debian packages, through
#     apt-get; as root or with sudo). `npm test` starts a throwaway server from them itself.
# Idempotent: what is already there is not installed again.
set -euo pipefail
cd "$(dirname "$0")/.."

node -e '
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    console.error(`Node ${process.versions.node} is too old: the workspace needs 20.19+ (see .nvmrc)`);
    process.exit(1);
  }'

if ! compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null && ! command -v pg_ctl >/dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing PostgreSQL (Debian package postgresql)"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends postgresql
fi

npm ci --no-audit --no-fund
