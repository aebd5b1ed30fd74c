#!/usr/bin/env bash
# `payops mail-ingest` of a typical 20 KB multipart message (quoted-printable
# text, its HTML alternative and a PDF attachment), the whole process: start,
# read standard input, parse with GMime, open the store and check its
# migrations, one write transaction (a new ticket, its attachment, history and
# acknowledgement), exit; a `payops serve` runs on the store meanwhile, as in
# production (so no run is the store's last connection, which would checkpoint
# the WAL at exit). The reference, measured in the same run, is the same
# message marked `Precedence: bulk`: ignored after the parse and the store's
# start-up, so it is everything but the write. The message has no Message-ID,
# so every run opens a ticket (a repeated Message-ID would be ignored as a
# duplicate, which is cheaper).
# Measured for both programs that ingest mail: `payops mail-ingest` and
# `payops-mail-ingest` (the small program mail servers run, built beside it).
#   bench/mail_ingest.sh [BINARY]               print the figures as markdown
#   bench/mail_ingest.sh [BINARY] --update-doc  also replace the "Mail ingest"
#                                               section of docs/BENCHMARKS.md
#   MAIL_RUNS=500 bench/mail_ingest.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bin=${1:-$root/build/payops}
update_doc=${2:-}
RUNS=${MAIL_RUNS:-200}
command -v hyperfine >/dev/null || { echo "hyperfine is missing: scripts/install-deps.sh bench" >&2; exit 1; }
[ -x "$bin" ] || { echo "no binary at $bin (make build)" >&2; exit 1; }
ingest_bin=$(dirname "$bin")/payops-mail-ingest
[ -x "$ingest_bin" ] || { echo "no binary at $ingest_bin (make build)" >&2; exit 1; }

work=$(mktemp -d /tmp/payops-mail-bench.XXXXXX)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
store="sqlite://$work/mail.db"
"$bin" migrate --store "$store" >/dev/null
"$bin" serve --store "$store" --listen 127.0.0.1:0 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/server.log" && break; sleep 0.1; done

python3 - > "$work/message.eml" <<'PY'
import base64, quopri, random
random.seed(7)
words = ("payout transfer account statement invoice settlement reference bank "
         "amount dashboard customer support received missing weekly batch").split()
def paragraph(n):
    return " ".join(random.choice(words) for _ in range(n)).capitalize() + "."
text = "Hello team,\n\n" + "\n\n".join(paragraph(40) for _ in range(10)) + "\n\nThanks,\nPat\n"
html = ("<html><head><style>p{margin:0}</style></head><body>" +
        "".join(f"<p>{paragraph(40)}</p>" for _ in range(14)) +
        "<p>Thanks,<br>Pat</p></body></html>")
pdf = b"%PDF-1.4\n" + bytes(random.getrandbits(8) for _ in range(7000)) + b"\n%%EOF\n"
b = "=_bench_boundary"
print(f"""Return-Path: <pat@acme.example>
Received: from mail.acme.example (mail.acme.example [192.0.2.10])
\tby mx.payops.example (Postfix) with ESMTPS id 4T7Qm21xZ2z9rxM
\tfor <support@payops.example>; Mon,  7 Jan 2030 09:15:02 -0500 (EST)
From: Pat Doe <pat@acme.example>
To: support@payops.example
Cc: Carla Ruiz <carla@customer.example>
Subject: Weekly settlement report does not match the statement
Date: Mon, 07 Jan 2030 09:15:00 -0500
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="{b}-m"

--{b}-m
Content-Type: multipart/alternative; boundary="{b}-a"

--{b}-a
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: quoted-printable

{quopri.encodestring(text.encode()).decode()}
--{b}-a
Content-Type: text/html; charset=UTF-8
Content-Transfer-Encoding: quoted-printable

{quopri.encodestring(html.encode()).decode()}
--{b}-a--

--{b}-m
Content-Type: application/pdf; name="statement.pdf"
Content-Disposition: attachment; filename="statement.pdf"
Content-Transfer-Encoding: base64

{base64.encodebytes(pdf).decode()}
--{b}-m--""")
PY
size=$(stat -c %s "$work/message.eml")
sed '0,/^From: /s//Precedence: bulk\nFrom: /' "$work/message.eml" > "$work/bulk.eml"
"$bin" mail-ingest --store "$store" < "$work/message.eml" >/dev/null  # the store's first ticket
grep -q "ignored: precedence: bulk" <("$bin" mail-ingest --store "$store" < "$work/bulk.eml")
grep -q "ignored: precedence: bulk" <("$ingest_bin" --store "$store" < "$work/bulk.eml")
libs_payops=$(ldd "$bin" | wc -l)
libs_ingest=$(ldd "$ingest_bin" | wc -l)

