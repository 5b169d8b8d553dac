#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL server: a fresh cluster in a temp folder,
# listening only on a Unix socket there (no TCP), torn down afterwards whatever happens.
# Usage: scripts/with-postgres.sh <command...>   (DATABASE_URL is set for the command)
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] && command -v initdb >/dev/null; then bindir=$(dirname "$(command -v initdb)"); fi
if [ -z "$bindir" ]; then
  echo "PostgreSQL server binaries not found (Debian: apt install postgresql)." >&2
  exit 2
fi

workdir=$(mktemp -d /tmp/coldstart-pg.XXXXXX)
as_owner=()
if [ "$(id -u)" = "0" ]; then
  chown postgres: "$workdir"          # the server refuses to run as root
  as_owner=(runuser -u postgres --)
fi
cleanup() {
  "${as_owner[@]}" "$bindir/pg_ctl" -D "$workdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap cleanup EXIT

"${as_owner[@]}" "$bindir/initdb" -D "$workdir/data" -U coldstart -A trust --no-sync >/dev/null
"${as_owner[@]}" "$bindir/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w \
  -o "-c listen_addresses='' -k $workdir -c fsync=off -c synchronous_commit=off" start >/dev/null
"${as_owner[@]}" "$bindir/createdb" -h "$workdir" -U coldstart coldstart

export DATABASE_URL="postgres://coldstart@/coldstart?host=$workdir"
echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on socket $workdir"
"$@"
