#!/usr/bin/env bash
# The benchmarks, one command: builds Release, runs the HTTP load tests with wrk
# against a real server (hello ceiling, /healthz, POST /v1/users on SQLite),
# the store reference, the core micro-benchmarks and payops mail-ingest
# (bench/mail_ingest.sh, alone: bench/mail_ingest.sh BINARY --update-doc), and rewrites
# docs/BENCHMARKS.md with medians, ratios, the machine and the date.
#   bench/run.sh            3 runs of 10 s per HTTP target
#   RUNS=5 DURATION=20 bench/run.sh
#   TARGETS="hello transactions" bench/run.sh
#                           only those HTTP targets (of: hello healthz users
#                           transactions tickets mine mine_c1), with the store reference; prints the
#                           figures and leaves docs/BENCHMARKS.md alone
#   JOBS=1 bench/run.sh     build with one compiler job (a shared machine)
#   BENCH_NOTE="..." bench/run.sh
#                           a line about the conditions (e.g. a shared machine)
#                           written under the machine in docs/BENCHMARKS.md
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
RUNS=${RUNS:-3}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
ALL_TARGETS="hello healthz users transactions tickets mine mine_c1"
TARGETS=${TARGETS:-$ALL_TARGETS}
for t in $TARGETS; do
  case " $ALL_TARGETS " in *" $t "*) ;; *) echo "unknown target $t (of: $ALL_TARGETS)" >&2; exit 2 ;; esac
done

scripts/install-deps.sh bench
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DPAYOPS_TESTS=OFF -DPAYOPS_BENCH=ON >/dev/null
cmake --build build-bench -j "${JOBS:-$(nproc)}" >/tmp/payops-bench-build.log 2>&1 || { tail -30 /tmp/payops-bench-build.log; exit 1; }
bin=$root/build-bench/payops

work=$(mktemp -d /tmp/payops-bench.XXXXXX)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  [ -n "${desk_pid:-}" ] && kill "$desk_pid" 2>/dev/null
  wait 2>/dev/null; rm -rf "$work"
}
trap cleanup EXIT

store="sqlite://$work/bench.db"
# The servers below run without --sandbox: they need a configured key.
PAYOPS_ENCRYPTION_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
export PAYOPS_ENCRYPTION_KEY
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" migrate --store "$store" >/dev/null
key=$("$bin" key create --store "$store" --role admin --name "Bench Admin" 2>/dev/null)
# The load generators send far more than the default rate limits allow from
# one key and one address; the limiters still run, with buckets that never empty.
cat > "$work/bench.toml" <<'TOML'
[rate_limits]
per_key_per_minute = 1000000000
per_key_burst = 1000000000
per_address_per_minute = 1000000000
per_address_burst = 1000000000
TOML
"$bin" serve --config "$work/bench.toml" --store "$store" --listen "127.0.0.1:$port" --bench-hello 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/server.log" && break; sleep 0.1; done
base="http://127.0.0.1:$port"
sleep 1
rss_idle_kb=$(awk '/VmRSS/{print $2}' /proc/$server_pid/status)
org=$(curl -sf -X POST "$base/v1/orgs" -H "Authorization: Bearer $key" -d '{"name":"Bench","domain":"bench.example","sla_plan":"vip","hypercare_plan":"pro","bau_plan":"pro","go_live_date":"2026-01-05","allowed_countries":["US","MX"],"fees":[{"direction":"payin","currency":"USD","corridor":"US-MX","fee":25},{"direction":"payout","currency":"USD","corridor":"US-MX","fee":10}]}' | python3 -c 'import sys,json; print(json.load(sys.stdin)["id"])')
# Transaction fixture: verified tier-3 users, each with a recipient and a funded bank account.
BENCH_USERS=${BENCH_USERS:-1000}
python3 - "$base" "$key" "$org" "$BENCH_USERS" > "$work/fixture.txt" <<'PY'
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

# Desk fixtures: a partner key for POST /v1/tickets, and (target "mine") a
# second store seeded with DESK_TICKETS open tickets, timed SLA sweeps on it,
# and a server on it for "my requests".
partner_key=$("$bin" key create --store "$store" --role partner --org "$org" --name "Bench Partner" 2>/dev/null)
DESK_TICKETS=${DESK_TICKETS:-1000000}
base_desk=
desk_pid=
if [[ " $TARGETS " == *" mine"* ]]; then
  "$root/build-bench/bench/desk_seed" "$work/desk.db" "$DESK_TICKETS" > "$work/desk.txt"
  desk_key=$(awk '/^key /{print $2}' "$work/desk.txt")
  seeded_s=$(awk '/^seeded /{print $3}' "$work/desk.txt")
  sweep_minute=$(awk '/^sweep_minute_ms /{print $2 " ms (" $4 " events due)"}' "$work/desk.txt")
  sweep_hour=$(awk '/^sweep_hour_ms /{print $2 " ms (" $4 " events due)"}' "$work/desk.txt")
  sweep_idle=$(awk '/^sweep_idle_ms /{print $2 " ms"}' "$work/desk.txt")
  cat "$work/desk.txt" | grep -v '^key' >&2
  desk_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$bin" serve --config "$work/bench.toml" --store "sqlite://$work/desk.db" --listen "127.0.0.1:$desk_port" 2>"$work/desk-server.log" &
  desk_pid=$!
  for _ in $(seq 300); do grep -q "listening on" "$work/desk-server.log" && break; sleep 0.1; done
  base_desk="http://127.0.0.1:$desk_port"
