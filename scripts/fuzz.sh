#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang with ASan+UBSan) in build-fuzz
# and runs each for SECONDS on a copy of its seed corpus (fuzz/corpus/<t>).
# Fails on the first crash, leak, timeout or failed check; the input that
# did it is left in build-fuzz/crashes/.
#   scripts/fuzz.sh [SECONDS] [TARGET...]   default: 20 seconds, every target
# The long runs docs/reliability.md records: scripts/fuzz.sh 3600
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
secs=${1:-20}
shift || true
# libFuzzer takes 0 as "no limit": a run must end.
[[ $secs =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: SECONDS must be a positive number, not '$secs'" >&2; exit 2; }
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(decode assemble encode json_writer exec_view cgroup users dns config compact)
build=${NJ_FUZZ_BUILD_DIR:-build-fuzz}

# Longest input worth trying: a sample of records (one event's parts with
# its closing record), a DNS capture (2048 bytes, as the kernel side cuts
# it), a file the parsers read.
max_len() {
  case $1 in
    dns) echo 2048 ;;
    decode | assemble | encode | exec_view) echo 8192 ;;
    compact) echo 8192 ;;
    *) echo 4096 ;;
  esac
}

cmake -S "$top" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
  -DCMAKE_CXX_COMPILER=clang++ -DNJ_FUZZ=ON -DNIGHTJAR_TESTS=OFF >/dev/null
cmake --build "$build" --target fuzz_targets --parallel "${NJ_JOBS:-2}" >"$build/fuzz-build.log" 2>&1 ||
  { tail -40 "$build/fuzz-build.log" >&2; echo "fuzz.sh: build failed" >&2; exit 1; }

mkdir -p "$build/crashes"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for t in "${targets[@]}"; do
  [ -d "fuzz/corpus/$t" ] || { echo "fuzz.sh: no target $t" >&2; exit 2; }
  work=$build/corpus/$t
  mkdir -p "$work"
  # One log per run: two runs of a target at once (a long one and CI's
  # short one) must not write into one file.
  log=$build/fuzz-$t.$$.log
  # The checked-in seeds stay as they are: new inputs go to the copy.
  # A hang is an input that takes NJ_FUZZ_TIMEOUT seconds (default 10);
  # give more to a run at a low priority beside other work, which the
  # scheduler may starve for seconds.
  if ! "$build/fuzz/fuzz_$t" -max_total_time="$secs" -max_len="$(max_len "$t")" -timeout="${NJ_FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$build/crashes/$t-" "$work" "fuzz/corpus/$t" >"$log" 2>&1; then
    tail -60 "$log" >&2
    echo "fuzz.sh: $t failed; the input is in $build/crashes/" >&2
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  echo "fuzz: $t ${secs}s, $runs runs ($((runs / secs))/s), $cov, corpus $(ls "$work" | wc -l), 0 crashes"
  rm -f "$log"
done
