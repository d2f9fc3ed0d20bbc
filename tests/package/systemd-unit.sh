#!/usr/bin/env bash
# packaging/nightjar.service run by a real systemd, as an administrator meets
# it: the package built by CPack, installed with dpkg into a container whose
# PID 1 is systemd (systemd-nspawn --boot), started by its postinst; then
# what an administrator checks: `systemctl start` returning once events are
# recorded (Type=notify, READY=1), the watchdog, the capabilities left after
# attaching, an exec in the container recorded, reload (SIGHUP) reopening the
# file after logrotate's `mv`, a crash restarted (Restart=on-failure), a stuck
# sensor killed by the watchdog and restarted, `systemctl stop` ending with
# sensor-stopped, and a journal without a warning from the sensor.
#
# The container's root is an overlay of this machine's / with a tmpfs on top:
# the host's /usr, /etc and dpkg database, nothing written to them. What the
# container cannot share with a real host, and so what is not asserted here:
# its pid namespace. systemd must be PID 1, so the container has a pid
# namespace of its own, while BPF reports the host's pids; the sensor looks
# those up in the container's /proc, where they do not exist, so /proc-based
# enrichment (hashes through /proc/<pid>/exe, completing paths the kernel's
# walk cut) cannot be tested here. packaging/README.md says more.
#
# Everything is undone by a trap (the container halted, or killed; the
# overlay and its tmpfs unmounted), whatever step fails.
#
#   tests/package/systemd-unit.sh BUILD_DIR
set -euo pipefail

build=$(cd "$1" && pwd)

# shellcheck source=tests/package/lib.sh
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root (boots a container, loads BPF programs)"
command -v systemd-nspawn >/dev/null || skip "no systemd-nspawn (Debian package systemd-container; scripts/deps.sh installs it)"
[ -r /sys/kernel/btf/vmlinux ] || skip "no kernel BTF (/sys/kernel/btf/vmlinux)"

start=$(date +%s.%N)
machine=nj-unit-$$
dir=$(mktemp -d /run/nj-unit.XXXXXX)
root=$dir/root
nspawn_pid=
leader=

