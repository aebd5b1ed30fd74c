#!/usr/bin/env bash
# Scale-out benchmark on one local PostgreSQL 15 (fsync and synchronous_commit
# on, PostgreSQL's defaults), one command:
#   1. pgbench's default TPC-B-like script on the cluster (the reference);
#   2. POST /v1/tickets and POST /v1/transactions through two payops servers on
#      the same cluster, one wrk per server, with the CPU seconds of the
#      servers, PostgreSQL and wrk over each run (on 2 cores they share the CPU);
#   3. job failover: a server is SIGKILLed inside a job run (sandbox fault
#      injection), a second server asked to run the same jobs takes the lease
#      over; the time from the kill to the takeover is measured against the lease.
# Writes the "Scale-out on PostgreSQL" section of docs/BENCHMARKS.md.
#   bench/scale_out.sh                       3 runs of 10 s each
#   RUNS=5 DURATION=20 CONNECTIONS=32 LEASE_S=5 bench/scale_out.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
RUNS=${RUNS:-3}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}  # per server (wrk) and pgbench clients in all
LEASE_S=${LEASE_S:-5}
BENCH_USERS=${BENCH_USERS:-200}
pgbin=/usr/lib/postgresql/15/bin

# PAYOPS_BIN: a payops binary to measure instead of building build-bench
# (FAILOVER_BIN likewise for part 3); BENCH_NOTE: the conditions of the run,
# written with the figures (e.g. other load on the machine).
if [ -z "${PAYOPS_BIN:-}" ]; then
  cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DPAYOPS_TESTS=OFF >/dev/null
  cmake --build build-bench -j "${JOBS:-$(nproc)}" --target payops >/tmp/payops-scale-build.log 2>&1 \
    || { tail -30 /tmp/payops-scale-build.log; exit 1; }
fi
bin=${PAYOPS_BIN:-$root/build-bench/payops}
fbin=${FAILOVER_BIN:-$bin}

