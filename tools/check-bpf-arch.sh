#!/usr/bin/env bash
# Compiles and links every BPF program for another architecture, exactly as
# the build does for the host one, so the second architecture cannot rot
# unnoticed. usage: tools/check-bpf-arch.sh x86|arm64 [clang] [bpftool]
set -euo pipefail
arch=${1:?usage: check-bpf-arch.sh x86|arm64}
clang=${2:-clang}
bpftool=${3:-bpftool}
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
objs=()
while IFS= read -r src; do
  obj="$out/$(echo "${src#$top/}" | tr / _).o"
  "$clang" -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_"$arch" -Wall -Wextra -Werror -Wno-unused-parameter \
    -I"$top/bpf/include" -I"$top/include" -c "$src" -o "$obj"
  objs+=("$obj")
done < <(find "$top/bpf" -name '*.bpf.c' | sort)
"$bpftool" gen object "$out/linked.bpf.o" "${objs[@]}"
"$bpftool" gen skeleton "$out/linked.bpf.o" name nightjar_bpf > /dev/null
echo "${#objs[@]} BPF programs compile and link for $arch"
