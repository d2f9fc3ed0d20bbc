#!/usr/bin/env bash
# tests/matrix/run.sh -- the kernel matrix: the e2e suite inside qemu (TCG) on
# Debian's cloud kernels, per backend, results in build/matrix/results.json
# and docs/compatibility.md.  See tests/matrix/README.md.
#
# usage: tests/matrix/run.sh [options]
#   --jobs N          VMs run in parallel (default 2)
#   --smp N           vCPUs per VM (default 2)
#   --mem SIZE        memory per VM (default 2G)
#   --timeout SECS    hard limit per VM (default 2400)
#   --suite-timeout S limit for one backend's suite inside the VM (default 720; CI runs
#                     the matrix beside the other build types, which slows it)
#   --filter F        gtest filter (default Transports/*:FileTransports/*ringbuf:NetTransports/*ringbuf:Tamper*/*ringbuf:FileModify*:Verifier*:Kretprobes*:Loss*:Identity*:Enrich*)
#   --backends "B.."  backends to run (default "tracepoint kprobe fentry")
#   --kernels L       comma list of series: 5.10,6.1,6.12,sid (default all, amd64);
#                     ARCH:SERIES for another architecture: arm64:6.1, arm64:6.12,
#                     arm64:sid (its binaries from tools/build-arm64.sh)
#   --offline         no network: use the kernels already in the cache
#   --refresh         refresh the private apt lists even if they are recent
#   --no-build        do not run `cmake --build` first
#   --no-docs         do not (re)write docs/compatibility.md
#   --append ARGS     more kernel command line for every VM, e.g. preempt=full
#                     (the PREEMPT_DYNAMIC kernels, 6.1 and later: see README)
#
# Environment: NJ_MATRIX_OUT (default <repo>/build/matrix: logs, results.json,
#   initramfs), NJ_MATRIX_CACHE (default $NJ_MATRIX_OUT/cache),
#   NJ_MATRIX_BUILD_ARM64 (default <repo>/build-arm64: tools/build-arm64.sh's
#   output, the arm64 binaries and their sysroot),
#   NJ_MATRIX_APPEND, NJ_MATRIX_FILTER, NJ_MATRIX_JOBS, NJ_MATRIX_SMP, NJ_MATRIX_MEM,
#   NJ_MATRIX_TIMEOUT, NJ_MATRIX_SUITE_TIMEOUT, NJ_MATRIX_APT_MAX_AGE (seconds,
#   default 86400: how old the private apt lists may be before a refresh),
#   NJ_DEBIAN_MIRROR / NJ_DEBIAN_SECURITY (default: read from the machine's
#   own /etc/apt/sources.list{,.d}).
set -euo pipefail
export LC_ALL=C

PROG=matrix
die() { echo "$PROG: error: $*" >&2; exit 2; }
log() { echo "$PROG: $*" >&2; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$ROOT/tools/private-apt.sh"
HERE=$ROOT/tests/matrix
BUILD=$ROOT/build
OUT=${NJ_MATRIX_OUT:-$BUILD/matrix}
CACHE=${NJ_MATRIX_CACHE:-$OUT/cache}
LOGS=$OUT/logs

JOBS=${NJ_MATRIX_JOBS:-2}
SMP=${NJ_MATRIX_SMP:-2}
MEM=${NJ_MATRIX_MEM:-2G}
VM_TIMEOUT=${NJ_MATRIX_TIMEOUT:-2400}
SUITE_TIMEOUT=${NJ_MATRIX_SUITE_TIMEOUT:-720}
FILTER=${NJ_MATRIX_FILTER:-'Transports/*:FileTransports/*ringbuf:NetTransports/*ringbuf:Tamper*/*ringbuf:FileModify*:Verifier*:Kretprobes*:Loss*:Identity*:Enrich*'}
BACKENDS="tracepoint kprobe fentry"
KERNELS="5.10,6.1,6.12,sid"
APT_MAX_AGE=${NJ_MATRIX_APT_MAX_AGE:-86400}
APPEND=${NJ_MATRIX_APPEND:-}
OFFLINE=0 REFRESH=0 DO_BUILD=1 DO_DOCS=1
ARGS_TEXT="$*"

while [ $# -gt 0 ]; do
    case "$1" in
        --jobs) JOBS=$2; shift 2 ;;
        --smp) SMP=$2; shift 2 ;;
        --mem) MEM=$2; shift 2 ;;
        --timeout) VM_TIMEOUT=$2; shift 2 ;;
        --suite-timeout) SUITE_TIMEOUT=$2; shift 2 ;;
        --filter) FILTER=$2; shift 2 ;;
        --backends) BACKENDS=$2; shift 2 ;;
        --kernels) KERNELS=$2; shift 2 ;;
        --offline) OFFLINE=1; shift ;;
        --refresh) REFRESH=1; shift ;;
        --no-build) DO_BUILD=0; shift ;;
        --no-docs) DO_DOCS=0; shift ;;
        --append) APPEND=$2; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
        *) die "unknown option '$1' (see --help)" ;;
    esac
