#!/usr/bin/env bash
# The Debian package end to end, on this machine (root): build it from the
# binaries of BUILD_DIR with CPack (the test build's: building a Release tree
# only for this test would cost minutes; the package's contents and scripts are
# the same), install it with dpkg -i, start the service (systemctl where
# systemd runs; otherwise the unit's ExecStart line as the unit's user with
# runuser), check /readyz and a message through the installed
# payops-mail-ingest, stop it, purge the package, and check that nothing is
# left: files, the user, the group, the directories.
#
#   tests/package/package_test.sh BUILD_DIR
#
# Exit 77 (skipped): not root, no dpkg, or a payops installation (package,
# user or directories) already on the machine, which this test never touches.
# Whatever fails midway, the trap purges what the test installed.
set -euo pipefail
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "installing a package needs root"
for tool in dpkg dpkg-deb dpkg-shlibdeps cpack runuser curl python3 flock; do
  command -v "$tool" >/dev/null || skip "$tool is missing (scripts/install-deps.sh test)"
done
# One run at a time on the machine (several build trees may run their tests).
exec 9>/tmp/payops-package-test.lock
flock 9
if dpkg-query -W -f='${Status}' payops 2>/dev/null | grep -q "installed" ||
    getent passwd payops >/dev/null || getent group payops >/dev/null ||
    [ -e /etc/payops ] || [ -e /var/lib/payops ]; then
  skip "this machine has a payops installation (package, user or directories): left alone"
fi

work=$(mktemp -d /tmp/payops-package.XXXXXX)
dropin=/etc/systemd/system/payops.service.d
server_pid=
systemd=no
[ -d /run/systemd/system ] && systemd=yes
fail() { echo "FAIL: $*" >&2; exit 1; }

cleanup() {
  local rc=$?
  set +e
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    wait "$server_pid" 2>/dev/null
  fi
  [ "$systemd" = yes ] && systemctl stop payops.service >/dev/null 2>&1
  # Processes of the user this test created, each by its id.
  if getent passwd payops >/dev/null; then
    for pid in $(pgrep -u payops); do kill -KILL "$pid" 2>/dev/null; done
  fi
  if dpkg-query -W -f='${Status}' payops 2>/dev/null | grep -q "installed\|config-files"; then
    dpkg --purge payops >"$work/purge-cleanup.log" 2>&1
  fi
  # What a failed maintainer script may have left (none of it existed before).
  getent passwd payops >/dev/null && userdel payops
  getent group payops >/dev/null && groupdel payops
  rm -rf /etc/payops /var/lib/payops "$dropin"
  [ "$systemd" = yes ] && systemctl daemon-reload >/dev/null 2>&1
  if [ $rc -ne 0 ]; then
    for f in "$work"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 40 "$f"; }; done
  fi
  rm -rf "$work"
  exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# 1. Build the package.
cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/pkg" >"$work/cpack.log" 2>&1 ||
  fail "cpack failed"
