#!/usr/bin/env python3
"""Parse the kernel-matrix serial logs (tests/matrix/run.sh) into results.json
and docs/compatibility.md; print one summary line per kernel.

Exit status: 0 when every kernel booted and reported, and every supported
backend's suite passed; 1 otherwise.
"""
import argparse
import datetime
import json
import os
import re
import subprocess
import sys

MARK = re.compile(r"==NJM== (.*)$")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
GT_RUN = re.compile(r"^\[ RUN      \] (\S+)")
# "[  FAILED  ] Suite/Fixture.Test/param, where GetParam() = "x" (12 ms)"
GT_END = re.compile(r"^\[ +(OK|FAILED|SKIPPED) +\] ([^\s,]+)(?:,.*?)?(?: \((\d+) ms\))?$")
VERIFIED = re.compile(r"^\s+(\S+)\s+verified\s+(\d+)\s+xlated\s+(\d+)\s*$")
KV = re.compile(r"(\w+)=(\S*)")
OLD_LIMIT = 4096


def transport_of(test):
    if test.endswith("/ringbuf") or "RingBuffer" in test:
        return "ringbuf"
    if test.endswith("/perfbuf") or "PerfBuffer" in test:
        return "perfbuf"
    return "other"


def parse_log(path):
    """-> dict with info, sections {(name, backend): {lines, rc, secs}}, done."""
    r = {"info": {}, "backend_status": {}, "sections": {}, "done": False, "marks": 0, "tail": []}
    try:
        raw = open(path, "rb").read().decode("utf-8", "replace")
    except OSError:
        return r
    lines = [ANSI.sub("", l).rstrip("\r") for l in raw.replace("\r\n", "\n").split("\n")]
    r["tail"] = [l for l in lines if l.strip()][-40:]
    cur = None
    for line in lines:
        m = MARK.search(line)
        if not m:
            if cur is not None:
                cur["lines"].append(line)
            continue
        r["marks"] += 1
        words = m.group(1).split()
        if not words:
            continue
        kind = words[0]
        if kind == "INFO":
            kv = dict(KV.findall(m.group(1)))
            if "backend" in kv and "status" in kv:
                r["backend_status"][kv["backend"]] = kv["status"]
            else:
                r["info"].update(kv)
        elif kind == "BEGIN" and len(words) >= 3:
            cur = {"lines": [], "rc": None, "secs": None, "complete": False}
            r["sections"][(words[1], words[2])] = cur
        elif kind == "END" and len(words) >= 3:
            s = r["sections"].get((words[1], words[2]))
            if s is not None:
                kv = dict(KV.findall(m.group(1)))
                s["rc"] = int(kv["rc"]) if kv.get("rc", "").lstrip("-").isdigit() else None
                s["secs"] = float(kv["secs"]) if kv.get("secs") else None
                s["complete"] = True
            cur = None
        elif kind == "DONE":
            r["done"] = True
            cur = None
    return r


def parse_gtest(lines):
    """-> tests {name: {result, ms, output}}, verifier {test: [(prog, verified, xlated)]}"""
    tests, verifier = {}, {}
    cur, buf = None, []
    for line in lines:
        m = GT_RUN.match(line)
        if m:
            cur, buf = m.group(1), []
            tests[cur] = {"result": "incomplete", "ms": None, "output": []}
            continue
        m = GT_END.match(line)
        if m and m.group(2) in tests and cur == m.group(2):
            t = tests[cur]
            t["result"] = {"OK": "passed", "FAILED": "failed", "SKIPPED": "skipped"}[m.group(1)]
            t["ms"] = int(m.group(3)) if m.group(3) else None
            if t["result"] != "passed":
                t["output"] = buf[-60:]
            cur = None
            continue
        if cur is not None:
            buf.append(line)
            v = VERIFIED.match(line)
            if v and cur.startswith("Verifier."):
                verifier.setdefault(cur, []).append((v.group(1), int(v.group(2)), int(v.group(3))))
    if cur is not None:
        tests[cur]["output"] = buf[-60:]
    return tests, verifier