fi

median() { sort -n | awk '{a[NR]=$1} END{ if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }
# wrk_run NAME ARGS... : prints requests/s and the p99 latency of one run.
wrk_rps() { grep 'Requests/sec' | awk '{print $2}'; }
wrk_p99() { awk '$1=="99%"{print $2}'; }

declare -A rps p99
for target in $TARGETS; do
  : > "$work/$target.rps"; : > "$work/$target.p99"
  for run in $(seq "$RUNS"); do
    case $target in
      hello) out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$base/_bench/hello") ;;
      healthz) out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$base/healthz") ;;
      users) out=$(PAYOPS_KEY=$key PAYOPS_ORG=$org PAYOPS_RUN=$run \
                   wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/post_users.lua "$base") ;;
      tickets) out=$(PAYOPS_KEY=$partner_key \
                   wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/post_tickets.lua "$base") ;;
      mine) out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency \
                   -H "Authorization: Bearer $desk_key" "$base_desk/v1/tickets?view=mine") ;;
      mine_c1) out=$(wrk -t1 -c1 -d"${DURATION}s" --latency \
                   -H "Authorization: Bearer $desk_key" "$base_desk/v1/tickets?view=mine") ;;
      transactions) out=$(PAYOPS_KEY=$key PAYOPS_FIXTURE=$work/fixture.txt \
                   wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/post_transactions.lua "$base") ;;
    esac
    echo "$out" | wrk_rps >> "$work/$target.rps"
    echo "$out" | wrk_p99 >> "$work/$target.p99"
    echo "$target run $run: $(echo "$out" | wrk_rps) req/s, p99 $(echo "$out" | wrk_p99)" >&2
  done
  rps[$target]=$(median < "$work/$target.rps")
  p99[$target]=$(sort -V "$work/$target.p99" | sed -n "$(( (RUNS + 1) / 2 ))p")
done
sleep 2
rss_after_kb=$(awk '/VmRSS/{print $2}' /proc/$server_pid/status)
users_stored=$(sqlite3 "$work/bench.db" "SELECT COUNT(*) FROM end_users" 2>/dev/null || echo "?")
txns_stored=$(sqlite3 "$work/bench.db" "SELECT status, COUNT(*) FROM transactions GROUP BY status" 2>/dev/null | tr '\n' ' ' || echo "?")
kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=
if [ -n "$desk_pid" ]; then kill -TERM "$desk_pid"; wait "$desk_pid" || true; desk_pid=; fi

sqlite_ref=$("$root/build-bench/bench/sqlite_reference" "$work/ref.db")
one_row=$(echo "$sqlite_ref" | awk '/one_row/{print $2}')
batched=$(echo "$sqlite_ref" | awk '/64_rows/{print $2}')

if [ "$TARGETS" != "$ALL_TARGETS" ]; then
  for target in $TARGETS; do
    echo "$target: median ${rps[$target]} req/s, p99 ${p99[$target]} (runs: $(tr '\n' ' ' < "$work/$target.rps"))"
  done
  echo "sqlite reference: one row per transaction $one_row rows/s, 64 rows per transaction $batched rows/s"
  echo "transactions stored by status: $txns_stored"
  echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(date -u +%Y-%m-%dT%H:%MZ); docs/BENCHMARKS.md not rewritten (not every target ran)"
  exit 0
fi

