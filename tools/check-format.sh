#!/usr/bin/env bash
# Checks that every tracked C and C++ source is formatted by the nearest
# .clang-format (C++ at the top, the kernel's style under bpf/, include/,
# tests/helpers/ and bench/). usage: tools/check-format.sh [--fix] [clang-format]
set -euo pipefail
fix=0
if [ "${1:-}" = --fix ]; then
  fix=1
  shift
fi
cf=${1:-clang-format}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if ! command -v "$cf" >/dev/null; then
  echo "check-format.sh: $cf not found (scripts/deps.sh installs clang-format)" >&2
  exit 2
fi
# Formatting differs between clang-format releases: the files are kept in
# the form Debian 12's (14) produces. Another release can --fix, not check.
major=$("$cf" --version | sed -n 's/.*version \([0-9]*\).*/\1/p')
if [ $fix = 0 ] && [ "$major" != 14 ]; then
  echo "check-format.sh: clang-format $major, the files follow 14's output: not checked"
  exit 77
fi
# vmlinux.h is generated, not ours.
mapfile -t files < <(git ls-files '*.c' '*.h' '*.cpp' | grep -v '/vmlinux' || true)
if [ ${#files[@]} -eq 0 ]; then
  # Not a git checkout (a source tarball): every source below the top.
  mapfile -t files < <(find bpf include src tests bench \( -name '*.c' -o -name '*.h' -o -name '*.cpp' \) \
    -not -path '*/vmlinux*' | sort)
fi
if [ $fix = 1 ]; then
  "$cf" -i "${files[@]}"
  exit 0
fi
if ! "$cf" --dry-run --Werror "${files[@]}" 2>/tmp/nj-format.$$; then
  grep -E '^[^ ].*: (error|warning):' /tmp/nj-format.$$ | cut -d: -f1 | sort -u | sed 's/^/not formatted: /' >&2
  rm -f /tmp/nj-format.$$
  echo "check-format.sh: run tools/check-format.sh --fix" >&2
  exit 1
fi
rm -f /tmp/nj-format.$$
echo "${#files[@]} files formatted as .clang-format says"