work=$(mktemp -d /tmp/payops-scale.XXXXXX)
pids=()
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  as_pg "$pgbin/pg_ctl" -D "$work/db" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
median() { sort -n | awk '{a[NR]=$1} END{ if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }
# CPU seconds (user+system) of the processes whose command name is $1.
# Busy CPU seconds of the whole machine (every process, the other load too).
cpu_all() { awk -v t="$(getconf CLK_TCK)" '/^cpu /{printf "%.2f", ($2+$3+$4+$7+$8)/t}' /proc/stat; }
# Serialization failures PostgreSQL has logged (each one a transaction retried).
serialization_failures() { grep -c "could not serialize access" "$work/pg.log" || true; }
cpu_of() {
  local ticks
  ticks=$(getconf CLK_TCK)
  for s in /proc/[0-9]*/stat; do cat "$s" 2>/dev/null; done |
    awk -v name="($1)" -v t="$ticks" '$2==name {s+=$14+$15} END{printf "%.2f", s/t}'
}

[ "$(id -u)" -eq 0 ] && chown postgres "$work"
pgport=$(free_port)
as_pg "$pgbin/initdb" -A trust -U postgres -E UTF8 --no-locale -D "$work/db" >/dev/null
as_pg "$pgbin/pg_ctl" -D "$work/db" -l "$work/pg.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $pgport -k $work -c max_connections=200 -c shared_buffers=256MB" start >/dev/null
psql_() { as_pg "$pgbin/psql" -h 127.0.0.1 -p "$pgport" -U postgres -qAt "$@"; }
psql_ -c "CREATE DATABASE payops" postgres
psql_ -c "CREATE DATABASE pgbench" postgres
store="postgresql://postgres@127.0.0.1:$pgport/payops"

# 1. pgbench, default TPC-B-like script, scale 10.
as_pg "$pgbin/pgbench" -h 127.0.0.1 -p "$pgport" -U postgres -i -s 10 -q pgbench >/dev/null 2>&1
: > "$work/pgbench.tps"
for run in $(seq "$RUNS"); do
  c0=$(cpu_of postgres)
  tps=$(as_pg "$pgbin/pgbench" -h 127.0.0.1 -p "$pgport" -U postgres -c "$CONNECTIONS" -j 2 \
        -T "$DURATION" pgbench 2>/dev/null | awk '/^tps/{print $3; exit}')
  c1=$(cpu_of postgres)
  echo "$tps" >> "$work/pgbench.tps"
  echo "pgbench run $run: $tps tps, postgres $(echo "$c1 - $c0" | bc) CPU s" >&2
done
pgbench_tps=$(median < "$work/pgbench.tps")

# 2. Two servers on one database.
export PAYOPS_ENCRYPTION_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
"$bin" migrate --store "$store" >/dev/null
key=$("$bin" key create --store "$store" --role admin --name "Bench Admin" 2>/dev/null)
printf '[store_options]\nconnections = 16\n' > "$work/server.toml"
ports=()
for i in 1 2; do
  p=$(free_port)
  mkdir -p "$work/s$i"
  PAYOPS_STATE_DIR="$work/s$i" "$bin" serve --store "$store" --listen "127.0.0.1:$p" \
    --config "$work/server.toml" 2>"$work/s$i.log" &
  pids+=($!)
  ports+=("$p")
done
for i in 1 2; do
  for _ in $(seq 100); do grep -q "listening on" "$work/s$i.log" && break; sleep 0.1; done
done
base1="http://127.0.0.1:${ports[0]}"
org=$(curl -sf -X POST "$base1/v1/orgs" -H "Authorization: Bearer $key" -d '{"name":"Bench","domain":"bench.example","sla_plan":"vip","hypercare_plan":"pro","bau_plan":"pro","go_live_date":"2026-01-05","allowed_countries":["US","MX"],"fees":[{"direction":"payin","currency":"USD","corridor":"US-MX","fee":25},{"direction":"payout","currency":"USD","corridor":"US-MX","fee":10}]}' | python3 -c 'import sys,json; print(json.load(sys.stdin)["id"])')
partner_key=$("$bin" key create --store "$store" --role partner --org "$org" --name "Bench Partner" 2>/dev/null)
python3 - "$base1" "$key" "$org" "$BENCH_USERS" > "$work/fixture.txt" <<'PY'
import json, sys, urllib.request
base, key, org, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def post(path, body):
    req = urllib.request.Request(base + path, json.dumps(body).encode(), method="POST",
        headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))["id"]
for i in range(n):
    u = post("/v1/users", {"org_id": org, "name": "Bench Sender", "email": f"s{i}@bench.example",
                           "country": "US", "kyc_status": "VERIFIED", "tier": 3})
    r = post(f"/v1/users/{u}/recipients", {"name": "Bench Recipient", "country": "MX",
                                           "payout_method": "bank_deposit"})
    b = post(f"/v1/users/{u}/bank-accounts", {"routing_number": "011000015",
              "account_number": "123456789", "sandbox_balance": 10**12})
    print(u, r, b)
PY
declare -A rps split runs
for target in ${TARGETS:-tickets transactions}; do
  : > "$work/$target.rps"
  for run in $(seq "$RUNS"); do
    s0=$(cpu_of payops); p0=$(cpu_of postgres); w0=$(cpu_all); f0=$(serialization_failures)
    wrk_pids=()
    for i in 0 1; do
      case $target in
        tickets) PAYOPS_KEY=$partner_key wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" \
                   -s bench/post_tickets.lua "http://127.0.0.1:${ports[$i]}" > "$work/wrk$i" 2>&1 & ;;
        transactions) PAYOPS_KEY=$key PAYOPS_FIXTURE=$work/fixture.txt wrk -t1 -c"$CONNECTIONS" \
                   -d"${DURATION}s" -s bench/post_transactions.lua "http://127.0.0.1:${ports[$i]}" \
                   > "$work/wrk$i" 2>&1 & ;;
      esac
      wrk_pids+=($!)
    done
    wait "${wrk_pids[@]}"
    s1=$(cpu_of payops); p1=$(cpu_of postgres); w1=$(cpu_all); f1=$(serialization_failures)
    total=$(cat "$work/wrk0" "$work/wrk1" | awk '/Requests\/sec/{s+=$2} END{printf "%.0f", s}')
    echo "$total" >> "$work/$target.rps"
    split[$target]="servers $(echo "$s1 - $s0" | bc) s, PostgreSQL $(echo "$p1 - $p0" | bc) s, the machine in all $(echo "$w1 - $w0" | bc) s (the rest: wrk and other load); $((f1 - f0)) serialization failures retried"
    echo "$target run $run: $total req/s (${split[$target]})" >&2
  done
  rps[$target]=$(median < "$work/$target.rps")
  runs[$target]=$(paste -sd, "$work/$target.rps" | sed 's/,/, /g')
