#!/usr/bin/env bash
# One entry point for a fresh clone (as root):
#   scripts/dev.sh run [nightjar run options]   install, build, print events to stdout
#   scripts/dev.sh test                         install, build, run every test
#   scripts/dev.sh build                        install, build
#   scripts/dev.sh package                      install, build, the .deb (and lintian's verdict)
set -euo pipefail

cd "$(dirname "$0")/.."
build=${NJ_BUILD_DIR:-build}

usage() {
  echo "usage: scripts/dev.sh run|test|build|package [args...]" >&2
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
  package)
    need_root
    bash scripts/deps.sh
    # Built as Debian builds its packages, with dpkg-buildflags' hardening
    # (fortify, relro, bindnow, ...), in a directory of its own; then CPack's
    # DEB generator (packaging/README.md says why not dpkg-buildpackage).
    pkg_build=${NJ_PKG_BUILD_DIR:-build-deb}
    eval "$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --export=sh)"
    cmake -S . -B "$pkg_build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNIGHTJAR_TESTS=OFF \
      "-DCMAKE_C_FLAGS=$CPPFLAGS $CFLAGS" "-DCMAKE_CXX_FLAGS=$CPPFLAGS $CXXFLAGS" \
      "-DCMAKE_EXE_LINKER_FLAGS=$LDFLAGS" >/dev/null
    cmake --build "$pkg_build" --parallel "$(nproc)"
    rm -f "$pkg_build"/nightjar_*.deb
    (cd "$pkg_build" && cpack -G DEB >/dev/null)
    deb=$(ls "$pkg_build"/nightjar_*.deb)
    # Nothing is expected; the info tags of --pedantic are explained in
    # packaging/README.md.
    lintian "$deb"
    echo "$deb"
    ;;
  *) usage ;;
esac
