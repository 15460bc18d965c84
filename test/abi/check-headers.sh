#!/bin/sh
# Compiles every public header on its own, as the only include of a unit,
# in C89, C11, C++98 and C++11 with pedantic warnings as errors:
# check-headers.sh CC CXX INCLUDE_DIR GENERATED_INCLUDE_DIR
set -u
cc=$1
cxx=$2
inc=$3
gen=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

headers="event.h evdns.h evhttp.h evrpc.h evutil.h"
for h in buffer buffer_compat bufferevent bufferevent_compat bufferevent_ssl \
    bufferevent_struct dns dns_compat dns_struct event event_compat \
    event_struct http http_compat http_struct keyvalq_struct listener rpc \
    rpc_compat rpc_struct tag tag_compat thread util visibility; do
    headers="$headers event2/$h.h"
done

pass=0
fail=0
for h in $headers event2/event-config.h; do
    if [ ! -f "$inc/$h" ] && [ ! -f "$gen/$h" ]; then
        echo "FAIL $h: missing from Vigil's include tree"
        fail=$((fail + 1))
        continue
    fi
    printf '#include <%s>\nint main(void) { return 0; }\n' "$h" >"$tmp/t.c"
    printf '#include <%s>\nint main() { return 0; }\n' "$h" >"$tmp/t.cc"
    for mode in c89 c11 c++98 c++11; do
        case $mode in
        c*+*) cmd="$cxx -std=$mode -x c++ $tmp/t.cc" ;;
        *) cmd="$cc -std=$mode -Wstrict-prototypes $tmp/t.c" ;;
        esac
        # shellcheck disable=SC2086
        if $cmd -pedantic -Wall -Wextra -Werror -I"$inc" -I"$gen" \
            -fsyntax-only >"$tmp/log" 2>&1; then
            pass=$((pass + 1))
        else
            echo "FAIL $h as $mode:"
            sed 's/^/    /' "$tmp/log" | head -n 20
            fail=$((fail + 1))
        fi
    done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
