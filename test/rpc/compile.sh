#!/bin/sh
# Vigil: the code event_rpcgen generates compiles without a warning as C
# (C99 and C11, Vigil's warning set) and as C++ (C++11 and C++17), against
# Vigil's headers and against Debian's, and a C++ program using the
# generated API and the EVTAG_* macros links and runs on Debian's libevent.
# Generating twice gives the same files.
#   compile.sh PYTHON RPCGEN FILE.rpc VIGIL_INCLUDE VIGIL_GENERATED_INCLUDE
set -eu
python=$1 rpcgen=$2 rpc=$3 vinc=$4 vgen=$5
cc=${CC:-cc}
cxx=${CXX:-c++}
command -v "$cxx" >/dev/null 2>&1 || { echo "SKIP: no C++ compiler"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$python" "$rpcgen" --quiet "$rpc" "$tmp/regress.gen.h" "$tmp/regress.gen.c" ||
    fail "event_rpcgen failed"
"$python" "$rpcgen" --quiet "$rpc" "$tmp/again.gen.h" "$tmp/again.gen.c" ||
    fail "event_rpcgen failed the second time"
sed 's/again\.gen/regress.gen/g; s/AGAIN_GEN/REGRESS_GEN/g' \
    "$tmp/again.gen.h" | cmp -s - "$tmp/regress.gen.h" ||
    fail "the header differs between two runs"
sed 's/again\.gen/regress.gen/g' "$tmp/again.gen.c" |
    cmp -s - "$tmp/regress.gen.c" || fail "the source differs between two runs"

cwarn="-Wall -Wextra -Werror -pedantic -Wshadow -Wstrict-prototypes
 -Wmissing-prototypes -Wold-style-definition -Wpointer-arith -Wcast-align
 -Wwrite-strings -Wformat=2 -Wundef -Wvla -Wmissing-declarations
 -Wnested-externs -Wredundant-decls -Wcast-qual -Wconversion"
# Not -Wold-style-cast: the code is C first, where casts look like that.
xwarn="-Wall -Wextra -Werror -pedantic -Wshadow -Wcast-qual -Wuseless-cast"

# A program declaring, defining and registering an RPC with the macros of
# <event2/rpc.h>, which take the generated functions by name (compiled
# only: evrpc may not be in the library yet).
cat >"$tmp/macros.c" <<'C'
#include <event2/http.h>
#include <event2/rpc.h>
#include "regress.gen.h"

EVRPC_HEADER(Locate, point, route)
EVRPC_GENERATE(Locate, point, route)

void serve(EVRPC_STRUCT(Locate) * rpc, void *arg);
void done(struct evrpc_status *status, struct point *request,
          struct route *reply, void *arg);
int use(struct evrpc_base *base, struct evrpc_pool *pool);

void
serve(EVRPC_STRUCT(Locate) * rpc, void *arg)
{
    (void)arg;
    EVTAG_ASSIGN(rpc->reply, id, "here");
    EVRPC_REQUEST_DONE(rpc);
}

void
done(struct evrpc_status *status, struct point *request,
     struct route *reply, void *arg)
{
    (void)status;
    (void)request;
    (void)reply;
    (void)arg;
}

int
use(struct evrpc_base *base, struct evrpc_pool *pool)
{
    struct point *p = point_new();
    struct route *r = route_new();
    struct evrpc_request_wrapper *ctx;

    if (EVRPC_REGISTER(base, Locate, point, route, serve, NULL) == -1)
        return -1;
    ctx = EVRPC_MAKE_CTX(Locate, point, route, pool, p, r, done, NULL);
    if (ctx == NULL)
        return EVRPC_MAKE_REQUEST(Locate, pool, p, r, done, NULL);
    return evrpc_make_request(ctx);
}
C

# Vigil's headers, then the system's (Debian's libevent-dev).
for inc in "-I$vinc -I$vgen" ""; do
    # shellcheck disable=SC2086
    $cc -std=c99 -Wall -Wextra -Werror -Wmissing-prototypes -I"$tmp" $inc \
        -c "$tmp/macros.c" -o "$tmp/macros.o" ||
        fail "the EVRPC_* macros (${inc:-system headers}) do not compile"
    for std in c99 c11; do
        # shellcheck disable=SC2086
        $cc -std=$std $cwarn $inc -c "$tmp/regress.gen.c" -o "$tmp/c.o" ||
            fail "C ($std, ${inc:-system headers}) does not compile cleanly"
    done
    for std in c++11 c++17; do
        # shellcheck disable=SC2086
        $cxx -x c++ -std=$std $xwarn $inc -c "$tmp/regress.gen.c" \
            -o "$tmp/cxx.o" ||
            fail "C++ ($std, ${inc:-system headers}) does not compile cleanly"
    done
done

# A C++ program against the generated header, with the C-compiled code.
cat >"$tmp/main.cpp" <<'CPP'
#include <event2/buffer.h>
#include <cstring>
#include "regress.gen.h"

int
main()
{
    struct point *p = point_new();
    struct point *q = point_new();
    struct evbuffer *b = evbuffer_new();
    char *label = NULL;
    ev_uint32_t x = 0;
    int ok;

    EVTAG_ASSIGN(p, x, 7);
    EVTAG_ASSIGN(p, y, 8);
    EVTAG_ASSIGN(p, label, "c++");
    evtag_marshal_point(b, 5, p);
    ok = evtag_unmarshal_point(b, 5, q) == 0 && EVTAG_HAS(q, label) &&
         EVTAG_GET(q, x, &x) == 0 && x == 7 &&
         EVTAG_GET(q, label, &label) == 0 && std::strcmp(label, "c++") == 0;
    evbuffer_free(b);
    point_free(p);
    point_free(q);
    return ok ? 0 : 1;
}
CPP
if pkg-config --exists libevent_core libevent_extra 2>/dev/null; then
    # shellcheck disable=SC2046
    $cc -std=c99 -c "$tmp/regress.gen.c" -o "$tmp/c.o" &&
        $cxx $xwarn -I"$tmp" -c "$tmp/main.cpp" -o "$tmp/main.o" &&
        $cxx "$tmp/main.o" "$tmp/c.o" -o "$tmp/main" \
            $(pkg-config --libs libevent_core libevent_extra) ||
        fail "the C++ program does not build"
    "$tmp/main" || fail "the C++ program fails"
fi
echo "PASS"
