#!/usr/bin/env bash
# The Debian package on this machine, as an administrator meets it: built by
# CPack from the build directory, installed with dpkg, `nightjar probe` and
# `nightjar run --check-config` from the installed files, the manual page
# found and rendered without a warning, the unit verified, the logrotate
# snippet parsed; then removed (configuration kept) and purged (nothing
# left). It really installs: a trap purges whatever it installed if any step
# fails, and it refuses (exit 77, skipped) a machine where any of its paths
# already exists.
#
#   tests/package/install-remove.sh BUILD_DIR
set -euo pipefail

build=$(cd "$1" && pwd)
pkg=nightjar
unit=/lib/systemd/system/nightjar.service
wants=/etc/systemd/system/multi-user.target.wants/nightjar.service
# Every path the package installs or makes, but the shared directories.
paths=(/usr/sbin/nightjar "$unit" /etc/nightjar /etc/logrotate.d/nightjar
  /usr/share/man/man8/nightjar.8.gz /usr/share/doc/nightjar /usr/share/lintian/overrides/nightjar
  /var/log/nightjar "$wants"
  /etc/systemd/system/nightjar.service)

# shellcheck source=tests/package/lib.sh
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root (installs a package)"
if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q installed; then
  skip "package $pkg is already installed here; it is not touched"
fi
for p in "${paths[@]}"; do
  if [ -e "$p" ] || [ -L "$p" ]; then skip "$p exists already; the test would replace it and purge would remove it"; fi
done

