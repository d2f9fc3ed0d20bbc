#!/usr/bin/env bash
# nightjar benchmark suite: one command regenerates docs/benchmarks.md and
# docs/bench/*.png.
#
#   bash bench/run.sh            full run (~30 min; as root): installs auditd and
#                                gnuplot-nox from Debian, builds what it needs,
#                                waits (up to NJ_BENCH_WAIT_QEMU s, default 2400)
#                                for running qemu-system VMs and other nightjar
#                                processes (other sessions' tests) to finish
#   bash bench/run.sh --smoke    every workload and observer for a second or two,
#                                no auditd, no plots; non-zero only if something
#                                is broken (ctest: bench.smoke)
#
#   bash bench/run.sh --only-file
#                                only the file family's section (~10 min): its
#                                storms under the reference programs and
#                                nightjar's configurations, merged into the last
#                                full run's results (or a file of its own), and
#                                only that section of docs/benchmarks.md
#                                rewritten; the other sections keep their numbers
#   bash bench/run.sh --only-network
#                                the same for the network family's section (~10 min):
#                                its connect and UDP storms
#   bash bench/run.sh --only-tamper
#                                the same for the tamper family's section (~10 min):
#                                its JIT-like mprotect storm, its action mix and
#                                its other syscalls
#
# Other options: --build-dir DIR (default build), --no-build, --pairs N,
# --no-auditd, --no-saturation, --no-file, --no-network, --no-tamper, --only OBSERVER[,OBSERVER] (with a
# full run these write the doc too, so use them for development only),
# --only-saturation (re-measure the saturation steps into the last full run's
# results and regenerate the doc).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=$root/build
smoke=0
do_build=1
only_section=0
rep=()
pass=()
while [ $# -gt 0 ]; do
	case $1 in
	--smoke) smoke=1 ;;
	--build-dir) build=$(cd "$2" && pwd); shift ;;
	--no-build) do_build=0 ;;
	--pairs | --only) pass+=("$1" "$2"); shift ;;
	--no-auditd | --no-saturation | --only-saturation | --no-file | --no-network | --no-tamper) pass+=("$1") ;;
	--only-file | --only-network | --only-tamper)
		[ $only_section = 0 ] || { echo "bench/run.sh: one --only-<family> at a time" >&2; exit 2; }
		pass+=("$1"); rep+=("$1"); only_section=1 ;;
	*) echo "bench/run.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done

if [ "$(id -u)" != 0 ]; then
	echo "bench/run.sh: needs root (BPF programs, auditd)" >&2
	[ $smoke = 1 ] && exit 77 # ctest: skipped
	exit 2
fi
# The observers attach syscall tracepoints: on a freshly booted machine
# tracefs may not be mounted yet (nightjar mounts it itself, the bare
# observers do not).
if [ ! -d /sys/kernel/tracing/events ]; then
	mount -t tracefs nodev /sys/kernel/tracing
fi

if [ $smoke = 0 ]; then
	need=()
	# A family's section alone compares no auditd and draws no figure.
	if [ $only_section = 0 ]; then
		command -v auditctl >/dev/null || need+=(auditd)
		command -v gnuplot >/dev/null || need+=(gnuplot-nox)
	fi
	command -v bpftool >/dev/null || need+=(bpftool)
	if [ ${#need[@]} -gt 0 ]; then
		echo "bench/run.sh: installing ${need[*]}" >&2
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
	fi
fi

if [ $do_build = 1 ]; then
	if [ ! -f "$build/CMakeCache.txt" ]; then
		cmake -S "$root" -B "$build" -G Ninja
	fi
	cmake --build "$build" --target bench-tools
fi
for t in nightjar bench/nj-workload bench/nj-bench-observer; do
	[ -x "$build/$t" ] || { echo "bench/run.sh: $build/$t missing (build it first)" >&2; exit 1; }
done

results=$build/bench/results.json
[ $smoke = 1 ] && results=$build/bench/results-smoke.json
if [ $smoke = 1 ]; then
	exec python3 "$here/bench.py" --smoke --build-dir "$build" --results "$results" "${pass[@]}"
fi

# The full measurements want both cores: wait for other sessions' VMs.
wait_s=${NJ_BENCH_WAIT_QEMU:-2400}
t0=$SECONDS
# Another nightjar (another session's tests) attaches to the same hooks: wait for it too.
while pgrep qemu-system >/dev/null || pgrep -x nightjar >/dev/null; do
	if [ $((SECONDS - t0)) -ge "$wait_s" ]; then
		echo "bench/run.sh: qemu-system or another nightjar still running after ${wait_s}s; measuring anyway (noted in the doc)" >&2
		break
	fi
	[ $((SECONDS - t0)) = 0 ] && echo "bench/run.sh: waiting for qemu-system VMs / other nightjar processes to finish (up to ${wait_s}s)" >&2
	sleep 10
done

rc=0
python3 "$here/bench.py" --build-dir "$build" --results "$results" "${pass[@]}" || rc=$?
cmd=()
for x in "${pass[@]}"; do [ "$x" = --only-saturation ] || cmd+=("$x"); done
python3 "$here/report.py" "$results" "$root/docs/benchmarks.md" "$root/docs/bench" "${rep[@]}" \
	--command "bash bench/run.sh${cmd[*]:+ ${cmd[*]}}"
exit $rc
