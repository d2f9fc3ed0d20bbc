# Sourced by the package tests: how they fail or skip (ctest's
# SKIP_RETURN_CODE 77), and the .deb they all test, built by CPack from the
# build directory as `scripts/dev.sh package` builds it.

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
skip() {
  echo "skipped: $*" >&2
  exit 77
}

# build_deb BUILD_DIR OUT_DIR: the package's path on stdout.
build_deb() {
  (cd "$1" && cpack -G DEB -B "$2" >"$2/cpack.log" 2>&1) || {
    cat "$2/cpack.log" >&2
    fail "cpack -G DEB failed"
  }
  ls "$2"/nightjar_*.deb
}
