#!/usr/bin/env bash
# Memory under a fork storm: runs nightjar (default configuration, JSONL to
# a file), forks N short-lived processes, and reports the daemon's peak RSS
# against its memory budget, the events written and every loss counter.
# usage: bench/forkbomb-rss.sh [N=100000] [budget MiB=64]   (as root, after a build)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
budget=${2:-64}
build=${NJ_BUILD_DIR:-build}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

"$build/nightjar" run --output "$out/events.jsonl" --memory-budget "$budget" 2>"$out/stderr" &
pid=$!
for _ in $(seq 100); do grep -q sensor-started "$out/events.jsonl" 2>/dev/null && break; sleep 0.05; done
idle=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
"$build/bench/nj-workload" fork "$n" 64
sleep 1
peak=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
kill -INT $pid
wait $pid
python3 - "$out/events.jsonl" "$n" "$idle" "$peak" "$budget" <<'PY'
import json, sys
path, n, idle, peak, budget = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
last = json.loads(open(path).readlines()[-1])
nj = last["nightjar"]
loss = nj["loss"]
t = nj["caches"]["process_table"]
print(f"fork storm of {n}: {nj['events']} events; peak RSS {peak/1024:.1f} MiB (idle {idle/1024:.1f} MiB, budget {budget} MiB)")
print(f"  lost: kernel {loss['kernel_lost_total']}, queue {loss['queue_dropped_total']}, incomplete {loss['incomplete_total']}")
print(f"  process table: size {t['size']}, evictions {t['evictions']}, expired {t['expired']}")
sys.exit(0 if peak <= budget * 1024 else 1)
PY
