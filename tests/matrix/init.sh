#!/bin/busybox sh
# /init of the kernel-matrix initramfs (built by tests/matrix/run.sh).
# Runs `nightjar probe` and the e2e suite per backend and prints everything
# between marker lines on the serial console:
#   ==NJM== INFO key=value ...
#   ==NJM== BEGIN <section> <backend>      (section: probe, start, suite, dmesg)
#   ==NJM== END <section> <backend> rc=N secs=S
#   ==NJM== DONE
# tests/matrix/report.py parses them; no DONE line means the run failed.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb LC_ALL=C
bb=/bin/busybox

$bb mount -t proc proc /proc
$bb mount -t sysfs sysfs /sys
$bb mount -t devtmpfs devtmpfs /dev 2>/dev/null
$bb mkdir -p /dev/pts /dev/shm
$bb mount -t devpts devpts /dev/pts
$bb mount -t tmpfs -o mode=1777 tmpfs /dev/shm
[ -e /dev/fd ] || $bb ln -s /proc/self/fd /dev/fd
[ -e /dev/stdin ] || $bb ln -s /proc/self/fd/0 /dev/stdin
[ -e /dev/stdout ] || $bb ln -s /proc/self/fd/1 /dev/stdout
[ -e /dev/stderr ] || $bb ln -s /proc/self/fd/2 /dev/stderr
# /tmp is not mounted over: the initramfs root is already a writable ramfs,
# and the binaries sit at their build paths, which may be under /tmp (a CI
# clone) and would be hidden by a mount.
$bb chmod 1777 /tmp
$bb mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
$bb mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
$bb mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
$bb mount -t cgroup2 cgroup2 /sys/fs/cgroup
$bb mount -t bpf bpf /sys/fs/bpf 2>/dev/null
$bb hostname nj-matrix
# Loopback up (127.0.0.1 and ::1): the network tests' sockets live there.
$bb ip link set lo up 2>/dev/null || $bb ifconfig lo 127.0.0.1 up
ulimit -l unlimited
cd /

mark() { echo "==NJM== $*"; }
up() { read -r u _ </proc/uptime; echo "$u"; }
since() { awk -v a="$1" -v b="$(up)" 'BEGIN { printf "%.1f", b - a }'; }

. /etc/nj-matrix.conf

mark INFO boot_secs="$(up)"
mark INFO uname="$(uname -r)"
mark INFO nproc="$(nproc)" mem_kb="$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)"
mark INFO lsm="$(cat /sys/kernel/security/lsm 2>/dev/null || echo -)" btf="$([ -e /sys/kernel/btf/vmlinux ] && echo yes || echo no)"
mark INFO filter="$NJM_FILTER"
# The preemption model in force (PREEMPT_DYNAMIC kernels list them all, the
# current one in parentheses), for runs booted with --append preempt=...
mark INFO preempt="$(tr ' ' , </sys/kernel/debug/sched/preempt 2>/dev/null || echo -)" cmdline="$(tr ' ' , </proc/cmdline)"

# A Debian system has a shadow file; the file tests read it (a default rule
# watches it) and the initramfs has none.
[ -e /etc/shadow ] || { echo 'root:*:19000:0:99999:7:::' >/etc/shadow; chmod 0640 /etc/shadow; }

set -o pipefail
for b in $NJM_BACKENDS; do
    t=$(up)
    mark BEGIN probe "$b"
    "$NJM_BIN" probe --backend "$b" >/tmp/probe."$b" 2>&1
    prc=$?
    cat /tmp/probe."$b"
    mark END probe "$b" rc=$prc secs="$(since "$t")"

    # A required hook that falls back to another backend: this kernel (or
    # this build) cannot run the backend as a whole -- unsupported.
    status=supported
    if grep -q 'fell back to' /tmp/probe."$b"; then
        status=unsupported
    elif [ $prc -ne 0 ]; then
        status=probe-failed
    fi
    mark INFO backend="$b" status=$status

    # Start the sensor once with -v: its stderr carries libbpf's messages and,
    # when a program does not load, the verifier's log. A sensor that cannot
    # start would only fail every test of the suite, slowly: skip it then.
    vrc=0
    if [ $status != unsupported ]; then
        t=$(up)
        mark BEGIN start "$b"
        "$NJM_BIN" -v run --backend "$b" --duration 1 --output /tmp/start."$b".jsonl 2>&1 >/dev/null | tail -n 3000
        vrc=$?
        mark END start "$b" rc=$vrc secs="$(since "$t")"
        if [ $vrc -ne 0 ]; then
            status=start-failed
            mark INFO backend="$b" status=$status
        fi
    fi

    if [ $status = supported ] || [ $status = probe-failed ]; then
        t=$(up)
        mark BEGIN suite "$b"
        NJ_E2E_BACKEND=$b NJ_E2E_NO_SCHEMA=1 timeout -s KILL "$NJM_SUITE_TIMEOUT" \
            "$NJM_TESTS" --gtest_brief=0 --gtest_color=no --gtest_filter="$NJM_FILTER" 2>&1
        src=$?
        mark END suite "$b" rc=$src secs="$(since "$t")"
    fi
done

mark BEGIN dmesg -
dmesg | tail -n 200
mark END dmesg - rc=0 secs=0
mark INFO end_secs="$(up)"
mark DONE
sync
$bb poweroff -f
# not reached; should poweroff fail, the kernel panics on init exit and
# qemu (-no-reboot, panic=-1) exits
exit 1
