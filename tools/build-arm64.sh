#!/usr/bin/env bash
# tools/build-arm64.sh -- nightjar for arm64, cross-compiled in the
# Dockerfile's cross-arm64 stage with podman, its unit tests run under
# qemu-user there; then the binaries and the arm64 sysroot copied out for the
# kernel matrix (tests/matrix/run.sh --kernels arm64:6.12):
#
#   OUT/nightjar, OUT/tests/{nightjar_e2e_tests,nj-actions,nightjar_unit_tests}
#   OUT/sysroot/   arm64 libraries, busybox, dash, bash, coreutils
#
# usage: tools/build-arm64.sh [OUT]   (default <repo>/build-arm64; run as root)
#
# The base image debian:bookworm is made here with debootstrap and
# `podman import` when podman has none (no registry is needed), and kept.
# Environment: NJ_DEBIAN_MIRROR (default http://deb.debian.org/debian).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${1:-$ROOT/build-arm64}
MIRROR=${NJ_DEBIAN_MIRROR:-http://deb.debian.org/debian}
IMAGE=localhost/nightjar-cross:arm64
# Where the stage builds (Dockerfile: WORKDIR + build-arm64); the e2e binary
# has the paths of nightjar and nj-actions under it compiled in.
GUEST=/work/main/build-arm64

log() { echo "build-arm64: $*" >&2; }
[ "$(id -u)" = 0 ] || { log "must run as root (podman, debootstrap)"; exit 2; }
bash "$ROOT/scripts/deps.sh" --arm64

t0=$(date +%s)
if ! podman image exists localhost/debian:bookworm; then
    tmp=$(mktemp -d /var/tmp/nj-bootstrap.XXXXXX)
    trap 'rm -rf "$tmp"' EXIT
    log "debootstrap --variant=minbase bookworm (amd64) from $MIRROR"
    debootstrap --variant=minbase --arch amd64 bookworm "$tmp/root" "$MIRROR" >"$tmp/log" 2>&1 \
        || { tail -n 30 "$tmp/log" >&2; exit 1; }
    tar -C "$tmp/root" -c . | podman import - localhost/debian:bookworm >/dev/null
    rm -rf "$tmp"
fi
t1=$(date +%s)

log "podman build --target cross-arm64 (cross-compile, unit tests under qemu-user)"
podman build --isolation chroot --network host --pull=never --target cross-arm64 -t "$IMAGE" \
    -f "$ROOT/Dockerfile" "$ROOT"
t2=$(date +%s)

c=$(podman create "$IMAGE" /bin/true)
trap 'podman rm -f "$c" >/dev/null 2>&1 || true' EXIT
rm -rf "$OUT"
mkdir -p "$OUT/tests"
podman cp "$c:$GUEST/nightjar" "$OUT/nightjar"
for f in nightjar_e2e_tests nj-actions nightjar_unit_tests; do
    podman cp "$c:$GUEST/tests/$f" "$OUT/tests/$f"
done
podman cp "$c:/sysroot-arm64" "$OUT/sysroot"
echo "$GUEST" > "$OUT/guest-path"
t3=$(date +%s)

file -L "$OUT/nightjar" | grep -q 'ARM aarch64' || { log "$OUT/nightjar is not an arm64 executable"; exit 1; }
log "base image $((t1 - t0)) s, podman build $((t2 - t1)) s, copy-out $((t3 - t2)) s; arm64 binaries in $OUT"
