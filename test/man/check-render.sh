#!/bin/sh
# Fails if a man page does not render cleanly: every page in MAN3_DIR goes
# through groff with all warnings on (-ww) and must print nothing; a few go
# through man -l, and man finds pages by name (man 3 event_base_new,
# man 3 event2_event.h).  With a generator command after MAN3_DIR, it also
# renders the pages of every declared function, exported or not (--all), so
# that a function's page is clean before the function lands.
# check-render.sh MAN3_DIR [MKMAN_COMMAND...]
set -u
man3=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

render_all() {
    # $1: a man3 folder
    for page in "$1"/*.3; do
        if ! groff -ww -z -man -Tutf8 "$page" >"$tmp/out" 2>&1 ||
            [ -s "$tmp/out" ]; then
            echo "FAIL $page:"
            sed 's/^/    /' "$tmp/out"
            fail=$((fail + 1))
        else
            pass=$((pass + 1))
        fi
    done
}

render_all "$man3"
if [ $# -gt 0 ]; then
    if "$@" --all --out "$tmp/all" >"$tmp/gen" 2>&1; then
        render_all "$tmp/all/man3"
    else
        echo "FAIL: generating every page:"
        sed 's/^/    /' "$tmp/gen"
        fail=$((fail + 1))
    fi
fi

for name in event_base_new libevent event2_event.h evbuffer; do
    page=$man3/$name.3
    if MANWIDTH=80 man --warnings -l "$page" >"$tmp/man.out" 2>"$tmp/man.err" &&
        [ ! -s "$tmp/man.err" ] && grep -q "$name" "$tmp/man.out"; then
        pass=$((pass + 1))
    else
        echo "FAIL man -l $page:"
        sed 's/^/    /' "$tmp/man.err"
        fail=$((fail + 1))
    fi
    found=$(man -M "$(dirname "$man3")" -w 3 "$name" 2>/dev/null)
    if [ -n "$found" ] && [ "$(realpath "$found")" = "$(realpath "$page")" ]; then
        pass=$((pass + 1))
    else
        echo "FAIL man 3 $name finds '$found', not $page"
        fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
