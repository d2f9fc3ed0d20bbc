#!/usr/bin/env bash
# Installs everything nightjar needs to build and test, from Debian's
# registry. Idempotent: does nothing when all packages are present.
#
#   scripts/deps.sh               build and test for this machine's architecture
#   scripts/deps.sh --arm64       also the host tools of the arm64 work: the
#                                 cross build in a container (tools/build-arm64.sh)
#                                 and the arm64 kernels of tests/matrix/run.sh
#   scripts/deps.sh --cross-arm64 also the arm64 cross toolchain and libraries.
#                                 Adds arm64 to dpkg's architectures and may
#                                 upgrade amd64 libraries to match the arm64
#                                 ones (Multi-Arch: same): meant for the
#                                 Dockerfile's cross-arm64 stage, not for a
#                                 shared machine.
set -euo pipefail

mode=${1:-}
case "$mode" in
  "" | --arm64 | --cross-arm64) ;;
  *) echo "usage: scripts/deps.sh [--arm64 | --cross-arm64]" >&2; exit 2 ;;
esac

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

case "$mode" in
  --arm64)
    packages+=(
      # tools/build-arm64.sh: the container it builds in (podman), from a base
      # image made with debootstrap; qemu-user (with binfmt-support for
      # binfmt_misc) runs arm64 programs on this machine
      podman debootstrap qemu-user-static binfmt-support
      # tests/matrix/run.sh --kernels arm64:...: qemu-system-aarch64
      qemu-system-arm
    ) ;;
  --cross-arm64)
    # The arm64 libraries nightjar links and its tests use (the same list as
    # above, target side), the cross compiler, and qemu-user for the unit
    # tests (cmake/aarch64-linux-gnu.cmake).
    packages+=(
      crossbuild-essential-arm64 qemu-user-static
      libbpf-dev:arm64 libelf-dev:arm64 zlib1g-dev:arm64 libspdlog-dev:arm64 libfmt-dev:arm64
      libssl-dev:arm64 libsystemd-dev:arm64 libgtest-dev:arm64 libgmock-dev:arm64
      # bash's library, for the kernel matrix's arm64 initramfs (bash itself
      # is Multi-Arch: foreign: the Dockerfile extracts the arm64 one)
      libtinfo6:arm64
    ) ;;
esac

if [ "$(id -u)" -ne 0 ]; then
  echo "scripts/deps.sh: must run as root (it installs Debian packages)" >&2
  exit 1
fi

if [ "$mode" = --cross-arm64 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
  dpkg --add-architecture arm64
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
