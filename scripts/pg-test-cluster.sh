#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback for the tests.
#   pg-test-cluster.sh start DIR   writes the connection URL to DIR/url
#   pg-test-cluster.sh stop DIR    stops it and removes its data
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?state directory}
bin=/usr/lib/postgresql/15/bin
mkdir -p "$dir"

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop() {
  if [ -f "$dir/data_path" ]; then
    data=$(cat "$dir/data_path")
    as_pg "$bin/pg_ctl" -D "$data/db" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$data"
  fi
  rm -f "$dir/url" "$dir/data_path"
}

case "$cmd" in
  start)
    stop
    data=$(mktemp -d /tmp/payops-pg.XXXXXX)
    echo "$data" > "$dir/data_path"
    [ "$(id -u)" -eq 0 ] && chown postgres "$data"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_pg "$bin/initdb" -A trust -U postgres -E UTF8 --no-locale -D "$data/db" >"$data/initdb.log" 2>&1 \
      || { cat "$data/initdb.log"; exit 1; }
    as_pg "$bin/pg_ctl" -D "$data/db" -l "$data/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $data -c fsync=off -c max_connections=200" start >/dev/null \
      || { cat "$data/server.log"; exit 1; }
    as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE payops_test" postgres
    echo "postgresql://postgres@127.0.0.1:$port/payops_test" > "$dir/url"
    echo "PostgreSQL test cluster at $(cat "$dir/url")"
    ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
