#!/bin/sh
# Writes the macro probe program: gen-macro-probe.sh ABI_DIR MACRO_LIST OUT
set -eu
abi=$1
list=$2
out=$3
{
    cat "$abi/macro-probe-head.c"
    awk -f "$abi/gen-macro-probe.awk" "$abi/macro-kinds.txt" "$list"
    printf '    return 0;\n}\n'
} >"$out.tmp"
mv "$out.tmp" "$out"
