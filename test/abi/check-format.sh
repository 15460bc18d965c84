#!/bin/sh
# Fails if a tracked C file differs from the root .clang-format style:
# check-format.sh CLANG_FORMAT SOURCE_DIR
set -u
cf=$1
src=$2
cd "$src" || exit 1
pass=0
fail=0
files=$(git ls-files --cached --others --exclude-standard '*.c' '*.h' \
    2>/dev/null) || files=$(find include src test sample bench tools \
    -name '*.[ch]')
for f in $files; do
    if "$cf" --dry-run -Werror "$f" >/dev/null 2>&1; then
        pass=$((pass + 1))
    else
        echo "FAIL $f: not formatted (run: $cf -i $f)"
        fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
