#!/usr/bin/env python3
"""nightjar benchmark suite (driven by bench/run.sh; python3 stdlib only).

Runs each workload (bench/workloads/nj-workload.c) with no sensor and under
each observer in interleaved pairs, the paced exec test, the in-kernel cost
per program (kernel.bpf_stats_enabled), the file and network families'
sections (their storms, per-storm in-kernel cost) and the saturation test;
bench/report.py turns the results into docs/benchmarks.md plus gnuplot
figures in docs/bench/.

Exit status: 0 when everything ran; 1 when something is broken (a workload
failed, an observer did not start, nightjar reported zero events).
"""
import argparse
import datetime
import json
import os
import queue
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import report as R

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
ERRORS = []


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def fail(msg):
    ERRORS.append(msg)
    log("ERROR: " + msg)


def stop_process(p, sig, timeout):
    """Signal p and wait for it; kill it if it outlives the timeout."""
    p.send_signal(sig)
    try:
        p.wait(timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


# ---------------------------------------------------------------- /proc helpers

def cpu_ticks(pid):
    """utime + stime of the whole process (all threads), in seconds."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
    except OSError:
        return None
    fields = s[s.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def status_kb(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def kthread_pid(name):
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/comm") as f:
                    if f.read().strip() == name:
                        return int(d)
            except OSError:
                pass
    return None


def bpf_progs():
    """Every loaded BPF program: id -> dict(name, run_time_ns, run_cnt, pids)."""
    try:
        out = subprocess.run(["bpftool", "prog", "show", "-j"], capture_output=True, text=True,
                             timeout=30).stdout
        progs = json.loads(out or "[]")
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return {}
    res = {}
    for p in progs:
        res[p["id"]] = {"name": p.get("name", "?"), "ns": p.get("run_time_ns", 0),
                        "cnt": p.get("run_cnt", 0), "pids": [x["pid"] for x in p.get("pids", [])]}
    return res


def prog_ids_of(pid):
    """BPF program ids a process holds (program and link fds), from fdinfo."""
    ids = set()
    try:
        fds = os.listdir(f"/proc/{pid}/fdinfo")
    except OSError:
        return ids
    for fd in fds:
        try:
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                for line in f:
                    if line.startswith("prog_id:"):
                        ids.add(int(line.split()[1]))
        except OSError:
            pass
    return ids


def hook_of(name):
    for pre in ("tpbtf__", "tpvma__", "tp__", "empty__", "min__"):
        if name.startswith(pre):
            return name[len(pre):]
    return None


def add_progs(acc, before, after, ids):
    """Add each of the programs `ids`' run time and count between two
    bpf_progs() snapshots to acc[hook]."""
    for i, p in after.items():
        if i not in ids:
            continue
        b = before.get(i, {"ns": 0, "cnt": 0})
        e = acc.setdefault(hook_of(p["name"]) or p["name"], {"ns": 0, "cnt": 0})
        e["ns"] += p["ns"] - b["ns"]
        e["cnt"] += p["cnt"] - b["cnt"]


def pair_ratios(storms, observers):
    """Wall-time ratios per workload and observer: the k-th no-sensor run of
    an observer's block paired with its k-th observer run."""
    pairs = {}
    for w, per in storms.items():
        for name, ps in R.paired_runs(per, [o.name for o in observers]).items():
            pairs.setdefault(w, {})[name] = [r["elapsed"] / x["elapsed"] for r, x in ps if x["elapsed"] > 0]
    return pairs


class OtherCpu:
    """Samples in a thread, every `period` s, the CPU of every process
    outside this suite's process tree (kernel threads left out: the storms'
    own softirq work lands in them); keeps each process that used more than
    `pct` % of a core in a window (another session's build, a VM): the
    measurements beside it share the cores."""

    def __init__(self, period=5.0, pct=20.0):
        self.period, self.pct, self.hogs = period, pct, {}
        self.done = threading.Event()
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()

    @staticmethod
    def _snapshot():
        snap = {}
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open(f"/proc/{d}/stat") as fh:
                    st = fh.read()
            except OSError:
                continue
            fields = st[st.rindex(")") + 2:].split()
            snap[int(d)] = (st[st.index("(") + 1:st.rindex(")")], int(fields[1]),
                            int(fields[11]) + int(fields[12]))
        return snap

    @staticmethod
    def _ours(snap):
        """This process and its descendants, and kernel threads (kthreadd's)."""
        kids = {}
        for pid, (_, ppid, _) in snap.items():
            kids.setdefault(ppid, []).append(pid)
        mine, todo = set(), [os.getpid(), 2]
        while todo:
            p = todo.pop()
            if p not in mine:
                mine.add(p)
                todo += kids.get(p, [])
        return mine

    def _run(self):
        a = self._snapshot()
        while not self.done.wait(self.period):
            b = self._snapshot()
            ours = self._ours(b)
            for pid, (comm, _, ticks) in b.items():
                if pid in ours or pid not in a:
                    continue
                pct = 100.0 * (ticks - a[pid][2]) / CLK_TCK / self.period
                if pct > self.pct:
                    h = self.hogs.setdefault(f"{comm} ({pid})", {"max_pct": 0.0, "cpu_s": 0.0, "windows": 0})
                    h["max_pct"] = max(h["max_pct"], round(pct, 1))
                    h["cpu_s"] = round(h["cpu_s"] + (ticks - a[pid][2]) / CLK_TCK, 1)
                    h["windows"] += 1
            a = b

    def stop(self):
        self.done.set()
        self.t.join()
        return {"period_s": self.period, "pct": self.pct, "hogs": self.hogs}


# ---------------------------------------------------------------- workloads

class Workloads:
    def __init__(self, tool, smoke):
        self.tool = tool
        s = smoke
        # name -> argv tail; sized so that each run takes ~1-3 s on 2 cores (full).
        self.storms = {
            "exec": ["exec", "300" if s else "2000"],
            "file": ["file", "2000" if s else "20000"],
            "open": ["open", "20000" if s else "300000"],
            "connect": ["connect", "500" if s else "5000"],
        }
        # The file family's section: its storms, each ~1 s on 2 cores (full).
        self.file_storms = {
            "file": ["file", "2000" if s else "20000"],
            "open": ["open", "20000" if s else "1000000"],
            "open-tree": ["open-tree", "20000" if s else "1000000"],
        }
        # The network family's section: its storms, each ~1 s on 2 cores
        # (full; udp-flows less: one event per datagram, which nightjar's
        # daemon drains slower than the storm makes them).
        self.net_storms = {
            "connect-storm": ["connect-storm", "1000" if s else "60000"],
            "udp-storm": ["udp-storm", "10000" if s else "500000"],
            "udp-flows": ["udp-flows", "2000" if s else "200000"],
        }
        # The tamper family's section: a JIT's W^X dance (the issue's
        # wall-time target), one of each cheap tamper action, and one of
        # each of the family's other syscalls (each of its programs gets an
        # in-kernel cost), each ~1 s with no sensor.
        self.tamper_storms = {
            "jit-storm": ["jit-storm", "10000" if s else "250000"],
            "tamper-mix": ["tamper-mix", "2000" if s else "100000"],
            "tamper-rare": ["tamper-rare", "1000" if s else "110000"],
        }

    def run(self, argv, timeout=600):
        """The workload's report, with its CPU time (wl_cpu_s: utime + stime
        of the reaped child, the scheduler's own count, so time spent waiting
        for a CPU that others hold is left out: on a shared machine it moves
        much less than the wall time)."""
        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        p = subprocess.run([self.tool] + argv, capture_output=True, text=True, timeout=timeout)
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        try:
            r = json.loads(p.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            r = {"errors": 1, "elapsed_s": float("nan"), "ops": 0}
        r["wl_cpu_s"] = (ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime)
        if p.returncode != 0:
            fail(f"workload {' '.join(argv)} exited {p.returncode}: {p.stderr.strip()[:200]}")
        return r


# ---------------------------------------------------------------- observers

class Observer:
    """Base: no sensor."""
    name = "none"
    label = "no sensor"
    has_bpf = False

    def start(self):
        self.startup_s = 0.0
        return True

    def pids(self):
        return []

    def cpu(self):
        t = 0.0
        for p in self.pids():
            c = cpu_ticks(p)
            if c is not None:
                t += c
        return t

    def events(self):
        return 0

    def count_exec_storm(self, wl_pid):
        return None

    def peak_rss_kb(self):
        return None

    def stop(self):
        return {}


class LineReader:
    """Reads a child's stdout lines into a queue (so we can wait with a timeout)."""

    def __init__(self, stream):
        self.q = queue.Queue()
        t = threading.Thread(target=self._run, args=(stream,), daemon=True)
        t.start()

    def _run(self, stream):
        for line in stream:
            self.q.put(line)
        self.q.put(None)

    def get(self, timeout):
        try:
            return self.q.get(timeout=timeout)
        except queue.Empty:
            return None


class BpfObserver(Observer):
    has_bpf = True

    def __init__(self, tool, mode, label, extra=()):
        self.tool, self.mode, self.name, self.label = tool, mode, "bpf-" + mode, label
        self.extra = list(extra)

    def start(self):
        t0 = time.monotonic()
        self.p = subprocess.Popen([self.tool, self.mode] + self.extra, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        self.r = LineReader(self.p.stdout)
        line = self.r.get(30)
        if not line or '"ready":true' not in line:
            fail(f"observer {self.name} did not start: {self.p.stderr.read()[:300] if self.p.poll() is not None else 'timeout'}")
            self.p.kill()
            return False
        self.startup_s = time.monotonic() - t0
        return True

    def pids(self):
        return [self.p.pid]

    def events(self):
        self.p.send_signal(signal.SIGUSR1)
        line = self.r.get(10)
        try:
            return json.loads(line)["records"]
        except (TypeError, ValueError, KeyError):
            return 0

    def peak_rss_kb(self):
        return status_kb(self.p.pid, "VmHWM")

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        final = {}
        while True:
            line = self.r.get(10)
            if line is None:
                break
            try:
                d = json.loads(line)
            except ValueError:
                continue
            if d.get("final"):
                final = d
        # Its exit detaches every program: each tracepoint's detach waits
        # for an RCU grace period, seconds in all on a loaded machine (a
        # limit for a hang, not a speed test).
        self.p.wait(120)
        if self.p.returncode != 0:
            fail(f"observer {self.name} exited {self.p.returncode}")
        return {"records": final.get("records"), "lost": final.get("lost")}


class Nightjar(Observer):
    has_bpf = True
    # Sessions started so far (every instance): each writes its own files,
    # though sections have instances of the same name.
    sessions = 0

    def __init__(self, binary, workdir, name, label, extra):
        self.binary, self.workdir, self.name, self.label, self.extra = binary, workdir, name, label, extra

    def start(self):
        Nightjar.sessions += 1
        self.out = os.path.join(self.workdir, f"{self.name}-{Nightjar.sessions}.jsonl")
        self.err = open(os.path.join(self.workdir, f"{self.name}-{Nightjar.sessions}.stderr"), "w")
        self.offset = 0
        self.partial = b""
        self.lines = 0
        t0 = time.monotonic()
        self.p = subprocess.Popen([self.binary, "run", "--output", self.out] + self.extra,
                                  stdout=subprocess.DEVNULL, stderr=self.err)
        deadline = t0 + 30
        while time.monotonic() < deadline:
            if os.path.exists(self.out):
                with open(self.out, "rb") as f:
                    if b"sensor-started" in f.readline():
                        self.startup_s = time.monotonic() - t0
                        return True
            if self.p.poll() is not None:
                break
            time.sleep(0.005)
        fail(f"{self.name} did not start (see {self.err.name})")
        self.p.kill()
        return False

    def pids(self):
        return [self.p.pid]

    def _new_lines(self):
        with open(self.out, "rb") as f:
            f.seek(self.offset)
            data = f.read()
        self.offset += len(data)
        data = self.partial + data
        lines = data.split(b"\n")
        self.partial = lines.pop()
        return lines

    def events(self):
        self.lines += len(self._new_lines())
        return self.lines

    # Seconds wait_quiet waits at most (other processes' events can keep the
    # file growing: the smoke run lowers it).
    quiet_limit = 15

    def wait_quiet(self, settle=0.3):
        """Wait until the output file stops growing (the sensor has drained)."""
        last, t_end = -1, time.monotonic() + self.quiet_limit
        while time.monotonic() < t_end:
            size = os.path.getsize(self.out)
            if size == last:
                return
            last = size
            time.sleep(settle)

    def count_exec_storm(self, wl_pid):
        """Events whose process is a child of the workload: fork, exec, exit."""
        c = self.count_events({wl_pid})["ours"]
        return {a: c.get(a, 0) for a in ("fork", "exec", "exit")}

    # The encoder writes these keys in this order; a regex per line keeps a
    # saturation step's millions of lines (GBs) countable in seconds.
    PROCESS_RE = re.compile(rb'"process":\{"pid":(\d+),(?:"thread":\{"id":\d+\},)?"entity_id":"[0-9a-f]+-(\d+-\d+)"')
    PARENT_RE = re.compile(rb'"parent":\{"pid":(\d+),(?:"thread":\{"id":\d+\},)?"entity_id":"[0-9a-f]+-(\d+-\d+)"')
    ACTION_RE = re.compile(rb'"action":"([a-z_-]+)"')

    def count_events(self, parents, selves=(), settle=0.3):
        """Per action, the new events of processes whose parent is in `parents`
        or which are in `selves` (pids, or "PID-STARTTIME" strings, the end of
        an entity id, which survive pid reuse); `others`: every other process's events;
        `loss_reports`: events-lost lines, the first one's @timestamp in
        `first_loss_report`. Streams the file once it has not grown for
        `settle` seconds."""
        self.wait_quiet(settle)
        ours, others, loss_reports, first_loss = {}, 0, 0, None
        parents, selves = set(parents), set(selves)
        with open(self.out, "rb") as fh:
            fh.seek(self.offset)
            # self.partial: bytes already read past self.offset's last newline
            head, self.partial = self.partial, b""
            for line in fh:
                self.offset += len(line)
                line, head = head + line, b""
                if not line.endswith(b"\n"):
                    self.partial = line
                    break
                self.lines += 1
                m = self.ACTION_RE.search(line)
                if not m:
                    continue
                act = m.group(1).decode()
                if act == "events-lost":
                    if not loss_reports:
                        first_loss = line[line.index(b'"@timestamp":"') + 14:].split(b'"', 1)[0].decode()
                    loss_reports += 1
                    continue
                par, me = self.PARENT_RE.search(line), self.PROCESS_RE.search(line)
                if (par and (int(par.group(1)) in parents or par.group(2).decode() in parents)) or \
                        (me and (int(me.group(1)) in selves or me.group(2).decode() in selves)):
                    ours[act] = ours.get(act, 0) + 1
                elif me:
                    others += 1
        self.partial = self.partial or head
        return {"ours": ours, "others": others, "loss_reports": loss_reports, "first_loss_report": first_loss}

    def peak_rss_kb(self):
        return status_kb(self.p.pid, "VmHWM")

    def stop(self):
        stop_process(self.p, signal.SIGINT, 60)
        self.err.close()
        if self.p.returncode != 0:
            fail(f"{self.name} exited {self.p.returncode} (see {self.err.name})")
        last = None
        with open(self.out, "rb") as f:
            for line in f:
                if b"sensor-stopped" in line:
                    last = json.loads(line)
        if not last:
            fail(f"{self.name}: no sensor-stopped line")
            return {}
        nj = last["nightjar"]
        # Hundreds of MB of JSONL: drop it and flush, so that its writeback does
        # not land in the next (baseline) run of the file storm.
        os.unlink(self.out)
        os.sync()
        return {"events": nj["events"], "loss": nj["loss"], "caches": nj.get("caches", {})}


class Auditd(Observer):
    name = "auditd"
    label = "auditd (exec/fork/exit rules)"
    RULE = ["-a", "always,exit", "-F", "arch=b64", "-S",
            "execve,execveat,clone,clone3,fork,vfork,exit_group,unshare", "-k", "nightjar_bench"]

    def __init__(self, workdir):
        self.dir = os.path.join(workdir, "auditd")
        os.makedirs(os.path.join(self.dir, "plugins.d"), exist_ok=True)
        self.log = os.path.join(self.dir, "audit.log")
        self.unavailable = None
        if not shutil.which("auditd") or not shutil.which("auditctl"):
            self.unavailable = "auditd not installed"
            return
        st = subprocess.run(["auditctl", "-s"], capture_output=True, text=True)
        if st.returncode != 0:
            self.unavailable = "kernel audit not available: " + (st.stderr.strip() or "auditctl -s failed")[:120]
            return
        self.orig = self._status()
        if self.orig.get("pid", "0") != "0":
            self.unavailable = f"another audit daemon (pid {self.orig['pid']}) owns the audit socket"
            return
        conf = []
        repl = {"log_file": self.log, "max_log_file_action": "IGNORE", "space_left_action": "IGNORE",
                "admin_space_left_action": "IGNORE", "disk_full_action": "IGNORE",
                "disk_error_action": "IGNORE", "log_group": "root",
                "plugin_dir": os.path.join(self.dir, "plugins.d")}
        with open("/etc/audit/auditd.conf") as f:
            for line in f:
                k = line.split("=")[0].strip()
                if k == "use_libwrap":
                    continue
                conf.append(f"{k} = {repl[k]}\n" if k in repl else line)
        cpath = os.path.join(self.dir, "auditd.conf")
        with open(cpath, "w") as f:
            f.writelines(conf)
        os.chmod(cpath, 0o600)

    def _status(self):
        out = subprocess.run(["auditctl", "-s"], capture_output=True, text=True).stdout
        return dict(line.split(None, 1) for line in out.splitlines() if " " in line)

    def start(self):
        t0 = time.monotonic()
        self.err = open(os.path.join(self.dir, "stderr"), "w")
        self.p = subprocess.Popen(["auditd", "-n", "-c", self.dir], stdout=subprocess.DEVNULL, stderr=self.err)
        deadline = t0 + 15
        while time.monotonic() < deadline:
            if self._status().get("pid") == str(self.p.pid):
                break
            if self.p.poll() is not None:
                break
            time.sleep(0.01)
        else:
            pass
        if self._status().get("pid") != str(self.p.pid):
            fail(f"auditd did not start (see {self.err.name})")
            self.p.kill()
            return False
        ok = subprocess.run(["auditctl", "-b", "8192"], capture_output=True).returncode == 0
        ok = ok and subprocess.run(["auditctl"] + self.RULE, capture_output=True).returncode == 0
        if not ok:
            fail("auditctl could not load the rules")
        self.startup_s = time.monotonic() - t0
        self.lost0 = int(self._status().get("lost", "0"))
        self.kauditd = kthread_pid("kauditd")
        self.offset = 0
        self.count = 0
        return ok

    def pids(self):
        return [self.p.pid] + ([self.kauditd] if self.kauditd else [])

    def events(self):
        time.sleep(0.2)  # auditd flushes incrementally
        try:
            with open(self.log, "rb") as f:
                f.seek(self.offset)
                data = f.read()
        except OSError:
            return self.count
        cut = data.rfind(b"\n") + 1
        self.offset += cut
        self.count += sum(1 for line in data[:cut].split(b"\n")
                          if line.startswith(b"type=SYSCALL") and b'key="nightjar_bench"' in line)
        return self.count

    def peak_rss_kb(self):
        return status_kb(self.p.pid, "VmHWM")

    def stop(self):
        lost = int(self._status().get("lost", "0")) - self.lost0
        subprocess.run(["auditctl", "-D"], capture_output=True)
        stop_process(self.p, signal.SIGTERM, 20)
        self.err.close()
        subprocess.run(["auditctl", "-e", self.orig.get("enabled", "0")], capture_output=True)
        return {"lost": lost}


# ---------------------------------------------------------------- saturation

# A target rate this high means "as fast as the generator goes".
SAT_MAX = 10_000_000
# Events per generated operation, as nightjar reports them: a child is a fork
# event and an exit event (exec: and an exec event); unshare(0) is one event.
SAT_PER_OP = {"exec": 3, "fork": 2, "vfork": 2, "unshare": 1}
# Process creation alone cannot out-run nightjar on 2 cores: vfork children
# on both cores reach about 50 000 events/s at most. unshare(0) is an event
# for the price of a syscall and goes past the sensor's capacity; the capped
# variant shows the same loss accounting with process events.
SAT_STEPS = [
    {"mode": "exec", "rate": 500}, {"mode": "exec", "rate": 1000}, {"mode": "exec", "rate": 2000},
    {"mode": "exec", "rate": SAT_MAX}, {"mode": "fork", "rate": SAT_MAX},
    {"mode": "vfork", "rate": SAT_MAX, "jobs": 2},
    {"mode": "unshare", "rate": 50000, "jobs": 2}, {"mode": "unshare", "rate": 60000, "jobs": 2},
    {"mode": "unshare", "rate": 75000, "jobs": 2}, {"mode": "unshare", "rate": 100000, "jobs": 2},
    {"mode": "unshare", "rate": SAT_MAX, "jobs": 2},
    {"mode": "vfork", "rate": SAT_MAX, "jobs": 2, "variant": "cpu-quota"},
]
# Smoke: the exec accounting, and workers + unshare + the CPU cap in one step.
SAT_SMOKE = [{"mode": "exec", "rate": 400}, {"mode": "unshare", "rate": 5000, "jobs": 2, "variant": "cpu-quota"}]
SAT_QUOTA_PCT = 10
SAT_SECONDS = 30.0


class CpuQuota:
    """A cgroup with a CFS CPU quota for the daemon (all its threads): cgroup
    v1's cpu controller, or cgroup v2's cpu.max where that is where cpu is."""

    def __init__(self, name, pct):
        self.unavailable, self.home = None, None
        period = 100000
        if os.path.exists("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"):
            self.root = "/sys/fs/cgroup/cpu"
            self.limits = {"cpu.cfs_period_us": str(period), "cpu.cfs_quota_us": str(period * pct // 100)}
        elif "cpu" in self._read("/sys/fs/cgroup/cgroup.subtree_control").split():
            self.root = "/sys/fs/cgroup"
            self.limits = {"cpu.max": f"{period * pct // 100} {period}"}
        else:
            self.unavailable = "no cgroup cpu controller (v1 cpu or v2 cpu.max)"
            return
        self.dir = os.path.join(self.root, name)
        try:
            os.makedirs(self.dir, exist_ok=True)
            for k, v in self.limits.items():
                with open(os.path.join(self.dir, k), "w") as fh:
                    fh.write(v)
        except OSError as e:
            self.unavailable = f"cannot set up {self.dir}: {e}"

    @staticmethod
    def _read(path):
        try:
            with open(path) as fh:
                return fh.read()
        except OSError:
            return ""

    def _move(self, pid, cgdir):
        try:
            with open(os.path.join(cgdir, "cgroup.procs"), "w") as fh:
                fh.write(str(pid))
            return True
        except OSError as e:
            self.unavailable = f"cannot move pid {pid} to {cgdir}: {e}"
            return False

    def enter(self, pid):
        """Move the process (every thread) in; remembers where it was."""
        v1 = self.root != "/sys/fs/cgroup"
        for line in self._read(f"/proc/{pid}/cgroup").splitlines():
            hier, ctrls, path = line.split(":", 2)
            if (v1 and "cpu" in ctrls.split(",")) or (not v1 and hier == "0"):
                self.home = self.root + path.rstrip("/") if path != "/" else self.root
        return self._move(pid, self.dir)

    def leave(self, pid):
        if self.home:
            self._move(pid, self.home)

    def remove(self):
        try:
            os.rmdir(self.dir)
        except OSError:
            pass


# ---------------------------------------------------------------- the suite

def machine():
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = status_kb_file("/proc/meminfo", "MemTotal")
    qemu = subprocess.run(["pgrep", "-c", "qemu-system"], capture_output=True, text=True).stdout.strip()
    other = subprocess.run(["pgrep", "-c", "-x", "nightjar"], capture_output=True, text=True).stdout.strip()
    git = subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "log", "-1", "--format=%h"],
                         capture_output=True, text=True).stdout.strip()
    return {"nproc": os.cpu_count(), "commit": git or "?", "model": model, "kernel": os.uname().release,
            "loadavg": open("/proc/loadavg").read().split()[:3],
            "mem_gib": round(mem / 1024 / 1024, 1) if mem else None,
            "os": open("/etc/debian_version").read().strip() if os.path.exists("/etc/debian_version") else "?",
            "qemu_running": int(qemu or 0), "other_nightjar": int(other or 0)}


def iso_to_epoch(ts):
    """nightjar's @timestamp (UTC, nanoseconds) as a Unix time."""
    whole, frac = ts.rstrip("Z").split(".")
    t = datetime.datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return t.timestamp() + float("0." + frac)


def status_kb_file(path, key):
    with open(path) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return None


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


class Suite:
    def __init__(self, a):
        self.a = a
        self.build = os.path.abspath(a.build_dir)
        self.smoke = a.smoke
        self.tmp = tempfile.mkdtemp(prefix="nj-bench.")
        if a.smoke:
            Nightjar.quiet_limit = 3
        self.wl = Workloads(os.path.join(self.build, "bench", "nj-workload"), a.smoke)
        obs = os.path.join(self.build, "bench", "nj-bench-observer")
        nj = os.path.join(self.build, "nightjar")
        self.nj_bin = nj
        # A smoke run's reference observers attach the process family's
        # hooks only: detaching a tracepoint program waits for RCU (~30 ms
        # each), and the file section's smoke attaches every hook once.
        fam = ["--families", "process"] if a.smoke else []
        self.observers = [
            BpfObserver(obs, "empty", "empty BPF programs (floor)", fam),
            BpfObserver(obs, "minimal-wakeup", "minimal 64 B record, wake per record", fam),
            BpfObserver(obs, "minimal-batched", "minimal 64 B record, batched wake-up", fam),
            Nightjar(nj, self.tmp, "nightjar", "nightjar (default)", []),
            Nightjar(nj, self.tmp, "nightjar-all", "nightjar (every family)", ["--events", "process,file,network"]),
        ]
        if not a.smoke:
            # Attribution: the same daemon without the SHA-256 worker.
            self.observers.append(Nightjar(nj, self.tmp, "nightjar-nohash", "nightjar --no-hash", ["--no-hash"]))
        self.audit_status = "skipped (--smoke)" if a.smoke else None
        if not a.smoke and not a.no_auditd:
            au = Auditd(self.tmp)
            if au.unavailable:
                self.audit_status = "unavailable: " + au.unavailable
            else:
                self.observers.append(au)
                self.audit_status = "available"
        elif a.no_auditd and not a.smoke:
            self.audit_status = "skipped (--no-auditd)"
        # The file family's section: the same reference programs (every hook
        # of both families, as nightjar's default), nightjar's default,
        # the file family alone, and the default rules without their read
        # rules (the kernel then climbs one dentry per file instead of 5).
        self.depth1_rules = os.path.join(self.tmp, "rules-no-read")
        rules = subprocess.run([nj, "file-rules"], capture_output=True, text=True).stdout
        with open(self.depth1_rules, "w") as fh:
            fh.writelines(re.sub(r"\s+read$", "", line) + "\n" for line in rules.splitlines()
                          if not line.startswith("exclude "))
        self.file_observers = [
            BpfObserver(obs, "empty", "empty BPF programs (floor)"),
            BpfObserver(obs, "minimal-wakeup", "minimal 64 B record, wake per record"),
            BpfObserver(obs, "minimal-batched", "minimal 64 B record, batched wake-up"),
            Nightjar(nj, self.tmp, "nightjar", "nightjar (default)", []),
            Nightjar(nj, self.tmp, "nightjar-file", "nightjar --events file", ["--events", "file"]),
            Nightjar(nj, self.tmp, "nightjar-depth1", "nightjar, no read rules (watch depth 1)",
                     ["--file-rules", self.depth1_rules]),
        ]
        if a.smoke:
            # Every hook of both families attached once, and nightjar with a
            # rules file.
            self.file_observers = [o for o in self.file_observers if o.name in ("bpf-minimal-batched",
                                                                                 "nightjar-depth1")]
        # The network family's section: the reference programs on the
        # network family's hooks only (the storms drive no other family's),
        # nightjar's default (every family) and the network family alone.
        net = ["--families", "network"]
        self.net_observers = [
            BpfObserver(obs, "empty", "empty BPF programs (floor)", net),
            BpfObserver(obs, "minimal-wakeup", "minimal 64 B record, wake per record", net),
            BpfObserver(obs, "minimal-batched", "minimal 64 B record, batched wake-up", net),
            Nightjar(nj, self.tmp, "nightjar", "nightjar (default)", []),
            Nightjar(nj, self.tmp, "nightjar-network", "nightjar --events network", ["--events", "network"]),
        ]
        if a.smoke:
            # The network hooks attached once each, by a reference program
            # and by nightjar.
            self.net_observers = [o for o in self.net_observers if o.name in ("bpf-minimal-batched",
                                                                               "nightjar-network")]
        # The tamper family's section: the reference programs on the tamper
        # family's hooks, nightjar's default and the tamper family alone.
        tam = ["--families", "tamper"]
        self.tamper_observers = [
            BpfObserver(obs, "empty", "empty BPF programs (floor)", tam),
            BpfObserver(obs, "minimal-wakeup", "minimal 64 B record, wake per record", tam),
            BpfObserver(obs, "minimal-batched", "minimal 64 B record, batched wake-up", tam),
            Nightjar(nj, self.tmp, "nightjar", "nightjar (default)", []),
            Nightjar(nj, self.tmp, "nightjar-tamper", "nightjar --events tamper", ["--events", "tamper"]),
        ]
        if a.smoke:
            self.tamper_observers = [o for o in self.tamper_observers if o.name in ("bpf-minimal-batched",
                                                                                     "nightjar-tamper")]
        if a.only:
            self.observers = [o for o in self.observers if o.name in a.only.split(",")]
            self.tamper_observers = [o for o in self.tamper_observers if o.name in a.only.split(",")]
            self.file_observers = [o for o in self.file_observers if o.name in a.only.split(",")]
            self.net_observers = [o for o in self.net_observers if o.name in a.only.split(",")]
        self.res = {"machine": machine(), "smoke": a.smoke, "pairs": a.pairs, "storms": {},
                    "paced": {}, "startup": {}, "rss": {}, "progs": {}, "stopped": {},
                    "exec_delivery": {}, "saturation": [], "auditd": self.audit_status,
                    "workload_args": self.wl.storms}

    # -- one observer session: run `body` with the observer attached; its
    # start-up, peak RSS, program statistics (whole session) and stop report
    # go to `store` (default: the process section's results)
    def attached(self, o, body, store=None):
        store = self.res if store is None else store
        if not o.start():
            return False
        store["startup"].setdefault(o.name, []).append(o.startup_s)
        # Let the start-up work (nightjar's /proc seed, first hashes) finish:
        # wait until the observer used no CPU for 0.3 s (at most 5 s; 1 s
        # in a smoke run, which a busy machine must not time out).
        t_end = time.monotonic() + (1 if self.smoke else 5)
        while time.monotonic() < t_end:
            c0 = o.cpu()
            time.sleep(0.3)
            if o.cpu() == c0:
                break
        before = bpf_progs() if o.has_bpf and "progs" in store else {}
        body(o)
        if o.has_bpf and "progs" in store:
            add_progs(store["progs"].setdefault(o.name, {}), before, bpf_progs(), prog_ids_of(o.pids()[0]))
        rss = o.peak_rss_kb()
        if rss:
            store["rss"][o.name] = max(rss, store["rss"].get(o.name, 0))
        store["stopped"].setdefault(o.name, []).append(o.stop())
        return True

    def interleaved(self, observers, run, store=None, what="overhead"):
        """run(observer) for each observer in interleaved pairs with no
        sensor: none/observer, then observer/none, ... (a fresh observer
        session each time)."""
        none = Observer()
        for o in observers:
            log(f"{what}: {o.name}, {self.a.pairs} interleaved pairs")
            for i in range(self.a.pairs):
                order = [none, o] if i % 2 == 0 else [o, none]
                for side in order:
                    if side is none:
                        run(none)
                    elif not self.attached(o, run, store):
                        break

    def run_storms(self, o, tag):
        os.sync()
        for w, argv in self.wl.storms.items():
            c0, e0 = o.cpu(), o.events()
            r = self.wl.run(argv)
            rec = {"elapsed": r["elapsed_s"], "ops": r["ops"]}
            if w == "exec":
                d = o.count_exec_storm(r.get("pid"))
                if d is not None:
                    rec["delivered"] = d
                    self.res["exec_delivery"].setdefault(o.name, []).append({"ops": r["ops"], **d})
            if o.pids():
                e1 = o.events()
                rec["cpu_s"] = o.cpu() - c0
                rec["events"] = e1 - e0
            self.res["storms"].setdefault(w, {}).setdefault(o.name, []).append(rec)
            if tag:
                tag.setdefault(w, []).append(rec)

    def overhead(self):
        log("warm-up: every workload once, no sensor")
        for argv in self.wl.storms.values():
            self.wl.run(argv)
        self.interleaved(self.observers, lambda ob: self.run_storms(ob, None))
        self.res["ratios"] = pair_ratios(self.res["storms"], self.observers)

    # ------------------------------------------------------------ family sections

    def family_storms(self, key, storms, o):
        """A family section's storms in one session: wall time, the
        observer's CPU and events, nightjar's events of the workload
        by action, and (BPF observers) each program's run time and count
        over each storm alone (not the whole session's, which would mix the
        storms: a read-only open and a created file are different paths
        through the same program). The statistics are read as soon as the
        workload ends, before nightjar's backlog is counted."""
        fs = self.res[key]
        os.sync()
        for w, argv in storms.items():
            c0, e0 = o.cpu(), o.events()
            ids = prog_ids_of(o.pids()[0]) if o.has_bpf else set()
            before = bpf_progs() if ids else {}
            r = self.wl.run(argv)
            after = bpf_progs() if ids else {}
            rec = {"elapsed": r["elapsed_s"], "ops": r["ops"], "wl_cpu": r["wl_cpu_s"]}
            if isinstance(o, Nightjar):
                # A storm can leave the daemon seconds of backlog, and on
                # a loaded machine it may stall for a moment: settle longer.
                rec["delivered"] = o.count_events(set(), {r.get("pid")}, settle=0.3 if self.smoke else 1.0)["ours"]
            if o.pids():
                e1 = o.events()
                rec["cpu_s"] = o.cpu() - c0
                rec["events"] = e1 - e0
            if ids:
                add_progs(fs["storm_progs"].setdefault(o.name, {}).setdefault(w, {}), before, after, ids)
                # this run's alone too: the spread of a program's cost over runs
                add_progs(rec.setdefault("progs", {}), before, after, ids)
            fs["storms"].setdefault(w, {}).setdefault(o.name, []).append(rec)

    def family_section(self, key, obs, storms, extra=None):
        """A family's section (res[key]): its storms under the reference
        programs and nightjar's configurations, in interleaved pairs;
        in-kernel cost per storm."""
        t0 = time.monotonic()
        hogs = OtherCpu()
        fs = self.res[key] = {
            "machine": machine(), "smoke": self.smoke, "pairs": self.a.pairs, "storms": {}, "storm_progs": {},
            "startup": {}, "rss": {}, "stopped": {}, "workload_args": storms,
            "observers": {o.name: o.label for o in obs}, **(extra or {})}
        log(f"{key} family warm-up: every workload once, no sensor")
        for argv in storms.values():
            self.wl.run(argv)
        self.interleaved(obs, lambda o: self.family_storms(key, storms, o), fs, f"{key} family")
        fs["ratios"] = pair_ratios(fs["storms"], obs)
        fs["other_cpu"] = hogs.stop()
        fs["machine_end"] = machine()
        fs["duration_s"] = time.monotonic() - t0

    def file_section(self):
        """The file family: its storms under the reference programs (on every
        hook nightjar attaches, both families) and nightjar's
        configurations."""
        self.family_section("file", self.file_observers, self.wl.file_storms,
                            {"rules_depth1": self.depth1_rules})

    def network_section(self):
        """The network family: its storms under the reference programs (on
        the network hooks) and nightjar's default and network-only
        configurations."""
        self.family_section("network", self.net_observers, self.wl.net_storms)

    def tamper_section(self):
        """The tamper family: a JIT-like mprotect storm, a mix of its cheap
        actions and its other syscalls, under the reference programs (on
        the tamper hooks) and nightjar's default and tamper-only
        configurations."""
        self.family_section("tamper", self.tamper_observers, self.wl.tamper_storms)

    def paced(self):
        rates = [400] if self.smoke else [100, 400, 1600]
        secs = 1.0 if self.smoke else 20.0
        for o in self.observers:
            log(f"paced exec: {o.name} at {rates}/s for {secs:.0f} s")

            def body(ob):
                for rate in rates:
                    c0, e0 = ob.cpu(), ob.events()
                    t0 = time.monotonic()
                    r = self.wl.run(["paced", str(rate), str(secs), "exec"])
                    wall = time.monotonic() - t0
                    e1 = ob.events()
                    cpu = ob.cpu() - c0
                    self.res["paced"].setdefault(ob.name, {})[str(rate)] = {
                        "achieved_rate": r["ops"] / r["elapsed_s"] if r.get("elapsed_s") else None,
                        "ops": r["ops"], "late": r.get("late"), "wall_s": wall, "cpu_s": cpu,
                        "cpu_pct": 100.0 * cpu / wall, "events": e1 - e0}
            self.attached(o, body)

    def saturation(self):
        """The highest event rate nightjar sustains with zero loss, and above it.

        Every step is a fresh daemon and one paced generator run; the
        generator's processes are listed in its report ("pids"), and every
        event of theirs or of their children is matched in the JSONL, so
        generated = delivered + lost can be checked exactly."""
        secs = 2.0 if self.smoke else SAT_SECONDS
        steps = SAT_SMOKE if self.smoke else SAT_STEPS
        for step in steps:
            mode, rate, jobs, variant = step["mode"], step["rate"], step.get("jobs", 1), step.get("variant")
            extra = []
            quota = None
            if variant == "cpu-quota":
                quota = CpuQuota("nj-bench-sat", SAT_QUOTA_PCT)
                if quota.unavailable:
                    log(f"saturation: {mode} with the daemon CPU-capped skipped: {quota.unavailable}")
                    self.res["saturation"].append({**step, "skipped": quota.unavailable})
                    continue
            o = Nightjar(self.nj_bin, self.tmp, "saturation", "nightjar", extra)
            tag = f"nj-sat-{mode}-{rate}" + (f"-{variant}" if variant else "")
            res = {}

            def body(ob):
                if quota and not quota.enter(ob.p.pid):
                    res["skipped"] = quota.unavailable
                    return
                c0, t0 = ob.cpu(), time.time()
                r = self.wl.run(["paced", str(rate), str(secs), mode, tag, str(jobs)])
                res["wall"] = (t0, time.time())
                res.update(r)
                res["cpu_s"] = ob.cpu() - c0
                res["daemon_running"] = ob.p.poll() is None
                # Lift the cap before draining: what was lost, was lost while
                # the generator ran; the backlog left is delivered quickly.
                if quota:
                    quota.leave(ob.p.pid)
                # Pids wrap within seconds in a fork storm: match the
                # generator's processes by pid and start time.
                ids = r.get("ids") or r.get("pids") or [r.get("pid")]
                res["count"] = ob.count_events(ids, ids)
            what = f"{mode} at {'max' if rate >= SAT_MAX else rate}/s, {jobs} job(s)" + \
                (f", daemon capped at {SAT_QUOTA_PCT} % of a core" if quota else "")
            log(f"saturation: {what} for {secs:.0f} s")
            ok = self.attached(o, body)
            if quota:
                quota.remove()
            if not ok:
                continue
            st = self.res["stopped"].pop("saturation")[-1]
            if "skipped" in res:
                self.res["saturation"].append({**step, "skipped": res["skipped"]})
                continue
            ours = res["count"]["ours"]
            # The generator's own processes: with one job the workload itself
            # (fork, exec, exit), else each worker (fork, exit).
            own = 3 if jobs == 1 else 2 * jobs
            gen = res["ops"] * SAT_PER_OP[mode] + own
            dl = sum(ours.values())
            loss = st.get("loss", {})
            lost = loss.get("kernel_lost_total", 0) + loss.get("queue_dropped_total", 0) + \
                loss.get("transport_lost_total", 0) + loss.get("output_failed_total", 0) + \
                loss.get("program_runs_missed_total", 0)
            if gen - dl > lost and mode != "exec":
                fail(f"{tag}: {gen - dl} events missing but only {lost} counted lost")
            if not res.get("daemon_running"):
                fail(f"{tag}: nightjar was not running at the end of the step")
            self.res["saturation"].append({
                **step, "target_rate": rate, "max": rate >= SAT_MAX, "seconds": secs,
                "achieved_rate": res["ops"] / res["elapsed_s"],
                "ops": res["ops"], "elapsed_s": res["elapsed_s"], "generated_events": gen,
                "events_per_s": gen / res["elapsed_s"], "delivered": dl, "by_action": ours,
                "others_delivered": res["count"]["others"], "loss_reports": res["count"]["loss_reports"],
                "lost": lost, "cpu_pct": 100 * res["cpu_s"] / res["elapsed_s"],
                "daemon_running": res["daemon_running"], "quota_pct": SAT_QUOTA_PCT if quota else None,
                "loss": loss, "nightjar_events": st.get("events"),
                # When the first events-lost line was written, from the
                # generator's start: is loss reported while it happens?
                "first_loss_report_s": iso_to_epoch(res["count"]["first_loss_report"]) - res["wall"][0]
                if res["count"]["first_loss_report"] else None,
                "generator_wall_s": res["wall"][1] - res["wall"][0]})
        self.res["startup"].pop("saturation", None)
        self.res["rss"].pop("saturation", None)
        self.res["progs"].pop("saturation", None)

    def check(self):
        for o in self.observers:
            if isinstance(o, Nightjar):
                for st in self.res["stopped"].get(o.name, []):
                    if not st.get("events"):
                        fail(f"{o.name} reported zero events")
                for d in self.res["exec_delivery"].get(o.name, []):
                    if d["exec"] == 0:
                        fail(f"{o.name} delivered no exec event of the exec storm")
        fs = self.res.get("file", {})
        for o in self.file_observers:
            if isinstance(o, Nightjar):
                for rec in fs.get("storms", {}).get("file", {}).get(o.name, []):
                    if not rec.get("delivered", {}).get("create"):
                        fail(f"{o.name} delivered no create event of the file storm")
        ns = self.res.get("network", {})
        for o in self.net_observers:
            if isinstance(o, Nightjar):
                for w, act in (("connect-storm", "connect"), ("udp-storm", "udp"), ("udp-flows", "udp")):
                    for rec in ns.get("storms", {}).get(w, {}).get(o.name, []):
                        if not rec.get("delivered", {}).get(act):
                            fail(f"{o.name} delivered no {act} event of the {w}")
        ts = self.res.get("tamper", {})
        for o in self.tamper_observers:
            if isinstance(o, Nightjar):
                for w, act in (("jit-storm", "memory_exec"), ("tamper-mix", "signal"),
                               ("tamper-rare", "signal"), ("tamper-rare", "mount_api")):
                    for rec in ts.get("storms", {}).get(w, {}).get(o.name, []):
                        if not rec.get("delivered", {}).get(act):
                            fail(f"{o.name} delivered no {act} event of the {w}")

    def run(self):
        sysctl = "/proc/sys/kernel/bpf_stats_enabled"
        old = open(sysctl).read().strip()
        with open(sysctl, "w") as f:
            f.write("1")
        try:
            if self.a.only_saturation:
                # Re-measure the saturation steps into an existing results file.
                prev = json.load(open(self.a.results))
                prev_errors = [e for e in prev.get("errors", []) if "nj-sat-" not in e]
                self.saturation()
                prev["saturation"] = self.res["saturation"]
                prev["machine_saturation"] = machine()
                self.res = prev
                ERRORS[:0] = prev_errors
                prev["errors"] = ERRORS
                return self.res
            for key, only, section in (("file", self.a.only_file, self.file_section),
                                       ("network", self.a.only_network, self.network_section),
                                       ("tamper", self.a.only_tamper, self.tamper_section)):
                if not only:
                    continue
                # Re-measure one family's section into an existing results
                # file (or a new one holding only that section).
                prev = json.load(open(self.a.results)) if os.path.exists(self.a.results) else {}
                section()
                self.check()
                prev[key] = self.res[key]
                prev["errors"] = [e for e in prev.get("errors", []) if not e.startswith(key + ": ")] + \
                    [key + ": " + e for e in ERRORS]
                self.res = prev
                return self.res
            self.overhead()
            self.paced()
            if not self.a.no_file:
                self.file_section()
            if not self.a.no_network:
                self.network_section()
            if not self.a.no_tamper:
                self.tamper_section()
            if not self.a.no_saturation:
                self.saturation()
        finally:
            with open(sysctl, "w") as f:
                f.write(old)
        self.check()
        self.res["errors"] = ERRORS
        self.res["machine_end"] = machine()
        return self.res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--build-dir", default="build")
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--no-auditd", action="store_true")
    ap.add_argument("--no-saturation", action="store_true")
    ap.add_argument("--only", help="comma-separated observer names")
    ap.add_argument("--only-saturation", action="store_true",
                    help="re-run the saturation test into the existing --results file")
    ap.add_argument("--no-file", action="store_true", help="skip the file family's section")
    ap.add_argument("--only-file", action="store_true",
                    help="run only the file family's section, into the --results file (kept otherwise)")
    ap.add_argument("--no-network", action="store_true", help="skip the network family's section")
    ap.add_argument("--only-network", action="store_true",
                    help="run only the network family's section, into the --results file (kept otherwise)")
    ap.add_argument("--no-tamper", action="store_true", help="skip the tamper family's section")
    ap.add_argument("--only-tamper", action="store_true",
                    help="run only the tamper family's section, into the --results file (kept otherwise)")
    ap.add_argument("--results", required=True, help="write the raw results JSON here")
    a = ap.parse_args()
    if a.only_file + a.only_network + a.only_tamper > 1:
        ap.error("--only-file, --only-network, --only-tamper: one section at a time")
    if a.smoke:
        a.pairs = 1
    t0 = time.monotonic()
    s = Suite(a)
    res = s.run()
    if not a.only_saturation and not a.only_file and not a.only_network and not a.only_tamper:
        res["duration_s"] = time.monotonic() - t0
    with open(a.results, "w") as f:
        json.dump(res, f, indent=1)
    shutil.rmtree(s.tmp, ignore_errors=True)
    log(f"done in {time.monotonic() - t0:.0f} s; {len(ERRORS)} error(s); results in {a.results}")
    for e in ERRORS:
        log("  " + e)
    return 1 if ERRORS else 0


if __name__ == "__main__":
    sys.exit(main())