micro=""
for b in "$root"/build-bench/bench/*_bench; do
  [ -x "$b" ] || continue
  micro+=$("$b" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
            --benchmark_format=console 2>/dev/null | grep -E '_median' || true)
  micro+=$'\n'
done

mail_section=$(bench/mail_ingest.sh "$bin")

ratio() { python3 -c "print(f'{100*float($1)/float($2):.0f} %')"; }
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
# The sections written by other commands are kept: the web page's figures
# (from the browser test) and what bench/delivery.sh writes.
web_section=$(sed -n '/^## Web page/,$p' docs/BENCHMARKS.md 2>/dev/null |
  sed '/^<!-- bench\/delivery.sh -->$/,$d' || true)
delivery_section=$(sed -n '/^<!-- bench\/delivery.sh -->$/,$p' docs/BENCHMARKS.md 2>/dev/null |
  sed '/^## Web page/,$d' || true)
cat > docs/BENCHMARKS.md <<MD
# Benchmarks

Written by \`bench/run.sh\` (one command: \`make bench\`). Medians of $RUNS runs of
${DURATION} s each; every HTTP figure is set against the in-process hello endpoint
measured in the same run. Speed is never asserted in the test suite.

- date: $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD)
- machine: $(nproc) cores ($cpu), $(free -g | awk '/Mem/{print $2}') GiB; Debian $(cat /etc/debian_version)
- server: \`payops serve\` Release, 1 I/O thread (the POSTs below run there as fibers,
  suspended while they wait on the store), 64 worker threads for the other routes, SQLite
  WAL with group commit; every acknowledged write is fsynced (the WAL fsync runs behind
  the writer)
- load: \`wrk -t2 -c$CONNECTIONS -d${DURATION}s --latency\` on the same 2 cores
${BENCH_NOTE:+- conditions: $BENCH_NOTE
}
## HTTP

| target | median req/s | p99 | vs hello ceiling | goal |
|---|---:|---:|---:|---|
| \`GET /_bench/hello\` (ceiling) | ${rps[hello]} | ${p99[hello]} | 100 % | — |
| \`GET /healthz\` | ${rps[healthz]} | ${p99[healthz]} | $(ratio "${rps[healthz]}" "${rps[hello]}") | ≥ 80 % of ceiling |
| \`POST /v1/users\` (durable, SQLite) | ${rps[users]} | ${p99[users]} | $(ratio "${rps[users]}" "${rps[hello]}") | ≥ 10,000/s |
| \`POST /v1/transactions\` (full pipeline, ACH, durable, SQLite) | ${rps[transactions]} | ${p99[transactions]} | $(ratio "${rps[transactions]}" "${rps[hello]}") | ≥ 5,000/s |
| \`POST /v1/tickets\` (partner, one CC: ticket, CCs, history, 2 outbox rows; durable, SQLite) | ${rps[tickets]} | ${p99[tickets]} | $(ratio "${rps[tickets]}" "${rps[hello]}") | ≥ 10,000/s |
| \`GET /v1/tickets?view=mine\` (partner, $DESK_TICKETS tickets stored, 64 connections) | ${rps[mine]} | ${p99[mine]} | $(ratio "${rps[mine]}" "${rps[hello]}") | — |
| \`GET /v1/tickets?view=mine\` (same, one connection: the latency a user sees) | ${rps[mine_c1]} | ${p99[mine_c1]} | — | p99 ≤ 5 ms |

Users stored after the POST runs: $users_stored. Transactions stored by status: $txns_stored
(spread over $BENCH_USERS verified tier-3 senders with funded bank accounts; each
request runs limits, GeoIP on the Debian database, the risk score and the sandbox
balance check, and writes the transaction and its history in one commit).

## Support desk at scale

\`bench/desk_seed\` fills a separate SQLite store with $DESK_TICKETS open tickets
(priorities mixed, created over 14 days, SLA state from the core engine) in
${seeded_s} s, then times the SLA sweep exactly as the job runs it (one write
transaction; tickets whose next warning or breach is due, found through the
\`sla_next_at\` index, recomputed, flagged, notified):

| sweep | median of runs | goal |
|---|---:|---|
| one minute on (the job's period) | ${sweep_minute} | ≤ 100 ms |
| catching up one hour | ${sweep_hour} | — |
| nothing due | ${sweep_idle} | — |

The "my requests" figure above is measured against a server on that store: the
partner's email requests 1 ticket in 5,000 (200 tickets), listed 50 per page.

$mail_section

## Store reference (same run)

Raw SQLite inserts of the same row shape, WAL + synchronous=FULL, without payops:

| mode | rows/s |
|---|---:|
| one row per transaction (what a store without group commit gets) | $one_row |
| 64 rows per transaction (the ideal group commit) | $batched |

## Memory

| state | RSS |
|---|---:|
| idle after start | $((rss_idle_kb / 1024)) MiB ($rss_idle_kb KiB) |
| idle after the load runs | $((rss_after_kb / 1024)) MiB ($rss_after_kb KiB) |

Goal: idle ≤ 30 MB.

## Core micro-benchmarks (Google Benchmark, median of 5 repetitions)

\`\`\`
$micro
\`\`\`
MD
if [ -n "$web_section" ]; then printf '\n%s\n' "$web_section" >> docs/BENCHMARKS.md; fi
if [ -n "$delivery_section" ]; then printf '\n%s\n' "$delivery_section" >> docs/BENCHMARKS.md; fi
echo "wrote docs/BENCHMARKS.md" >&2
