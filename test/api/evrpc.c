/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * evrpc.c: event2/rpc.h, an RPC server (evrpc_init on an evhttp bound to
 * a free loopback port) and its client (an evrpc_pool with evhttp
 * connections) on one event loop, and the client against a scripted raw
 * server (test/helpers/vt-http-server.h) that records the exact bytes of
 * each request.  The message types the RPC macros need are written here
 * by hand, the way a stub generator would write them: a request {string
 * key; optional int value} and a reply {int status; optional string
 * value}, encoded with evtag.  Covered: the round trip; the request on
 * the wire; the status the client's callback sees for a reply, a timeout,
 * a reply that does not unmarshal, a reply that is not 200 and an aborted
 * hook; what the server answers to a body that does not unmarshal and to
 * an unregistered name; queued calls over one connection and over
 * several; removing connections; freeing a pool with calls pending; the
 * context functions and the generic send and register functions; hooks
 * on both sides (order, arguments, pause and resume, terminate, removal);
 * meta data and its scope; evrpc_free with what is registered; the
 * rpc_compat.h accessors.  The expected values are what libevent 2.1.12
 * does.
 */
#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/event_compat.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/keyvalq_struct.h>
#include <event2/rpc.h>
#include <event2/rpc_struct.h>
#include <event2/tag.h>
#include <event2/util.h>

/* After rpc.h: the GNU variadic accessors replace the plain ones. */
#include <event2/rpc_compat.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "vt-event.h"
#include "vt-http-server.h"
#include "vtest.h"

/* Whether this is an AddressSanitizer build (GCC says so one way, clang
 * another). */
#if defined(__SANITIZE_ADDRESS__)
#define VT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VT_ASAN 1
#endif
#endif

/* libevent 2.1.12 leaks in two places that these tests reach: the
 * evhttp_request of a call that a pool's output hook terminates, and the
 * context of the call in flight when its pool is freed.  In the oracle
 * build under ASan, what is allocated between these marks is not
 * reported (the Vigil build checks that Vigil frees it). */
#if defined(VIGIL_ORACLE) && defined(VT_ASAN)
#include <sanitizer/lsan_interface.h>
#define LIBEVENT_LEAKS_BEGIN() __lsan_disable()
#define LIBEVENT_LEAKS_END() __lsan_enable()
#else
#define LIBEVENT_LEAKS_BEGIN() ((void)0)
#define LIBEVENT_LEAKS_END() ((void)0)
#endif

/* ------------------------------------------------------------------ */
/* The messages, written as a stub generator would                     */
/* ------------------------------------------------------------------ */

/* Tags on the wire. */
#define KV_REQ_KEY 1
#define KV_REQ_VALUE 2
#define KV_REP_STATUS 1
#define KV_REP_VALUE 2
#define KV_REP_ITEMS 3

struct kv_req;
struct kv_rep;

/* The accessor tables that EVTAG_ASSIGN, EVTAG_GET and EVTAG_ADD reach
 * through msg->base. */
struct kv_req_access_ {
    int (*key_assign)(struct kv_req *, const char *);
    int (*key_get)(struct kv_req *, char **);
    int (*value_assign)(struct kv_req *, ev_uint32_t);
    int (*value_get)(struct kv_req *, ev_uint32_t *);
};

struct kv_rep_access_ {
    int (*status_assign)(struct kv_rep *, ev_uint32_t);
    int (*status_get)(struct kv_rep *, ev_uint32_t *);
    int (*value_assign)(struct kv_rep *, const char *);
    int (*value_get)(struct kv_rep *, char **);
    ev_uint32_t *(*items_add)(struct kv_rep *, ev_uint32_t);
    int (*items_get)(struct kv_rep *, int, ev_uint32_t *);
};

/* A request: string key (required); int value (optional). */
struct kv_req {
    const struct kv_req_access_ *base;
    char *key_data;
    ev_uint32_t value_data;
    ev_uint8_t key_set;
    ev_uint8_t value_set;
};

/* A reply: int status (required); string value (optional); array of int
 * items (for the array macros). */
struct kv_rep {
    const struct kv_rep_access_ *base;
    ev_uint32_t status_data;
    char *value_data;
    ev_uint32_t *items_data;
    int items_length;
    int items_num_allocated;
    ev_uint8_t status_set;
    ev_uint8_t value_set;
    ev_uint8_t items_set;
};

static int
kv_req_key_assign(struct kv_req *msg, const char *value)
{
    char *copy = strdup(value);

    if (copy == NULL)
        return -1;
    free(msg->key_data);
    msg->key_data = copy;
    msg->key_set = 1;
    return 0;
}

static int
kv_req_key_get(struct kv_req *msg, char **value)
{
    if (msg->key_set != 1)
        return -1;
    *value = msg->key_data;
    return 0;
}

static int
kv_req_value_assign(struct kv_req *msg, ev_uint32_t value)
{
    msg->value_data = value;
    msg->value_set = 1;
    return 0;
}

static int
kv_req_value_get(struct kv_req *msg, ev_uint32_t *value)
{
    if (msg->value_set != 1)
        return -1;
    *value = msg->value_data;
    return 0;
}

static const struct kv_req_access_ kv_req_base_ = {
    kv_req_key_assign,
    kv_req_key_get,
    kv_req_value_assign,
    kv_req_value_get,
};

static struct kv_req *
kv_req_new(void)
{
    struct kv_req *msg = calloc(1, sizeof(*msg));

    if (msg != NULL)
        msg->base = &kv_req_base_;
    return msg;
}

static struct kv_req *
kv_req_new_with_arg(void *arg)
{
    (void)arg;
    return kv_req_new();
}

static void
kv_req_clear(struct kv_req *msg)
{
    free(msg->key_data);
    msg->key_data = NULL;
    msg->key_set = 0;
    msg->value_set = 0;
    msg->value_data = 0;
}

static void
kv_req_free(struct kv_req *msg)
{
    if (msg == NULL)
        return;
    kv_req_clear(msg);
    free(msg);
}

static void
kv_req_marshal(struct evbuffer *out, const struct kv_req *msg)
{
    evtag_marshal_string(out, KV_REQ_KEY, msg->key_data);
    if (msg->value_set)
        evtag_marshal_int(out, KV_REQ_VALUE, msg->value_data);
}

static int
kv_req_complete(struct kv_req *msg)
{
    return msg->key_set ? 0 : -1;
}

static int
kv_req_unmarshal(struct kv_req *msg, struct evbuffer *in)
{
    ev_uint32_t tag;

    while (evbuffer_get_length(in) > 0) {
        if (evtag_peek(in, &tag) == -1)
            return -1;
        switch (tag) {
        case KV_REQ_KEY:
            if (msg->key_set)
                return -1;
            if (evtag_unmarshal_string(in, tag, &msg->key_data) == -1)
                return -1;
            msg->key_set = 1;
            break;
        case KV_REQ_VALUE:
            if (msg->value_set)
                return -1;
            if (evtag_unmarshal_int(in, tag, &msg->value_data) == -1)
                return -1;
            msg->value_set = 1;
            break;
        default:
            return -1;
        }
    }
    return kv_req_complete(msg);
}

static int
kv_rep_status_assign(struct kv_rep *msg, ev_uint32_t value)
{
    msg->status_data = value;
    msg->status_set = 1;
    return 0;
}

static int
kv_rep_status_get(struct kv_rep *msg, ev_uint32_t *value)
{
    if (msg->status_set != 1)
        return -1;
    *value = msg->status_data;
    return 0;
}

static int
kv_rep_value_assign(struct kv_rep *msg, const char *value)
{
    char *copy = strdup(value);

    if (copy == NULL)
        return -1;
    free(msg->value_data);
    msg->value_data = copy;
    msg->value_set = 1;
    return 0;
}

static int
kv_rep_value_get(struct kv_rep *msg, char **value)
{
    if (msg->value_set != 1)
        return -1;
    *value = msg->value_data;
    return 0;
}

static ev_uint32_t *
kv_rep_items_add(struct kv_rep *msg, ev_uint32_t value)
{
    if (msg->items_length == msg->items_num_allocated) {
        int n = msg->items_num_allocated ? 2 * msg->items_num_allocated : 4;
        ev_uint32_t *p = realloc(msg->items_data, (size_t)n * sizeof(*p));

        if (p == NULL)
            return NULL;
        msg->items_data = p;
        msg->items_num_allocated = n;
    }
    msg->items_data[msg->items_length] = value;
    msg->items_set = 1;
    return &msg->items_data[msg->items_length++];
}

static int
kv_rep_items_get(struct kv_rep *msg, int offset, ev_uint32_t *value)
{
    if (!msg->items_set || offset < 0 || offset >= msg->items_length)
        return -1;
    *value = msg->items_data[offset];
    return 0;
}

static const struct kv_rep_access_ kv_rep_base_ = {
    kv_rep_status_assign, kv_rep_status_get, kv_rep_value_assign,
    kv_rep_value_get,     kv_rep_items_add,  kv_rep_items_get,
};

static struct kv_rep *
kv_rep_new(void)
{
    struct kv_rep *msg = calloc(1, sizeof(*msg));

    if (msg != NULL)
        msg->base = &kv_rep_base_;
    return msg;
}

static struct kv_rep *
kv_rep_new_with_arg(void *arg)
{
    (void)arg;
    return kv_rep_new();
}

static void
kv_rep_clear(struct kv_rep *msg)
{
    free(msg->value_data);
    free(msg->items_data);
    msg->value_data = NULL;
    msg->items_data = NULL;
    msg->items_length = 0;
    msg->items_num_allocated = 0;
    msg->status_set = 0;
    msg->value_set = 0;
    msg->items_set = 0;
    msg->status_data = 0;
}

