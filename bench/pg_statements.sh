#!/usr/bin/env bash
# What PostgreSQL runs for one request: N POST /v1/tickets (a CC, as in
# bench/post_tickets.lua) and N POST /v1/transactions (as in
# bench/post_transactions.lua) through one server on a throwaway cluster with
# pg_stat_statements, then the statements per request and their execution
# time (foreign-key checks included: PostgreSQL runs them as statements too).
#   PAYOPS_BIN=build-bench/payops N=30 bench/pg_statements.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${PAYOPS_BIN:-build-bench/payops}
N=${N:-50}
pgbin=/usr/lib/postgresql/15/bin
work=$(mktemp -d /tmp/payops-pgstat.XXXXXX)
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" -eq 0 ] && chown postgres "$work"
spid=
cleanup() {
  [ -n "$spid" ] && kill "$spid" 2>/dev/null
  as_pg $pgbin/pg_ctl -D "$work/db" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg $pgbin/initdb -A trust -U postgres -E UTF8 --no-locale -D $work/db >/dev/null
as_pg $pgbin/pg_ctl -D $work/db -l $work/pg.log -w -o "-c listen_addresses=127.0.0.1 -p $port -k $work -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all" start >/dev/null
psql_() { as_pg $pgbin/psql -h 127.0.0.1 -p $port -U postgres -qAt "$@"; }
psql_ -c "CREATE DATABASE payops" postgres
psql_ -c "CREATE EXTENSION pg_stat_statements" payops
store="postgresql://postgres@127.0.0.1:$port/payops"
export PAYOPS_ENCRYPTION_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
$bin migrate --store $store >/dev/null
key=$($bin key create --store $store --role admin --name A 2>/dev/null)
sp=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p $work/s; PAYOPS_STATE_DIR=$work/s $bin serve --store $store --listen 127.0.0.1:$sp 2>$work/s.log & spid=$!
for _ in $(seq 100); do grep -q "listening on" $work/s.log && break; sleep 0.1; done
base=http://127.0.0.1:$sp
org=$(curl -sf -X POST "$base/v1/orgs" -H "Authorization: Bearer $key" -d '{"name":"Bench","domain":"bench.example","sla_plan":"vip","hypercare_plan":"pro","bau_plan":"pro","go_live_date":"2026-01-05","allowed_countries":["US","MX"],"fees":[{"direction":"payin","currency":"USD","corridor":"US-MX","fee":25},{"direction":"payout","currency":"USD","corridor":"US-MX","fee":10}]}' | python3 -c 'import sys,json; print(json.load(sys.stdin)["id"])')
pkey=$($bin key create --store $store --role partner --org $org --name P 2>/dev/null)
python3 - $base $key $org $pkey $N > $work/fixture <<'PY'
import json, sys, urllib.request, subprocess
base, key, org, pkey, n = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
def post(path, body, k=key, hdr={}):
    req = urllib.request.Request(base + path, json.dumps(body).encode(), method="POST",
        headers={"Authorization": "Bearer " + k, "Content-Type": "application/json", **hdr})
    return json.load(urllib.request.urlopen(req))
u = post("/v1/users", {"org_id": org, "name": "S", "email": "s@bench.example", "country": "US", "kyc_status": "VERIFIED", "tier": 3})["id"]
r = post(f"/v1/users/{u}/recipients", {"name": "R", "country": "MX", "payout_method": "bank_deposit"})["id"]
b = post(f"/v1/users/{u}/bank-accounts", {"routing_number": "011000015", "account_number": "123456789", "sandbox_balance": 10**12})["id"]
print(u, r, b)
PY
read -r u r b < $work/fixture
reset() { psql_ -c "SELECT pg_stat_statements_reset()" payops >/dev/null; }
report() {
  echo "== $1 (per request, N=$N)"
  psql_ -F $'\t' -c "SELECT round(calls::numeric/$N,2), round(total_exec_time::numeric/$N,3) AS ms, left(regexp_replace(query, '\s+', ' ', 'g'), 150) FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%' ORDER BY total_exec_time DESC LIMIT 40" payops
  psql_ -c "SELECT 'total calls/req', round(sum(calls)::numeric/$N,2), 'ms/req', round(sum(total_exec_time)::numeric/$N,3) FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'" payops
}
sleep 1; reset
for i in $(seq $N); do curl -sf -o /dev/null -X POST $base/v1/tickets -H "Authorization: Bearer $pkey" -d '{"requester":{"name":"R","email":"r'$i'@bench.example"},"cc":["ops@bench.example"],"category":"balance","subject":"S","description":"D"}'; done
report tickets
reset
for i in $(seq $N); do curl -sf -o /dev/null -X POST $base/v1/transactions -H "Authorization: Bearer $key" -d '{"user_id":"'$u'","recipient_id":"'$r'","funding":{"type":"ach","id":"'$b'"},"amount":100,"currency":"USD","payout_currency":"MXN","corridor":"US-MX","ip_address":"8.8.8.8","device_id":"bench-device"}' || echo fail; done
report transactions
