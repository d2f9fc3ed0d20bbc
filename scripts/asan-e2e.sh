#!/usr/bin/env bash
# End-to-end tests against the ASan+UBSan build (scripts/build-types.sh
# asan builds it in build-types/asan): the real sensor, sanitized, under
# the real kernel. Every sanitizer report, from the sensor or from the test
# binary, goes to a file; any such file fails the run, even when the test
# that caused it passed.
#   scripts/asan-e2e.sh [GTEST_FILTER]
# The default filter is the slice CI runs (about three minutes on a quiet
# machine): process, file and network events on the ring buffer, loss,
# every stopping signal, enrichment, paths and the command line. Left to
# the full run: the perf buffer twins of the event tests (the perf buffer
# itself is in the slice, in Loss.*), and StopStorm, whose fork storm comes
# from the test binary itself, sanitized, and may fork too slowly under
# load to reach its threshold. The whole suite (the normal build's takes
# about 25 minutes; sanitized, longer):
#   scripts/asan-e2e.sh '*'
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
dir=${NJ_ASAN_BUILD_DIR:-build-types/asan}
filter=${1:-'Transports/ProcessEvents.*/ringbuf:FileTransports/FileEvents.*/ringbuf:NetTransports/NetEvents.*/ringbuf:Loss.*:Signals/*:Signals.*:Enrich.*:Paths.*:Cli.*'}

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
