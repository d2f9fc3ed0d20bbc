#!/usr/bin/env python3
"""Interleaved sessions of a (scratch) nightjar under switched-off parts
(file-parts.patch): per configuration and repetition, one nightjar session
and one workload run; prints each program's ns per run over the workload,
the daemon's CPU, the lines written and the records lost, then the medians.

usage (as root): ablate.py NIGHTJAR NJ-WORKLOAD SPEC OUT.json
  SPEC: {"reps": 3, "wl": ["file", "20000"],
         "configs": {"name": [{"NJX_SKIP": "1"}, ["--extra", "args"]], ...}}
"""
import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import bench  # noqa: E402 (bpf_progs, prog_ids_of, add_progs, cpu_ticks)

OUT = "/tmp/nj-ablate.jsonl"


def session(nj, tool, env, args, wl):
    if os.path.exists(OUT):
        os.unlink(OUT)
    p = subprocess.Popen([nj, "run", "--output", OUT] + args, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, env={**os.environ, **env})
    for _ in range(500):
        if os.path.exists(OUT) and b"sensor-started" in open(OUT, "rb").readline():
            break
        time.sleep(0.02)
    time.sleep(1.0)
    ids = bench.prog_ids_of(p.pid)
    c0 = bench.cpu_ticks(p.pid)
    before = bench.bpf_progs()
    r = json.loads(subprocess.run([tool] + wl, capture_output=True, text=True).stdout.strip().splitlines()[-1])
    after = bench.bpf_progs()
    last = -1
    while os.path.getsize(OUT) != last:  # until the backlog is written
        last = os.path.getsize(OUT)
        time.sleep(1.0)
    c1 = bench.cpu_ticks(p.pid)
    acc = {}
    bench.add_progs(acc, before, after, ids)
    p.send_signal(2)
    p.wait()
    lines, lost = 0, 0
    for line in open(OUT):
        lines += 1
        if "sensor-stopped" in line:
            lost = json.loads(line)["nightjar"]["loss"]["kernel_lost_total"]
    os.unlink(OUT)
    return {"elapsed": r["elapsed_s"], "cpu": c1 - c0, "lines": lines, "lost": lost,
            "ns": {h: e["ns"] / e["cnt"] for h, e in acc.items() if e["cnt"] >= 1000}}


def main():
    nj, tool, spec, out = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]
    with open("/proc/sys/kernel/bpf_stats_enabled", "w") as f:
        f.write("1")
    res = {}
    for rep in range(spec["reps"]):
        for name, (env, args) in spec["configs"].items():
            r = session(nj, tool, env, args, spec["wl"])
            res.setdefault(name, []).append(r)
            print(rep, name, f"{r['elapsed']:.3f} s", f"cpu {r['cpu']:.2f} s", f"lines {r['lines']}",
                  f"lost {r['lost']}", {h: round(v) for h, v in sorted(r["ns"].items())}, flush=True)
    with open(out, "w") as f:
        json.dump(res, f)
    print("medians:")
    for name, rs in res.items():
        hooks = sorted(set().union(*[r["ns"] for r in rs]))
        ns = {h: round(statistics.median([r["ns"][h] for r in rs if h in r["ns"]])) for h in hooks}
        print(f"  {name}: {statistics.median([r['elapsed'] for r in rs]):.3f} s, cpu "
              f"{statistics.median([r['cpu'] for r in rs]):.2f} s, lost {sum(r['lost'] for r in rs)}, {ns}")


if __name__ == "__main__":
    main()