def probe_summary(lines, backend):
    fell = [l.split()[0] for l in lines if "fell back to" in l and l.split()]
    unavailable = [l.split()[0] for l in lines if "unavailable:" in l and l.split()]
    reasons = []
    for l in lines:
        m = re.search(r"(no usable \w+ variant.*)$", l)
        if m and "fell back" in l:
            reasons.append(m.group(1))
    return {"fell_back": fell, "unavailable": unavailable, "reason": reasons[0] if reasons else ""}


def start_error(lines):
    """The gist of why `nightjar -v run` failed: the program that did not load
    and the verifier's last words, or nightjar's error line."""
    lines = [l.strip() for l in lines if l.strip()]
    prog = next((re.sub(r"^.*libbpf: ", "", l) for l in lines
                 if re.search(r"prog '[^']+': (BPF program load failed|failed to find)", l)), "")
    why = []
    if "-- BEGIN PROG LOAD LOG --" in " ".join(lines):
        try:
            i = max(i for i, l in enumerate(lines) if l.endswith("-- END PROG LOAD LOG --"))
            log = [l for l in lines[:i] if not l.startswith("processed ") and "PROG LOAD LOG" not in l]
            why = log[-2:]
        except ValueError:
            pass
    err = next((l for l in reversed(lines) if "error:" in l), "")
    return " | ".join(x for x in [prog] + why + [err] if x)[:400]


def analyse(kernels, logs_dir, backends):
    results = []
    for k in kernels:
        log = parse_log(k["log"])
        host_rc, wall = None, None
        hostf = os.path.join(logs_dir, k["release"] + ".host")
        try:
            a, b = open(hostf).read().split()
            host_rc, wall = int(a), float(b)
        except (OSError, ValueError):
            pass
        kr = {
            "series": k["series"], "arch": k.get("arch", "amd64"), "release": k["release"],
            "package": k["package"],
            "version": k["version"], "log": k["log"],
            "booted": log["marks"] > 0, "reported": log["done"],
            "qemu_rc": host_rc, "timed_out": host_rc in (124, 137),
            "wall_secs": wall,
            "boot_secs": float(log["info"]["boot_secs"]) if "boot_secs" in log["info"] else None,
            "uname": log["info"].get("uname"), "lsm": log["info"].get("lsm"),
            "btf": log["info"].get("btf"),
            "backends": {}, "verifier": {}, "problems": [],
        }
        if not kr["booted"]:
            try:
                qerr = [l for l in open(os.path.join(logs_dir, k["release"] + ".qemu-stderr")).read().splitlines()
                        if l.strip()][-5:]
            except OSError:
                qerr = []
            kr["problems"].append("did not boot: no marker on the serial console (%s); serial log tail:\n    %s%s" % (
                "VM timed out after %ss" % wall if kr["timed_out"] else "qemu exit %s" % host_rc,
                "\n    ".join(log["tail"][-15:]) or "(empty)",
                "\n    qemu stderr:\n    " + "\n    ".join(qerr) if qerr else ""))
        elif not kr["reported"]:
            kr["problems"].append("no DONE marker (%s)" % ("VM timed out after %ss" % wall if kr["timed_out"]
                                                            else "qemu exit %s" % host_rc))
        for b in backends:
            br = {"status": log["backend_status"].get(b, "missing"), "probe": None, "suite": None,
                  "tests": {}, "start": None, "failures": []}
            ps = log["sections"].get(("probe", b))
            if ps is not None:
                br["probe"] = {"rc": ps["rc"], "secs": ps["secs"], "output": ps["lines"],
                               **probe_summary(ps["lines"], b)}
            ss = log["sections"].get(("suite", b))
            if ss is not None:
                tests, ver = parse_gtest(ss["lines"])
                br["suite"] = {"rc": ss["rc"], "secs": ss["secs"], "complete": ss["complete"]}
                br["tests"] = tests
                for vt, progs in ver.items():
                    kind = "kprobe" if "Kprobe" in vt else "tracepoint" if "Tracepoint" in vt else \
                        "fentry" if "Fentry" in vt else vt
                    for name, verified, xlated in progs:
                        # bpf_prog_info.verified_insns exists since 5.16; older kernels say 0
                        if verified == 0:
                            verified = None
                        old = kr["verifier"].get(name)
                        if old is None or (verified or 0) > (old["verified"] or 0):
                            kr["verifier"][name] = {"backend": kind, "verified": verified, "xlated": xlated}
            vs = log["sections"].get(("start", b))
            if vs is not None:
                br["start"] = {"rc": vs["rc"], "secs": vs["secs"], "complete": vs["complete"],
                               "error": start_error(vs["lines"]), "output": vs["lines"][-400:]}
            # verdict
            st = br["status"]
            if st == "missing":
                if kr["reported"]:
                    br["failures"].append("backend not run")
                else:
                    br["failures"].append("not reached (VM did not finish)")
            elif st == "unsupported":
                if b == "tracepoint":
                    br["failures"].append("tracepoint backend falls back: " + ", ".join(br["probe"]["fell_back"]))
            elif st == "start-failed":
                br["failures"].append("the sensor does not start with --backend %s: %s" % (
                    b, (br["start"] or {}).get("error") or "?"))
            else:
                if st == "probe-failed":
                    br["failures"].append("probe exited %s" % (br["probe"] or {}).get("rc"))
                if br["suite"] is None:
                    br["failures"].append("suite not started")
                else:
                    failed = [t for t, v in br["tests"].items() if v["result"] != "passed" and v["result"] != "skipped"]
                    for t in failed:
                        br["failures"].append("%s %s" % (t, br["tests"][t]["result"]))
                    if not br["suite"]["complete"]:
                        br["failures"].append("suite did not finish (VM stopped)")
                    elif br["suite"]["rc"] not in (0, None) and not failed:
                        br["failures"].append("suite exited rc=%s%s" % (
                            br["suite"]["rc"], " (killed: suite timeout?)" if br["suite"]["rc"] == 137 else ""))
                    if not br["tests"]:
                        br["failures"].append("no test ran (filter matched nothing?)")
            br["ok"] = not br["failures"]
            kr["backends"][b] = br
        kr["ok"] = kr["booted"] and kr["reported"] and all(x["ok"] for x in kr["backends"].values())
        results.append(kr)
    return results


