#!/usr/bin/env bash
# One entry point for a fresh clone (as root):
#   scripts/dev.sh run [nightjar run options]   install, build, print events to stdout
#   scripts/dev.sh test                         install, build, run every test
#   scripts/dev.sh build                        install, build
set -euo pipefail

cd "$(dirname "$0")/.."
build=${NJ_BUILD_DIR:-build}

usage() {
  echo "usage: scripts/dev.sh run|test|build [args...]" >&2
  exit 2
}

need_root() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "scripts/dev.sh: must run as root (installs packages, loads BPF programs)" >&2
    exit 1
  fi
}

build() {
  bash scripts/deps.sh
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build" --parallel "$(nproc)"
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case "$cmd" in
  run)
    need_root
    build
    exec "$build/nightjar" run "$@"
    ;;
  test)
    need_root
    build
    # Unit tests (no kernel) come first in the list, then end to end on
    # this kernel; one run, one summary.
    ctest --test-dir "$build" --output-on-failure
    ;;
  build)
    need_root
    build
    ;;
  *) usage ;;
esac
