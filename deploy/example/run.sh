#!/usr/bin/env bash
# Starts the example deployment on one machine: N servers (default 2) of
# payops.toml on the PostgreSQL at STORE_URL, each on its own port, and waits
# until every one answers /readyz. Prints "PORTS p1 p2 ..." and keeps running
# until it receives SIGTERM/SIGINT, then stops the servers.
#   run.sh PAYOPS_BINARY STORE_URL [N]
set -euo pipefail
bin=${1:?payops binary}
store=${2:?postgresql:// URL}
n=${3:-2}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/payops-example.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 0' TERM INT
# The example's host names are placeholders: the store and the listen address
# come from the environment here, which overrides the file.
export PAYOPS_ENCRYPTION_KEY=${PAYOPS_ENCRYPTION_KEY:-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')}
"$bin" migrate --config "$here/payops.toml" --store "$store"
ports=()
for i in $(seq 1 "$n"); do
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir -p "$work/$i"
  PAYOPS_STATE_DIR="$work/$i" PAYOPS_SMTP_URL="" "$bin" serve --config "$here/payops.toml" \
    --store "$store" --listen "127.0.0.1:$port" >"$work/$i/log" 2>&1 &
  pids+=($!)
  ports+=("$port")
done
for port in "${ports[@]}"; do
  for _ in $(seq 1 300); do
    if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then break; fi
    sleep 0.1
  done
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null || { cat "$work"/*/log; exit 1; }
done
echo "PORTS ${ports[*]}"
while true; do sleep 1; done