def cell(br, transport):
    st = br["status"]
    if st == "unsupported":
        n = len((br["probe"] or {}).get("fell_back", []))
        return "unsupported" + (" (%d hooks fall back)" % n if n else "")
    if st == "missing":
        return "**not run**"
    if st == "start-failed":
        return "**failed**: the sensor does not start (see notes)"
    tests = {t: v for t, v in br["tests"].items() if transport_of(t) == transport}
    if not tests:
        if br["suite"] is None or not br["suite"]["complete"]:
            return "**failed** (suite did not run to the end)"
        return "–"
    bad = sorted(t for t, v in tests.items() if v["result"] not in ("passed", "skipped"))
    skipped = sum(1 for v in tests.values() if v["result"] == "skipped")
    sk = ", %d skipped" % skipped if skipped else ""
    if bad:
        names = ", ".join("`%s`%s" % (t, "" if tests[t]["result"] == "failed" else " (%s)" % tests[t]["result"])
                          for t in bad)
        return "**failed** %d/%d%s: %s" % (len(bad), len(tests), sk, names)
    extra = ""
    any_failed = any(v["result"] not in ("passed", "skipped") for v in br["tests"].values())
    if br["suite"] and br["suite"]["complete"] and br["suite"]["rc"] not in (0, None) and not any_failed:
        extra = " (but the suite exited rc=%s)" % br["suite"]["rc"]
    if not br["suite"] or not br["suite"]["complete"]:
        extra = " (suite incomplete)"
    return "passed (%d%s)%s" % (len(tests), sk, extra)


def fmt_secs(x):
    return "–" if x is None else "%.0f" % x