done
for p in "${pids[@]}"; do kill "$p"; done
wait "${pids[@]}" 2>/dev/null || true
pids=()
# TARGETS (e.g. TARGETS=transactions): measure only those requests, print the
# figures and leave docs/BENCHMARKS.md as it is.
[ -n "${TARGETS:-}" ] && exit 0

# 3. Job failover in sandbox mode, on a database of its own.
psql_ -c "CREATE DATABASE failover" postgres
fstore="postgresql://postgres@127.0.0.1:$pgport/failover"
"$fbin" migrate --store "$fstore" >/dev/null
fkey=$("$fbin" key create --store "$fstore" --role admin --name "Bench Admin" 2>/dev/null)
: > "$work/takeover.ms"
for run in $(seq "$RUNS"); do
  fa=$(free_port); fb=$(free_port)
  mkdir -p "$work/fa" "$work/fb"
  PAYOPS_SANDBOX_JOB_PAUSE_MS=600000 PAYOPS_JOB_LEASE_S=$LEASE_S PAYOPS_STATE_DIR="$work/fa" \
    "$fbin" serve --sandbox --store "$fstore" --listen "127.0.0.1:$fa" 2>"$work/fa.log" &
  apid=$!
  PAYOPS_JOB_LEASE_S=$LEASE_S PAYOPS_STATE_DIR="$work/fb" \
    "$fbin" serve --sandbox --store "$fstore" --listen "127.0.0.1:$fb" 2>"$work/fb.log" &
  bpid=$!
  pids=("$apid" "$bpid")
  for f in fa fb; do for _ in $(seq 100); do grep -q "listening on" "$work/$f.log" && break; sleep 0.1; done; done
  now=$(curl -sf "http://127.0.0.1:$fa/v1/sandbox/clock" -H "Authorization: Bearer $fkey" | python3 -c 'import sys,json; print(json.load(sys.stdin)["now"])')
  target=$(python3 -c "import datetime,sys; t=datetime.datetime.fromisoformat('$now'.replace('Z','+00:00')); print((t+datetime.timedelta(days=1)).isoformat())")
  curl -s -o /dev/null -X POST "http://127.0.0.1:$fa/v1/sandbox/clock" -H "Authorization: Bearer $fkey" -d "{\"now\":\"$target\"}" &
  for _ in $(seq 600); do
    [ -n "$(psql_ -c "SELECT 1 FROM job_leases WHERE holder LIKE '%:$apid:%' AND expires_at > 0" failover)" ] && break
    sleep 0.05
  done
  job=$(psql_ -c "SELECT name FROM job_leases WHERE holder LIKE '%:$apid:%' AND expires_at > 0" failover)
  killed_us=$(( $(date +%s%N) / 1000 ))
  kill -9 "$apid"
  curl -s -o /dev/null -X POST "http://127.0.0.1:$fb/v1/sandbox/clock" -H "Authorization: Bearer $fkey" -d "{\"now\":\"$target\"}" &
  taken_us=
  for _ in $(seq 1200); do
    taken_us=$(psql_ -c "SELECT taken_at FROM job_leases WHERE name = '$job' AND holder LIKE '%:$bpid:%'" failover)
    [ -n "$taken_us" ] && break
    sleep 0.02
  done
  # Not taken over within the wait: recorded as the whole wait (24 s).
  if [ -n "$taken_us" ]; then ms=$(( (taken_us - killed_us) / 1000 )); else ms=24000; fi
  echo "$ms" >> "$work/takeover.ms"
  echo "failover run $run: job $job taken over ${ms} ms after the kill (lease ${LEASE_S} s)" >&2
  wait %% 2>/dev/null || true
  kill "$bpid" 2>/dev/null || true
  wait "$bpid" 2>/dev/null || true
  pids=()
