#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite and the load benchmark, on loopback only.
#
#   tools/pg_test_server.sh start DIR       initdb in DIR, start on 127.0.0.1:<free port>, create
#                                           the role and database, print DATABASE_URL
#   tools/pg_test_server.sh stop DIR        stop the cluster and delete DIR
#   tools/pg_test_server.sh run -- CMD ...  start in a temporary folder, run CMD with DATABASE_URL
#                                           (and THROWAWAY_DATABASE_URL, the same) exported, always
#                                           stop and clean up; exits with CMD's code
#
# The role `gutbrain` (password auth over TCP, CREATEDB so that pytest-django can create
# test_gutbrain) owns the database `gutbrain`. PostgreSQL refuses to run as root: as root the
# cluster runs as the `postgres` user (Debian's package creates it; override with PG_TEST_USER).
# Binaries: PG_BIN, else the first of pg_config --bindir, /usr/lib/postgresql/*/bin, PATH.
set -euo pipefail

die() {
  echo "pg_test_server: error: $*" >&2
  exit 2
}

find_bin() {
  if [[ -n "${PG_BIN:-}" ]]; then
    echo "$PG_BIN"
    return
  fi
  local d
  for d in /usr/lib/postgresql/*/bin; do
    if [[ -x "$d/initdb" ]]; then
      echo "$d"
      return
    fi
  done
  if command -v initdb >/dev/null; then
    dirname "$(command -v initdb)"
    return
  fi
  die "PostgreSQL server binaries not found (initdb); fix: apt-get install -y postgresql, or set PG_BIN"
}

BIN="$(find_bin)"
RUN_AS=()
if [[ "$(id -u)" == 0 ]]; then
  PG_USER="${PG_TEST_USER:-postgres}"
  getent passwd "$PG_USER" >/dev/null || die "user $PG_USER missing; fix: apt-get install -y postgresql, or set PG_TEST_USER"
  RUN_AS=(runuser -u "$PG_USER" --)
fi

as_pg() {
  if ((${#RUN_AS[@]})); then
    "${RUN_AS[@]}" "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  local dir="$1"
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  [[ -e "$dir/data" ]] && die "$dir/data exists already; stop it first: $0 stop $dir"
  mkdir -m 0700 "$dir/data" "$dir/sock"
  chmod 0711 "$dir"
  if ((${#RUN_AS[@]})); then
    chown "$PG_USER" "$dir/data" "$dir/sock"
    as_pg test -w "$dir/data" || die "user $PG_USER cannot reach $dir; fix: a folder whose parents it may enter (e.g. under /tmp)"
  fi
  local password port
  password="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
  port="$(free_port)"
  as_pg "$BIN/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  # Throwaway data: no fsync; enough connections for gunicorn 2×4 threads plus the tests.
  as_pg "$BIN/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" -w -t 60 start -o \
    "-c listen_addresses=127.0.0.1 -p $port -k $dir/sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
    >/dev/null || { cat "$dir/data/server.log" >&2; die "postgres did not start"; }
  as_pg "$BIN/psql" -h "$dir/sock" -p "$port" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE gutbrain LOGIN CREATEDB PASSWORD '$password'" \
    -c "CREATE DATABASE gutbrain OWNER gutbrain" >/dev/null
  echo "$port" >"$dir/port"
  echo "postgres://gutbrain:$password@127.0.0.1:$port/gutbrain"
}

stop() {
  local dir="$1"
  [[ -d "$dir" ]] || return 0
  if [[ -f "$dir/data/postmaster.pid" ]]; then
    as_pg "$BIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start)
    [[ $# == 2 ]] || die "usage: $0 start DIR"
    start "$2"
    ;;
  stop)
    [[ $# == 2 ]] || die "usage: $0 stop DIR"
    stop "$2"
    ;;
  run)
    shift
    [[ "${1:-}" == "--" ]] && shift
    [[ $# -ge 1 ]] || die "usage: $0 run -- COMMAND [ARGS...]"
    DIR="$(mktemp -d "${TMPDIR:-/tmp}/gutbrain-pg.XXXXXX")"
    trap 'stop "$DIR"' EXIT
    trap 'exit 130' INT TERM
    rmdir "$DIR"
    DATABASE_URL="$(start "$DIR")"
    # THROWAWAY_DATABASE_URL tells tests that they may also write to this database itself
    # (the load smoke test serves from it); only this script sets it.
    THROWAWAY_DATABASE_URL="$DATABASE_URL"
    export DATABASE_URL THROWAWAY_DATABASE_URL
    echo "pg_test_server: PostgreSQL on 127.0.0.1:$(cat "$DIR/port") (data in $DIR)" >&2
    set +e
    "$@"
    rc=$?
    set -e
    exit "$rc"
    ;;
  *)
    die "usage: $0 start DIR | stop DIR | run -- COMMAND [ARGS...]"
    ;;
esac
