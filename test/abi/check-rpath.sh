#!/bin/sh
# Fails if any test, sample or benchmark binary of the build tree would load
# a libevent library from outside the build tree (Debian's runtime is
# installed on every machine and would otherwise be picked up silently),
# and, the other way round, if any oracle binary (bin/oracle/, built
# against Debian's libevent on purpose) would load Vigil's: the sonames
# are the same, so a build-tree RPATH would make the oracle test Vigil.
# check-rpath.sh BUILD_DIR
set -u
build=$(cd "$1" && pwd -P)
pass=0
fail=0
for bin in "$build"/bin/*; do
    [ -f "$bin" ] && [ -x "$bin" ] || continue
    out=$(ldd "$bin" 2>&1) || {
        echo "FAIL $bin: ldd failed: $out"
        fail=$((fail + 1))
        continue
    }
    bad=$(printf '%s\n' "$out" | grep 'libevent' |
        grep -v "=> $build/lib/" || true)
    if [ -n "$bad" ]; then
        echo "FAIL $(basename "$bin") resolves libevent outside the build tree:"
        printf '%s\n' "$bad" | sed 's/^/    /'
        fail=$((fail + 1))
    elif ! printf '%s\n' "$out" | grep -q "$build/lib/libevent"; then
        echo "FAIL $(basename "$bin") does not load Vigil's libevent at all"
        fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
done
for bin in "$build"/bin/oracle/* "$build"/bin/libevent/*; do
    [ -f "$bin" ] && [ -x "$bin" ] || continue
    out=$(ldd "$bin" 2>&1) || {
        echo "FAIL $bin: ldd failed: $out"
        fail=$((fail + 1))
        continue
    }
    if printf '%s\n' "$out" | grep 'libevent' | grep -q "=> $build/"; then
        echo "FAIL $(basename "$bin") is built against Debian's libevent but would load Vigil's:"
        printf '%s\n' "$out" | grep libevent | sed 's/^/    /'
        fail=$((fail + 1))
    elif ! printf '%s\n' "$out" | grep -q 'libevent'; then
        echo "FAIL $(basename "$bin") loads no libevent at all"
        fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
