#!/usr/bin/env bash
# Builds every target in each build type a user or a package may choose --
# asan (Debug with AddressSanitizer and UndefinedBehaviorSanitizer, see
# below), Release, and RelWithDebInfo with Debian's hardening flags
# (dpkg-buildflags, as a .deb build sets them) -- warnings as errors in all
# of them, and runs the unit tests of each. CI runs it beside the default
# build (scripts/dev.sh test).
#   scripts/build-types.sh [TYPE...]   default: asan Release hardened
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
types=("$@")
[ ${#types[@]} -gt 0 ] || types=(asan Release hardened)

for t in "${types[@]}"; do
  dir=build-types/$t
  flags=()
  case $t in
    Debug | Release | RelWithDebInfo | MinSizeRel) flags=(-DCMAKE_BUILD_TYPE="$t") ;;
    asan)
      # Debug plus ASan and UBSan, any finding fatal. Only the C++ (the
      # daemon and its tests) is instrumented: the C test helper nj-actions
      # performs the actions the e2e tests observe and must stay as plain
      # as the programs it stands for. tests/sanitizers.supp says what
      # LeakSanitizer is told to ignore, and why.
      san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
      flags=(-DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS=$san")
      export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
      export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$top/tests/sanitizers.supp:print_suppressions=0}
      export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
      ;;
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
