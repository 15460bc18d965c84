#!/bin/sh
# Checks that each library exports exactly the functions listed for it in
# tools/exports/ and that every listed name is a public libevent function:
# check-exports.sh LIB_DIR EXPORTS_DIR API_LIST LIBRARY...
# libevent (core + extra) must export the union of the two lists.
set -u
libdir=$1
exports=$2
api=$3
shift 3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
extra=$(dirname "$api")/extra-exports.txt
{
    grep -v '^#' "$api" | grep .
    [ -f "$extra" ] && grep -v '^#' "$extra" | awk 'NF { print $1 }'
} | sort -u >"$tmp/api"

pass=0
fail=0
for lib in "$@"; do
    so="$libdir/lib$lib-2.1.so.7"
    if [ "$lib" = event ]; then
        cat "$exports/event_core.txt" "$exports/event_extra.txt"
    else
        cat "$exports/$lib.txt"
    fi | grep -v '^#' | grep . | sort -u >"$tmp/want"
    nm -D --defined-only "$so" | awk '{ print $NF }' | sort -u >"$tmp/have"
    stray=$(comm -23 "$tmp/want" "$tmp/api")
    if [ -n "$stray" ]; then
        echo "FAIL $lib: listed names that are not libevent API: $stray"
        fail=$((fail + 1))
    elif ! diff -u "$tmp/want" "$tmp/have" >"$tmp/diff"; then
        echo "FAIL lib$lib: exports differ from tools/exports (- listed, + exported):"
        sed 's/^/    /' "$tmp/diff"
        fail=$((fail + 1))
    else
        echo "ok   lib$lib: $(wc -l <"$tmp/have") symbols, as listed"
        pass=$((pass + 1))
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
