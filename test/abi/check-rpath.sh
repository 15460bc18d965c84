#!/bin/sh
# Fails if any test, sample or benchmark binary of the build tree would load
# a libevent library from outside the build tree (Debian's runtime is
# installed on every machine and would otherwise be picked up silently).
# The oracle binaries in bin/oracle/ are built against Debian's on purpose.
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
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
