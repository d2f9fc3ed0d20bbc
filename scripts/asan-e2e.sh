#!/usr/bin/env bash
# End-to-end tests against the ASan+UBSan build (scripts/build-types.sh
# asan builds it in build-types/asan): the real sensor, sanitized, under
# the real kernel. Every sanitizer report, from the sensor or from the test
# binary, goes to a file; any such file fails the run, even when the test
# that caused it passed.
#   scripts/asan-e2e.sh [GTEST_FILTER]
# The default filter is what CI runs: every test once, on the ring buffer
# (about 8 minutes here with other work on the machine). Left out are the
# perf buffer twins of the event suites: past the transport they run the
# same user-space pipeline as their ring buffer twins, the perf buffer's
# own reading and loss paths stay in
# (Loss.PerfBufferOverflowIsCountedAndReported), and beside CI's kernel
# matrix a sanitized reader of per-CPU perf buffers can fall behind a
# suite's bursts (once 347 records lost, counted, failing a process test). The whole suite, twins
# included:
#   scripts/asan-e2e.sh '*'
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
dir=${NJ_ASAN_BUILD_DIR:-build-types/asan}
filter=${1:-'*-*/perfbuf'}

[ -x "$dir/tests/nightjar_e2e_tests" ] || { echo "asan-e2e.sh: build $dir first (scripts/build-types.sh asan)" >&2; exit 2; }
reports=$(mktemp -d /tmp/nj-asan.XXXXXX)
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:log_path=$reports/asan"
export LSAN_OPTIONS="suppressions=$top/tests/sanitizers.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan"
status=0
"$dir/tests/nightjar_e2e_tests" --gtest_filter="$filter" --gtest_brief=1 || status=$?
if compgen -G "$reports/*" >/dev/null; then
  for f in "$reports"/*; do
    echo "== $f" >&2
    head -60 "$f" >&2
  done
  echo "asan-e2e.sh: sanitizer reports above (kept in $reports)" >&2
  exit 1
fi
rm -rf "$reports"
exit $status
