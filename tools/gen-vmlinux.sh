#!/usr/bin/env bash
# gen-vmlinux.sh ARCH [OUTDIR]
#
# Regenerate the checked-in CO-RE vmlinux.h for ARCH (x86_64 | aarch64) from
# the BTF of a Debian *cloud* kernel image package -- never from the kernel of
# the machine running this script.
#
#   - Uses a private apt configuration (own sources.list, lists, cache, no
#     system hooks); the machine's apt/dpkg state is not modified.
#   - Picks, at run time, the newest cloud kernel ABI that Debian $SUITE
#     (+ -updates, -security) offers for BOTH amd64 and arm64 with the same
#     package version, so that both headers always describe the same kernel.
#     (Today that is the 6.12 series shipped in bookworm-security; the 6.1
#     series is the automatic fallback.)  NJ_KERNEL_ABI=6.12.117+deb12 pins it.
#   - Downloads the .deb (apt verifies it against the signed index), extracts
#     vmlinuz, decompresses it if needed (zstd/xz/gzip/lz4/bzip2/lzma payload
#     located by magic), cuts the .BTF blob out by its header, and runs
#     `bpftool btf dump file BLOB format c`.
#
# Output: OUTDIR/ARCH/vmlinux.h (default OUTDIR: <repo>/bpf/include/vmlinux),
# with a one-line provenance comment prepended.
#
# Environment:
#   NJ_CACHE            download/apt-lists cache (default <repo>/build/cache)
#   NJ_KERNEL_ABI       pin kernel ABI, e.g. 6.12.117+deb12 or 6.1.0-50
#   NJ_DEBIAN_SUITE     default bookworm
#   NJ_DEBIAN_MIRROR    default http://deb.debian.org/debian
#   NJ_DEBIAN_SECURITY  default http://deb.debian.org/debian-security
set -euo pipefail
export LC_ALL=C

PROG=gen-vmlinux.sh
die() { echo "$PROG: error: $*" >&2; exit 1; }
log() { echo "$PROG: $*" >&2; }

usage() { echo "usage: $PROG x86_64|aarch64 [OUTDIR]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage

ARCH=$1
case "$ARCH" in
    x86_64)  DEB_ARCH=amd64 ;;
    aarch64) DEB_ARCH=arm64 ;;
    *) die "unsupported ARCH '$ARCH' (expected x86_64 or aarch64)" ;;