work=$(mktemp -d)
installed=0
cleanup() {
  local rc=$?
  if [ $installed -eq 1 ] && dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -qv '^unknown ok not-installed$'; then
    echo "cleaning up: dpkg --purge $pkg" >&2
    dpkg --purge "$pkg" >/dev/null 2>&1 || echo "WARNING: dpkg --purge $pkg failed: the machine keeps it" >&2
  fi
  rm -rf "$work"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start=$(date +%s.%N)

# ---- build: CPack on the build directory, the package written to $work
deb=$(build_deb "$build" "$work")
echo "built $(basename "$deb") ($(stat -c %s "$deb") bytes)"

expected_files="/etc/logrotate.d/nightjar
/etc/nightjar/nightjar.toml
/lib/systemd/system/nightjar.service
/usr/sbin/nightjar
/usr/share/doc/nightjar/changelog.Debian.gz
/usr/share/doc/nightjar/copyright
/usr/share/lintian/overrides/nightjar
/usr/share/man/man8/nightjar.8.gz"
files=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {sub(/^\./, "", $6); print $6}' | sort)
[ "$files" = "$expected_files" ] || fail "the package's files:
$files
expected:
$expected_files"
dpkg-deb -f "$deb" Depends | grep -q 'libbpf1' || fail "Depends has no libbpf1 (dpkg-shlibdeps): $(dpkg-deb -f "$deb" Depends)"
# lintian's warnings and errors: none (packaging/README.md explains its info
# tags; a package from a build without dpkg-buildflags adds two hardening ones).
if command -v lintian >/dev/null; then
  out=$(lintian "$deb" 2>/dev/null) || fail "lintian failed: $out"
  [ -z "$out" ] || fail "lintian: $out"
fi

# ---- install
installed=1
dpkg -i "$deb" >"$work/install.log" 2>&1 || {
  cat "$work/install.log" >&2
  fail "dpkg -i failed"
}
[ "$(dpkg-query -W -f='${Status}' "$pkg")" = "install ok installed" ] || fail "not installed: $(dpkg-query -W -f='${Status}' "$pkg")"
conffiles=$(dpkg-query -W -f='${Conffiles}' "$pkg" | awk '{print $1}' | sort | tr '\n' ' ')
[ "$conffiles" = "/etc/logrotate.d/nightjar /etc/nightjar/nightjar.toml " ] || fail "conffiles: $conffiles"
[ -x /usr/sbin/nightjar ] || fail "/usr/sbin/nightjar is not executable"
[ "$(stat -c '%U %a' /etc/nightjar/nightjar.toml)" = "root 644" ] || fail "nightjar.toml: $(stat -c '%U %a' /etc/nightjar/nightjar.toml)"
cmp -s /etc/nightjar/nightjar.toml <(/usr/sbin/nightjar default-config) || fail "nightjar.toml is not default-config's output"
[ -f "$unit" ] || fail "$unit missing"
[ -L "$wants" ] || fail "the service is not enabled ($wants missing)"
out=$(systemd-analyze verify "$unit" 2>&1) || fail "systemd-analyze verify: $out"
[ -z "$out" ] || fail "systemd-analyze verify says: $out"

# ---- the installed binary and configuration
out=$(/usr/sbin/nightjar probe 2>&1) || fail "nightjar probe: $out"
grep -q '^BTF yes' <<<"$out" || fail "nightjar probe: no 'BTF yes' line: $out"
grep -Eq '^exec +tracepoint|^exec +(kprobe|fentry)' <<<"$out" || fail "nightjar probe: no exec hook: $out"
# Reads the packaged /etc/nightjar/nightjar.toml: accepted (root-owned, 0644)
# and every key left at its default.
out=$(/usr/sbin/nightjar run --check-config 2>&1) || fail "nightjar run --check-config: $out"
if grep -v '^#' <<<"$out" | grep -q .; then fail "--check-config shows settings changed from the defaults: $out"; fi

# ---- the manual page
[ "$(man -w nightjar)" = /usr/share/man/man8/nightjar.8.gz ] || fail "man -w nightjar: $(man -w nightjar 2>&1)"
zcat /usr/share/man/man8/nightjar.8.gz | groff -man -Tutf8 -ww -z 2>"$work/groff.err" || fail "groff failed"
[ ! -s "$work/groff.err" ] || fail "groff warns: $(cat "$work/groff.err")"
page=$(MANWIDTH=200 man -l /usr/share/man/man8/nightjar.8.gz 2>/dev/null | col -b)
# Every long flag of every subcommand and every configuration key is on it.
for sub in run probe; do
  for flag in $(/usr/sbin/nightjar $sub --help | grep -oE -- '--[a-z0-9-]+' | sort -u); do
    grep -qF -- "$flag" <<<"$page" || fail "man page lacks $sub's $flag"
  done
done
for key in $(/usr/sbin/nightjar default-config | sed -nE 's/^# ([a-z0-9-]+)( = .*| \(not set\))$/\1/p'); do
  grep -qE "^ +$key( |$)" <<<"$page" || fail "man page lacks configuration key $key"
done

# ---- the logrotate snippet parses, and names the service's file
if command -v logrotate >/dev/null; then
  out=$(logrotate --debug /etc/logrotate.d/nightjar 2>&1) || fail "logrotate --debug: $out"
  grep -q '/var/log/nightjar/\*.jsonl' <<<"$out" || fail "logrotate does not see the pattern: $out"
fi

# ---- remove: the program and unit go, the configuration stays
dpkg --remove "$pkg" >"$work/remove.log" 2>&1 || {
  cat "$work/remove.log" >&2
  fail "dpkg --remove failed"
}
for p in /usr/sbin/nightjar "$unit" /usr/share/man/man8/nightjar.8.gz; do
  if [ -e "$p" ]; then fail "$p left after remove"; fi
done
[ -f /etc/nightjar/nightjar.toml ] || fail "remove took the configuration file"
[ "$(dpkg-query -W -f='${Status}' "$pkg")" = "deinstall ok config-files" ] || fail "after remove: $(dpkg-query -W -f='${Status}' "$pkg")"

# ---- purge: nothing left
dpkg --purge "$pkg" >"$work/purge.log" 2>&1 || {
  cat "$work/purge.log" >&2
  fail "dpkg --purge failed"
}
installed=0
for p in "${paths[@]}"; do
  if [ -e "$p" ] || [ -L "$p" ]; then fail "$p left after purge"; fi
done
left=$(find /var/lib/systemd/deb-systemd-helper-enabled /var/lib/systemd/deb-systemd-helper-masked -name 'nightjar*' 2>/dev/null || true)
[ -z "$left" ] || fail "deb-systemd-helper state left after purge: $left"
if dpkg-query -W "$pkg" >/dev/null 2>&1; then fail "dpkg still knows $pkg after purge"; fi

awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "package build, install, probe, remove and purge: ok in %.1f s\n", e - s }'
