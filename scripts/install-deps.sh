#!/usr/bin/env bash
# Installs the Debian 12 packages payops needs, idempotently.
#   scripts/install-deps.sh run    build and run
#   scripts/install-deps.sh test   also the test tools (GoogleTest, PostgreSQL server)
#   scripts/install-deps.sh bench  also the benchmark tools (wrk, Google Benchmark)
set -euo pipefail
what=${1:-run}

run_pkgs=(build-essential cmake ninja-build pkg-config ccache ca-certificates tzdata
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-context1.81-dev
  libsqlite3-dev sqlite3 libpq-dev libhowardhinnant-date-dev libcli11-dev libspdlog-dev libfmt-dev
  libsodium-dev libtomlplusplus-dev libcurl4-openssl-dev libssl-dev libgeoip-dev geoip-database libmaxminddb-dev
  libgoogle-perftools-dev libgmime-3.0-dev zlib1g-dev
  dpkg-dev file)
test_pkgs=(clang libclang-rt-14-dev libgtest-dev libgmock-dev libyaml-cpp-dev postgresql-15 postgresql-client-15 python3 python3-aiosmtpd curl
  nodejs chromium fonts-dejavu-core)
bench_pkgs=(wrk libbenchmark-dev python3 python3-aiosmtpd curl hyperfine)

pkgs=("${run_pkgs[@]}")
case "$what" in
  run) ;;
  test) pkgs+=("${test_pkgs[@]}") ;;
  bench) pkgs+=("${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  *) echo "usage: $0 run|test|bench" >&2; exit 2 ;;
esac

# Debian's nodejs has no npm; images whose nodejs bundles npm must not get Debian's.
if [ "$what" != run ] && dpkg-query -W -f='${Status}' nodejs 2>/dev/null | grep -q "install ok installed" \
    && ! command -v npm >/dev/null; then
  pkgs+=(npm)
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]} (run as root, or install them)" >&2
  exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
if [ "$what" != run ] && ! command -v npm >/dev/null; then
  apt-get install -y -q --no-install-recommends npm
fi