esac
ALL_DEB_ARCHES="amd64 arm64"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUTDIR=${2:-$ROOT/bpf/include/vmlinux}
CACHE=${NJ_CACHE:-$ROOT/build/cache}
SUITE=${NJ_DEBIAN_SUITE:-bookworm}
MIRROR=${NJ_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECMIRROR=${NJ_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}

for t in apt-get apt-cache dpkg dpkg-deb sha256sum python3 bpftool; do
    command -v "$t" >/dev/null 2>&1 || die "required tool '$t' not found in PATH"
done

mkdir -p "$CACHE" || die "cannot create cache dir $CACHE"
CACHE=$(cd "$CACHE" && pwd)
APTDIR=$CACHE/gen-vmlinux/apt
DEBDIR=$CACHE/gen-vmlinux/debs
mkdir -p "$APTDIR/state/lists/partial" "$APTDIR/cache/archives/partial" \
         "$APTDIR/etc/sources.list.d" "$APTDIR/etc/preferences.d" "$DEBDIR"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gen-vmlinux.XXXXXX") || die "mktemp failed"
OUTTMP=
trap 'rm -rf "$WORK"; [ -z "$OUTTMP" ] || rm -f "$OUTTMP"' EXIT

# --- private apt configuration ------------------------------------------------
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
SIGNED_BY=
[ -r "$KEYRING" ] && SIGNED_BY=" [signed-by=$KEYRING]"
cat > "$APTDIR/etc/sources.list" <<EOF
deb$SIGNED_BY $MIRROR $SUITE main
deb$SIGNED_BY $MIRROR $SUITE-updates main
deb$SIGNED_BY $SECMIRROR $SUITE-security main
EOF
. "$ROOT/tools/private-apt.sh"
nj_private_apt_conf "$APTDIR" amd64 arm64
APTCONF=$APTDIR/etc/apt.conf
export APT_CONFIG=$APTCONF

log "updating private apt lists ($SUITE, $ALL_DEB_ARCHES) in $APTDIR"
apt-get -qq update >"$WORK/apt-update.log" 2>&1 \
    || { cat "$WORK/apt-update.log" >&2; die "apt-get update failed (private lists in $APTDIR)"; }

# --- pick the kernel ------------------------------------------------------------
pkg_field() { # PKG ARCH FIELD -> value of FIELD for the candidate version
    apt-cache show --no-all-versions "$1:$2" 2>/dev/null | sed -n "s/^$3: //p" | head -n1
}

# ABIs look like 6.12.117+deb12 or 6.1.0-50; the meta packages
# (linux-image-cloud-amd64, linux-image-6.12-cloud-amd64) don't match.
abis_for() {
    apt-cache pkgnames linux-image- \
        | sed -n -E "s/^linux-image-([0-9]+\.[0-9]+\.[0-9]+[-+][^ ]*)-cloud-$1\$/\1/p" | sort -u
}

if [ -n "${NJ_KERNEL_ABI:-}" ]; then
    CANDIDATES=$NJ_KERNEL_ABI
else
    CANDIDATES=$(comm -12 <(abis_for amd64) <(abis_for arm64))
fi
[ -n "$CANDIDATES" ] || die "no Debian $SUITE cloud kernel image found for both amd64 and arm64"

# One apt-cache call for all candidates: lines "ABI ARCH VERSION".
VERSIONS=$(
    for abi in $CANDIDATES; do
        for a in $ALL_DEB_ARCHES; do echo "linux-image-$abi-cloud-$a:$a"; done
    done | xargs apt-cache show --no-all-versions 2>/dev/null \
        | awk '/^Package: /{p=$2} /^Architecture: /{a=$2} /^Version: /{v=$2}
               /^$/ && p != "" {
                   abi=p; sub(/^linux-image-/, "", abi); sub(/-cloud-[a-z0-9]+$/, "", abi)
                   print abi, a, v; p=""
               }
               END { if (p != "") { abi=p; sub(/^linux-image-/, "", abi); sub(/-cloud-[a-z0-9]+$/, "", abi); print abi, a, v } }'
) || true

BEST_ABI= BEST_VER=
for abi in $CANDIDATES; do
    va=$(awk -v k="$abi" '$1 == k && $2 == "amd64" {print $3; exit}' <<<"$VERSIONS")
    vb=$(awk -v k="$abi" '$1 == k && $2 == "arm64" {print $3; exit}' <<<"$VERSIONS")
    if [ -z "$va" ] || [ "$va" != "$vb" ]; then
        [ -n "${NJ_KERNEL_ABI:-}" ] && die "kernel ABI $abi not available with the same version for amd64 ('$va') and arm64 ('$vb')"
        continue
    fi
    if [ -z "$BEST_VER" ] || dpkg --compare-versions "$va" gt "$BEST_VER"; then
        BEST_ABI=$abi BEST_VER=$va
    fi
done
[ -n "$BEST_ABI" ] || die "no cloud kernel with identical amd64/arm64 versions in Debian $SUITE"

PKG=linux-image-$BEST_ABI-cloud-$DEB_ARCH
VER=$BEST_VER
log "selected $PKG $VER ($DEB_ARCH)"

# --- download (cached, verified against the signed index) -----------------------
WANT_SHA=$(pkg_field "$PKG" "$DEB_ARCH" SHA256)
DEBFILE=$(pkg_field "$PKG" "$DEB_ARCH" Filename)
[ -n "$WANT_SHA" ] && [ -n "$DEBFILE" ] || die "no index metadata for $PKG:$DEB_ARCH"
DEB=$DEBDIR/$(basename "$DEBFILE")
if [ -f "$DEB" ] && [ "$(sha256sum "$DEB" | cut -d' ' -f1)" = "$WANT_SHA" ]; then
    log "using cached $DEB"
else
    rm -f "$DEB"
    (cd "$WORK" && apt-get -qq download "$PKG:$DEB_ARCH") >"$WORK/apt-download.log" 2>&1 \
        || { cat "$WORK/apt-download.log" >&2; die "apt-get download $PKG:$DEB_ARCH failed"; }
    dl=$(ls "$WORK"/*.deb 2>/dev/null | head -n1)
    [ -n "$dl" ] || die "apt-get download produced no .deb for $PKG:$DEB_ARCH"
    mv "$dl" "$DEB"
fi
DEB_SHA=$(sha256sum "$DEB" | cut -d' ' -f1)
[ "$DEB_SHA" = "$WANT_SHA" ] || die "sha256 mismatch for $DEB (got $DEB_SHA, index says $WANT_SHA)"

# --- extract vmlinuz ------------------------------------------------------------
dpkg-deb -x "$DEB" "$WORK/pkg" || die "dpkg-deb -x $DEB failed"
VMLINUZ=$(ls "$WORK"/pkg/boot/vmlinuz-* 2>/dev/null | head -n1)
[ -n "$VMLINUZ" ] || die "no boot/vmlinuz-* in $DEB"

# --- locate and cut the BTF blob --------------------------------------------------
# Looks for the BTF header (magic 0xeb9f LE, version 1, hdr_len 24) in the
# image; if none validates, decompresses every embedded payload found by its
# magic with the matching tool and looks there.  Each hit is validated with
# bpftool; the largest valid blob wins.
python3 - "$VMLINUZ" "$WORK/vmlinux.btf" "$WORK" <<'PYEOF' || die "could not extract BTF from $(basename "$VMLINUZ")"
import os, re, shutil, struct, subprocess, sys

src, out, work = sys.argv[1], sys.argv[2], sys.argv[3]
BTF_RE = re.compile(rb'\x9f\xeb\x01.\x18\x00\x00\x00', re.S)

def log(msg):
    print("gen-vmlinux.sh: " + msg, file=sys.stderr)

def valid(blob):
    p = os.path.join(work, "cand.btf")
    with open(p, "wb") as f:
        f.write(blob)
    r = subprocess.run(["bpftool", "btf", "dump", "file", p, "format", "raw"],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return r.returncode == 0 and r.stdout.startswith(b"[1] ")

def find_btf(data, what):
    best = None
    for m in BTF_RE.finditer(data):
        o = m.start()
        if o + 24 > len(data):
            continue
        _, _, _, hdr_len, type_off, type_len, str_off, str_len = \
            struct.unpack_from("<HBBIIIII", data, o)
        size = hdr_len + max(type_off + type_len, str_off + str_len)
        if type_len == 0 or str_len == 0 or o + size > len(data):
            continue
        if best is not None and size <= len(best):
            continue
        blob = data[o:o + size]
        if valid(blob):
            log("found BTF (%d bytes) at offset %#x of %s" % (size, o, what))
            best = blob
    return best

data = open(src, "rb").read()
best = find_btf(data, "vmlinuz")

if best is None:
    # name, magic, decompress command
    formats = [
        ("zstd", b"\x28\xb5\x2f\xfd", ["zstd", "-dcq"]),
        ("xz", b"\xfd7zXZ\x00", ["xz", "-dcq", "--single-stream"]),
        ("gzip", b"\x1f\x8b\x08", ["gzip", "-dcq"]),
        ("lz4", b"\x02\x21\x4c\x18", ["lz4", "-dcq"]),
        ("bzip2", b"BZh", ["bzip2", "-dcq"]),
        ("lzma", b"\x5d\x00\x00\x00", ["xz", "-dcq", "--format=lzma"]),
    ]
    tried = []
    for name, magic, cmd in formats:
        offs = [m.start() for m in re.finditer(re.escape(magic), data)][:32]
        if not offs:
            continue
        if shutil.which(cmd[0]) is None:
            log("%s payload magic present but '%s' is not installed" % (name, cmd[0]))
            continue
        tried.append(name)
        for o in offs:
            # trailing data after the payload makes the tools exit non-zero:
            # ignore the status, judge by what came out
            r = subprocess.run(cmd, input=data[o:], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL)
            if len(r.stdout) < (1 << 20):
                continue
            blob = find_btf(r.stdout, "%s payload at %#x" % (name, o))
            if blob is not None and (best is None or len(blob) > len(best)):
                best = blob
        if best is not None:
            break
    if best is None:
        log("no BTF in vmlinuz or in any decompressed payload (tried: %s)" % (", ".join(tried) or "none"))
        sys.exit(1)

if len(best) < (1 << 20):
    log("BTF blob is only %d bytes -- not a vmlinux BTF" % len(best))
    sys.exit(1)
with open(out, "wb") as f:
    f.write(best)
PYEOF

# --- generate the header ------------------------------------------------------------
bpftool btf dump file "$WORK/vmlinux.btf" format c > "$WORK/vmlinux.h.body" \
    || die "bpftool btf dump format c failed"
grep -q '^struct task_struct {' "$WORK/vmlinux.h.body" \
    || die "generated header has no struct task_struct -- refusing to install it"

KREL=$(basename "$VMLINUZ"); KREL=${KREL#vmlinuz-}
DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
mkdir -p "$OUTDIR/$ARCH" || die "cannot create $OUTDIR/$ARCH"
OUTTMP=$OUTDIR/$ARCH/.vmlinux.h.tmp.$$
{
    printf '/* Generated by tools/gen-vmlinux.sh from Debian %s %s (%s, kernel %s), deb sha256 %s, on %s. Do not edit. */\n' \
        "$PKG" "$VER" "$DEB_ARCH" "$KREL" "$DEB_SHA" "$DATE"
    cat "$WORK/vmlinux.h.body"
} > "$OUTTMP" || die "cannot write $OUTTMP"
mv -f "$OUTTMP" "$OUTDIR/$ARCH/vmlinux.h" || die "cannot write $OUTDIR/$ARCH/vmlinux.h"
log "wrote $OUTDIR/$ARCH/vmlinux.h ($(wc -c < "$OUTDIR/$ARCH/vmlinux.h") bytes) from $PKG $VER"
