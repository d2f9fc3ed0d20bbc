#!/usr/bin/env python3
"""Writes nightjar(8) from what the binary itself says.

    tools/gen-manpage.py BINARY CHANGELOG OUT

Every subcommand and flag comes from `BINARY --help` and `BINARY <sub> --help`,
every configuration key from `BINARY default-config`, the version from
`BINARY --version` and the date from the newest entry of the Debian CHANGELOG
(so the page is the same on every build of one release). Nothing is listed by
hand, so the page cannot drift from the program; it fails (exit 1, one line on
stderr) when the help text has a shape it does not know, or when a long flag
of `nightjar run` has no configuration key or a key has no flag.
"""

import email.utils
import re
import subprocess
import sys

# `nightjar run` flags that are not settings (no configuration key).
NOT_KEYS = {"help", "config", "check-config"}


class Error(Exception):
    pass


def run(binary, *args):
    """binary: the command that runs nightjar, a list (an emulator first when
    cross-compiling)."""
    r = subprocess.run([*binary, *args], capture_output=True, text=True, check=False)
    if r.returncode != 0:
        raise Error(f"`{' '.join(['nightjar', *args])}` failed ({r.returncode}): {r.stderr.strip()}")
    return r.stdout


def roff(text):
    """Text for a roff line: backslashes, dashes and a leading dot or quote escaped."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text[:1] in (".", "'") else text


def parse_help(text):
    """CLI11's help: (description, [(spec, description)], [(subcommand, description)])."""
    lines = text.splitlines()
    if not lines:
        raise Error("empty --help")
    about = lines[0].strip()
    options, subs, section, pending = [], [], None, None
    for line in lines[1:]:
        if line in ("Options:", "Subcommands:"):
            section, pending = line, None
            continue
        if not line.strip() or line.startswith("Usage:"):
            continue
        # A description that did not fit beside its option, on the next line.
        if pending is not None and line.startswith(" " * 30):
            options[pending] = (options[pending][0], line.strip())
            pending = None
            continue
        m = re.match(r"^  (\S.*?)(?:\s{2,}(\S.*))?$", line)
        if not m or section is None:
            raise Error(f"unexpected --help line: {line!r}")
        if section == "Options:":
            options.append((m.group(1), m.group(2) or ""))
            pending = len(options) - 1 if not m.group(2) else None
        else:
            subs.append((m.group(1), m.group(2) or ""))
    return about, options, subs


def parse_spec(spec):
    """'-o,--output TEXT:PATH' -> (['-o', '--output'], metavar, accepted, default)."""
    names, _, kind = spec.partition(" ")
    names = names.split(",")
    if not all(n.startswith("-") for n in names):
        raise Error(f"unexpected option names: {spec!r}")
    if not kind:
        return names, None, None, None
    repeated = kind.endswith(" ...")
    kind = kind.removesuffix(" ...")
    base, _, rule = kind.partition(":")
    default = None
    if "=" in rule:
        rule, default = rule.rsplit("=", 1)
    if rule == "PATH":
        meta, accepted = "FILE", None
    elif rule.startswith("{"):
        meta, accepted = rule.strip("{}").replace(",", "|"), None
    elif rule == "FAMILY":
        meta, accepted = "FAMILY", None
    else:
        meta = {"UINT": "N", "INT": "N", "FLOAT": "SECONDS" if "second" in rule else "X"}.get(base, "VALUE")
        accepted = rule or None
    if repeated:
        meta += "[,...]"
    return names, meta, accepted, default


def sentence(text):
    """The help's lower-case fragments, as they are, ended with a full stop."""
    return text if text.endswith(".") else text + "."


def option_item(spec, desc):
    names, meta, accepted, default = parse_spec(spec)
    head = ", ".join(f"\\fB{roff(n)}\\fR" for n in names)
    if meta:
        head += f" \\fI{roff(meta)}\\fR"
    out = [".TP", head, roff(sentence(desc)) if desc else ""]
    extra = []
    if accepted:
        extra.append(f"Accepted: {accepted}.")
    if default is not None:
        extra.append(f"Default: {default}.")
    if extra:
        out.append(roff(" ".join(extra)))
    return [l for l in out if l]


def parse_config(text):
    """default-config: [(key, description, default line)], from its commented blocks."""
    keys = []
    for block in text.split("\n\n")[1:]:
        lines = [l.removeprefix("#").strip() for l in block.strip().splitlines()]
        if not lines:
            continue
        last = lines[-1]
        m = re.match(r"^([a-z0-9-]+)(?: = (.*)| \(not set\))$", last)
        if not m:
            raise Error(f"unexpected default-config entry: {last!r}")
        keys.append((m.group(1), " ".join(lines[:-1]), m.group(2)))
    if not keys:
        raise Error("default-config lists no key")
    return keys


