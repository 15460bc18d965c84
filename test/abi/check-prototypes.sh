#!/bin/sh
# Compares the prototype of every public function as declared by Vigil's
# headers with Debian's libevent-dev headers, through gcc -aux-info:
# check-prototypes.sh CC INCLUDE_DIR GENERATED_INCLUDE_DIR API_LIST
set -u
cc=$1
inc=$2
gen=$3
api=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/all.c" <<'EOC'
#include <event.h>
#include <evdns.h>
#include <evhttp.h>
#include <evrpc.h>
#include <evutil.h>
#include <event2/bufferevent_ssl.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <event2/util.h>
EOC

# Prints "name: prototype" for each public function, whitespace folded and
# parameter names dropped by the compiler.
protos() {
    grep -v '^#' "$api" | grep . | sort -u >"$tmp/names"
    awk '/^\/\*/ { sub(/^\/\*[^*]*\*\/ */, ""); print }' "$1" |
        sed -e 's/  */ /g' -e 's/ *;$//' |
        awk 'NR == FNR { want[$1] = 1; next }
             { line = $0; sub(/ *\(.*/, "", line); n = split(line, w, /[ *]+/);
               name = w[n]; if (name in want) print name ": " $0 }' \
            "$tmp/names" - | sort -u
}

"$cc" -std=gnu11 -w -aux-info "$tmp/vigil.aux" -I"$inc" -I"$gen" \
    -fsyntax-only "$tmp/all.c" || exit 1
"$cc" -std=gnu11 -w -aux-info "$tmp/debian.aux" -fsyntax-only "$tmp/all.c" ||
    exit 1
protos "$tmp/vigil.aux" >"$tmp/vigil"
protos "$tmp/debian.aux" >"$tmp/debian"
n=$(wc -l <"$tmp/debian")
if [ "$n" -lt 400 ]; then
    echo "FAIL: only $n prototypes read from Debian's headers"
    exit 1
fi
if diff -u "$tmp/debian" "$tmp/vigil"; then
    echo "$n passed, 0 failed: every prototype equals Debian's"
else
    bad=$(diff "$tmp/debian" "$tmp/vigil" | grep -c '^<')
    echo "$((n - bad)) passed, $bad failed (diff above: - Debian, + Vigil)"
    exit 1
fi
