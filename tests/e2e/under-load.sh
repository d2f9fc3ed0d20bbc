#!/usr/bin/env bash
# The end-to-end process, enrichment, file and network tests on a busy
# machine: a spawner loop starts unrelated processes beside them all along
# (short-lived shells, PATH searches that fail in every directory, a
# multi-threaded program spawning from a worker thread, refused connects and
# UDP on loopback), as other programs on a real host do. Every captured line must still be valid against the schema and every
# asserted event exact.
#   tests/e2e/under-load.sh E2E_BINARY NJ_ACTIONS [gtest filter]
set -euo pipefail
e2e=${1:?usage: under-load.sh E2E_BINARY NJ_ACTIONS [filter]}
actions=${2:?usage: under-load.sh E2E_BINARY NJ_ACTIONS [filter]}
filter=${3:-Transports/ProcessEvents.*:Enrich.*:FileTransports/FileEvents.*:NetTransports/NetEvents.*}

load() {
  # Bounded: stops by itself even if this script is killed.
  local end=$((SECONDS + 600))
  while [ $SECONDS -lt $end ]; do
    /bin/true
    sh -c ':'
    env PATH=/nj-load-nope1:/nj-load-nope2:/usr/bin true
    "$actions" spawnp-thread >/dev/null 2>&1 || true
    "$actions" net-refused >/dev/null 2>&1 || true
    "$actions" net-udp4 >/dev/null 2>&1 || true
    sleep 0.02
  done
}
load &
loader=$!
trap 'kill $loader 2>/dev/null || true; wait $loader 2>/dev/null || true' EXIT
"$e2e" --gtest_filter="$filter" --gtest_brief=1