def changelog_date(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith(" -- "):
                when = email.utils.parsedate_to_datetime(line.split(">", 1)[1].strip())
                return when.strftime("%Y-%m-%d")
    raise Error(f"{path}: no trailer line with a date")


STATIC_DESCRIPTION = r""".SH DESCRIPTION
\fBnightjar\fR is an endpoint detection and response (EDR) sensor for Linux.
Its eBPF programs, attached to kernel tracepoints (or kprobes or fentry where
the kernel allows), report process executions and exits, file changes,
network connections and DNS, and tampering (ptrace, memory injection,
privilege changes, kernel modules and BPF programs, attempts on the sensor
itself). \fBnightjar run\fR writes one JSON object per event and per line, on
standard output or to the \fB\-\-output\fR file, and counts and reports in
the same stream every event it could not deliver.
.PP
It runs as root, or with the capabilities CAP_BPF, CAP_PERFMON,
CAP_DAC_READ_SEARCH and CAP_SYS_PTRACE, on a kernel with BTF
(\fI/sys/kernel/btf/vmlinux\fR)."""

STATIC_TAIL = r""".SH SIGNALS
.TP
.B SIGTERM, SIGINT, SIGQUIT
Stop: what the kernel already delivered is written, then a
\fBsensor\-stopped\fR line with the totals.
.TP
.B SIGHUP
Reopen the \fB\-\-output\fR file (after logrotate renamed it), and read the
configuration file and the file rules again: the file rules, \fBoutput\fR,
\fBoutput\-max\-size\fR, \fBoutput\-keep\fR, \fBformat\fR, \fBcolor\fR,
\fBhealth\-interval\fR, \fBmetrics\-file\fR, \fBmetrics\-interval\fR and
\fBmemory\-budget\fR take effect at once; any other key that changed is named
in a warning and waits for a restart.
.SH SYSTEMD
The unit \fInightjar.service\fR is of \fBType=notify\fR: the sensor sends
READY=1 once its programs are attached and the \fBsensor\-started\fR line is
in the output, and, when the unit sets \fBWatchdogSec=\fR, WATCHDOG=1 from its
main loop twice per interval.
.SH EXIT STATUS
0 on a clean stop; 1 when the sensor cannot start or its output fails under
\fB\-\-on\-output\-error stop\fR; 2 for bad flags or a bad configuration file
(one line on standard error names the key and the line).
.SH FILES
.TP
.I /etc/nightjar/nightjar.toml
The configuration file.
.TP
.I /var/log/nightjar/events.jsonl
The events, as the packaged service writes them.
.TP
.I /lib/systemd/system/nightjar.service
The systemd unit.
.TP
.I /etc/logrotate.d/nightjar
Rotation of the events file (SIGHUP through the unit's reload).
.SH SEE ALSO
.BR systemctl (1),
.BR journalctl (1),
.BR logrotate (8),
.BR systemd.exec (5)
.PP
The event fields and the JSON Schema: \fI/usr/share/doc/nightjar\fR and the
project's docs/events.md."""


def page(binary, changelog):
    version = run(binary, "--version").strip()
    about, top_options, subs = parse_help(run(binary, "--help"))
    if not subs:
        raise Error("`nightjar --help` lists no subcommand")
    out = [
        f'.TH NIGHTJAR 8 "{changelog_date(changelog)}" "nightjar {roff(version)}" "System Administration"',
        ".SH NAME",
        "nightjar \\- " + roff(about.split(": ", 1)[-1]),
        ".SH SYNOPSIS",
    ]
    for name, _ in subs:
        out += [f".B nightjar {roff(name)}", ".RI [ options ]", ".br"]
    out += [".B nightjar \\-\\-version", STATIC_DESCRIPTION, ".SH COMMANDS"]
    run_flags = set()
    for name, desc in subs:
        sub_about, sub_options, _ = parse_help(run(binary, name, "--help"))
        out += [".SS " + f"nightjar {roff(name)}", roff(sentence(sub_about))]
        for spec, odesc in sub_options:
            names, *_ = parse_spec(spec)
            if "--help" in names:
                continue
            out += option_item(spec, odesc)
            if name == "run":
                run_flags |= {n[2:] for n in names if n.startswith("--")}
    out.append(".SH GLOBAL OPTIONS")
    for spec, odesc in top_options:
        out += option_item(spec, odesc)
    keys = parse_config(run(binary, "default-config"))
    key_names = {k for k, _, _ in keys}
    settings = run_flags - NOT_KEYS
    if settings != key_names:
        raise Error(f"flags without a key: {sorted(settings - key_names)}; keys without a flag: {sorted(key_names - settings)}")
    out += [
        ".SH CONFIGURATION",
        "\\fBnightjar run\\fR reads \\fI/etc/nightjar/nightjar.toml\\fR when it exists,",
        "or the file named by \\fB\\-\\-config\\fR. Its keys are the long flags of",
        "\\fBnightjar run\\fR without the dashes, in TOML; a flag given on the command",
        "line overrides its key. The file must be owned by root and writable by no",
        "one else (nor its directory), or the sensor refuses to start.",
        "\\fBnightjar default\\-config\\fR prints every key commented out at its",
        "default; \\fBnightjar run \\-\\-check\\-config\\fR prints the settings in force.",
    ]
    for key, desc, default in keys:
        out += [".TP", f"\\fB{roff(key)}\\fR", roff(sentence(desc))]
        out.append(roff(f"Default: {default}." if default is not None else "Not set by default."))
    out.append(STATIC_TAIL)
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) < 4:
        print("usage: gen-manpage.py BINARY CHANGELOG OUT [EMULATOR...]", file=sys.stderr)
        return 2
    binary, changelog, dest = sys.argv[1:4]
    # A cross build runs the target's binary through CMAKE_CROSSCOMPILING_EMULATOR.
    emulator = sys.argv[4:]
    try:
        text = page([*emulator, binary], changelog)
    except (Error, OSError, ValueError) as e:
        print(f"gen-manpage.py: {e}", file=sys.stderr)
        return 1
    with open(dest, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