static void
kv_rep_free(struct kv_rep *msg)
{
    if (msg == NULL)
        return;
    kv_rep_clear(msg);
    free(msg);
}

static void
kv_rep_marshal(struct evbuffer *out, const struct kv_rep *msg)
{
    int i;

    evtag_marshal_int(out, KV_REP_STATUS, msg->status_data);
    if (msg->value_set)
        evtag_marshal_string(out, KV_REP_VALUE, msg->value_data);
    for (i = 0; msg->items_set && i < msg->items_length; i++)
        evtag_marshal_int(out, KV_REP_ITEMS, msg->items_data[i]);
}

static int
kv_rep_complete(struct kv_rep *msg)
{
    return msg->status_set ? 0 : -1;
}

static int
kv_rep_unmarshal(struct kv_rep *msg, struct evbuffer *in)
{
    ev_uint32_t tag, v;

    while (evbuffer_get_length(in) > 0) {
        if (evtag_peek(in, &tag) == -1)
            return -1;
        switch (tag) {
        case KV_REP_STATUS:
            if (msg->status_set)
                return -1;
            if (evtag_unmarshal_int(in, tag, &msg->status_data) == -1)
                return -1;
            msg->status_set = 1;
            break;
        case KV_REP_VALUE:
            if (msg->value_set)
                return -1;
            if (evtag_unmarshal_string(in, tag, &msg->value_data) == -1)
                return -1;
            msg->value_set = 1;
            break;
        case KV_REP_ITEMS:
            if (evtag_unmarshal_int(in, tag, &v) == -1)
                return -1;
            if (kv_rep_items_add(msg, v) == NULL)
                return -1;
            break;
        default:
            return -1;
        }
    }
    return kv_rep_complete(msg);
}

/* The RPCs: kv_get, and kv_other (for a second registration). */
EVRPC_HEADER(kv_get, kv_req, kv_rep)
EVRPC_HEADER(kv_other, kv_req, kv_rep)
EVRPC_HEADER(kv_missing, kv_req, kv_rep)
EVRPC_GENERATE(kv_get, kv_req, kv_rep)
EVRPC_GENERATE(kv_other, kv_req, kv_rep)
EVRPC_GENERATE(kv_missing, kv_req, kv_rep)

/* ------------------------------------------------------------------ */
/* What the callbacks saw                                               */
/* ------------------------------------------------------------------ */

/* One log for the whole test, so that a test compares the exact order of
 * everything in one string:
 *   S(key)            the server's RPC callback
 *   C(key,err,code,rep)  the client's callback: the status, the HTTP
 *                     code of status->http_req (- when NULL) and the
 *                     reply's status (- when not set)
 *   hook marks        each hook logs its own name and the buffer length */
static char log_[4096];
static int clients;     /* client callbacks */
static int server_hits; /* server callbacks */

static void
log_add(const char *fmt, ...)
{
    size_t n = strlen(log_);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(log_ + n, sizeof(log_) - n, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------ */
/* A server and a client on one loop                                    */
/* ------------------------------------------------------------------ */

struct fx {
    struct event_base *base;
    struct evhttp *http;
    struct evhttp_bound_socket *bound;
    int port;
    struct evrpc_base *rpc;
    struct evrpc_pool *pool;
    struct evhttp_connection *evcon;
};

static struct fx fx;

/* What the server callback does with a call. */
enum srv_mode {
    SRV_DONE,
    SRV_HOLD
};

static enum srv_mode srv_mode;
static void *held[8]; /* calls held by SRV_HOLD */
static int n_held;

static int
port_of_fd(evutil_socket_t fd)
{
    struct sockaddr_in addr;
    socklen_t len = sizeof(addr);

    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
    return ntohs(addr.sin_port);
}

/* A connection for a pool. */
static struct evhttp_connection *
pool_conn(int port)
{
    struct evhttp_connection *c = evhttp_connection_base_new(
        fx.base, NULL, "127.0.0.1", (unsigned short)port);

    ck_assert_ptr_nonnull(c);
    return c;
}

/* Fills in the reply to a call: status is twice the value (or 7), value
 * is "v:" and the key. */
static void
fill_reply(struct kv_req *rq, struct kv_rep *rp)
{
    char buf[256];

    snprintf(buf, sizeof(buf), "v:%s", rq->key_set ? rq->key_data : "");
    EVTAG_ASSIGN(rp, status, rq->value_set ? 2 * rq->value_data : 7);
    EVTAG_ASSIGN(rp, value, buf);
}

static void
srv_cb(EVRPC_STRUCT(kv_get) * rpc, void *arg)
{
    struct evrpc_req_generic *g = (struct evrpc_req_generic *)rpc;

    server_hits++;
    log_add("S(%s%s)", rpc->request->key_data,
            arg != NULL ? (const char *)arg : "");
    ck_assert_ptr_eq(evrpc_get_request(g), rpc->request);
    ck_assert_ptr_eq(evrpc_get_reply(g), rpc->reply);
    fill_reply(rpc->request, rpc->reply);
    if (srv_mode == SRV_HOLD) {
        ck_assert_int_lt(n_held, 8);
        held[n_held++] = rpc;
        return;
    }
    EVRPC_REQUEST_DONE(rpc);
}

static void
release_held(void)
{
    int i;

    for (i = 0; i < n_held; i++)
        evrpc_request_done(held[i]);
    n_held = 0;
}

static void
cli_cb(struct evrpc_status *st, struct kv_req *rq, struct kv_rep *rp, void *arg)
{
    char code[16] = "-", rs[16] = "-";

    clients++;
    if (st->http_req != NULL)
        snprintf(code, sizeof(code), "%d",
                 evhttp_request_get_response_code(st->http_req));
    if (rp->status_set)
        snprintf(rs, sizeof(rs), "%u", (unsigned)rp->status_data);
    log_add("C(%s,%d,%s,%s%s%s)", rq->key_data, st->error, code, rs,
            rp->value_set ? "," : "", rp->value_set ? rp->value_data : "");
    (void)arg;
}

/* Starts the loop, the server and its evrpc_base, and a pool with one
 * connection to it.  The pool has no base: libevent 2.1.12's
 * evrpc_pool_add_connection gives a pool's base to the connection and
 * aborts the program if the connection already has one, and a connection
 * made without a base crashes unless event_init set the global base (the
 * configuration of pool_with_a_base).  A pool without a base has no timer
 * of its own: its timeout reaches the calls through its connections'. */
static void
fx_setup(void)
{
    memset(&fx, 0, sizeof(fx));
    log_[0] = '\0';
    clients = 0;
    server_hits = 0;
    srv_mode = SRV_DONE;
    n_held = 0;
    fx.base = event_base_new();
    ck_assert_ptr_nonnull(fx.base);
    fx.http = evhttp_new(fx.base);
    ck_assert_ptr_nonnull(fx.http);
    fx.bound = evhttp_bind_socket_with_handle(fx.http, "127.0.0.1", 0);
    ck_assert_ptr_nonnull(fx.bound);
    fx.port = port_of_fd(evhttp_bound_socket_get_fd(fx.bound));
    fx.rpc = evrpc_init(fx.http);
    ck_assert_ptr_nonnull(fx.rpc);
    fx.pool = evrpc_pool_new(NULL);
    ck_assert_ptr_nonnull(fx.pool);
    fx.evcon = pool_conn(fx.port);
    ck_assert_ptr_nonnull(fx.evcon);
    evrpc_pool_add_connection(fx.pool, fx.evcon);
}

/* Frees what is left, the pool first (it frees its connections). */
static void
fx_teardown(void)
{
    if (fx.pool != NULL)
        evrpc_pool_free(fx.pool);
    if (fx.rpc != NULL)
        evrpc_free(fx.rpc);
    if (fx.http != NULL)
        evhttp_free(fx.http);
    event_base_free(fx.base);
    memset(&fx, 0, sizeof(fx));
}

static void
register_kv_get(void)
{
    ck_assert_int_eq(
        EVRPC_REGISTER(fx.rpc, kv_get, kv_req, kv_rep, srv_cb, NULL), 0);
}

/* A request with a key and, when value >= 0, a value. */
static struct kv_req *
make_req(const char *key, int value)
{
    struct kv_req *rq = kv_req_new();

    ck_assert_ptr_nonnull(rq);
    ck_assert_int_eq(EVTAG_ASSIGN(rq, key, key), 0);
    if (value >= 0)
        ck_assert_int_eq(EVTAG_ASSIGN(rq, value, (ev_uint32_t)value), 0);
    return rq;
}

/* Requests and replies of one test, freed at its end. */
static struct kv_req *rqs[8];
static struct kv_rep *rps[8];

static void
make_pair(int i, const char *key, int value)
{
    rqs[i] = make_req(key, value);
    rps[i] = kv_rep_new();
    ck_assert_ptr_nonnull(rps[i]);
}

static void
free_pairs(void)
{
    int i;

    for (i = 0; i < 8; i++) {
        kv_req_free(rqs[i]);
        kv_rep_free(rps[i]);
        rqs[i] = NULL;
        rps[i] = NULL;
    }
}

static void
call(int i)
{
    ck_assert_int_eq(
        EVRPC_MAKE_REQUEST(kv_get, fx.pool, rqs[i], rps[i], cli_cb, NULL), 0);
}

/* Appends n bytes, escaping CR, LF and bytes that are not printable. */
static void
log_bytes(const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];

        if (c == '\r')
            log_add("\\r");
        else if (c == '\n')
            log_add("\\n");
        else if (c < 0x20 || c > 0x7e || c == '\\')
            log_add("\\x%02x", c);
        else
            log_add("%c", c);
    }
}

