#!/bin/sh
# Vigil: event_rpcgen's command line.  Bad .rpc input is reported as
# "FILE:LINE: error: MESSAGE" with exit status 1 and no output written;
# good input gives FILE.gen.h and FILE.gen.c by default, or the files
# named; --quiet silences the progress messages.
#   errors.sh PYTHON RPCGEN
set -u
python=$1
rpcgen=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# bad NAME LINE MESSAGE: the .rpc text on stdin must be refused at LINE
# with an error containing MESSAGE.
bad() {
    name=$1 line=$2 msg=$3
    cat >"$tmp/$name.rpc"
    "$python" "$rpcgen" --quiet "$tmp/$name.rpc" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ "$rc" -eq 1 ] || fail "$name: exit status $rc, expected 1"
    grep -qF "$tmp/$name.rpc:$line: error: " "$tmp/err" ||
        fail "$name: no error at line $line: $(cat "$tmp/err")"
    grep -qF "$msg" "$tmp/err" ||
        fail "$name: message lacks '$msg': $(cat "$tmp/err")"
    [ "$(wc -l <"$tmp/err")" -eq 1 ] ||
        fail "$name: more than one line of errors: $(cat "$tmp/err")"
    [ ! -s "$tmp/out" ] || fail "$name: wrote to stdout"
    [ ! -e "$tmp/$name.gen.h" ] && [ ! -e "$tmp/$name.gen.c" ] ||
        fail "$name: wrote output files"
}

