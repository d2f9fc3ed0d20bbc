#!/usr/bin/env python3
"""Raw-syscall dispatch prototype against per-syscall tracepoints
(docs/bench/raw-syscall-dispatch.md; python3 stdlib only, as root).

    python3 bench/dispatch.py [--build-dir build] [--rounds N] [--only OBS,...]
                              [--results FILE]

Each round runs, for every observer in turn, one interleaved pair: the
storms with no observer and the storms under a fresh observer session
(none first in even rounds, the observer first in odd ones, as bench.py's
interleaved pairs). The wall time of each storm is paired with the no-observer
run next to it; a ratio per pair, and the extra nanoseconds per iteration.
Prints a table (min / median / max of the ratios, median extra ns per
iteration) and writes every run to the results file.
"""
import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time

# Each ~0.5-0.8 s with no observer on this VM: short runs, many pairs.
STORMS = {
    "open": ["open", "500000"],
    "file": ["file", "15000"],
    "jit-storm": ["jit-storm", "120000"],
    "connect-storm": ["connect-storm", "30000"],
    "getppid": ["getppid", "3000000"],
    "read-zero": ["read-zero", "2000000"],
    "prctl": ["prctl", "3000000"],
}

# name: (binary, argv, label). All observers hook the syscall tracepoints
# of every family (nightjar's default attaches every family), and no other
# hook, so that they differ only in how they reach the syscalls.
OBSERVERS = {
    "tp-empty": ("nj-bench-observer", ["empty", "--syscalls-only"],
                 "(a) empty programs on syscalls:sys_{enter,exit}_<name>"),
    "tp-minimal": ("nj-bench-observer", ["minimal-batched", "--syscalls-only"],
                   "minimal 64 B record (batched) on syscalls:sys_{enter,exit}_<name>"),
    "btf-empty": ("nj-bench-dispatch", ["btf-empty"],
                  "(b) empty tp_btf on raw sys_enter + sys_exit"),
    "raw-empty": ("nj-bench-dispatch", ["raw-empty"],
                  "(b') empty raw_tp on raw sys_enter + sys_exit"),
    "btf-tail": ("nj-bench-dispatch", ["btf-tail"],
                 "(c) tp_btf dispatcher, tail call to an empty program"),
    "raw-tail": ("nj-bench-dispatch", ["raw-tail"],
                 "(c') raw_tp dispatcher, tail call to an empty program"),
    "btf-flag": ("nj-bench-dispatch", ["btf-flag"],
                 "(c'') tp_btf dispatcher, flag per syscall number and a direct call (no tail call)"),
    "btf-tail-min": ("nj-bench-dispatch", ["btf-tail-min"],
                     "(d) tp_btf dispatcher, tail call to the minimal record (batched)"),
}


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def others():
    """Other processes that hook syscalls or take CPU in bursts."""
    found = []
    for name in ("nightjar", "qemu-system-x86"):  # comm: 15 characters
        r = subprocess.run(["pgrep", "-x", name], capture_output=True, text=True)
        if r.stdout.strip():
            found.append(name)
    return found


