#!/bin/sh
# Fails unless README.md's "API: ..." status line is what tools/api-coverage
# prints for the built libraries: check-readme.sh SOURCE_DIR LIB_DIR
set -u
src=$1
lib=$2
have=$(grep '^API: ' "$src/README.md")
want=$(sh "$src/tools/api-coverage" --lib-dir "$lib")
if [ "$have" = "$want" ]; then
    echo "1 passed, 0 failed: README says $have"
else
    echo "README.md says:       $have"
    echo "tools/api-coverage:   $want"
    echo "0 passed, 1 failed: update the status line and table in README.md"
    exit 1
fi
