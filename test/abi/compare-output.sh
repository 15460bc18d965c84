#!/bin/sh
# Runs two programs and fails unless they print exactly the same lines:
# compare-output.sh VIGIL_PROGRAM DEBIAN_PROGRAM
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$1" >"$tmp/vigil"
"$2" >"$tmp/debian"
lines=$(wc -l <"$tmp/debian")
if [ "$lines" -eq 0 ]; then
    echo "FAIL: $2 printed nothing"
    exit 1
fi
if diff -u "$tmp/debian" "$tmp/vigil"; then
    echo "1 passed, 0 failed: $lines lines identical to Debian's libevent"
else
    echo "0 passed, 1 failed: Vigil differs from Debian's libevent (diff above: - Debian, + Vigil)"
    exit 1
fi