class Session:
    def __init__(self, build, name):
        binary, argv, _ = OBSERVERS[name]
        self.p = subprocess.Popen([os.path.join(build, "bench", binary)] + argv,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.p.stdout.readline()
        if '"ready":true' not in line:
            raise RuntimeError(f"{name} did not start: {line} {self.p.stderr.read()[:400]}")
        self.ready = json.loads(line)

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        out, err = self.p.communicate(timeout=60)
        final = {}
        for line in out.splitlines():
            try:
                d = json.loads(line)
            except ValueError:
                continue
            if d.get("final"):
                final = d
        if self.p.returncode:
            raise RuntimeError(f"observer exited {self.p.returncode}: {err[:300]}")
        return final


def run_storms(build, storms):
    """Wall time of each storm's loop (its own report) and the CPU time of
    the whole process (wait4: the scheduler's precise run time, so time
    spent waiting for a CPU taken by other processes is left out; it
    includes the process's start and exit, the same with and without an
    observer)."""
    out = {}
    for w, argv in storms.items():
        p = subprocess.Popen([os.path.join(build, "bench", "nj-workload")] + argv,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        stdout, stderr = p.stdout.read(), p.stderr.read()
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        r = json.loads(stdout.strip().splitlines()[-1])
        if p.returncode or r.get("errors"):
            raise RuntimeError(f"workload {w} failed: {stdout} {stderr}")
        out[w] = {"wall": r["elapsed_s"], "cpu": ru.ru_utime + ru.ru_stime}
    return out


def observed(build, name, storms):
    s = Session(build, name)
    time.sleep(0.3)  # attach work (tracepoint registration) settled
    try:
        times = run_storms(build, storms)
    finally:
        final = s.stop()
    return times, final


def summary(res, storms):
    rows = []
    for w, argv in storms.items():
        ops = int(argv[1])
        for o in res["observers"]:
            row = {"storm": w, "observer": o}
            for k in ("wall", "cpu"):
                pairs = [(p["none"][w][k], p["obs"][w][k]) for p in res["pairs"] if p["observer"] == o]
                if not pairs:
                    continue
                ratios = [t / b for b, t in pairs]
                row[k] = {"n": len(ratios), "min": min(ratios), "median": statistics.median(ratios),
                          "max": max(ratios),
                          "extra_ns_per_iter": statistics.median([(t - b) / ops * 1e9 for b, t in pairs]),
                          "base_ns_per_iter": statistics.median([b for b, _ in pairs]) / ops * 1e9}
            if "wall" in row:
                rows.append(row)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", default="build")
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--only", default=",".join(OBSERVERS))
    ap.add_argument("--storms", default=",".join(STORMS))
    ap.add_argument("--results", default=None)
    a = ap.parse_args()
    build = os.path.abspath(a.build_dir)
    obs = a.only.split(",")
    storms = {k: STORMS[k] for k in a.storms.split(",")}
    results = a.results or os.path.join(build, "bench", "dispatch-results.json")
    res = {"observers": obs, "labels": {o: OBSERVERS[o][2] for o in obs}, "storms": storms,
           "kernel": os.uname().release, "cpus": os.cpu_count(), "pairs": [], "started": time.time()}
    log("warm-up: every storm once, no observer")
    run_storms(build, storms)
    for rnd in range(a.rounds):
        # Rotate the observers too, so that none always follows the same one.
        order = obs[rnd % len(obs):] + obs[:rnd % len(obs)]
        for o in order:
            la0, oth = loadavg(), others()
            if rnd % 2 == 0:
                none = run_storms(build, storms)
                t, final = observed(build, o, storms)
            else:
                t, final = observed(build, o, storms)
                none = run_storms(build, storms)
            res["pairs"].append({"round": rnd, "observer": o, "none": none, "obs": t,
                                 "records": final.get("records"), "lost": final.get("lost"),
                                 "load": [la0, loadavg()], "others": oth})
        log(f"round {rnd + 1}/{a.rounds} done, load {loadavg():.2f}")
        with open(results, "w") as f:
            json.dump(res, f, indent=1)
    res["summary"] = summary(res, storms)
    res["finished"] = time.time()
    with open(results, "w") as f:
        json.dump(res, f, indent=1)
    loads = [x for p in res["pairs"] for x in p["load"]]
    print(f"kernel {res['kernel']}, {res['cpus']} CPUs, {a.rounds} rounds, load "
          f"{min(loads):.2f}..{max(loads):.2f} (median {statistics.median(loads):.2f})")
    print(f"{'storm':<14} {'observer':<13} {'n':>3} | wall: {'min':>6} {'median':>7} {'max':>6} "
          f"{'ns/it':>7} {'+ns/it':>7} | cpu: {'min':>6} {'median':>7} {'max':>6} {'+ns/it':>7}")
    for r in res["summary"]:
        wl, c = r["wall"], r["cpu"]
        print(f"{r['storm']:<14} {r['observer']:<13} {wl['n']:>3} |       {wl['min']:6.3f} {wl['median']:7.3f} "
              f"{wl['max']:6.3f} {wl['base_ns_per_iter']:7.1f} {wl['extra_ns_per_iter']:7.1f} |      "
              f"{c['min']:6.3f} {c['median']:7.3f} {c['max']:6.3f} {c['extra_ns_per_iter']:7.1f}")

if __name__ == "__main__":
    main()