done
takeover_ms=$(median < "$work/takeover.ms")
takeover_max=$(sort -n "$work/takeover.ms" | tail -1)
if [ "$takeover_max" -le $((2 * LEASE_S * 1000)) ]; then
  verdict="within 2 × the lease ($((2 * LEASE_S * 1000)) ms) in every run"
else
  verdict="NOT within 2 × the lease ($((2 * LEASE_S * 1000)) ms) in every run"
fi

machine="$(nproc) cores, $(awk -F: '/model name/{print $2; exit}' /proc/cpuinfo | sed 's/^ *//'), $(awk '/MemTotal/{printf "%.0f GB", $2/1048576}' /proc/meminfo)"
pct_t=$(echo "scale=0; 100 * ${rps[tickets]} / $pgbench_tps" | bc)
pct_x=$(echo "scale=0; 100 * ${rps[transactions]} / $pgbench_tps" | bc)
section=$(cat <<MD
## Scale-out on PostgreSQL

\`bench/scale_out.sh\` (RUNS=$RUNS, ${DURATION} s each, $CONNECTIONS connections per server), $(date -u +%Y-%m-%d), $machine.
One local PostgreSQL 15 (fsync and synchronous_commit on), two Release \`payops serve\`
on it (16 pooled connections each), one \`wrk -t1 -c$CONNECTIONS\` per server; the
reference is \`pgbench\` (default TPC-B-like script, scale 10, $CONNECTIONS clients) on the
same cluster in the same run. Medians of $RUNS runs.
Binaries: \`${bin#"$root"/}\` for the requests, \`${fbin#"$root"/}\` for the failover.
${BENCH_NOTE:+Conditions: $BENCH_NOTE
}

| what | per second | of pgbench | CPU seconds of the last run |
|---|---|---|---|
| pgbench TPC-B (reference) | $pgbench_tps tps | 100 % | |
| POST /v1/tickets, 2 servers | ${rps[tickets]} | ${pct_t} % | ${split[tickets]} |
| POST /v1/transactions, 2 servers | ${rps[transactions]} | ${pct_x} % | ${split[transactions]} |

The aim is ≥ 50 % of pgbench for each: tickets $( [ "$pct_t" -ge 50 ] && echo met || echo "NOT met"), transactions $( [ "$pct_x" -ge 50 ] && echo met || echo "NOT met") (medians).
Every run: pgbench $(awk '{printf "%s%.0f", (NR>1?", ":""), $1}' "$work/pgbench.tps") tps;
tickets ${runs[tickets]}; transactions ${runs[transactions]} per second.

Job failover (sandbox, a server SIGKILLed inside a job run while holding its
lease, a second server asked to run the same jobs): taken over after $takeover_ms ms
(median, at most $takeover_max ms) with a lease of ${LEASE_S} s: $verdict.
MD
)
python3 - "$root/docs/BENCHMARKS.md" "$section" <<'PY'
import sys
path, section = sys.argv[1], sys.argv[2]
text = open(path).read()
start = text.find("## Scale-out on PostgreSQL")
if start >= 0:
    end = text.find("\n## ", start + 1)
    text = text[:start] + (text[end + 1:] if end >= 0 else "")
text = text.rstrip("\n") + "\n\n" + section + "\n"
open(path, "w").write(text)
PY
echo "$section"
