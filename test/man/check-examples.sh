#!/bin/sh
# Compiles and links every example of the man pages (tools/mkman/pages.txt)
# against the built libraries, with warnings as errors.
# check-examples.sh CC INCLUDE_DIR GENERATED_INCLUDE_DIR LIB_DIR MKMAN_COMMAND...
set -u
cc=$1
inc=$2
geninc=$3
libdir=$4
shift 4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$@" --examples --out "$tmp" >/dev/null || exit 1
pass=0
fail=0
for c in "$tmp"/*.c; do
    if "$cc" -Wall -Wextra -Werror -I"$inc" -I"$geninc" "$c" -o "$tmp/a.out" \
        -L"$libdir" -levent_pthreads -levent_core -lpthread >"$tmp/log" 2>&1; then
        pass=$((pass + 1))
    else
        echo "FAIL $(basename "$c"):"
        sed 's/^/    /' "$tmp/log"
        fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
