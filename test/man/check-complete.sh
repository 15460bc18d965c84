#!/bin/sh
# Fails unless the man pages match what the libraries export: every
# exported function (nm -D of each library, and tools/exports/*.txt) has a
# page NAME.3 whose synopsis declares it, and every other page is a header
# overview (event2_*.h.3), a chapter of tools/mkman/pages.txt or
# libevent.3, so no page documents a function that is not exported.
# Functions that tools/api/extra-exports.txt marks "undeclared" (exported
# by libevent without a header, so without documentation) have no page.
# check-complete.sh MAN3_DIR LIB_DIR EXPORTS_DIR PAGES_TXT
set -u
man3=$1
libdir=$2
exports=$3
data=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for so in "$libdir"/libevent_core-2.1.so.7 "$libdir"/libevent_extra-2.1.so.7 \
    "$libdir"/libevent_pthreads-2.1.so.7 "$libdir"/libevent_openssl-2.1.so.7; do
    [ -e "$so" ] || continue
    nm -D --defined-only "$so" | awk '$2 ~ /^[TW]$/ { print $3 }'
done >"$tmp/nm"
cat "$exports"/*.txt | sed 's/#.*//' | awk 'NF { print $1 }' >"$tmp/lists"
extras=$exports/../api/extra-exports.txt
if [ -f "$extras" ]; then
    awk '!/^#/ && $3 == "undeclared" { print $1 }' "$extras"
fi | sort -u >"$tmp/undeclared"
sort -u "$tmp/nm" "$tmp/lists" | comm -23 - "$tmp/undeclared" >"$tmp/exported"
if [ ! -s "$tmp/nm" ]; then
    echo "FAIL: no exported function found in $libdir"
    exit 1
fi

# Pages that document no single function.
{
    echo libevent
    sed -n 's/^== chapter \([^ ]*\).*/\1/p' "$data"
} | sort -u >"$tmp/overviews"

fail=0
pass=0
while read -r name; do
    page=$man3/$name.3
    if [ ! -f "$page" ]; then
        echo "FAIL $name: exported, but has no page $name.3"
        fail=$((fail + 1))
    elif ! grep -q "\\\\fB$name\\\\fP(" "$page"; then
        echo "FAIL $name: $name.3 does not declare $name()"
        fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
done <"$tmp/exported"

for page in "$man3"/*.3; do
    [ -e "$page" ] || continue
    name=$(basename "$page" .3)
    case $name in
    event2_*.h) continue ;;
    esac
    grep -qx "$name" "$tmp/overviews" && continue
    if ! grep -qx "$name" "$tmp/exported"; then
        echo "FAIL $name.3: documents a function that no library exports"
        fail=$((fail + 1))
    fi
done

while read -r name; do
    [ -f "$man3/$name.3" ] || {
        echo "FAIL $name.3: overview page missing"
        fail=$((fail + 1))
    }
done <"$tmp/overviews"
nover=$(find "$man3" -name 'event2_*.h.3' | wc -l)
if [ "$nover" -eq 0 ]; then
    echo "FAIL: no header overview pages (event2_*.h.3)"
    fail=$((fail + 1))
fi

echo "$pass exported functions with a page, $(wc -l <"$tmp/overviews") chapter pages, $nover header pages"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