cleanup() {
  local rc=$?
  if [ $rc -ne 0 ] && [ -n "$leader" ] && kill -0 "$leader" 2>/dev/null; then
    echo "--- the unit's journal (in the container):" >&2
    in_ct journalctl -b -u nightjar --no-pager -o short-monotonic 2>/dev/null | grep -v 'optional hook' | tail -40 >&2 || true
  fi
  if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then
    # SIGTERM: systemd-nspawn asks the container's systemd to halt, which
    # stops a running sensor first (seconds: see TimeoutStopSec= in the unit).
    kill -TERM "$nspawn_pid" 2>/dev/null || true
    for _ in $(seq 300); do
      kill -0 "$nspawn_pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$nspawn_pid" 2>/dev/null; then
      echo "WARNING: the container did not halt in 30 s: killed" >&2
      # PID 1 of a pid namespace: every process in it dies with it.
      [ -z "$leader" ] || kill -KILL "$leader" 2>/dev/null || true
      kill -KILL "$nspawn_pid" 2>/dev/null || true
    fi
    wait "$nspawn_pid" 2>/dev/null || true
  fi
  for m in "$root" "$dir"; do
    if mountpoint -q "$m"; then umount "$m" 2>/dev/null || umount -l "$m" || echo "WARNING: $m stays mounted" >&2; fi
  done
  rmdir "$dir/upper" "$dir/work" "$root" 2>/dev/null || true
  rm -rf "$dir" 2>/dev/null || echo "WARNING: $dir left" >&2
  rm -rf "/run/systemd/nspawn/propagate/$machine"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A command in the container (its namespaces; it stays in the host's cgroup).
# Entering the mount namespace puts it at the container's root; --wd=/ would
# put it back at the host's.
in_ct() { nsenter --target "$leader" --all -- "$@"; }
prop() { in_ct systemctl show -P "$1" nightjar; }
# Waits up to $1 tenths of a second for `$2...` to succeed.
poll() {
  local n=$1
  shift
  for _ in $(seq "$n"); do
    if "$@"; then return 0; fi
    sleep 0.1
  done
  return 1
}
events=$root/var/log/nightjar/events.jsonl
# The lines of the events file with this text (read from the host, through
# the container's root).
lines_with() { grep -F -- "$1" "${2:-$events}" 2>/dev/null || true; }
# The unit's journal in this boot of the container (its own boot id).
journal() { in_ct journalctl -b -u nightjar -o cat --no-pager; }
# The sensor's own lines in it that are not info, but the one every start
# here has: systemd as the container's PID 1 needs a PID namespace of its
# own, which the sensor names (asserted below).
pidns_warning='^nightjar: warning: the sensor runs in a PID namespace of its own \(pid:\['
sensor_complaints() { journal | grep -E '^nightjar: (warning|error|critical)' | grep -Ev "$pidns_warning" || true; }

# The container's root: this machine's / under an overlay whose upper layer
# is a tmpfs, with the package in it.
mount -t tmpfs -o mode=0755 nj-unit "$dir"
mkdir "$dir/upper" "$dir/work" "$root"
mount -t overlay -o "lowerdir=/,upperdir=$dir/upper,workdir=$dir/work" nj-unit "$root"

# ---- the package, as install-remove.sh builds it
mkdir -p "$dir/deb"
deb=$(build_deb "$build" "$dir/deb")
t_built=$(date +%s.%N)

# ---- the container
mkdir "$root/nj-test"
cp "$deb" "$root/nj-test/"
# Nothing of the host's that would change what is tested: a nightjar's
# configuration, unit installed by hand (it would override the package's),
# drop-ins or events; its journal files (same machine id: the container's
# journald keeps its own in /run).
rm -rf "$root/etc/nightjar" "$root/etc/systemd/system/nightjar.service" "$root/etc/systemd/system/nightjar.service.d" \
  "$root/var/log/nightjar" "$root/var/log/journal"
# A build machine's (Docker's) policy-rc.d forbids starting services from
# maintainer scripts; a machine run by systemd has none. man-db's trigger
# (seconds) has nothing to do with the unit.
rm -f "$root/usr/sbin/policy-rc.d" "$root/var/lib/man-db/auto-update"

# --boot: systemd as PID 1, booted to basic.target (journald, no daemons of
# the host's: the unit starts from the package's postinst, not at boot).
# CAP_BPF and CAP_PERFMON are not in nspawn's default set, and its seccomp
# filter refuses bpf(2) and perf_event_open(2) unless named. No user
# namespace (BPF loads only with capabilities in the initial one), no network
# but loopback. tracefs is not mounted in the container (systemd's
# sys-kernel-tracing.mount needs CAP_SYS_RAWIO): the sensor mounts it, in its
# own mount namespace (PrivateMounts=).
# Where systemd runs this machine, nspawn asks it for a scope of its own (with
# the cgroup delegation the container's systemd needs); elsewhere there is no
# one to ask, and the container shares the caller's cgroup (--keep-unit).
scope=()
[ -d /run/systemd/system ] || scope=(--keep-unit)
systemd-nspawn --quiet --register=no "${scope[@]}" --machine="$machine" --directory="$root" \
  --boot --console=pipe --private-users=no --private-network \
  --capability=CAP_BPF,CAP_PERFMON --system-call-filter='bpf perf_event_open' \
  systemd.unit=basic.target </dev/null >"$dir/nspawn.log" 2>&1 &
nspawn_pid=$!
find_leader() {
  leader=$(pgrep -P "$nspawn_pid" | head -1)
  [ -n "$leader" ] && [ "$(readlink "/proc/$leader/exe" 2>/dev/null)" = /usr/lib/systemd/systemd ]
}
poll 100 find_leader || fail "no systemd in the container after 10 s: $(cat "$dir/nspawn.log")"
booted() { in_ct systemctl is-system-running 2>/dev/null | grep -qE '^(running|degraded)$'; }
poll 200 booted || fail "the container's systemd did not finish booting in 20 s: $(in_ct systemctl is-system-running 2>&1)"
t_booted=$(date +%s.%N)

# ---- install: postinst enables and starts the service (deb-systemd-invoke)
in_ct dpkg -i "/nj-test/$(basename "$deb")" >"$dir/install.log" 2>&1 || {
  cat "$dir/install.log" >&2
  fail "dpkg -i in the container failed"
}
[ "$(in_ct systemctl is-enabled nightjar)" = enabled ] || fail "not enabled after install"
# `systemctl start` (postinst's) returns once READY=1 came, which the sensor
# sends after sensor-started is written: the line is there already.
[ "$(prop ActiveState)/$(prop SubState)" = active/running ] || fail "not running after install: $(prop ActiveState)/$(prop SubState)"
[ "$(lines_with '"action":"sensor-started"' | wc -l)" -eq 1 ] || fail "no sensor-started line when the install returned"
[ "$(prop StatusText)" = "attached, writing events" ] || fail "status text: $(prop StatusText)"
[ "$(prop WatchdogUSec)" = 30s ] || fail "WatchdogUSec=$(prop WatchdogUSec)"
[ "$(prop LogRateLimitIntervalUSec)" = 0 ] || fail "LogRateLimitIntervalUSec=$(prop LogRateLimitIntervalUSec): journald would drop --journal events uncounted"
[ "$(prop NRestarts)" = 0 ] || fail "restarted already: NRestarts=$(prop NRestarts)"
pid=$(prop MainPID)
[ "$pid" -gt 0 ] || fail "MainPID=$pid"
[ "$(stat -c '%a %U' "$root/var/log/nightjar")" = "750 root" ] || fail "/var/log/nightjar: $(stat -c '%a %U' "$root/var/log/nightjar")"
[ "$(stat -c '%a %U' "$events")" = "640 root" ] || fail "events.jsonl: $(stat -c '%a %U' "$events")"

# ---- what the sensor holds once attached (README.md, "Running without
# root"): CAP_DAC_READ_SEARCH, CAP_SYS_PTRACE and CAP_BPF in every thread's
# effective and permitted sets, nothing inheritable or ambient, no_new_privs;
# the bounding set stays the unit's (no CAP_SETPCAP to shrink it), the unit's
# seccomp filter in place.
if [ "$(cat /proc/sys/kernel/cap_last_cap)" -ge 39 ]; then keep=$(((1 << 2) | (1 << 19) | (1 << 39))); else keep=$(((1 << 2) | (1 << 19) | (1 << 21))); fi
bounding=$(((1 << 39) | (1 << 38) | (1 << 21) | (1 << 19) | (1 << 2)))
caps_ok() {
  local t field want
  for t in $(in_ct ls "/proc/$pid/task"); do
    for field in CapEff:$keep CapPrm:$keep CapInh:0 CapAmb:0 CapBnd:$bounding NoNewPrivs:1 Seccomp:2; do
      want=${field#*:}
      got=$(in_ct sed -n "s/^${field%%:*}:[[:space:]]*//p" "/proc/$pid/task/$t/status")
      case ${field%%:*} in
        Cap*) [ $((16#$got)) -eq "$want" ] || fail "thread $t: ${field%%:*} $got, expected $(printf '%016x' "$want")" ;;
        *) [ "$got" = "$want" ] || fail "thread $t: ${field%%:*} $got, expected $want" ;;
      esac
    done
  done
}
caps_ok
[ "$(in_ct ls "/proc/$pid/task" | wc -l)" -ge 2 ] || fail "one thread only: the writer threads were not checked"
# tracefs: absent from the container, mounted by the sensor (CAP_SYS_ADMIN)
# in its own mount namespace, where it stays (PrivateMounts=).
tracefs_in() { in_ct awk '$5 == "/sys/kernel/tracing" && $0 ~ / - tracefs / { found = 1 } END { exit !found }' "/proc/$1/mountinfo"; }
tracefs_in "$pid" || fail "no tracefs on /sys/kernel/tracing in the sensor's mount namespace"
if tracefs_in 1; then fail "the sensor's tracefs shows in the container's own mount namespace"; fi

# ---- an exec in the container. BPF gives the host's pid (process.pid); the
# fork that made it says which pid the container gave it (process.vpid),
# the one the shell printed.
token=nj-unit-exec-$$-$RANDOM
cpid=$(in_ct /bin/sh -c "echo \$\$; exec /bin/true $token")
exec_line() { lines_with "\"args\":[\"/bin/true\",\"$token\"]" | grep -qF '"action":"exec"'; }
poll 50 exec_line || fail "no exec event of /bin/true $token in 5 s"
python3 - "$events" "$token" "$cpid" <<'EOF' || fail "the exec event of the container's /bin/true"
import json, sys
path, token, cpid = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = [json.loads(l) for l in open(path) if token in l]
ex = [e for e in lines if e["event"]["action"] == "exec" and e["process"]["name"] == "true"]
assert len(ex) == 1, ex
p = ex[0]["process"]
assert p["executable"] == "/usr/bin/true", p
assert p["args"] == ["/bin/true", token], p
assert p["working_directory"] == "/", p
assert ex[0]["event"]["outcome"] == "success"
forks = [e for e in lines if e["event"]["action"] == "fork" and e["process"]["pid"] == p["pid"]]
assert len(forks) == 1, forks
assert forks[0]["process"]["vpid"] == cpid, (forks[0]["process"], cpid)
assert forks[0]["process"]["entity_id"] == p["entity_id"]
EOF

# ---- reload: SIGHUP reopens the file; logrotate's way (mv, then reload)
in_ct systemctl reload nightjar || fail "systemctl reload failed"
reopened() { [ "$(journal | grep -c "^nightjar: info: SIGHUP: output reopened: /var/log/nightjar/events.jsonl$")" -ge "$1" ]; }
poll 50 reopened 1 || fail "no 'SIGHUP: output reopened' line in the journal after reload"
mv "$events" "$events-rotated"
in_ct systemctl reload nightjar || fail "systemctl reload failed"
poll 50 reopened 2 || fail "no second 'output reopened' line"
poll 50 test -f "$events" || fail "no new events.jsonl after mv and reload"
[ "$(stat -c '%a %U' "$events")" = "640 root" ] || fail "the reopened events.jsonl: $(stat -c '%a %U' "$events")"
token2=nj-unit-rotated-$$-$RANDOM
in_ct /bin/true "$token2"
has_lines_with() { [ -n "$(lines_with "$@")" ]; }
poll 50 has_lines_with "$token2" || fail "no event of /bin/true $token2 in the reopened file"
[ -z "$(lines_with "$token2" "$events-rotated")" ] || fail "an event after the reopen went to the renamed file"
[ -z "$(tail -c 1 "$events-rotated")" ] || fail "the renamed file does not end with a whole line"
[ "$(prop MainPID)" = "$pid" ] && [ "$(prop ActiveState)" = active ] || fail "reload did not leave the sensor running"

# ---- stop: STOPPING=1, drain, sensor-stopped last. It detaches every
# program first: with every family (the default), ~180 tracepoints, each
# unregistered after an RCU grace period under the kernel's event_mutex,
# seconds on a busy machine (TimeoutStopSec= in the unit).
t0=$(date +%s.%N)
in_ct systemctl stop nightjar || fail "systemctl stop failed"
t_stop=$(awk -v s="$t0" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
[ "$(prop ActiveState)" = inactive ] && [ "$(prop Result)" = success ] || fail "after stop: $(prop ActiveState), result $(prop Result)"
last=$(tail -n 1 "$events")
grep -qF '"action":"sensor-stopped"' <<<"$last" || fail "the last line after stop is not sensor-stopped: ${last:0:300}"

# ---- from here, the process family only (the configuration file an
# administrator edits; fewer programs, quicker stops), and in a drop-in a
# watchdog of 2 s (the sensor pings every half of it) and quicker restarts.
in_ct sh -c 'printf "events = [\"process\"]\n" >/etc/nightjar/nightjar.toml'
in_ct sh -c 'mkdir -p /run/systemd/system/nightjar.service.d &&
  printf "[Service]\nWatchdogSec=2s\nRestartSec=200ms\n" >/run/systemd/system/nightjar.service.d/test.conf'
in_ct systemctl daemon-reload

# ---- start: returns when READY=1 came, i.e. with sensor-started written
in_ct systemctl start nightjar || fail "systemctl start failed"
[ "$(prop ActiveState)/$(prop SubState)" = active/running ] || fail "systemctl start returned before running: $(prop ActiveState)/$(prop SubState)"
started=$(lines_with '"action":"sensor-started"')
[ "$(wc -l <<<"$started")" -eq 1 ] || fail "systemctl start returned before sensor-started was written"
grep -qF '"exec":"tracepoint' <<<"$started" || fail "no exec hook in sensor-started: ${started:0:300}"
if grep -qF '"file.open":' <<<"$started"; then fail "the configuration file was not read: file hooks in sensor-started"; fi
[ "$(prop WatchdogUSec)" = 2s ] || fail "the drop-in did not apply: WatchdogUSec=$(prop WatchdogUSec)"
[ -z "$(sensor_complaints)" ] || fail "the sensor's journal has warnings or errors: $(sensor_complaints)"
# journald takes the sensor's stderr through a stream: on a loaded machine
# the line may land a moment after `systemctl start` returned.
pidns_named() { journal | grep -qE "$pidns_warning"; }
poll 100 pidns_named || fail "the sensor did not name the container's PID namespace"

# ---- the watchdog: pinged, and a sensor that stops answering (SIGSTOP)
# aborted and restarted (Restart=on-failure)
pid=$(prop MainPID)
w1=$(prop WatchdogTimestampMonotonic)
sleep 1.2
w2=$(prop WatchdogTimestampMonotonic)
[ "$w2" -gt "$w1" ] || fail "no WATCHDOG=1 in 1.2 s (WatchdogTimestampMonotonic $w1, then $w2)"
in_ct kill -STOP "$pid"
timed_out() { journal | grep -q "Watchdog timeout (limit 2s)"; }
poll 60 timed_out || fail "no watchdog timeout 6 s after SIGSTOP"
# systemd sent SIGABRT, which waits for the process to run again.
in_ct kill -CONT "$pid"
restarted() { [ "$(prop NRestarts)" = "$1" ] && [ "$(prop ActiveState)/$(prop SubState)" = active/running ]; }
poll 150 restarted 1 || fail "not restarted 15 s after the watchdog: NRestarts=$(prop NRestarts) $(prop ActiveState)/$(prop SubState)"
[ "$(prop MainPID)" != "$pid" ] || fail "same MainPID after the watchdog"

# ---- a crash: restarted too
pid=$(prop MainPID)
in_ct kill -SEGV "$pid"
poll 150 restarted 2 || fail "not restarted 15 s after SIGSEGV: NRestarts=$(prop NRestarts) $(prop ActiveState)/$(prop SubState)"
[ "$(prop MainPID)" != "$pid" ] || fail "same MainPID after the crash"
journal | grep -q "status=11/SEGV" || fail "the journal does not name the crash"

# ---- the last stop, and the journal: nothing but info from the sensor
in_ct systemctl stop nightjar
tail -n 1 "$events" | grep -qF '"action":"sensor-stopped"' || fail "the last line is not sensor-stopped"
[ -z "$(sensor_complaints)" ] || fail "the sensor's journal has warnings or errors: $(sensor_complaints)"

end=$(date +%s.%N)
awk -v s="$start" -v b="$t_built" -v o="$t_booted" -v e="$end" -v st="$t_stop" 'BEGIN {
  printf "nightjar.service under systemd in a container: ok in %.1f s (package %.1f s, boot %.1f s, checks %.1f s, of which the first stop %s s)\n",
    e - s, b - s, o - b, e - o, st }'