/* Callback arguments (the API takes them as void *). */
static char arg_o[] = "+o", arg_x[] = "x", arg_s[] = "sarg", arg_rq[] = "rqarg",
            arg_rp[] = "rparg", arg_c[] = "carg";

static void
log_check(const char *want)
{
    ck_assert_str_eq(log_, want);
}

/* ------------------------------------------------------------------ */
/* The hand-written messages                                            */
/* ------------------------------------------------------------------ */

START_TEST(messages_round_trip_through_evtag)
{
    struct kv_req *rq = make_req("alpha", 21), *back = kv_req_new();
    struct evbuffer *b = evbuffer_new();
    char *key = NULL;
    ev_uint32_t v = 0;

    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_nonnull(back);
    ck_assert_int_eq(EVTAG_HAS(rq, key), 1);
    ck_assert_int_eq(EVTAG_HAS(rq, value), 1);
    ck_assert_int_eq(EVTAG_HAS(back, key), 0);
    kv_req_marshal(b, rq);
    ck_assert_int_eq(kv_req_unmarshal(back, b), 0);
    ck_assert_int_eq(EVTAG_GET(back, key, &key), 0);
    ck_assert_str_eq(key, "alpha");
    ck_assert_int_eq(EVTAG_GET(back, value, &v), 0);
    ck_assert_uint_eq(v, 21);
    /* A body that is not a request. */
    evbuffer_add(b, "garbage!", 8);
    kv_req_clear(back);
    ck_assert_int_eq(kv_req_unmarshal(back, b), -1);
    kv_req_free(rq);
    kv_req_free(back);
    evbuffer_free(b);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Calls                                                                */
/* ------------------------------------------------------------------ */

START_TEST(call_round_trip)
{
    fx_setup();
    register_kv_get();
    make_pair(0, "alpha", 21);
    call(0);
    ck_assert_int_eq(vt_wait_for(fx.base, &clients, 1), 1);
    log_check("S(alpha)C(alpha,0,200,42,v:alpha)");
    free_pairs();
    fx_teardown();
}
END_TEST

/* The client over a raw server that records the request. */
START_TEST(request_on_the_wire)
{
    char resp[512];
    struct evbuffer *body = evbuffer_new();
    struct kv_rep *canned = kv_rep_new();
    struct vt_http_server *srv;
    struct vt_hs_request r;
    int n, blen;

    ck_assert_ptr_nonnull(body);
    EVTAG_ASSIGN(canned, status, 5);
    EVTAG_ASSIGN(canned, value, "raw");
    kv_rep_marshal(body, canned);
    blen = (int)evbuffer_get_length(body);
    n = snprintf(resp, sizeof(resp),
                 "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", blen);
    evbuffer_remove(body, resp + n, (size_t)blen);
    {
        struct vt_hs_step script[] = {VT_STEP_EXPECT,
                                      VT_STEP_SEND_N(resp, (size_t)(n + blen)),
                                      VT_STEP_WAIT_CLOSE, VT_STEP_END};

        srv = vt_http_server_start(script);
        ck_assert_ptr_nonnull(srv);
        memset(&fx, 0, sizeof(fx));
        log_[0] = '\0';
        clients = 0;
        fx.base = event_base_new();
        fx.pool = evrpc_pool_new(NULL);
        fx.evcon = pool_conn(vt_http_server_port(srv));
        evrpc_pool_add_connection(fx.pool, fx.evcon);
        make_pair(0, "alpha", 21);
        call(0);
        ck_assert_int_eq(vt_wait_for(fx.base, &clients, 1), 1);
        ck_assert_int_eq(vt_http_server_request(srv, 0, &r), 0);
        log_add("|");
        log_bytes(r.data, r.len);
        fx_teardown();
        vt_http_server_stop(srv);
    }
    log_check(
        "C(alpha,0,200,5,raw)|POST /.rpc.kv_get HTTP/1.1\\r\\nContent-Length: "
        "11\\r\\n\\r\\n\\x01\\x05alpha\\x02\\x02\\x15\\x10");
    kv_rep_free(canned);
    evbuffer_free(body);
    free_pairs();
}
END_TEST

/* A client whose pool has one connection to a raw server following
 * script; the call is made and the test waits for the client's callback
 * (up to limit seconds).  The request the server recorded is logged after
 * a "|". */
static void
raw_call(struct vt_hs_step *script, int timeout, int limit)
{
    struct vt_http_server *srv = vt_http_server_start(script);
    struct vt_hs_request r;

    ck_assert_ptr_nonnull(srv);
    memset(&fx, 0, sizeof(fx));
    clients = 0;
    fx.base = event_base_new();
    ck_assert_ptr_nonnull(fx.base);
    fx.pool = evrpc_pool_new(NULL);
    ck_assert_ptr_nonnull(fx.pool);
    if (timeout > 0)
        evrpc_pool_set_timeout(fx.pool, timeout);
    fx.evcon = pool_conn(vt_http_server_port(srv));
    ck_assert_ptr_nonnull(fx.evcon);
    evrpc_pool_add_connection(fx.pool, fx.evcon);
    make_pair(0, "alpha", 21);
    call(0);
    ck_assert_int_eq(vt_wait_for_within(fx.base, &clients, 1, limit), 1);
    fx_teardown();
    if (vt_http_server_request(srv, 0, &r) == 0)
        log_add("|%d", (int)r.complete);
    vt_http_server_stop(srv);
    free_pairs();
}

/* A canned response: the status line, then a Content-Length body with the
 * reply marshalled (or the bytes of raw when it is not NULL). */
static size_t
canned(char *out, size_t cap, const char *status_line, const char *raw)
{
    struct evbuffer *body = evbuffer_new();
    struct kv_rep *rp = kv_rep_new();
    size_t blen;
    int n;

    ck_assert_ptr_nonnull(body);
    ck_assert_ptr_nonnull(rp);
    if (raw != NULL) {
        evbuffer_add(body, raw, strlen(raw));
    } else {
        EVTAG_ASSIGN(rp, status, 5);
        EVTAG_ASSIGN(rp, value, "raw");
        kv_rep_marshal(body, rp);
    }
    blen = evbuffer_get_length(body);
    n = snprintf(out, cap, "%s\r\nContent-Length: %zu\r\n\r\n", status_line,
                 blen);
    ck_assert_int_lt(n + (int)blen, (int)cap);
    evbuffer_remove(body, out + n, blen);
    kv_rep_free(rp);
    evbuffer_free(body);
    return (size_t)n + blen;
}

static void
reset_log(void)
{
    log_[0] = '\0';
    clients = 0;
    server_hits = 0;
}

/* The status the client sees for each answer of a raw server: a 200
 * whose body does not unmarshal (or is empty) is ERR_BADPAYLOAD; any other
 * code with a body that unmarshals is ERR_NONE (the code is not looked
 * at); a close or a reset before the answer is ERR_TIMEOUT with no
 * http_req.  After each "|" is 1 for the complete request the server
 * recorded. */
START_TEST(status_for_each_raw_reply)
{
    char resp[512];
    size_t n;

    reset_log();
    /* A reply that does not unmarshal. */
    n = canned(resp, sizeof(resp), "HTTP/1.1 200 OK", "garbage!");
    {
        struct vt_hs_step script[] = {VT_STEP_EXPECT, VT_STEP_SEND_N(resp, n),
                                      VT_STEP_WAIT_CLOSE, VT_STEP_END};
        log_add("[bad]");
        raw_call(script, 0, 10);
    }
    /* An empty 200 reply. */
    n = canned(resp, sizeof(resp), "HTTP/1.1 200 OK", "");
    {
        struct vt_hs_step script[] = {VT_STEP_EXPECT, VT_STEP_SEND_N(resp, n),
                                      VT_STEP_WAIT_CLOSE, VT_STEP_END};
        log_add("[empty]");
        raw_call(script, 0, 10);
    }
    /* A good reply with status 404, then 500, then 201. */
    n = canned(resp, sizeof(resp), "HTTP/1.1 404 Not Found", NULL);
    {
        struct vt_hs_step script[] = {VT_STEP_EXPECT, VT_STEP_SEND_N(resp, n),
                                      VT_STEP_WAIT_CLOSE, VT_STEP_END};
        log_add("[404]");
        raw_call(script, 0, 10);
    }
    n = canned(resp, sizeof(resp), "HTTP/1.1 500 Oops", NULL);
    {
        struct vt_hs_step script[] = {VT_STEP_EXPECT, VT_STEP_SEND_N(resp, n),
                                      VT_STEP_WAIT_CLOSE, VT_STEP_END};
        log_add("[500]");
        raw_call(script, 0, 10);
    }
    n = canned(resp, sizeof(resp), "HTTP/1.1 201 Created", NULL);
    {
        struct vt_hs_step script[] = {VT_STEP_EXPECT, VT_STEP_SEND_N(resp, n),
                                      VT_STEP_WAIT_CLOSE, VT_STEP_END};
        log_add("[201]");
        raw_call(script, 0, 10);
    }
    /* The server closes without answering. */
    {
        struct vt_hs_step script[] = {VT_STEP_EXPECT, VT_STEP_CLOSE,
                                      VT_STEP_END};
        log_add("[close]");
        raw_call(script, 0, 10);
    }
    /* The server resets. */
    {
        struct vt_hs_step script[] = {VT_STEP_EXPECT, VT_STEP_RESET,
                                      VT_STEP_END};
        log_add("[reset]");
        raw_call(script, 0, 10);
    }
    log_check("[bad]C(alpha,2,200,-)|1[empty]C(alpha,2,200,-)"
              "|1[404]C(alpha,0,404,5,raw)|1[500]C(alpha,0,500,5,raw)"
              "|1[201]C(alpha,0,201,5,raw)|1[close]C(alpha,1,-,-)"
              "|1[reset]C(alpha,1,-,-)|1");
}
END_TEST

static double
now_s(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* The pool's timeout of 1 s (set before the connection is added) ends a
 * call the server never answers: ERR_TIMEOUT, no http_req. */
START_TEST(timeout_on_a_silent_server)
{
    struct vt_hs_step script[] = {VT_STEP_EXPECT, VT_STEP_WAIT_CLOSE_MS(8000),
                                  VT_STEP_END};
    double t0 = now_s(), dt;

    reset_log();
    raw_call(script, 1, 10);
    dt = now_s() - t0;
    ck_assert_double_ge(dt, 0.9);
    ck_assert_double_lt(dt, 1.9);
    log_check("C(alpha,1,-,-)|1");
}
END_TEST

/* The pool's timeout against a connection's own: pool first, then a
 * connection with its own timeout of 2 s. */
START_TEST(connection_timeout_wins_over_the_pool)
{
    struct vt_hs_step script[] = {VT_STEP_EXPECT, VT_STEP_WAIT_CLOSE_MS(8000),
                                  VT_STEP_END};
    struct vt_http_server *srv = vt_http_server_start(script);
    double t0, dt;

    ck_assert_ptr_nonnull(srv);
    reset_log();
    fx.base = event_base_new();
    fx.pool = evrpc_pool_new(NULL);
    evrpc_pool_set_timeout(fx.pool, 1);
    fx.evcon = pool_conn(vt_http_server_port(srv));
    evhttp_connection_set_timeout(fx.evcon, 2);
    evrpc_pool_add_connection(fx.pool, fx.evcon);
    make_pair(0, "alpha", 21);
    t0 = now_s();
    call(0);
    ck_assert_int_eq(vt_wait_for_within(fx.base, &clients, 1, 10), 1);
    dt = now_s() - t0;
    ck_assert_double_ge(dt, 1.9);
    ck_assert_double_lt(dt, 2.9);
    fx_teardown();
    vt_http_server_stop(srv);
    free_pairs();
    log_check("C(alpha,1,-,-)");
}
END_TEST

/* The other configuration that works in 2.1.12: the global base of
 * event_init, a pool with that base, and connections made without one
 * (evrpc_pool_add_connection gives them the pool's). */
START_TEST(pool_with_a_base)
{
    struct vt_hs_step script[] = {VT_STEP_EXPECT, VT_STEP_WAIT_CLOSE_MS(8000),
                                  VT_STEP_END};
    struct vt_http_server *srv = vt_http_server_start(script);
    struct evrpc_pool *pool2;
    double t0, dt;

    ck_assert_ptr_nonnull(srv);
    reset_log();
    fx.base = event_init();
    ck_assert_ptr_nonnull(fx.base);
    fx.http = evhttp_new(fx.base);
    fx.bound = evhttp_bind_socket_with_handle(fx.http, "127.0.0.1", 0);
    ck_assert_ptr_nonnull(fx.bound);
    fx.port = port_of_fd(evhttp_bound_socket_get_fd(fx.bound));
    fx.rpc = evrpc_init(fx.http);
    register_kv_get();
    fx.pool = evrpc_pool_new(fx.base);
    fx.evcon = evhttp_connection_base_new(NULL, NULL, "127.0.0.1",
                                          (unsigned short)fx.port);
    ck_assert_ptr_nonnull(fx.evcon);
    evrpc_pool_add_connection(fx.pool, fx.evcon);
    make_pair(0, "alpha", 21);
    call(0);
    ck_assert_int_eq(vt_wait_for_within(fx.base, &clients, 1, 10), 1);
    /* The pool's own timer with a connection timeout of 3 s. */
    pool2 = evrpc_pool_new(fx.base);
    evrpc_pool_set_timeout(pool2, 1);
    fx.evcon = evhttp_connection_base_new(
        NULL, NULL, "127.0.0.1", (unsigned short)vt_http_server_port(srv));
    evhttp_connection_set_timeout(fx.evcon, 3);
    evrpc_pool_add_connection(pool2, fx.evcon);
    make_pair(1, "beta", 1);
    t0 = now_s();
    ck_assert_int_eq(
        EVRPC_MAKE_REQUEST(kv_get, pool2, rqs[1], rps[1], cli_cb, NULL), 0);
    ck_assert_int_eq(vt_wait_for_within(fx.base, &clients, 2, 10), 2);
    dt = now_s() - t0;
    ck_assert_double_ge(dt, 0.9);
    ck_assert_double_lt(dt, 1.9);
    evrpc_pool_free(pool2);
    fx_teardown();
    vt_http_server_stop(srv);
    free_pairs();
    log_check("S(alpha)C(alpha,0,200,42,v:alpha)C(beta,1,-,-)");
}
END_TEST

/* Nothing listens: ERR_BADPAYLOAD, with an http_req whose code is 0. */
START_TEST(connection_refused)
{
    struct sockaddr_in addr;

    reset_log();
    vt_closed_port(&addr);
    fx.base = event_base_new();
    fx.pool = evrpc_pool_new(NULL);
    fx.evcon = pool_conn(ntohs(addr.sin_port));
    evrpc_pool_add_connection(fx.pool, fx.evcon);
    make_pair(0, "alpha", 21);
    call(0);
    ck_assert_int_eq(vt_wait_for_within(fx.base, &clients, 1, 10), 1);
    fx_teardown();
    free_pairs();
    log_check("C(alpha,2,0,-)");
}
END_TEST

/* The server holds the call past the client's timeout, then answers. */
START_TEST(timeout_on_a_server_that_holds)
{
    fx_setup();
    register_kv_get();
    srv_mode = SRV_HOLD;
    evrpc_pool_set_timeout(fx.pool, 1);
    make_pair(0, "alpha", 21);
    call(0);
    ck_assert_int_eq(vt_wait_for_within(fx.base, &clients, 1, 5), 1);
    vt_run_for(fx.base, 100);
    release_held();
    vt_run_for(fx.base, 100);
    log_add("|%d", server_hits);
    free_pairs();
    fx_teardown();
    log_check("S(alpha)C(alpha,1,-,-)|1");
}
END_TEST

/* Raw HTTP exchanges with the RPC server through evhttp's client. */
static char got_line[128];
static char got_hdrs[512];
static char got_body[256];
static size_t got_len;
static int got_code;
static int got_done;

static void
raw_done(struct evhttp_request *req, void *arg)
{
    struct evkeyval *kv;
    struct evbuffer *in;

    (void)arg;
    got_done++;
    got_hdrs[0] = '\0';
    got_line[0] = '\0';
    got_body[0] = '\0';
    got_code = -1;
    if (req == NULL)
        return;
    got_code = evhttp_request_get_response_code(req);
    snprintf(got_line, sizeof(got_line), "%s",
             evhttp_request_get_response_code_line(req) != NULL
                 ? evhttp_request_get_response_code_line(req)
                 : "(null)");
    TAILQ_FOREACH(kv, evhttp_request_get_input_headers(req), next)
    {
        size_t n = strlen(got_hdrs);

        if (strcmp(kv->key, "Date") == 0)
            continue;

        snprintf(got_hdrs + n, sizeof(got_hdrs) - n, "%s: %s|", kv->key,
                 kv->value);
    }
    in = evhttp_request_get_input_buffer(req);
    got_len = evbuffer_get_length(in);
    if (got_len >= sizeof(got_body))
        got_len = sizeof(got_body) - 1;
    evbuffer_copyout(in, got_body, got_len);
    got_body[got_len] = '\0';
}

/* Sends one request to the RPC server on a connection of its own and logs
 * the response: code, line, headers and body. */
static void
raw_request(enum evhttp_cmd_type cmd, const char *uri, const char *body,
            size_t len)
{
    struct evhttp_connection *c = evhttp_connection_base_new(
        fx.base, NULL, "127.0.0.1", (unsigned short)fx.port);
    struct evhttp_request *req = evhttp_request_new(raw_done, NULL);

    ck_assert_ptr_nonnull(c);
    ck_assert_ptr_nonnull(req);
    if (body != NULL)
        evbuffer_add(evhttp_request_get_output_buffer(req), body, len);
    got_done = 0;
    ck_assert_int_eq(evhttp_make_request(c, req, cmd, uri), 0);
    ck_assert_int_eq(vt_wait_for_within(fx.base, &got_done, 1, 10), 1);
    log_add("<%d %s", got_code, got_line);
    if (got_code == 200) {
        log_add("|%s", got_hdrs);
        log_bytes(got_body, got_len);
    }
    log_add(">");
    evhttp_connection_free(c);
}

/* What the RPC server answers on the wire: the reply with Content-Type
 * application/octet-stream; 503 for a body that does not unmarshal, an
 * empty body, and any method but POST (the callback is not called); the
 * query string is ignored; an unregistered name is evhttp's 404. */
START_TEST(server_answers_raw_requests)
{
    struct evbuffer *b = evbuffer_new();
    struct kv_req *rq = make_req("raw", 4);
    char good[64];
    size_t glen;

    fx_setup();
    register_kv_get();
    kv_req_marshal(b, rq);
    glen = evbuffer_get_length(b);
    evbuffer_remove(b, good, glen);
    log_add("[good]");
    raw_request(EVHTTP_REQ_POST, "/.rpc.kv_get", good, glen);
    log_add("[garbage]");
    raw_request(EVHTTP_REQ_POST, "/.rpc.kv_get", "garbage!", 8);
    log_add("[empty]");
    raw_request(EVHTTP_REQ_POST, "/.rpc.kv_get", NULL, 0);
    log_add("[get]");
    raw_request(EVHTTP_REQ_GET, "/.rpc.kv_get", good, glen);
    log_add("[put]");
    raw_request(EVHTTP_REQ_PUT, "/.rpc.kv_get", good, glen);
    log_add("[query]");
    raw_request(EVHTTP_REQ_POST, "/.rpc.kv_get?x=1", good, glen);
    log_add("[unknown]");
    raw_request(EVHTTP_REQ_POST, "/.rpc.kv_nope", good, glen);
    log_add("[hits=%d]", server_hits);
    kv_req_free(rq);
    evbuffer_free(b);
    fx_teardown();
    log_check("[good]S(raw)<200 OK|Content-Type: application/octet-stream|"
              "Content-Length: 10|\\x01\\x01\\x08\\x02\\x05v:raw>"
              "[garbage]<503 Service Unavailable>[empty]"
              "<503 Service Unavailable>[get]<503 Service Unavailable>"
              "[put]<503 Service Unavailable>[query]S(raw)"
              "<200 OK|Content-Type: application/octet-stream|"
              "Content-Length: 10|\\x01\\x01\\x08\\x02\\x05v:raw>"
              "[unknown]<404 Not Found>[hits=2]");
}
END_TEST

/* The server callback leaves the reply incomplete (no status). */
static void
srv_incomplete_cb(EVRPC_STRUCT(kv_get) * rpc, void *arg)
{
    (void)arg;
    server_hits++;
    log_add("S(%s)", rpc->request->key_data);
    EVRPC_REQUEST_DONE(rpc);
}

/* A reply its complete function refuses: the server answers 503 and the
 * client sees ERR_BADPAYLOAD. */
START_TEST(incomplete_reply)
{
    fx_setup();
    ck_assert_int_eq(
        EVRPC_REGISTER(fx.rpc, kv_get, kv_req, kv_rep, srv_incomplete_cb, NULL),
        0);
    make_pair(0, "alpha", 21);
    call(0);
    ck_assert_int_eq(vt_wait_for_within(fx.base, &clients, 1, 10), 1);
    free_pairs();
    fx_teardown();
    log_check("S(alpha)C(alpha,2,503,-)");
}
END_TEST

/* evrpc_unregister_rpc: 0, then -1; -1 for a name never registered.  A
 * call to an unregistered name gets the 404, ERR_BADPAYLOAD. */
START_TEST(unregister)
{
    fx_setup();
    register_kv_get();
    ck_assert_int_eq(
        EVRPC_REGISTER(fx.rpc, kv_other, kv_req, kv_rep, srv_cb, arg_o), 0);
    log_add("un=%d,", EVRPC_UNREGISTER(fx.rpc, kv_get));
    log_add("again=%d,", evrpc_unregister_rpc(fx.rpc, "kv_get"));
    log_add("never=%d,", evrpc_unregister_rpc(fx.rpc, "kv_missing"));
    make_pair(0, "alpha", 21);
    make_pair(1, "beta", 1);
    make_pair(2, "gamma", 2);
    call(0);
    ck_assert_int_eq(
        EVRPC_MAKE_REQUEST(kv_other, fx.pool, rqs[1], rps[1], cli_cb, NULL), 0);
    ck_assert_int_eq(
        EVRPC_MAKE_REQUEST(kv_missing, fx.pool, rqs[2], rps[2], cli_cb, NULL),
        0);
    ck_assert_int_eq(vt_wait_for_within(fx.base, &clients, 3, 10), 3);
    /* Registered again, it answers. */
    register_kv_get();
    kv_rep_clear(rps[0]);
    call(0);
    ck_assert_int_eq(vt_wait_for_within(fx.base, &clients, 4, 10), 4);
    free_pairs();
    fx_teardown();
    log_check("un=0,again=-1,never=-1,C(alpha,2,404,-)S(beta+o)"
              "C(beta,0,200,2,v:beta)C(gamma,2,404,-)S(alpha)"
              "C(alpha,0,200,42,v:alpha)");
}
END_TEST

/* A name registered twice.  libevent 2.1.12 says yes (0), keeps both
 * entries and answers with the first; then evrpc_free aborts the program
 * (its assertion that removing each entry's URI from the evhttp succeeds
 * fails for the stray one), so the oracle build cannot run this.  Vigil
 * refuses the second registration with -1 and carries on. */
START_TEST(register_twice)
{
#ifndef VIGIL_ORACLE
    fx_setup();
    register_kv_get();
    ck_assert_int_eq(
        EVRPC_REGISTER(fx.rpc, kv_get, kv_req, kv_rep, srv_cb, arg_o), -1);
    make_pair(0, "alpha", 21);
    call(0);
    ck_assert_int_eq(vt_wait_for_within(fx.base, &clients, 1, 10), 1);
    log_check("S(alpha)C(alpha,0,200,42,v:alpha)");
    ck_assert_int_eq(EVRPC_UNREGISTER(fx.rpc, kv_get), 0);
    ck_assert_int_eq(EVRPC_UNREGISTER(fx.rpc, kv_get), -1);
    free_pairs();
    fx_teardown();
#endif
}
END_TEST

START_TEST(queued_on_one_connection)
{
    fx_setup();
    register_kv_get();
    make_pair(0, "a", 1);
    make_pair(1, "b", 2);
    make_pair(2, "c", 3);
    call(0);
    call(1);
    call(2);
    ck_assert_int_eq(vt_wait_for_within(fx.base, &clients, 3, 10), 3);
    /* With the server holding: one at a time reaches it. */
    srv_mode = SRV_HOLD;
    log_add("|");
    kv_rep_clear(rps[0]);
    kv_rep_clear(rps[1]);
    kv_rep_clear(rps[2]);
    call(0);
    call(1);
    call(2);
    ck_assert_int_eq(vt_wait_for_within(fx.base, &server_hits, 4, 10), 4);
    vt_run_for(fx.base, 100);
    log_add("|hits=%d", server_hits);
    while (clients < 6 && n_held > 0) {
        int c = clients;

        release_held();
        vt_wait_for_within(fx.base, &clients, c + 1, 10);
        vt_run_for(fx.base, 20);
    }
    log_add("|hits=%d", server_hits);
    free_pairs();
    fx_teardown();
    log_check("S(a)C(a,0,200,2,v:a)S(b)C(b,0,200,4,v:b)"
              "S(c)C(c,0,200,6,v:c)|S(a)|hits=4C(a,0,200,2,v:a)"
              "S(b)C(b,0,200,4,v:b)S(c)C(c,0,200,6,v:c)"
              "|hits=6");
}
END_TEST

static int peer_ports[8];
static int n_peers;

static void
srv_peer_cb(EVRPC_STRUCT(kv_get) * rpc, void *arg)
{
    char *addr;
    ev_uint16_t port;

    (void)arg;
    evhttp_connection_get_peer(
        evhttp_request_get_connection(EVRPC_REQUEST_HTTP(rpc)), &addr, &port);
    if (n_peers < 8)
        peer_ports[n_peers++] = port;
    server_hits++;
    fill_reply(rpc->request, rpc->reply);
    ck_assert_int_lt(n_held, 8);
    held[n_held++] = rpc;
}

static void
count_cb(struct evrpc_status *st, struct kv_req *rq, struct kv_rep *rp,
         void *arg)
{
    (void)rq;
    (void)arg;
    ck_assert_int_eq(st->error, EVRPC_STATUS_ERR_NONE);
    ck_assert_int_eq(rp->status_set, 1);
    clients++;
}

/* Three connections, four calls: three go out at once, one on each
 * connection; the fourth waits for the first connection to be free. */
START_TEST(queued_on_several_connections)
{
    int i, j, distinct = 0;

    fx_setup();
    ck_assert_int_eq(
        EVRPC_REGISTER(fx.rpc, kv_get, kv_req, kv_rep, srv_peer_cb, NULL), 0);
    n_peers = 0;
    for (i = 0; i < 2; i++)
        evrpc_pool_add_connection(fx.pool, pool_conn(fx.port));
    for (i = 0; i < 4; i++) {
        make_pair(i, "k", i);
        ck_assert_int_eq(
            EVRPC_MAKE_REQUEST(kv_get, fx.pool, rqs[i], rps[i], count_cb, NULL),
            0);
    }
    ck_assert_int_eq(vt_wait_for_within(fx.base, &server_hits, 3, 10), 3);
    vt_run_for(fx.base, 100);
    ck_assert_int_eq(server_hits, 3);
    for (i = 0; i < n_peers; i++) {
        int seen = 0;

        for (j = 0; j < i; j++)
            seen |= peer_ports[j] == peer_ports[i];
        distinct += !seen;
    }
    ck_assert_int_eq(distinct, 3);
    /* One answer frees a connection for the fourth call. */
    evrpc_request_done(held[0]);
    held[0] = held[--n_held];
    ck_assert_int_eq(vt_wait_for_within(fx.base, &server_hits, 4, 10), 4);
    ck_assert_int_eq(clients, 1);
    release_held();
    ck_assert_int_eq(vt_wait_for_within(fx.base, &clients, 4, 10), 4);
    free_pairs();
    fx_teardown();
}
END_TEST

START_TEST(remove_connection)
{
    struct evhttp_connection *c2;

    fx_setup();
    register_kv_get();
    c2 = pool_conn(fx.port);
    evrpc_pool_add_connection(fx.pool, c2);
    evrpc_pool_remove_connection(fx.pool, fx.evcon);
    make_pair(0, "a", 1);
    make_pair(1, "b", 1);
    srv_mode = SRV_HOLD;
    call(0);
    call(1);
    ck_assert_int_eq(vt_wait_for_within(fx.base, &server_hits, 1, 10), 1);
    vt_run_for(fx.base, 100);
    log_add("hits=%d,clients=%d|", server_hits, clients);
    /* Removing the busy connection leaves its call and the queued one. */
    evrpc_pool_remove_connection(fx.pool, c2);
    release_held();
    ck_assert_int_eq(vt_wait_for_within(fx.base, &clients, 1, 10), 1);
    vt_run_for(fx.base, 100);
    log_add("|hits=%d,clients=%d|", server_hits, clients);
    /* A connection added now takes the queued call. */
    evrpc_pool_add_connection(fx.pool, fx.evcon);
    vt_wait_for_within(fx.base, &server_hits, 2, 5);
    release_held();
    vt_wait_for_within(fx.base, &clients, 2, 5);
    log_add("|hits=%d,clients=%d", server_hits, clients);
    /* The removed connection is the program's again. */
    evrpc_pool_remove_connection(fx.pool, fx.evcon);
    evhttp_connection_free(fx.evcon);
    evhttp_connection_free(c2);
    free_pairs();
    fx_teardown();
    log_check("S(a)hits=1,clients=0|C(a,0,200,2,v:a)|hits=1,clients=1|"
              "S(b)C(b,0,200,2,v:b)|hits=2,clients=2");
}
END_TEST

/* Freeing a pool with a call in flight and two queued: no client
 * callback runs, then or later; the server's held call can still be
 * answered (into a closed connection). */
START_TEST(pool_free_with_calls_pending)
{
    fx_setup();
    register_kv_get();
    srv_mode = SRV_HOLD;
    make_pair(0, "a", 1);
    make_pair(1, "b", 2);
    make_pair(2, "c", 3);
    LIBEVENT_LEAKS_BEGIN();
    call(0);
    LIBEVENT_LEAKS_END();
    call(1);
    call(2);
    ck_assert_int_eq(vt_wait_for_within(fx.base, &server_hits, 1, 10), 1);
    log_add("|free|");
    evrpc_pool_free(fx.pool);
    fx.pool = NULL;
    log_add("|after|");
    vt_run_for(fx.base, 100);
    release_held();
    vt_run_for(fx.base, 100);
    log_add("|end");
    free_pairs();
    fx_teardown();
    log_check("S(a)|free||after||end");
}
END_TEST

/* ------------------------------------------------------------------ */
/* Hooks                                                                */
/* ------------------------------------------------------------------ */

struct hk {
    const char *name;
    int ret;      /* what the hook returns */
    int resume;   /* with ret PAUSE: resume with this, 50 ms later */
    void *vbase;  /* the base or pool it is on */
    void *handle; /* from evrpc_add_hook */
    int meta;     /* add meta data under its name, and look for others */
    int conn;     /* log what evrpc_hook_get_connection returns */
    int detail;   /* log the request's URI and command */
    void *ctx;    /* the paused call */
};

static const char *const meta_keys[] = {"pout", "pin", "sin", "sout"};

static void
resume_cb(evutil_socket_t fd, short what, void *arg)
{
    struct hk *h = arg;
    int rv;

    (void)fd;
    (void)what;
    rv = evrpc_resume_request(h->vbase, h->ctx,
                              (enum EVRPC_HOOK_RESULT)h->resume);
    log_add("R%s=%d;", h->name, rv);
}

static int
hook_cb(void *ctx, struct evhttp_request *req, struct evbuffer *buf, void *arg)
{
    struct hk *h = arg;
    size_t i;

    log_add("%s(%zu", h->name, buf != NULL ? evbuffer_get_length(buf) : 0);
    if (h->detail) {
        const char *uri = req != NULL ? evhttp_request_get_uri(req) : NULL;

        log_add(",%s,%d", uri != NULL ? uri : "NULL",
                req != NULL ? (int)evhttp_request_get_command(req) : -1);
    }
    if (h->conn) {
        struct evhttp_connection *c = evrpc_hook_get_connection(ctx);

        log_add(",conn=%s",
                c == NULL       ? "NULL"
                : c == fx.evcon ? "pool"
                : req != NULL && c == evhttp_request_get_connection(req)
                    ? "req"
                    : "other");
    }
    if (h->meta) {
        for (i = 0; i < sizeof(meta_keys) / sizeof(meta_keys[0]); i++) {
            void *data = NULL;
            size_t size = 0;

            if (evrpc_hook_find_meta(ctx, meta_keys[i], &data, &size) == 0)
                log_add(",%s=%.*s/%zu", meta_keys[i], (int)size,
                        (const char *)data, size);
        }
        evrpc_hook_add_meta(ctx, h->name, h->name, strlen(h->name));
    }
    log_add(");");
    if (h->ret == EVRPC_PAUSE) {
        struct timeval tv = {0, 50000};

        h->ctx = ctx;
        ck_assert_int_eq(
            event_base_once(fx.base, -1, EV_TIMEOUT, resume_cb, h, &tv), 0);
    }
    return h->ret;
}

static void
add_hook(struct hk *h, void *vbase, enum EVRPC_HOOK_TYPE type)
{
    h->vbase = vbase;
    h->handle = evrpc_add_hook(vbase, type, hook_cb, h);
    ck_assert_ptr_nonnull(h->handle);
}

START_TEST(hook_order_and_arguments)
{
    struct hk si1 = {.name = "si1", .detail = 1},
              si2 = {.name = "si2", .detail = 1},
              so1 = {.name = "so1", .detail = 1},
              so2 = {.name = "so2", .detail = 1},
              po1 = {.name = "po1", .detail = 1},
              po2 = {.name = "po2", .detail = 1},
              pi1 = {.name = "pi1", .detail = 1},
              pi2 = {.name = "pi2", .detail = 1};

    fx_setup();
    register_kv_get();
    add_hook(&si1, fx.rpc, EVRPC_INPUT);
    add_hook(&si2, fx.rpc, EVRPC_INPUT);
    add_hook(&so1, fx.rpc, EVRPC_OUTPUT);
    add_hook(&so2, fx.rpc, EVRPC_OUTPUT);
    add_hook(&po1, fx.pool, EVRPC_OUTPUT);
    add_hook(&po2, fx.pool, EVRPC_OUTPUT);
    add_hook(&pi1, fx.pool, EVRPC_INPUT);
    add_hook(&pi2, fx.pool, EVRPC_INPUT);
    make_pair(0, "alpha", 21);
    call(0);
    log_add("|");
    ck_assert_int_eq(vt_wait_for_within(fx.base, &clients, 1, 10), 1);
    free_pairs();
    fx_teardown();
    log_check("po1(11,NULL,0);po2(11,NULL,0);|si1(11,/.rpc.kv_get,2)"
              ";si2(11,/.rpc.kv_get,2);S(alpha)so1(13,/.rpc.kv_get,2)"
              ";so2(13,/.rpc.kv_get,2);pi1(13,/.rpc.kv_get,2)"
              ";pi2(13,/.rpc.kv_get,2);C(alpha,0,200,42,v:alpha)");
}
END_TEST

/* A hook at each of the four places returns ret; the log shows what each
 * call then does. */
static void
hook_at_each_place(int ret, int resume)
{
    static const char *const names[] = {"po", "si", "so", "pi"};
    char all[sizeof(log_)] = "";
    int place;

    for (place = 0; place < 4; place++) {
        struct hk h = {.name = names[place], .ret = ret, .resume = resume};

        fx_setup();
        register_kv_get();
        switch (place) {
        case 0:
            add_hook(&h, fx.pool, EVRPC_OUTPUT);
            break;
        case 1:
            add_hook(&h, fx.rpc, EVRPC_INPUT);
            break;
        case 2:
            add_hook(&h, fx.rpc, EVRPC_OUTPUT);
            break;
        default:
            add_hook(&h, fx.pool, EVRPC_INPUT);
            break;
        }
        make_pair(0, "alpha", 21);
        log_add("[%s]", names[place]);
        if (place == 0)
            LIBEVENT_LEAKS_BEGIN();
        call(0);
        if (place == 0)
            LIBEVENT_LEAKS_END();
        log_add("|");
        vt_wait_for_within(fx.base, &clients, 1, 5);
        vt_run_for(fx.base, 100);
        log_add("|c=%d,s=%d ", clients, server_hits);
        free_pairs();
        fx_teardown();
        strncat(all, log_, sizeof(all) - strlen(all) - 1);
    }
    snprintf(log_, sizeof(log_), "%s", all);
}

/* EVRPC_TERMINATE from the pool's output hook: ERR_UNSTARTED, inside
 * EVRPC_MAKE_REQUEST, nothing sent.  From the server's input hook: 503
 * without calling the RPC; from its output hook: 503 after it; either way
 * the client sees ERR_BADPAYLOAD.  From the pool's input hook:
 * ERR_HOOKABORTED with the 200 response in http_req. */
START_TEST(hook_terminate)
{
    reset_log();
    hook_at_each_place(EVRPC_TERMINATE, 0);
    log_check("[po]po(11);C(alpha,3,-,-)||c=1,s=0 [si]|"
              "si(11);C(alpha,2,503,-)|c=1,s=0 [so]|S(alpha)"
              "so(13);C(alpha,2,503,-)|c=1,s=1 [pi]|S(alpha)"
              "pi(13);C(alpha,4,200,-)|c=1,s=1 ");
}
END_TEST

START_TEST(hook_pause_resume_continue)
{
    reset_log();
    hook_at_each_place(EVRPC_PAUSE, EVRPC_CONTINUE);
    log_check("[po]po(11);|Rpo=0;S(alpha)C(alpha,0,200,42,v:alpha)"
              "|c=1,s=1 [si]|si(11);S(alpha)Rsi=0;C(alpha,0,200,42,v:alpha)"
              "|c=1,s=1 [so]|S(alpha)so(13);Rso=0;C(alpha,0,200,42,v:alpha)"
              "|c=1,s=1 [pi]|S(alpha)pi(13);C(alpha,0,200,42,v:alpha)"
              "Rpi=0;|c=1,s=1 ");
}
END_TEST

START_TEST(hook_pause_resume_terminate)
{
    reset_log();
    hook_at_each_place(EVRPC_PAUSE, EVRPC_TERMINATE);
    log_check("[po]po(11);|C(alpha,3,-,-)Rpo=0;|c=1,s=0 [si]"
              "|si(11);Rsi=0;C(alpha,2,503,-)|c=1,s=0 [so]"
              "|S(alpha)so(13);Rso=0;C(alpha,2,503,-)|c=1,s=1 [pi]"
              "|S(alpha)pi(13);C(alpha,4,200,-)Rpi=0;|c=1,s=1 ");
}
END_TEST

/* evrpc_resume_request with EVRPC_PAUSE goes on as CONTINUE does. */
START_TEST(hook_pause_resume_pause)
{
    reset_log();
    hook_at_each_place(EVRPC_PAUSE, EVRPC_PAUSE);
    log_check("[po]po(11);|Rpo=0;S(alpha)C(alpha,0,200,42,v:alpha)"
              "|c=1,s=1 [si]|si(11);S(alpha)Rsi=0;C(alpha,0,200,42,v:alpha)"
              "|c=1,s=1 [so]|S(alpha)so(13);Rso=0;C(alpha,0,200,42,v:alpha)"
              "|c=1,s=1 [pi]|S(alpha)pi(13);C(alpha,0,200,42,v:alpha)"
              "Rpi=0;|c=1,s=1 ");
}
END_TEST

START_TEST(remove_hook)
{
    struct hk a = {.name = "a"}, b = {.name = "b"}, c = {.name = "c"};

    fx_setup();
    register_kv_get();
    add_hook(&a, fx.rpc, EVRPC_INPUT);
    add_hook(&b, fx.pool, EVRPC_OUTPUT);
    add_hook(&c, fx.pool, EVRPC_OUTPUT);
    log_add("wrongtype=%d,", evrpc_remove_hook(fx.rpc, EVRPC_OUTPUT, a.handle));
    log_add("wrongbase=%d,", evrpc_remove_hook(fx.pool, EVRPC_INPUT, a.handle));
    log_add("ok=%d,", evrpc_remove_hook(fx.rpc, EVRPC_INPUT, a.handle));
    log_add("again=%d,", evrpc_remove_hook(fx.rpc, EVRPC_INPUT, c.handle));
    log_add("pool=%d,", evrpc_remove_hook(fx.pool, EVRPC_OUTPUT, b.handle));
    make_pair(0, "alpha", 21);
    call(0);
    ck_assert_int_eq(vt_wait_for_within(fx.base, &clients, 1, 10), 1);
    free_pairs();
    fx_teardown();
    log_check("wrongtype=0,wrongbase=0,ok=1,again=0,pool=1,c(11)"
              ";S(alpha)C(alpha,0,200,42,v:alpha)");
}
END_TEST

/* Meta data stays on its side: what the pool's output hook adds, the
 * pool's input hook finds; what the server's input hook adds, its output
 * hook finds; nothing crosses the wire. */
START_TEST(meta_data_scope)
{
    struct hk po = {.name = "pout", .meta = 1}, si = {.name = "sin", .meta = 1},
              so = {.name = "sout", .meta = 1}, pi = {.name = "pin", .meta = 1};

    fx_setup();
    register_kv_get();
    add_hook(&po, fx.pool, EVRPC_OUTPUT);
    add_hook(&si, fx.rpc, EVRPC_INPUT);
    add_hook(&so, fx.rpc, EVRPC_OUTPUT);
    add_hook(&pi, fx.pool, EVRPC_INPUT);
    make_pair(0, "alpha", 21);
    call(0);
    ck_assert_int_eq(vt_wait_for_within(fx.base, &clients, 1, 10), 1);
    free_pairs();
    fx_teardown();
    log_check("pout(11);sin(11);S(alpha)sout(13,sin=sin/3)"
              ";pin(13,pout=pout/4);C(alpha,0,200,42,v:alpha)");
}
END_TEST

static int
meta_edge_hook(void *ctx, struct evhttp_request *req, struct evbuffer *buf,
               void *arg)
{
    void *data = NULL;
    size_t size = 99;

    (void)req;
    (void)buf;
    (void)arg;
    log_add("missing=%d;", evrpc_hook_find_meta(ctx, "k", &data, &size));
    evrpc_hook_add_meta(ctx, "k", "one", 3);
    evrpc_hook_add_meta(ctx, "k", "two!", 4);
    ck_assert_int_eq(evrpc_hook_find_meta(ctx, "k", &data, &size), 0);
    log_add("k=%.*s/%zu;", (int)size, (const char *)data, size);
    log_add("other=%d;", evrpc_hook_find_meta(ctx, "K", &data, &size));
    return EVRPC_CONTINUE;
}

/* evrpc_hook_find_meta: -1 for a key not there (and before any meta data
 * was added); with a key added twice it finds the first value; keys are
 * case sensitive.  (libevent 2.1.12 aborts on meta data of size 0: its
 * allocation of 0 bytes fails an assertion, so no test adds any.) */
START_TEST(meta_data_edges)
{
    fx_setup();
    register_kv_get();
    ck_assert_ptr_nonnull(
        evrpc_add_hook(fx.pool, EVRPC_OUTPUT, meta_edge_hook, NULL));
    make_pair(0, "alpha", 21);
    call(0);
    ck_assert_int_eq(vt_wait_for_within(fx.base, &clients, 1, 10), 1);
    free_pairs();
    fx_teardown();
    log_check("missing=-1;k=one/3;other=-1;S(alpha)C(alpha,0,200,42,v:alpha)");
}
END_TEST

START_TEST(hook_get_connection)
{
    struct hk po = {.name = "po", .conn = 1}, si = {.name = "si", .conn = 1},
              so = {.name = "so", .conn = 1}, pi = {.name = "pi", .conn = 1};

    fx_setup();
    register_kv_get();
    add_hook(&po, fx.pool, EVRPC_OUTPUT);
    add_hook(&si, fx.rpc, EVRPC_INPUT);
    add_hook(&so, fx.rpc, EVRPC_OUTPUT);
    add_hook(&pi, fx.pool, EVRPC_INPUT);
    make_pair(0, "alpha", 21);
    call(0);
    ck_assert_int_eq(vt_wait_for_within(fx.base, &clients, 1, 10), 1);
    free_pairs();
    fx_teardown();
    log_check("po(11,conn=pool);si(11,conn=req);S(alpha)"
              "so(13,conn=req);pi(13,conn=pool);C(alpha,0,200,42,v:alpha)");
}
END_TEST

/* evrpc_free with two RPCs and hooks registered frees them all and takes
 * the URIs off the evhttp; the pool's hooks still run for the 404. */
START_TEST(free_with_registrations_and_hooks)
{
    struct hk a = {.name = "a"}, b = {.name = "b"};

    fx_setup();
    register_kv_get();
    ck_assert_int_eq(
        EVRPC_REGISTER(fx.rpc, kv_other, kv_req, kv_rep, srv_cb, NULL), 0);
    add_hook(&a, fx.rpc, EVRPC_INPUT);
    add_hook(&b, fx.rpc, EVRPC_OUTPUT);
    add_hook(&a, fx.pool, EVRPC_INPUT);
    add_hook(&b, fx.pool, EVRPC_OUTPUT);
    evrpc_free(fx.rpc);
    fx.rpc = NULL;
    /* The URIs are gone from the evhttp: a call gets its 404. */
    make_pair(0, "alpha", 21);
    call(0);
    ck_assert_int_eq(vt_wait_for_within(fx.base, &clients, 1, 10), 1);
    free_pairs();
    fx_teardown();
    log_check("b(11);a(153);C(alpha,2,404,-)");
}
END_TEST

/* ------------------------------------------------------------------ */
/* Contexts and the generic functions                                   */
/* ------------------------------------------------------------------ */

static void
cli_cb2(struct evrpc_status *st, void *rq, void *rp, void *arg)
{
    log_add("cb2(%s,", (const char *)arg);
    cli_cb(st, rq, rp, NULL);
    log_add(")");
}

START_TEST(request_context)
{
    struct evrpc_request_wrapper *ctx;
    struct evrpc_pool *pool2;
    struct hk h1 = {.name = "P1"}, h2 = {.name = "P2"};

    fx_setup();
    register_kv_get();
    pool2 = evrpc_pool_new(NULL);
    ck_assert_ptr_nonnull(pool2);
    evrpc_pool_add_connection(pool2, pool_conn(fx.port));
    add_hook(&h1, fx.pool, EVRPC_OUTPUT);
    add_hook(&h2, pool2, EVRPC_OUTPUT);
    make_pair(0, "alpha", 21);
    ctx = EVRPC_MAKE_CTX(kv_get, kv_req, kv_rep, fx.pool, rqs[0], rps[0],
                         cli_cb, NULL);
    ck_assert_ptr_nonnull(ctx);
    ck_assert_ptr_eq(evrpc_request_get_pool(ctx), fx.pool);
    evrpc_request_set_pool(ctx, pool2);
    ck_assert_ptr_eq(evrpc_request_get_pool(ctx), pool2);
    evrpc_request_set_cb(ctx, cli_cb2, arg_x);
    vt_run_for(fx.base, 50);
    log_add("before|");
    log_add("rv=%d|", evrpc_make_request(ctx));
    ck_assert_int_eq(vt_wait_for_within(fx.base, &clients, 1, 10), 1);
    free_pairs();
    evrpc_pool_free(pool2);
    fx_teardown();
    log_check("before|P2(11);rv=0|S(alpha)cb2(x,C(alpha,0,200,42,v:alpha)"
              ")");
}
END_TEST

/* The generic functions, with new functions that log their argument. */
static void *
gen_req_new(void *arg)
{
    log_add("rqnew(%s);", (const char *)arg);
    return kv_req_new();
}

static void *
gen_rep_new(void *arg)
{
    log_add("rpnew(%s);", (const char *)arg);
    return kv_rep_new();
}

static void
gen_req_free(void *p)
{
    log_add("rqfree;");
    kv_req_free(p);
}

static void
gen_rep_free(void *p)
{
    log_add("rpfree;");
    kv_rep_free(p);
}

static int
gen_req_unmarshal(void *p, struct evbuffer *b)
{
    log_add("rqun(%zu);", evbuffer_get_length(b));
    return kv_req_unmarshal(p, b);
}

static int
gen_rep_complete(void *p)
{
    log_add("rpcomplete;");
    return kv_rep_complete(p);
}

static void
gen_rep_marshal(struct evbuffer *b, void *p)
{
    log_add("rpmarshal;");
    kv_rep_marshal(b, p);
}

static void
gen_req_marshal(struct evbuffer *b, void *p)
{
    log_add("rqmarshal;");
    kv_req_marshal(b, p);
}

static void
gen_rep_clear(void *p)
{
    log_add("rpclear;");
    kv_rep_clear(p);
}

static int
gen_rep_unmarshal(void *p, struct evbuffer *b)
{
    log_add("rpun(%zu);", evbuffer_get_length(b));
    return kv_rep_unmarshal(p, b);
}

static void
gen_srv_cb(struct evrpc_req_generic *g, void *arg)
{
    struct kv_req *rq = evrpc_get_request(g);

    log_add("S(%s,%s);", rq->key_data, (const char *)arg);
    server_hits++;
    fill_reply(rq, evrpc_get_reply(g));
    evrpc_request_done(g);
}

static void
gen_cli_cb(struct evrpc_status *st, void *rq, void *rp, void *arg)
{
    log_add("C(%s,%d,%s,%s);", (const char *)arg, st->error,
            ((struct kv_req *)rq)->key_data,
            ((struct kv_rep *)rp)->value_set ? ((struct kv_rep *)rp)->value_data
                                             : "-");
    clients++;
}

/* The order of the calls to the functions given to the generic
 * functions: the request is marshalled inside the send; the client's
 * clear function is not called. */
START_TEST(generic_send_and_register)
{
    fx_setup();
    ck_assert_int_eq(evrpc_register_generic(
                         fx.rpc, "gen", gen_srv_cb, arg_s, gen_req_new, arg_rq,
                         gen_req_free, gen_req_unmarshal, gen_rep_new, arg_rp,
                         gen_rep_free, gen_rep_complete, gen_rep_marshal),
                     0);
    make_pair(0, "alpha", 21);
    log_add("send=%d;", evrpc_send_request_generic(
                            fx.pool, rqs[0], rps[0], gen_cli_cb, arg_c, "gen",
                            gen_req_marshal, gen_rep_clear, gen_rep_unmarshal));
    ck_assert_int_eq(vt_wait_for_within(fx.base, &clients, 1, 10), 1);
    vt_run_for(fx.base, 50);
    log_add("|un=%d", evrpc_unregister_rpc(fx.rpc, "gen"));
    free_pairs();
    fx_teardown();
    log_check("rqmarshal;send=0;rqnew(rqarg);rqun(11);rpnew(rparg)"
              ";S(alpha,sarg);rpcomplete;rpmarshal;rqfree;"
              "rpfree;rpun(13);C(carg,0,alpha,v:alpha);"
              "|un=0");
}
END_TEST

/* The low-level registration: the program fills in a struct evrpc. */
START_TEST(register_rpc_directly)
{
    struct evrpc *r = calloc(1, sizeof(*r));

    fx_setup();
    ck_assert_ptr_nonnull(r);
    r->uri = strdup("low");
    r->request_new = gen_req_new;
    r->request_new_arg = arg_rq;
    r->request_free = gen_req_free;
    r->request_unmarshal = gen_req_unmarshal;
    r->reply_new = gen_rep_new;
    r->reply_new_arg = arg_rp;
    r->reply_free = gen_rep_free;
    r->reply_complete = gen_rep_complete;
    r->reply_marshal = gen_rep_marshal;
    log_add("reg=%d;", evrpc_register_rpc(fx.rpc, r, gen_srv_cb, arg_s));
    log_add("base=%d;", r->base == fx.rpc);
    log_add("uri=%s;", r->uri);
    make_pair(0, "alpha", 21);
    log_add("send=%d;", evrpc_send_request_generic(
                            fx.pool, rqs[0], rps[0], gen_cli_cb, arg_c, "low",
                            gen_req_marshal, gen_rep_clear, gen_rep_unmarshal));
    ck_assert_int_eq(vt_wait_for_within(fx.base, &clients, 1, 10), 1);
    log_add("|un=%d", evrpc_unregister_rpc(fx.rpc, "low"));
    free_pairs();
    fx_teardown();
    log_check("reg=0;base=1;uri=low;rqmarshal;send=0;rqnew(rqarg)"
              ";rqun(11);rpnew(rparg);S(alpha,sarg);rpcomplete;"
              "rpmarshal;rqfree;rpfree;rpun(13);C(carg,0,alpha,v:alpha)"
              ";|un=0");
}
END_TEST

/* ------------------------------------------------------------------ */
/* rpc_compat.h                                                         */
/* ------------------------------------------------------------------ */

START_TEST(compat_accessors)
{
    struct kv_rep *rp = kv_rep_new();
    ev_uint32_t v = 0;
    char *s = NULL;

    ck_assert_ptr_nonnull(rp);
    /* The variadic forms of EVTAG_ASSIGN, EVTAG_GET and EVTAG_ADD. */
    ck_assert_int_eq(EVTAG_ASSIGN(rp, status, 9), 0);
    ck_assert_int_eq(EVTAG_GET(rp, status, &v), 0);
    ck_assert_uint_eq(v, 9);
    ck_assert_int_eq(EVTAG_ASSIGN(rp, value, "x"), 0);
    ck_assert_int_eq(EVTAG_GET(rp, value, &s), 0);
    ck_assert_str_eq(s, "x");
    ck_assert_ptr_nonnull(EVTAG_ADD(rp, items, 5));
    ck_assert_ptr_nonnull(EVTAG_ARRAY_ADD_VALUE(rp, items, 6));
    ck_assert_int_eq(EVTAG_LEN(rp, items), 2);
    ck_assert_int_eq(EVTAG_ARRAY_LEN(rp, items), 2);
    ck_assert_int_eq(EVTAG_ARRAY_GET(rp, items, 1, &v), 0);
    ck_assert_uint_eq(v, 6);
    ck_assert_int_eq(EVTAG_HAS(rp, items), 1);
    kv_rep_free(rp);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The suite                                                            */
/* ------------------------------------------------------------------ */

int
main(void)
{
    Suite *s = suite_create("evrpc");
    TCase *tc;

    tc = vt_tcase("messages", 10);
    tcase_add_test(tc, messages_round_trip_through_evtag);
    suite_add_tcase(s, tc);

    tc = vt_tcase("call", 30);
    tcase_add_test(tc, call_round_trip);
    tcase_add_test(tc, request_on_the_wire);
    tcase_add_test(tc, status_for_each_raw_reply);
    tcase_add_test(tc, timeout_on_a_silent_server);
    tcase_add_test(tc, connection_refused);
    tcase_add_test(tc, connection_timeout_wins_over_the_pool);
    tcase_add_test(tc, pool_with_a_base);
    tcase_add_test(tc, timeout_on_a_server_that_holds);
    tcase_add_test(tc, server_answers_raw_requests);
    tcase_add_test(tc, incomplete_reply);
    tcase_add_test(tc, unregister);
    tcase_add_test(tc, register_twice);
    suite_add_tcase(s, tc);

    tc = vt_tcase("pool", 30);
    tcase_add_test(tc, queued_on_one_connection);
    tcase_add_test(tc, queued_on_several_connections);
    tcase_add_test(tc, remove_connection);
    tcase_add_test(tc, pool_free_with_calls_pending);
    tcase_add_test(tc, request_context);
    tcase_add_test(tc, generic_send_and_register);
    tcase_add_test(tc, register_rpc_directly);
    suite_add_tcase(s, tc);

    tc = vt_tcase("hooks", 30);
    tcase_add_test(tc, hook_order_and_arguments);
    tcase_add_test(tc, hook_terminate);
    tcase_add_test(tc, hook_pause_resume_continue);
    tcase_add_test(tc, hook_pause_resume_terminate);
    tcase_add_test(tc, hook_pause_resume_pause);
    tcase_add_test(tc, remove_hook);
    tcase_add_test(tc, meta_data_scope);
    tcase_add_test(tc, meta_data_edges);
    tcase_add_test(tc, hook_get_connection);
    tcase_add_test(tc, free_with_registrations_and_hooks);
    suite_add_tcase(s, tc);

    tc = vt_tcase("compat", 10);
    tcase_add_test(tc, compat_accessors);
    suite_add_tcase(s, tc);

    return vt_run(s);
}
