#!/usr/bin/env bash
# A throwaway PostgreSQL server for the PostgreSQL state store tests
# (tests/runtime/state/postgres_state_store_test.cc):
#
#   url=$(tests/state/postgres_server.sh start DIR)   # DIR: a new, empty directory
#   PGPASSFILE=DIR/pgpass CARTSYNC_TEST_PG_URL=$url build/tests/cartsync_tests \
#     --gtest_filter='Postgres*:*StateStoreContract*'
#   tests/state/postgres_server.sh stop DIR           # stops it and deletes DIR
#
# `start` runs initdb into DIR/data and starts the server listening on
# 127.0.0.1 at a free port and on a unix socket in DIR. TCP logins need a
# password (scram-sha-256): the test role cartsync_test gets a random one,
# written only to DIR/pgpass (mode 0600), so the tests take it the way
# production does, from libpq's environment. It prints the URL of the
# database cartsync_test (owned by that role), which holds no password.
# PostgreSQL refuses to run as root: as root the server runs as the system
# user cartsync-pg (created when missing), and DIR's parents must let that
# user through (/tmp does). Binaries: $PG_BIN, else
# /usr/lib/postgresql/15/bin, else the newest /usr/lib/postgresql/*/bin (12
# or newer), else the directory of pg_ctl on PATH.
#
# Bounded: initdb and each pg_ctl call have time limits; `stop` falls back
# to SIGKILL of the postmaster it started, and always removes DIR (only a
# directory `start` marked as its own). Exit 0 ok, 1 failure, 2 usage.
set -euo pipefail

PG_USER=cartsync-pg
ROLE=cartsync_test
DB=cartsync_test

die() { printf 'postgres_server.sh: %s\n' "$*" >&2; exit 1; }
usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }

[[ $# -eq 2 ]] || usage
cmd="$1"
dir="$2"
[[ $cmd == start || $cmd == stop ]] || usage

find_bin() {
  if [[ -n ${PG_BIN:-} ]]; then echo "$PG_BIN"; return; fi
  if [[ -x /usr/lib/postgresql/15/bin/pg_ctl ]]; then echo /usr/lib/postgresql/15/bin; return; fi
  local newest
  newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n | tail -n 1 || true)
  if [[ -n $newest && -x $newest/pg_ctl ]]; then echo "$newest"; return; fi
  if command -v pg_ctl >/dev/null; then dirname "$(readlink -f "$(command -v pg_ctl)")"; return; fi
  die "no PostgreSQL server binaries (install the Debian package postgresql, or set PG_BIN)"
}

# as_pg CMD…: runs CMD as the server's user (as is, when not root).
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u "$PG_USER" -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
    echo $((20000 + RANDOM % 30000))
}

stop_server() {
  [[ -f $dir/.cartsync-pg-server ]] || die "$dir was not made by '$0 start'; not touching it"
  local bin
  bin=$(cat "$dir/.cartsync-pg-server")
  if [[ -f $dir/data/postmaster.pid ]]; then
    local pid
    pid=$(head -n 1 "$dir/data/postmaster.pid")
    if ! as_pg timeout 30 "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 20 stop >/dev/null 2>&1; then
      echo "postgres_server.sh: pg_ctl stop failed; killing postmaster $pid" >&2
      [[ $pid =~ ^[0-9]+$ ]] && kill -9 "$pid" 2>/dev/null || true
      sleep 1
    fi
  fi
  rm -rf -- "$dir"
}

start_server() {
  local bin version port pw attempt started=0
  bin=$(find_bin)
  version=$("$bin/postgres" --version | sed -E 's/.* ([0-9]+)(\.[0-9]+)?.*/\1/')
  [[ $version =~ ^[0-9]+$ && $version -ge 12 ]] || die "$bin/postgres is version '$version'; need 12 or newer"

  mkdir -p "$dir"
  [[ -z $(ls -A "$dir") ]] || die "$dir is not empty"
  echo "$bin" >"$dir/.cartsync-pg-server"
  if [[ $(id -u) -eq 0 ]]; then
    id "$PG_USER" >/dev/null 2>&1 ||
      useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$PG_USER" ||
      die "cannot create the user $PG_USER"
    chown "$PG_USER" "$dir"
  fi
  chmod 0700 "$dir"

  pw=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  # The superuser (postgres) logs in over the socket only; TCP needs a password.
  (umask 077; printf '%s\n' "$pw" >"$dir/pwfile")
  [[ $(id -u) -eq 0 ]] && chown "$PG_USER" "$dir/pwfile"
  as_pg timeout 120 "$bin/initdb" -D "$dir/data" -U postgres --auth-local=trust \
    --auth-host=scram-sha-256 --pwfile="$dir/pwfile" --encoding=UTF8 --locale=C.UTF-8 \
    --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  rm -f "$dir/pwfile"

  for attempt in 1 2 3; do
    port=$(free_port)
    # Durability is not what these tests are about: fsync off keeps them fast.
    if as_pg timeout 60 "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60" \
      start >/dev/null 2>&1; then
      started=1
      break
    fi
    grep -q 'could not bind\|Address already in use' "$dir/server.log" 2>/dev/null || break
  done
  if [[ $started -ne 1 ]]; then
    tail -n 20 "$dir/server.log" >&2 || true
    stop_server
    die "the server did not start"
  fi

  as_pg timeout 30 "$bin/psql" -X -q -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE $ROLE LOGIN PASSWORD '$pw'" -c "CREATE DATABASE $DB OWNER $ROLE" >/dev/null ||
    { stop_server; die "cannot create the test role and database"; }
  (umask 077; printf '127.0.0.1:%s:%s:%s:%s\n' "$port" "$DB" "$ROLE" "$pw" >"$dir/pgpass")
  echo "postgresql://$ROLE@127.0.0.1:$port/$DB?sslmode=disable"
}

case "$cmd" in
  start) start_server ;;
  stop) stop_server ;;
esac
