#!/usr/bin/env bash
# Builds every target in each build type a user or a package may choose --
# Debug, Release, and RelWithDebInfo with Debian's hardening flags
# (dpkg-buildflags, as a .deb build sets them) -- warnings as errors in all
# of them, and runs the unit tests of each. CI runs it beside the default
# build (scripts/dev.sh test).
#   scripts/build-types.sh [TYPE...]   default: Debug Release hardened
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
types=("$@")
[ ${#types[@]} -gt 0 ] || types=(Debug Release hardened)

for t in "${types[@]}"; do
  dir=build-types/$t
  flags=()
  case $t in
    Debug | Release | RelWithDebInfo | MinSizeRel) flags=(-DCMAKE_BUILD_TYPE="$t") ;;
    hardened)
      # CPPFLAGS (_FORTIFY_SOURCE) has no CMake variable of its own: it goes
      # with the compiler flags, as dpkg's cmake helper does.
      eval "$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --export=sh)"
      flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_C_FLAGS=$CPPFLAGS $CFLAGS"
             "-DCMAKE_CXX_FLAGS=$CPPFLAGS $CXXFLAGS" "-DCMAKE_EXE_LINKER_FLAGS=$LDFLAGS")
      ;;
    *) echo "build-types.sh: unknown build type $t" >&2; exit 2 ;;
  esac
  echo "build-types: $t"
  cmake -S "$top" -B "$dir" -G Ninja "${flags[@]}" >/dev/null
  cmake --build "$dir" --parallel "$(nproc)" >"$dir.log" 2>&1 || { tail -40 "$dir.log" >&2; echo "build-types: $t failed" >&2; exit 1; }
  ctest --test-dir "$dir" -L unit --output-on-failure -E 'format.check|bpf.other_arch_builds' | tail -3
done
