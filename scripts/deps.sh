#!/usr/bin/env bash
# Installs everything nightjar needs to build and test, from Debian's
# registry. Idempotent: does nothing when all packages are present.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config
  # BPF toolchain: clang compiles the programs, bpftool links them and
  # generates the skeleton
  clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev
  # the daemon's libraries
  libspdlog-dev nlohmann-json3-dev libcli11-dev libssl-dev
  # the journal output (--journal) and sd_notify(3): readiness and watchdog
  # under systemd (Type=notify)
  libsystemd-dev
  # tests (clang-format: the format check; libclang-rt-dev: libFuzzer and the
  # sanitizer runtimes of the default clang, scripts/fuzz.sh)
  libgtest-dev libgmock-dev python3 python3-jsonschema clang-format libclang-rt-dev
  # the metrics file is checked with the Prometheus client's own text parser;
  # the fleet shipping test runs two real rsyslogd (RELP between them)
  python3-prometheus-client rsyslog rsyslog-relp
  # the Debian package: dpkg-shlibdeps (dpkg-dev) for its dependencies,
  # lintian, and what its test checks the installed files with (groff and
  # man-db render the manual page, logrotate parses its snippet, systemd
  # verifies the unit)
  dpkg-dev lintian groff-base man-db logrotate systemd
  # the unit's test boots a container with systemd as its PID 1
  # (systemd-nspawn) and runs the installed package's service in it
  systemd-container
)

if [ "$(id -u)" -ne 0 ]; then
  echo "scripts/deps.sh: must run as root (it installs Debian packages)" >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