done
case "$JOBS$SMP$VM_TIMEOUT$SUITE_TIMEOUT" in *[!0-9]*) die "--jobs/--smp/--timeout/--suite-timeout take numbers" ;; esac
[ "$JOBS" -ge 1 ] || die "--jobs must be >= 1"
for b in $BACKENDS; do
    case "$b" in tracepoint|kprobe|fentry) ;; *) die "unknown backend '$b'" ;; esac
done
case "$FILTER" in *[[:space:]\"\'\\\$\`]*) die "--filter must not contain spaces, quotes, \\, \$ or \`" ;; esac
case "$APPEND" in *[\"\'\\\$\`]*) die "--append must not contain quotes, \\, \$ or \`" ;; esac

nb=$(wc -w <<<"$BACKENDS")
[ $((nb * SUITE_TIMEOUT + 120)) -le "$VM_TIMEOUT" ] \
    || log "warning: $nb suites x ${SUITE_TIMEOUT}s (+ boot) may exceed the VM timeout of ${VM_TIMEOUT}s"

[ "$(id -u)" = 0 ] || die "must run as root (apt-get; the VM image carries root-owned binaries)"

T_START=$(date +%s)
mkdir -p "$CACHE" "$LOGS"
exec 9>"$OUT/.lock"
flock -n 9 || die "another matrix run holds $OUT/.lock"
CACHE=$(cd "$CACHE" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/nj-matrix.XXXXXX")
# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
    # stop the VMs we started (by pid), then remove scratch files
    local f
    for f in "$WORK"/pids/*; do
        if [ -f "$f" ]; then kill "$(cat "$f")" 2>/dev/null || true; fi
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/pids"
trap 'exit 130' INT TERM

# --- 1. host tools ---------------------------------------------------------------
# ARCH:SERIES (a bare series is amd64) -> "ARCH SERIES"
kernel_arch() {
    case "$1" in
        *:*) echo "${1%%:*} ${1#*:}" ;;
        *) echo "amd64 $1" ;;
    esac
}
declare -A ARCHES=()
IFS=, read -r -a want <<<"$KERNELS"
for k in "${want[@]}"; do
    read -r a _ < <(kernel_arch "$k")
    case "$a" in amd64|arm64) ARCHES[$a]=1 ;; *) die "unknown architecture '$a' in --kernels ($k)" ;; esac
done

need_pkgs=()
host_pkgs=(busybox-static cpio zstd xz-utils coreutils dash binutils)
[ -n "${ARCHES[amd64]:-}" ] && host_pkgs+=(qemu-system-x86)
[ -n "${ARCHES[arm64]:-}" ] && host_pkgs+=(qemu-system-arm)
for p in "${host_pkgs[@]}"; do
    s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [ "$s" = "install ok installed" ] || need_pkgs+=("$p")
done
if [ ${#need_pkgs[@]} -gt 0 ]; then
    [ "$OFFLINE" = 0 ] || die "--offline but packages missing: ${need_pkgs[*]}"
    log "installing from Debian: ${need_pkgs[*]}"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need_pkgs[@]}" >"$WORK/apt-install.log" 2>&1; then
        apt-get update -q >>"$WORK/apt-install.log" 2>&1 || true
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need_pkgs[@]}" >>"$WORK/apt-install.log" 2>&1 \
            || { cat "$WORK/apt-install.log" >&2; die "apt-get install ${need_pkgs[*]} failed"; }
    fi
fi
for t in cpio timeout python3 dpkg-deb apt-get apt-cache readelf; do
    command -v "$t" >/dev/null 2>&1 || die "required tool '$t' not found"
done
[ -z "${ARCHES[amd64]:-}" ] || command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found"
[ -z "${ARCHES[arm64]:-}" ] || command -v qemu-system-aarch64 >/dev/null || die "qemu-system-aarch64 not found"
BUSYBOX=$(dpkg -L busybox-static | grep -E '/bin/busybox$' | head -n1)
[ -x "$BUSYBOX" ] || die "busybox-static installed but no busybox binary found"

# --- 2. kernels --------------------------------------------------------------------
# The Debian mirrors this machine already uses (deb822 .sources and one-line .list).
read -r SYS_MIRROR SYS_SECMIRROR < <(python3 - <<'PYEOF'
import glob, re
codename = ""
for line in open("/etc/os-release"):
    if line.startswith("VERSION_CODENAME="):
        codename = line.split("=", 1)[1].strip().strip('"')
entries = []  # (uri, suite)
files = ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list"))
for f in files:
    try:
        for line in open(f):
            line = line.split("#", 1)[0].strip()
            m = re.match(r"deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)", line)
            if m:
                entries.append((m.group(1), m.group(2)))
    except OSError:
        pass
for f in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
    for stanza in re.split(r"\n\s*\n", open(f).read()):
        fields = {}
        for line in stanza.splitlines():
            if line.startswith("#") or ":" not in line or line[0].isspace():
                continue
            k, v = line.split(":", 1)
            fields[k.strip().lower()] = v.split()
        if "deb" not in fields.get("types", []) or fields.get("enabled", ["yes"])[0] == "no":
            continue
        for u in fields.get("uris", []):
            for s in fields.get("suites", []):
                entries.append((u, s))
main = sec = ""
for u, s in entries:
    u = u.rstrip("/")
    if codename and s in (codename, codename + "-updates") and not main:
        main = u
    if s.endswith("-security") and not sec:
        sec = u
print(main or "-", sec or "-")
PYEOF
)
MIRROR=${NJ_DEBIAN_MIRROR:-$SYS_MIRROR}
SECMIRROR=${NJ_DEBIAN_SECURITY:-$SYS_SECMIRROR}
[ "$MIRROR" != "-" ] || MIRROR=http://deb.debian.org/debian
[ "$SECMIRROR" != "-" ] || SECMIRROR=http://deb.debian.org/debian-security

KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
# Private apt configuration per distribution (the technique of
# tools/gen-vmlinux.sh): own sources list, lists, cache, status=/dev/null.
setup_apt() { # DIST ARCH -> sets APT_CONFIG for this dist and architecture
    local dist=$1 arch=$2
    # amd64 keeps the directory it had before there was another architecture
    local d=$CACHE/apt/$dist
    [ "$arch" = amd64 ] || d=$d-$arch
    mkdir -p "$d/state/lists/partial" "$d/cache/archives/partial" "$d/etc/sources.list.d" "$d/etc/preferences.d"
    local sb=""
    [ -r "$KEYRING" ] && sb=" [signed-by=$KEYRING]"
    : > "$d/etc/sources.list.new"
    local s
    case "$dist" in
        sid) echo "deb$sb $MIRROR sid main" >> "$d/etc/sources.list.new" ;;
        *) for s in "$MIRROR $dist" "$MIRROR $dist-updates" "$SECMIRROR $dist-security"; do
               echo "deb$sb $s main" >> "$d/etc/sources.list.new"
           done ;;
    esac
    if ! cmp -s "$d/etc/sources.list.new" "$d/etc/sources.list"; then
        mv "$d/etc/sources.list.new" "$d/etc/sources.list"
        rm -f "$d/state/lists/"*_* 2>/dev/null || true   # sources changed: lists are stale
    else
        rm -f "$d/etc/sources.list.new"
    fi
    # ARCH as the primary architecture: the names, versions and downloads
    # below need no :arch qualifier.
    nj_private_apt_conf "$d" "$arch"
    export APT_CONFIG=$d/etc/apt.conf
    local stamp=$d/state/updated age=999999999
    [ -f "$stamp" ] && age=$(( $(date +%s) - $(stat -c %Y "$stamp") ))
    if [ "$REFRESH" = 1 ] || [ "$age" -gt "$APT_MAX_AGE" ]; then
        log "[$dist $arch] apt-get update (private lists in $d)"
        apt-get -qq update >"$WORK/apt-update-$dist-$arch.log" 2>&1 \
            || { cat "$WORK/apt-update-$dist-$arch.log" >&2; die "[$dist $arch] apt-get update failed"; }
        touch "$stamp"
    fi
}

# SERIES ARCH -> "DIST REGEX" (REGEX on package names; newest Version wins)
series_spec() {
    local a=$2
    case "$1" in
        5.10) echo "bullseye ^linux-image-5\.10\.0-[0-9]+-cloud-$a$" ;;
        6.1)  echo "bookworm ^linux-image-6\.1\.0-[0-9]+-cloud-$a$" ;;
        6.12) echo "bookworm ^linux-image-6\.12\.[0-9]+\+deb12-cloud-$a$" ;;
        # sid: the newest cloud kernel whatever its version (7.x today); the image
        # package is linux-binary-<ver>-cloud-<arch> there (linux-image-* before).
        sid)  echo "sid ^linux-(image|binary)-[0-9]+\.[0-9]+\.[0-9]+[-+][^ ]*-cloud-$a$" ;;
        *) die "unknown kernel series '$1' (5.10, 6.1, 6.12, sid)" ;;
    esac
}

# Fetches the kernel for SERIES of ARCH into the cache; prints "RELEASE PKG VERSION VMLINUZ".
fetch_kernel() {
    local series=$1 arch=$2 dist regex
    read -r dist regex < <(series_spec "$series" "$arch")
    local kdir=$CACHE/kernels
    mkdir -p "$kdir" "$CACHE/debs"
    if [ "$OFFLINE" = 1 ]; then
        # newest cached kernel of this series
        local best="" bestv="" f
        for f in "$kdir"/*/meta; do
            [ -f "$f" ] || continue
            local s p v r a
            read -r s p v r a < "$f"
            # meta files from before the arch field are amd64 kernels
            [ "$s" = "$series" ] && [ "${a:-amd64}" = "$arch" ] || continue
            if [ -z "$bestv" ] || dpkg --compare-versions "$v" gt "$bestv"; then best=$f bestv=$v; fi
        done
        [ -n "$best" ] || die "[$series] --offline and nothing cached in $kdir"
        local s p v r _; read -r s p v r _ < "$best"
        echo "$r $p $v $(dirname "$best")/vmlinuz"
        return
    fi
    setup_apt "$dist" "$arch" >/dev/null
    local names pkg="" ver="" n v
    names=$(apt-cache pkgnames linux- | grep -E "$regex" || true)
    for n in $names; do
        v=$(apt-cache show --no-all-versions "$n" 2>/dev/null | sed -n 's/^Version: //p' | head -n1)
        [ -n "$v" ] || continue   # a virtual name (no package of its own)
        # same version: prefer linux-binary-* (the kernel image since forky;
        # linux-image-* is then an empty package depending on it)
        if [ -z "$ver" ] || dpkg --compare-versions "$v" gt "$ver" \
            || { [ "$v" = "$ver" ] && [ "${n#linux-binary-}" != "$n" ]; }; then
            pkg=$n ver=$v
        fi
    done
    [ -n "$pkg" ] || die "[$series] no package matching $regex in Debian $dist"
    local key=${pkg}_${ver//:/%3a}
    local kd=$kdir/$key
    if [ -f "$kd/meta" ] && [ -s "$kd/vmlinuz" ]; then
        log "[$series] $pkg $ver (cached)"
    else
        local want file deb
        want=$(apt-cache show --no-all-versions "$pkg" | sed -n 's/^SHA256: //p' | head -n1)
        file=$(apt-cache show --no-all-versions "$pkg" | sed -n 's/^Filename: //p' | head -n1)
        deb=$CACHE/debs/$(basename "$file")
        if [ -f "$deb" ] && [ "$(sha256sum "$deb" | cut -d' ' -f1)" = "$want" ]; then
            log "[$series] $pkg $ver: using cached $(basename "$deb")"
        else
            log "[$series] downloading $pkg $ver"
            local dl=$WORK/dl-$series
            rm -rf "$dl"; mkdir -p "$dl"
            (cd "$dl" && apt-get -qq download "$pkg=$ver") >"$WORK/apt-download-$series.log" 2>&1 \
                || { cat "$WORK/apt-download-$series.log" >&2; die "[$series] apt-get download $pkg=$ver failed"; }
            mv "$dl"/*.deb "$deb" || die "[$series] apt-get download produced no .deb"
            [ "$(sha256sum "$deb" | cut -d' ' -f1)" = "$want" ] || die "[$series] sha256 mismatch for $deb"
        fi
        local x=$WORK/x-$series
        rm -rf "$x"; mkdir -p "$x"
        dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$x" --wildcards --no-anchored 'vmlinuz*' \
            || die "[$series] cannot extract vmlinuz from $deb"
        local vz rel
        vz=$(find "$x" \( -path '*/boot/vmlinuz-*' -o -path '*/lib/modules/*/vmlinuz' \) -type f | head -n1)
        [ -n "$vz" ] || die "[$series] no vmlinuz in $deb (looked in /boot and /usr/lib/modules/*/)"
        case "$vz" in
            */boot/vmlinuz-*) rel=${vz##*/vmlinuz-} ;;
            *) rel=$(basename "$(dirname "$vz")") ;;
        esac
        mkdir -p "$kd"
        cp "$vz" "$kd/vmlinuz.tmp" && mv "$kd/vmlinuz.tmp" "$kd/vmlinuz"
        echo "$series $pkg $ver $rel $arch" > "$kd/meta"
        rm -rf "$x"
        log "[$series] $pkg $ver -> $kd/vmlinuz (kernel $rel)"
    fi
    local s p v r _; read -r s p v r _ < "$kd/meta"
    echo "$r $p $v $kd/vmlinuz"
}

# --- build -----------------------------------------------------------------------
if [ "$DO_BUILD" = 1 ]; then
    log "cmake --build $BUILD (nightjar nightjar_e2e_tests nj-actions)"
    cmake --build "$BUILD" --target nightjar nightjar_e2e_tests nj-actions >"$WORK/build.log" 2>&1 \
        || { tail -n 50 "$WORK/build.log" >&2; die "build failed (or use --no-build)"; }
fi
# Per architecture: where its nightjar, e2e tests and nj-actions are
# (BIN_DIR), the path they have in the VM (GUEST_DIR: the e2e binary has the
# paths of the other two compiled in), and the root its libraries and tools
# come from (SYSROOT: this machine for amd64).
declare -A BIN_DIR GUEST_DIR SYSROOT TRIPLET
BIN_DIR[amd64]=$BUILD GUEST_DIR[amd64]=$BUILD SYSROOT[amd64]=/ TRIPLET[amd64]=x86_64-linux-gnu
ARM64_BUILD=${NJ_MATRIX_BUILD_ARM64:-$ROOT/build-arm64}
BIN_DIR[arm64]=$ARM64_BUILD SYSROOT[arm64]=$ARM64_BUILD/sysroot TRIPLET[arm64]=aarch64-linux-gnu
GUEST_DIR[arm64]=$(cat "$ARM64_BUILD/guest-path" 2>/dev/null || true)
for a in "${!ARCHES[@]}"; do
    for f in nightjar tests/nightjar_e2e_tests tests/nj-actions; do
        [ -x "${BIN_DIR[$a]}/$f" ] || die "${BIN_DIR[$a]}/$f not built$([ "$a" = arm64 ] && echo ' (tools/build-arm64.sh)')"
    done
    [ -n "${GUEST_DIR[$a]}" ] || die "no $ARM64_BUILD/guest-path (tools/build-arm64.sh writes it)"
done

# --- 3. initramfs --------------------------------------------------------------------
# ROOT/PATH with the symlinks inside ROOT followed within ROOT (an absolute
# link in an arm64 sysroot names a sysroot path, not this machine's).
in_root() {
    local root=${1%/} p=$2 n=0 t
    while [ -L "$root$p" ] && [ $n -lt 16 ]; do
        t=$(readlink "$root$p")
        case "$t" in /*) p=$t ;; *) p=$(dirname "$p")/$t ;; esac
        n=$((n + 1))
    done
    echo "$root$p"
}

# The shared libraries FILE needs, recursively, as sysroot paths, and its
# interpreter: readelf, not ldd, which cannot run another architecture's
# loader (and one resolver for both architectures keeps them alike).
resolve_libs() { # SYSROOT TRIPLET FILE -> "PATH-IN-SYSROOT" lines; the interpreter first
    local root=${1%/} triplet=$2 f=$3
    local interp
    interp=$(readelf -lW "$f" | sed -n 's/.*Requesting program interpreter: \(.*\)\]/\1/p')
    [ -z "$interp" ] || echo "$interp"
    local -A seen=()
    [ -z "$interp" ] || seen[${interp##*/}]=1   # libc's NEEDED loader: the interpreter
    local queue=("$f") cur lib dir found
    while [ ${#queue[@]} -gt 0 ]; do
        cur=${queue[0]}; queue=("${queue[@]:1}")
        for lib in $(readelf -dW "$cur" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
            [ -z "${seen[$lib]:-}" ] || continue
            seen[$lib]=1
            found=""
            for dir in /lib/$triplet /usr/lib/$triplet /lib64 /lib /usr/lib; do
                if [ -e "$(in_root "$root" "$dir/$lib")" ]; then found=$dir/$lib; break; fi
            done
            [ -n "$found" ] || die "$(basename "$f"): $lib not found under $root"
            echo "$found"
            queue+=("$(in_root "$root" "$found")")
        done
    done
}

# Where LIB (a path in the VM) is in SYSROOT: the path itself, else its name
# in the library directories (an arm64 sysroot has the loader that
# /lib/ld-linux-aarch64.so.1 names only in /usr/lib/aarch64-linux-gnu).
lib_source() { # SYSROOT TRIPLET LIB
    local root=${1%/} d
    for d in "$(dirname "$3")" /lib/$2 /usr/lib/$2; do
        [ -e "$(in_root "$root" "$d/${3##*/}")" ] && { in_root "$root" "$d/${3##*/}"; return; }
    done
    die "${3##*/} not found under $1"
}

build_initramfs() { # ARCH OUTPUT
    local arch=$1 out=$2
    local st=$WORK/rootfs-$arch root=${SYSROOT[$arch]} triplet=${TRIPLET[$arch]}
    local bin=${BIN_DIR[$arch]} guest=${GUEST_DIR[$arch]}
    rm -rf "$st"
    mkdir -p "$st"/{bin,sbin,usr/bin,usr/sbin,lib64,proc,sys,dev,tmp,etc,root,run,var/tmp}
    chmod 1777 "$st/tmp" "$st/var/tmp"
    put() { # SRC DEST: copy SRC (dereferenced) to DEST in the image
        mkdir -p "$st$(dirname "$2")"
        cp -L --preserve=mode "$1" "$st$2"
    }
    put_with_libs() { # SRC DEST
        local lib libs
        put "$1" "$2"
        libs=$(resolve_libs "$root" "$triplet" "$1") || die "cannot resolve the libraries of $1"
        for lib in $libs; do
            [ -e "$st$lib" ] || put "$(lib_source "$root" "$triplet" "$lib")" "$lib"
        done
    }
    tool() { # NAME -> its path in the sysroot (/usr/bin or /bin)
        local d
        for d in /usr/bin /bin; do
            [ -e "$(in_root "$root" "$d/$1")" ] && { in_root "$root" "$d/$1"; return; }
        done
        die "no $1 in $root"
    }
    if [ "$arch" = amd64 ]; then put "$BUSYBOX" /bin/busybox; else put "$(tool busybox)" /bin/busybox; fi
    local f
    for f in nightjar tests/nightjar_e2e_tests tests/nj-actions; do put_with_libs "$bin/$f" "$guest/$f"; done
    put_with_libs "$(tool true)" /usr/bin/true
    put_with_libs "$(tool sleep)" /usr/bin/sleep
    put_with_libs "$(tool dash)" /bin/dash
    # bash: the network tests' reverse shell is bash's /dev/tcp.
    put_with_libs "$(tool bash)" /usr/bin/bash
    # libgcc_s is dlopen()ed by glibc for thread cancellation/unwinding
    [ -e "$st/lib/$triplet/libgcc_s.so.1" ] || put "$(lib_source "$root" "$triplet" "/lib/$triplet/libgcc_s.so.1")" "/lib/$triplet/libgcc_s.so.1"
    ln -sf /usr/bin/true "$st/bin/true"
    ln -sf /usr/bin/sleep "$st/bin/sleep"
    ln -sf /bin/dash "$st/bin/sh"
    ln -sf /bin/dash "$st/usr/bin/sh"
    # busybox applets, except true/sleep/sh (the real ones above) and anything
    # present; the list from this machine's busybox (the same Debian build
    # for every architecture, and the arm64 one cannot run here)
    local a
    for a in $("$BUSYBOX" --list-full); do
        case "${a##*/}" in true|sleep|sh|busybox) continue ;; esac
        [ -e "$st/$a" ] || [ -L "$st/$a" ] || { mkdir -p "$st/$(dirname "$a")"; ln -s /bin/busybox "$st/$a"; }
    done
    cat > "$st/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
    cat > "$st/etc/group" <<'EOF'
root:x:0:
daemon:x:1:
nogroup:x:65534:
EOF
    printf 'passwd: files\ngroup: files\nhosts: files\n' > "$st/etc/nsswitch.conf"
    echo 6e6a6d61747269780000000000000001 > "$st/etc/machine-id"
    echo nj-matrix > "$st/etc/hostname"
    printf '127.0.0.1 localhost\n127.0.1.1 nj-matrix\n' > "$st/etc/hosts"
    {
        echo "NJM_FILTER='$FILTER'"
        echo "NJM_BACKENDS='$BACKENDS'"
        echo "NJM_SUITE_TIMEOUT=$SUITE_TIMEOUT"
        echo "NJM_BIN='$guest/nightjar'"
        echo "NJM_TESTS='$guest/tests/nightjar_e2e_tests'"
    } > "$st/etc/nj-matrix.conf"
    install -m 0755 "$HERE/init.sh" "$st/init"
    (cd "$st" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) > "$out.tmp" \
        || die "cpio failed"
    mv "$out.tmp" "$out"
}

# --- 5. one VM -------------------------------------------------------------------------
# qemu-system-* and its machine and console, per architecture
vm_command() { # ARCH -> sets VM_CMD (array) and VM_CONSOLE
    case "$1" in
        amd64) VM_CMD=(qemu-system-x86_64 -cpu max) VM_CONSOLE=ttyS0 ;;
        # pauth-impdef=on: the same CPU features as plain `max`, but pointer
        # authentication with QEMU's cheap algorithm instead of QARMA, which
        # the kernel runs on every function return: fork and exec are 4-5x
        # slower under TCG without it. The kernel (an arm64 Image) boots
        # without firmware; the console is the virt machine's PL011.
        arm64) VM_CMD=(qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on) VM_CONSOLE=ttyAMA0 ;;
    esac
}

# run_vm ARCH RELEASE VMLINUZ INITRD -> exit status 0 when the log has the end marker
run_vm() {
    local arch=$1 rel=$2 vz=$3 initrd=$4 log=$LOGS/$2.log
    local t0 t1 rc=0 VM_CMD VM_CONSOLE
    vm_command "$arch"
    t0=$(date +%s.%N)
    # thread=single: both vCPUs on one TCG thread. With multi-threaded TCG,
    # the kernel's live code patching (text_poke_bp, e.g. when perf events
    # flip perf_sched_events) raced stale translations on the other vCPU and
    # oopsed on an int3 in __schedule (seen on 6.12); one thread keeps two
    # CPUs (per-CPU buffers, migration) without that emulator race.
    timeout -k 10 "$VM_TIMEOUT" "${VM_CMD[@]}" -accel tcg,thread=single -m "$MEM" -smp "$SMP" \
        -kernel "$vz" -initrd "$initrd" \
        -append "console=$VM_CONSOLE quiet loglevel=4 panic=-1 oops=panic${APPEND:+ $APPEND}" \
        -nographic -no-reboot -nodefaults -serial stdio \
        </dev/null >"$log" 2>"$LOGS/$rel.qemu-stderr" &
    local tp=$!
    echo "$tp" > "$WORK/pids/$rel"
    wait "$tp" || rc=$?
    rm -f "$WORK/pids/$rel"
    t1=$(date +%s.%N)
    printf '%s %s\n' "$rc" "$(python3 -c "print(round($t1-$t0,1))")" > "$LOGS/$rel.host"
    return 0
}

# --- main ---------------------------------------------------------------------------------
declare -a K_SERIES K_ARCH K_REL K_PKG K_VER K_VZ
for k in "${want[@]}"; do
    read -r a s < <(kernel_arch "$k")
    read -r rel pkg ver vz < <(fetch_kernel "$s" "$a") || die "[$k] kernel fetch failed"
    [ -n "${vz:-}" ] || die "[$k] kernel fetch failed"
    K_SERIES+=("$s") K_ARCH+=("$a") K_REL+=("$rel") K_PKG+=("$pkg") K_VER+=("$ver") K_VZ+=("$vz")
done
unset APT_CONFIG

declare -A INITRD
for a in "${!ARCHES[@]}"; do
    INITRD[$a]=$OUT/initramfs-$a.cpio
    log "building initramfs ${INITRD[$a]}"
    build_initramfs "$a" "${INITRD[$a]}"
    log "initramfs ($a): $(du -h "${INITRD[$a]}" | cut -f1)"
done

# A few small modules of each kernel (lib/crc7, lib/crc-itu-t, net/dummy: no
# dependencies) from its own package, appended to the initramfs as a second
# cpio archive (the kernel unpacks one after the other), so the module e2e
# tests load and unload a real module; and overlayfs (no dependencies
# either), which the file tests load to mount a container-like overlay. A
# kernel without them boots the shared initramfs and those tests skip,
# saying why.
declare -a K_INITRD
add_modules() {
    local i=$1 rel=${K_REL[$1]} base=${INITRD[${K_ARCH[$1]}]}
    local deb=$CACHE/debs/${K_PKG[$1]}_${K_VER[$1]}_${K_ARCH[$1]}.deb m=$WORK/mods-$rel
    K_INITRD[$i]=$base
    [ -f "$deb" ] || return 0
    rm -rf "$m"; mkdir -p "$m"
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$m" --wildcards --no-anchored \
        '*/kernel/lib/crc7.ko*' '*/kernel/lib/crc-itu-t.ko*' '*/kernel/drivers/net/dummy.ko*' \
        '*/kernel/fs/overlayfs/overlay.ko*' 2>/dev/null || true
    if [ -d "$m/usr/lib/modules" ]; then
        mkdir -p "$m/lib" && cp -a "$m/usr/lib/modules" "$m/lib/" && rm -rf "$m/usr"
    fi
    [ -n "$(find "$m" -name '*.ko*' -print -quit)" ] || return 0
    (cd "$m" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) > "$m.cpio" || return 0
    cat "$base" "$m.cpio" > "$WORK/initrd-$rel.cpio" && K_INITRD[$i]=$WORK/initrd-$rel.cpio
}
for i in "${!K_REL[@]}"; do add_modules "$i"; done

T_VMS=$(date +%s)
log "booting ${#K_REL[@]} kernels, $JOBS at a time (-smp $SMP -m $MEM, timeout ${VM_TIMEOUT}s per VM)"
running=0
for i in "${!K_REL[@]}"; do
    while [ "$running" -ge "$JOBS" ]; do wait -n || true; running=$((running - 1)); done
    rm -f "$LOGS/${K_REL[$i]}.host"
    log "  start ${K_REL[$i]} (${K_PKG[$i]} ${K_VER[$i]})"
    run_vm "${K_ARCH[$i]}" "${K_REL[$i]}" "${K_VZ[$i]}" "${K_INITRD[$i]}" &
    running=$((running + 1))
done
wait || true
T_END=$(date +%s)

# --- 6. report ------------------------------------------------------------------------------
KLIST=$WORK/kernels.tsv
for i in "${!K_REL[@]}"; do
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "${K_SERIES[$i]}" "${K_REL[$i]}" "${K_PKG[$i]}" "${K_VER[$i]}" \
        "$LOGS/${K_REL[$i]}.log" "${K_ARCH[$i]}" >> "$KLIST"
done
rep_args=(--kernels "$KLIST" --logs "$LOGS" --json "$OUT/results.json"
          --filter "$FILTER" --backends "$BACKENDS" --smp "$SMP" --jobs "$JOBS" --mem "$MEM"
          --wall "$((T_END - T_START))" --vm-wall "$((T_END - T_VMS))"
          --command "tests/matrix/run.sh${ARGS_TEXT:+ $ARGS_TEXT}")
[ "$DO_DOCS" = 1 ] && rep_args+=(--docs "$ROOT/docs/compatibility.md")
rc=0
python3 "$HERE/report.py" "${rep_args[@]}" || rc=$?
log "total wall time $((T_END - T_START)) s (VMs $((T_END - T_VMS)) s); logs in $LOGS"
exit "$rc"