def write_docs(path, results, meta):
    L = []
    L.append("<!-- GENERATED FILE: do not edit. Regenerate with `%s` (tests/matrix/report.py writes it). -->"
             % meta["command"])
    L.append("")
    L.append("# Kernel compatibility")
    L.append("")
    L.append("Generated by `%s` on %s from nightjar `%s`: the end-to-end suite "
             "(`nightjar_e2e_tests --gtest_filter='%s'`, run with `NJ_E2E_BACKEND=<backend>`) inside qemu (TCG, "
             "%s vCPUs, %s) on Debian's cloud kernels, once per backend. "
             "A backend is *unsupported* on a kernel when `nightjar probe --backend <backend>` shows a required "
             "hook falling back to another backend; its suite is then not run."
             % (meta["command"], meta["date"], meta["revision"], meta["filter"], meta["smp"], meta["mem"]))
    L.append("")
    L.append("## Kernels")
    L.append("")
    L.append("| arch | series | kernel | Debian package (version) | booted | reported | boot (s) | VM wall time (s) |")
    L.append("|---|---|---|---|---|---|---:|---:|")
    for k in results:
        L.append("| %s | %s | %s | `%s` (%s) | %s | %s | %s | %s |" % (
            k["arch"], k["series"], k["uname"] or k["release"], k["package"], k["version"],
            "yes" if k["booted"] else "**NO**", "yes" if k["reported"] else "**NO**",
            "%.1f" % k["boot_secs"] if k["boot_secs"] is not None else "–", fmt_secs(k["wall_secs"])))
    L.append("")
    if any(k["arch"] == "arm64" for k in results):
        L.append("The arm64 kernels run under `qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on` with the "
                 "arm64 build of nightjar and its tests (`tools/build-arm64.sh`).")
        L.append("")
    L.append("Boot time is the guest's uptime when /init starts. Total matrix wall time: %s s "
             "(VMs: %s s, %s in parallel)." % (meta["wall"], meta["vm_wall"], meta["jobs"]))
    L.append("")
    L.append("## Results: kernel × backend × transport")
    L.append("")
    L.append("`ringbuf` / `perfbuf`: the tests whose name carries that transport (`…/ringbuf`, "
             "`Loss.RingBuffer…`); `other`: the rest of the filter (Verifier, Identity, …).")
    L.append("")
    L.append("| kernel | backend | ringbuf | perfbuf | other | suite time (s) |")
    L.append("|---|---|---|---|---|---:|")
    for k in results:
        for b, br in k["backends"].items():
            L.append("| %s | %s | %s | %s | %s | %s |" % (
                k["uname"] or k["release"], b, cell(br, "ringbuf"), cell(br, "perfbuf"), cell(br, "other"),
                fmt_secs((br["suite"] or {}).get("secs"))))
    notes = []
    for k in results:
        for p in k["problems"]:
            notes.append("- %s: %s" % (k["release"], p.splitlines()[0]))
        for b, br in k["backends"].items():
            if br["status"] == "unsupported" and br["probe"]:
                pr = br["probe"]
                notes.append("- %s, %s: unsupported — %s (%s)" % (
                    k["uname"] or k["release"], b, pr["reason"] or "falls back",
                    ", ".join(pr["fell_back"])))
            elif br["status"] == "start-failed":
                notes.append("- %s, %s: the sensor does not start: `%s`" % (
                    k["uname"] or k["release"], b, ((br["start"] or {}).get("error") or "?").replace("`", "'")))
            elif br["failures"] and br["status"] != "unsupported" and not br["tests"]:
                notes.append("- %s, %s: %s" % (k["uname"] or k["release"], b, "; ".join(br["failures"])))
    if notes:
        L.append("")
        L.append("Notes:")
        L.append("")
        L.extend(notes)
    L.append("")
    L.append("## Verifier: instructions processed per program")
    L.append("")
    L.append("`verified_insns` as reported by the kernel for each program loaded by the `Verifier.*` tests "
             "(`Verifier.Every<Backend>ProgramLoads` loads every program of that backend, attachable or not; "
             "the largest count seen across the backends' runs is listed). This is the number of instructions "
             "the verifier *processed* (its complexity), not the program size (`xlated`, which varies a little "
             "with the kernel's CO-RE relocations and inlining).")
    L.append("")
    kern = [k for k in results if k["verifier"]]
    progs = sorted({p for k in kern for p in k["verifier"]},
                   key=lambda p: (next(k["verifier"][p]["backend"] for k in kern if p in k["verifier"]), p))
    over, big_xlated = [], []
    if progs:
        L.append("| program | backend | xlated | " + " | ".join(k["uname"] or k["release"] for k in kern) +
                 " | largest |")
        L.append("|---|---|---:|" + "---:|" * len(kern) + "---:|")
        for p in progs:
            present = [p in k["verifier"] for k in kern]
            vals = [k["verifier"].get(p, {}).get("verified") for k in kern]
            some = next(k["verifier"][p] for k in kern if p in k["verifier"])
            xl = sorted({k["verifier"][p]["xlated"] for k in kern if p in k["verifier"]})
            big = max((v for v in vals if v is not None), default=0)
            if big > OLD_LIMIT:
                over.append((p, big))
            if xl[-1] > OLD_LIMIT:
                big_xlated.append((p, xl[-1]))
            L.append("| `%s` | %s | %s | %s | %s |" % (
                p, some["backend"], "%d–%d" % (xl[0], xl[-1]) if len(xl) > 1 else xl[0],
                " | ".join(("n/r" if pr else "–") if v is None else ("**%d**" % v if v > OLD_LIMIT else str(v))
                           for v, pr in zip(vals, present)), big or "–"))
        L.append("")
        L.append("n/r: loaded, but the kernel does not report the count (`bpf_prog_info.verified_insns` exists "
                 "since Linux 5.16); –: not loaded on that kernel (or its load failed)." +
                 (" The arm64 build has no programs for fork, vfork and x86's legacy path syscalls (open, "
                  "mkdir, …): arm64 has only their clone and *at forms." if any(k["arch"] == "arm64" for k in kern)
                  else ""))
        L.append("")
        limits = ("Before Linux 5.2 a program could hold at most %d instructions (BPF_MAXINSNS) and the "
                  "verifier gave up after 131072 processed instructions; since 5.2 a privileged loader gets 1 "
                  "million of each. nightjar supports kernels ≥ 5.10 only. The counts above are what the verifier "
                  "*processed* (every path it walked), which is larger than the program itself (`xlated`). Why ours do: the exec programs (`*finalize_exec`, `tpbtf__sched_process_exec`) and the failed-exec programs (`*execve*` exits) call the path walker (a loop of up to 64 mount-aware dentry steps) and the argv readers (up to 4 parts of 32 KiB, or 128 user strings); the verifier walks every iteration of those loops, which the seed avoided with 25-step unrolled walks and tail calls to stay under the old limit. The walker and the user-argv reader are global functions, verified once each, and keep their running offsets in map memory so that their paths collapse (216K → 13K processed on 6.18)." % OLD_LIMIT)
        if over:
            L.append("**Verified count above %d** on at least one kernel (the seed kept every program under "
                     "%d): %s. %s" % (OLD_LIMIT, OLD_LIMIT, ", ".join("`%s` (%d)" % o for o in over), limits))
        else:
            L.append("No program's verified count exceeds %d (the seed kept under it). %s" % (OLD_LIMIT, limits))
        L.append("")
        if big_xlated:
            L.append("Programs larger than %d instructions (would not load before 5.2): %s." % (
                OLD_LIMIT, ", ".join("`%s` (%d)" % o for o in big_xlated)))
        else:
            L.append("Every program is smaller than %d instructions (`xlated`)." % OLD_LIMIT)
    else:
        L.append("No verifier counts were reported (the `Verifier.*` tests did not run).")
    L.append("")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(L).rstrip("\n") + "\n")
    os.replace(tmp, path)
    return over