hyperfine --style basic --warmup 10 --runs "$RUNS" \
  --export-json "$work/times.json" \
  -n program "$ingest_bin --store $store < $work/message.eml" \
  -n mail-ingest "$bin mail-ingest --store $store < $work/message.eml" \
  -n program-ignored "$ingest_bin --store $store < $work/bulk.eml" \
  -n ignored "$bin mail-ingest --store $store < $work/bulk.eml" \
  -n program-startup "$ingest_bin --help" \
  -n startup "$bin --help" >&2

tickets=$(sqlite3 "$work/mail.db" "SELECT COUNT(*) FROM tickets")
attachments=$(sqlite3 "$work/mail.db" "SELECT COUNT(*) FROM ticket_attachments")
read -r prog_median prog_mean prog_sd prog_min prog_max prog_cpu \
  progign_median progign_mean progign_sd progign_min progign_max progign_cpu \
  progstart_median progstart_mean progstart_sd progstart_min progstart_max progstart_cpu \
  ingest_median ingest_mean ingest_sd ingest_min ingest_max ingest_cpu \
  ignored_median ignored_mean ignored_sd ignored_min ignored_max ignored_cpu \
  startup_median startup_mean startup_sd startup_min startup_max startup_cpu \
  < <(python3 - "$work/times.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
ms = lambda s: f"{1000 * s:.2f}"
out = []
for name in ("program", "program-ignored", "program-startup", "mail-ingest", "ignored", "startup"):
    x = r[name]
    out += [ms(x["median"]), ms(x["mean"]), ms(x["stddev"]), ms(x["min"]), ms(x["max"]),
            ms(x["user"] + x["system"])]
print(*out)
PY
)

section=$(cat <<MD
## Mail ingest

\`bench/mail_ingest.sh\`: \`payops-mail-ingest\` and \`payops mail-ingest\` (Release) of one ${size}-byte multipart
message (quoted-printable text, its HTML alternative, a 7 KB PDF), the whole process
per run — start, read standard input, GMime parse, store open and migration check,
one write transaction (ticket, CC, attachment, history, acknowledgement; fsynced),
exit — timed by hyperfine over $RUNS runs after 10 warm-ups, on SQLite with a
\`payops serve\` running on the store (as in production). The reference, in the same
run, is the same message marked \`Precedence: bulk\`: ignored after the parse and the
store's start-up, everything but the write.

- date: $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'); $(nproc) cores
${BENCH_NOTE:+- conditions: $BENCH_NOTE
}
| command | median | mean ± σ | min … max | CPU (user + system, mean) | goal |
|---|---:|---:|---:|---:|---|
| \`payops-mail-ingest\` (new ticket) | ${prog_median} ms | ${prog_mean} ± ${prog_sd} ms | ${prog_min} … ${prog_max} ms | ${prog_cpu} ms | ≤ 20 ms median |
| \`payops-mail-ingest\` (the same message, ignored as bulk) | ${progign_median} ms | ${progign_mean} ± ${progign_sd} ms | ${progign_min} … ${progign_max} ms | ${progign_cpu} ms | — |
| \`payops-mail-ingest --help\` (start-up alone) | ${progstart_median} ms | ${progstart_mean} ± ${progstart_sd} ms | ${progstart_min} … ${progstart_max} ms | ${progstart_cpu} ms | — |
| \`payops mail-ingest\` (reference: the same work in the whole binary) | ${ingest_median} ms | ${ingest_mean} ± ${ingest_sd} ms | ${ingest_min} … ${ingest_max} ms | ${ingest_cpu} ms | — |
| \`payops mail-ingest\` (reference: the same message, ignored as bulk) | ${ignored_median} ms | ${ignored_mean} ± ${ignored_sd} ms | ${ignored_min} … ${ignored_max} ms | ${ignored_cpu} ms | — |
| \`payops --help\` (reference: the binary's start-up alone) | ${startup_median} ms | ${startup_mean} ± ${startup_sd} ms | ${startup_min} … ${startup_max} ms | ${startup_cpu} ms | — |

Tickets stored after the runs: $tickets ($attachments attachments). Shared
libraries loaded (\`ldd | wc -l\`): \`payops\` $libs_payops, \`payops-mail-ingest\`
$libs_ingest. ${INGEST_NOTE:-}
MD
)
echo "$section"

if [ "$update_doc" = "--update-doc" ]; then
  python3 - "$root/docs/BENCHMARKS.md" "$section" <<'PY'
import re, sys
path, section = sys.argv[1], sys.argv[2].rstrip("\n") + "\n\n"
doc = open(path).read()
pattern = re.compile(r"## Mail ingest\n.*?(?=^## |\Z)", re.S | re.M)
if pattern.search(doc):
    doc = pattern.sub(lambda _: section, doc)
else:
    at = doc.find("## Store reference")
    doc = doc[:at] + section + doc[at:] if at >= 0 else doc.rstrip("\n") + "\n\n" + section
open(path, "w").write(doc)
PY
  echo "updated docs/BENCHMARKS.md" >&2
fi