bad unknown_type 3 "unknown type 'float'" <<'RPC'
struct a {
    int x = 1;
    float f = 2;
}
RPC
bad duplicate_tag 5 "duplicate tag 2 in struct 'a'" <<'RPC'
/* Two fields share a tag. */
struct a {
    int x = 1;
    int y = 2;
    string z = 0x2;
}
RPC
bad missing_equals 2 "expected '='" <<'RPC'
struct a {
    int x 1;
}
RPC
bad missing_equals_fixed 2 "expected '='" <<'RPC'
struct a {
    bytes x[4] 1;
}
RPC
bad unterminated_eof 4 "struct 'a' (line 1) is not terminated" <<'RPC'
struct a {
    int x = 1;
    // no closing brace

RPC
bad unterminated_next 4 "struct 'a' (line 1) is not terminated" <<'RPC'
struct a {
    int x = 1;

struct b {
    int y = 1;
}
RPC
bad missing_semicolon 3 "expected ';'" <<'RPC'
struct a {
    int x = 1
    int y = 2;
}
RPC
bad duplicate_field 3 "duplicate field 'x'" <<'RPC'
struct a {
    int x = 1;
    string x = 2;
}
RPC
bad duplicate_struct 4 "struct 'a' already defined on line 1" <<'RPC'
struct a {
    int x = 1;
}
struct a {
    int y = 1;
}
RPC
bad unknown_struct 2 "unknown struct 'nowhere'" <<'RPC'
struct a {
    struct[nowhere] n = 1;
}
RPC
bad struct_no_brackets 2 "expected '['" <<'RPC'
struct a {
    struct b n = 1;
}
RPC
bad unterminated_comment 2 "unterminated comment" <<'RPC'
struct a { int x = 1; }
/* never closed
struct b { int y = 1; }
RPC
bad fixed_not_bytes 2 "only bytes fields may have a fixed length" <<'RPC'
struct a {
    int x[4] = 1;
}
RPC
bad fixed_zero 2 "out of range" <<'RPC'
struct a {
    bytes x[0] = 1;
}
RPC
bad array_of_bytes 3 "arrays of bytes are not supported" <<'RPC'
struct a {
    int x = 1;
    array bytes b = 2;
}
RPC
bad keyword_name 2 "is a C or C++ keyword" <<'RPC'
struct a {
    int for = 1;
}
RPC
bad tag_too_large 2 "too large" <<'RPC'
struct a {
    int x = 0x80000000;
}
RPC
bad malformed_number 2 "malformed number '12ab'" <<'RPC'
struct a {
    int x = 12ab;
}
RPC
bad missing_tag 2 "expected a tag number" <<'RPC'
struct a {
    int x = ;
}
RPC
bad top_level_junk 4 "expected 'struct'" <<'RPC'
struct a {
    int x = 1;
}
message b {
}
RPC
bad empty_struct 2 "has no fields" <<'RPC'
// nothing inside
struct a {
}
RPC
bad name_clash 5 "clashes" <<'RPC'
struct a_b {
    int c = 1;
}
struct a {
    int b_c = 1;
}
RPC
bad stray_character 2 "unexpected character '+'" <<'RPC'
struct a {
    int x = +1;
}
RPC
bad optional_twice 2 "'optional' given twice" <<'RPC'
struct a {
    optional optional int x = 1;
}
RPC
bad no_struct 1 "no struct defined" <<'RPC'
/* only a comment */
RPC

# Usage errors and a missing file: exit status 1.
"$python" "$rpcgen" >/dev/null 2>&1
[ $? -eq 1 ] || fail "no arguments: expected exit status 1"
"$python" "$rpcgen" --bogus x.rpc >/dev/null 2>&1
[ $? -eq 1 ] || fail "unknown option: expected exit status 1"
"$python" "$rpcgen" a b c d >/dev/null 2>&1
[ $? -eq 1 ] || fail "four arguments: expected exit status 1"
"$python" "$rpcgen" "$tmp/missing.rpc" >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "missing file: expected exit status 1"
grep -q "missing.rpc" "$tmp/err" || fail "missing file: not named"
"$python" "$rpcgen" --help >"$tmp/out" 2>&1 ||
    fail "--help: nonzero exit status"
grep -q "usage: event_rpcgen" "$tmp/out" || fail "--help: no usage"

# Default outputs beside the input; progress on stderr unless --quiet.
cat >"$tmp/good.rpc" <<'RPC'
#include <stdio.h>
/* carried */
struct good {
    int x = 1; // also carried
}
RPC
(cd "$tmp" && "$python" "$rpcgen" good.rpc >out 2>err) ||
    fail "good.rpc: nonzero exit status"
[ -s "$tmp/good.gen.h" ] && [ -s "$tmp/good.gen.c" ] ||
    fail "good.rpc: no good.gen.h and good.gen.c"
[ ! -s "$tmp/out" ] || fail "good.rpc: wrote to stdout"
grep -q "good.gen.h" "$tmp/err" || fail "good.rpc: no progress message"
grep -q '^#include "good.gen.h"$' "$tmp/good.gen.c" ||
    fail "good.gen.c does not include good.gen.h"
grep -q '^#include <stdio.h>$' "$tmp/good.gen.h" ||
    fail "the #include line is not carried to the header"
grep -qF '/* carried */' "$tmp/good.gen.h" ||
    fail "the comment is not carried to the header"
grep -qF '/* also carried */' "$tmp/good.gen.h" ||
    fail "the // comment is not carried to the header"
rm -f "$tmp/good.gen.h" "$tmp/good.gen.c"

# An input path in another folder: outputs go beside it.
mkdir "$tmp/sub"
cp "$tmp/good.rpc" "$tmp/sub/deep.rpc"
"$python" "$rpcgen" --quiet "$tmp/sub/deep.rpc" >"$tmp/out" 2>&1 ||
    fail "sub/deep.rpc: nonzero exit status"
[ ! -s "$tmp/out" ] || fail "--quiet: printed $(cat "$tmp/out")"
[ -s "$tmp/sub/deep.gen.h" ] && [ -s "$tmp/sub/deep.gen.c" ] ||
    fail "sub/deep.rpc: outputs not beside the input"

# Named outputs: the header alone gives the source's name.
"$python" "$rpcgen" --quiet "$tmp/good.rpc" "$tmp/named.h" ||
    fail "named header: nonzero exit status"
[ -s "$tmp/named.h" ] && [ -s "$tmp/named.c" ] ||
    fail "named header: expected named.h and named.c"
grep -q '^#include "named.h"$' "$tmp/named.c" ||
    fail "named.c does not include named.h"
"$python" "$rpcgen" --quiet "$tmp/good.rpc" "$tmp/h1.h" "$tmp/c1.c" ||
    fail "named outputs: nonzero exit status"
[ -s "$tmp/h1.h" ] && [ -s "$tmp/c1.c" ] ||
    fail "named outputs: expected h1.h and c1.c"
grep -q 'EVENT_RPCOUT_H1_H_' "$tmp/h1.h" ||
    fail "h1.h: no include guard named after it"

if [ "$failures" -ne 0 ]; then
    echo "$failures failure(s)"
    exit 1
fi
echo "PASS"