def summary_line(k):
    parts = []
    for b, br in k["backends"].items():
        s = br["status"]
        if s == "unsupported":
            parts.append("%s unsupported%s" % (b, " (FAIL: tracepoint must not fall back)" if not br["ok"] else ""))
            continue
        if s == "missing":
            parts.append("%s NOT RUN" % b)
            continue
        if s == "start-failed":
            parts.append("%s FAIL (sensor does not start)" % b)
            continue
        n = len(br["tests"])
        bad = [t for t, v in br["tests"].items() if v["result"] not in ("passed", "skipped")]
        secs = (br["suite"] or {}).get("secs")
        word = "PASS" if br["ok"] else "FAIL"
        parts.append("%s %s %d/%d%s" % (b, word, n - len(bad), n, "" if secs is None else " (%.0fs)" % secs)
                     + ("" if br["ok"] or bad else " [%s]" % "; ".join(br["failures"])))
    head = "%s %s" % ("OK  " if k["ok"] else "FAIL", k["uname"] or k["release"])
    if not k["booted"]:
        return "%s: DID NOT BOOT (%s %s, qemu rc=%s, %ss): see %s" % (
            head, k["package"], k["version"], k["qemu_rc"], fmt_secs(k["wall_secs"]), k["log"])
    return "%s [%s %s]: boot %.1fs, VM %ss%s; %s" % (
        head, k["package"], k["version"], k["boot_secs"] or 0, fmt_secs(k["wall_secs"]),
        "" if k["reported"] else ", NO END MARKER (" + ("timeout" if k["timed_out"] else "qemu rc=%s" % k["qemu_rc"]) + ")",
        "; ".join(parts))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernels", required=True, help="TSV: series release package version log [arch]")
    ap.add_argument("--logs", required=True)
    ap.add_argument("--json", required=True)
    ap.add_argument("--docs")
    ap.add_argument("--filter", default="")
    ap.add_argument("--backends", default="tracepoint kprobe fentry")
    ap.add_argument("--smp", default="?")
    ap.add_argument("--mem", default="?")
    ap.add_argument("--jobs", default="?")
    ap.add_argument("--wall", default="?")
    ap.add_argument("--vm-wall", default="?")
    ap.add_argument("--command", default="tests/matrix/run.sh")
    a = ap.parse_args()

    kernels = []
    for line in open(a.kernels):
        f = line.rstrip("\n").split("\t")
        if len(f) in (5, 6):
            kernels.append(dict(zip(("series", "release", "package", "version", "log", "arch"), f)))
    results = analyse(kernels, a.logs, a.backends.split())
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    try:
        rev = subprocess.run(["git", "-C", root, "describe", "--always", "--dirty"], capture_output=True,
                             text=True).stdout.strip() or "unknown"
    except OSError:
        rev = "unknown"
    meta = {"command": a.command, "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "revision": rev, "filter": a.filter, "smp": a.smp, "mem": a.mem, "jobs": a.jobs,
            "wall": a.wall, "vm_wall": a.vm_wall}
    with open(a.json + ".tmp", "w") as f:
        json.dump({"meta": meta, "kernels": results}, f, indent=1)
    os.replace(a.json + ".tmp", a.json)
    if a.docs:
        write_docs(a.docs, results, meta)

    ok = True
    print("")
    print("kernel matrix (%s, filter %s):" % (rev, a.filter))
    for k in results:
        print("  " + summary_line(k))
        for p in k["problems"]:
            print("      FAILURE %s: %s" % (k["release"], p))
        for b, br in k["backends"].items():
            if br["status"] == "start-failed":
                print("      %s/%s: %s" % (k["release"], b, br["failures"][0]))
            for t, v in br["tests"].items():
                if v["result"] not in ("passed", "skipped"):
                    first = next((l.strip() for l in v["output"] if "Failure" in l or "error" in l.lower()), "")
                    print("      %s/%s: %s %s %s" % (k["release"], b, t, v["result"], first[:160]))
        ok = ok and k["ok"]
    print("results: %s%s" % (a.json, "; docs: " + a.docs if a.docs else ""))
    # One plain line for CI: every test case run in every VM, per backend.
    n_pass = sum(1 for k in results for br in k["backends"].values() for v in br["tests"].values()
                 if v["result"] == "passed")
    n_fail = sum(1 for k in results for br in k["backends"].values() for v in br["tests"].values()
                 if v["result"] not in ("passed", "skipped"))
    n_skip = sum(1 for k in results for br in k["backends"].values() for v in br["tests"].values()
                 if v["result"] == "skipped")
    n_fail += sum(1 for k in results if not k["ok"] and not any(br["tests"] for br in k["backends"].values()))
    print("matrix: %d passed, %d failed, %d skipped" % (n_pass, n_fail, n_skip))
    if not ok:
        bad = [k["release"] for k in results if not k["ok"]]
        print("KERNEL MATRIX FAILED on: %s" % ", ".join(bad), file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