deb=$(ls "$work"/pkg/payops_*_amd64.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || fail "no payops_<version>_amd64.deb made"
echo "built $(basename "$deb") ($(stat -c %s "$deb") bytes)"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in libsqlite3 libpq5 libgmime-3.0 libsodium geoip-database; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib (dpkg-shlibdeps): $depends"
done
contents=$(dpkg-deb -c "$deb")
for f in ./usr/bin/payops ./usr/bin/payops-mail-ingest ./usr/lib/systemd/system/payops.service \
    ./etc/payops/payops.toml; do
  grep -q " $f\$" <<<"$contents" || fail "the package lacks $f"
done

# 2. Install it.
if [ "$systemd" = yes ]; then
  mkdir -p "$dropin"
  printf '[Service]\nEnvironment=PAYOPS_LISTEN=127.0.0.1:%s\n' "$port" >"$dropin/test-listen.conf"
fi
dpkg -i "$deb" >"$work/install.log" 2>&1 || fail "dpkg -i failed"
dpkg-query -W -f='${Conffiles}' payops | grep -q "/etc/payops/payops.toml" ||
  fail "/etc/payops/payops.toml is not a conffile"
getent passwd payops >/dev/null || fail "postinst made no payops user"
[ "$(getent passwd payops | cut -d: -f7)" = /usr/sbin/nologin ] || fail "the payops user has a shell"
[ "$(stat -c %U:%a /var/lib/payops)" = payops:750 ] || fail "/var/lib/payops: $(stat -c %U:%a /var/lib/payops)"
[ "$(stat -c %U:%a /var/lib/payops/payops.db.key)" = payops:600 ] ||
  fail "the key file is not the service's, mode 0600"
[ "$(stat -c %U:%G:%a /etc/payops/payops.toml)" = root:payops:640 ] ||
  fail "/etc/payops/payops.toml: $(stat -c %U:%G:%a /etc/payops/payops.toml)"

# 3. Start the service as its unit says.
unit=/usr/lib/systemd/system/payops.service
[ -f "$unit" ] || unit=/lib/systemd/system/payops.service
for setting in ProtectSystem=strict NoNewPrivileges=yes PrivateTmp=yes StateDirectory=payops; do
  grep -qx "$setting" "$unit" || fail "the unit lacks $setting"
done
if [ "$systemd" = yes ]; then
  systemctl is-enabled payops.service >/dev/null || fail "the service is not enabled"
  systemctl restart payops.service
else
  exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
  user=$(sed -n 's/^User=//p' "$unit")
  [ -n "$exec_start" ] && [ -n "$user" ] || fail "no ExecStart or User in $unit"
  echo "systemd is not running: $exec_start (as $user)"
  read -r -a argv <<<"$exec_start"
  PAYOPS_LISTEN=127.0.0.1:$port runuser -u "$user" -- "${argv[@]}" >"$work/server.log" 2>&1 &
  server_pid=$!
fi
ready=no
for _ in $(seq 600); do
  if curl -fsS "http://127.0.0.1:$port/readyz" >"$work/readyz.out" 2>/dev/null; then
    ready=yes
    break
  fi
  [ -n "$server_pid" ] && ! kill -0 "$server_pid" 2>/dev/null && fail "the service exited"
  sleep 0.2
done
[ "$ready" = yes ] || fail "/readyz never answered 200"
echo "readyz: $(cat "$work/readyz.out")"
[ -f /var/lib/payops/payops.db ] || fail "no store in /var/lib/payops"

# A message through the installed ingest program, as Postfix's pipe runs it.
printf 'From: Pat <pat@acme.example>\nTo: support@example.com\nSubject: Payout missing\n\nHello.\n' \
  >"$work/message.eml"
chmod 0644 "$work/message.eml"
chmod 0755 "$work"
out=$(runuser -u payops -- /usr/bin/payops-mail-ingest --config /etc/payops/payops.toml \
  --recipient support@example.com <"$work/message.eml" 2>"$work/ingest.log") ||
  fail "payops-mail-ingest failed"
[ "$out" = "ticket 1001 created" ] || fail "payops-mail-ingest said: $out"

# 4. Stop it.
if [ "$systemd" = yes ]; then
  systemctl stop payops.service
else
  # SIGTERM to the server itself, as systemd sends it (runuser would end its
  # session with its own status); runuser then exits with the server's.
  child=$(pgrep -P "$server_pid" | head -n 1)
  [ -n "$child" ] || fail "no server process under runuser"
  kill -TERM "$child"
  rc=0
  wait "$server_pid" || rc=$?
  server_pid=
  [ $rc -eq 0 ] || fail "the service exited with status $rc on SIGTERM"
  grep -q 'msg="stopped"' "$work/server.log" || fail "the service did not stop cleanly"
fi
if pgrep -u payops >/dev/null; then fail "processes of payops are left: $(pgrep -u payops)"; fi

# 5. Purge it: nothing is left.
dpkg --purge payops >"$work/purge.log" 2>&1 || fail "dpkg --purge failed"
left=()
dpkg-query -W -f='${Status}' payops 2>/dev/null | grep -q "installed\|config-files" && left+=("package")
for f in /usr/bin/payops /usr/bin/payops-mail-ingest "$unit" /etc/payops /var/lib/payops \
    /usr/share/doc/payops; do
  [ -e "$f" ] && left+=("$f")
done
getent passwd payops >/dev/null && left+=("user payops")
getent group payops >/dev/null && left+=("group payops")
[ ${#left[@]} -eq 0 ] || fail "left after purge: ${left[*]}"
echo "installed, served, ingested, stopped and purged: nothing left"
