#!/usr/bin/env bash
# Starts or stops a throw-away PostgreSQL server for the tests: the Debian packages' initdb and
# pg_ctl, run as the postgres user, a fresh cluster in a temporary directory, listening on
# 127.0.0.1 only (trust authentication on the loopback address; nothing else can connect).
#   it/postgres.sh start   prints KEYTRANSFER_TEST_PG_URL=... (eval it) and writes it/.pg.env
#   it/postgres.sh stop    stops the server and removes its directory
set -euo pipefail
cd "$(dirname "$0")"
state=.pg.env

pgbin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/pg_ctl" ] && echo "$d"
  done | sort -V | tail -n 1
}

case "${1:-}" in
  start)
    bin="$(pgbin)"
    if [ -z "$bin" ]; then
      echo "postgres.sh: no PostgreSQL server binaries under /usr/lib/postgresql" >&2
      exit 1
    fi
    id postgres >/dev/null 2>&1 || { echo "postgres.sh: no postgres user" >&2; exit 1; }
    data="$(mktemp -d /tmp/kt-pg.XXXXXX)"
    chown postgres:postgres "$data"
    chmod 0700 "$data"
    port="${KEYTRANSFER_PG_PORT:-55432}"
    run() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "cd / && $*"; else sh -c "$*"; fi; }
    run "'$bin/initdb' -D '$data/db' -U postgres -A trust -E UTF8 --locale=C.UTF-8 >'$data/initdb.log' 2>&1" \
      || { cat "$data/initdb.log" >&2; exit 1; }
    run "'$bin/pg_ctl' -D '$data/db' -l '$data/server.log' -w -t 60 \
      -o \"-c listen_addresses=127.0.0.1 -p $port -k '$data' -c max_connections=200\" start" >/dev/null \
      || { cat "$data/server.log" >&2; exit 1; }
    url="jdbc:postgresql://127.0.0.1:$port/postgres?user=postgres"
    printf 'KEYTRANSFER_PG_DATA=%q\nKEYTRANSFER_PG_BIN=%q\nKEYTRANSFER_TEST_PG_URL=%q\n' \
      "$data" "$bin" "$url" >"$state"
    echo "KEYTRANSFER_TEST_PG_URL=$url"
    ;;
  stop)
    [ -f "$state" ] || exit 0
    # shellcheck disable=SC1090
    . "./$state"
    if [ "$(id -u)" -eq 0 ]; then
      su postgres -s /bin/sh -c "cd / && '$KEYTRANSFER_PG_BIN/pg_ctl' -D '$KEYTRANSFER_PG_DATA/db' -m fast -w stop" >/dev/null || true
    else
      "$KEYTRANSFER_PG_BIN/pg_ctl" -D "$KEYTRANSFER_PG_DATA/db" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$KEYTRANSFER_PG_DATA" "$state"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
