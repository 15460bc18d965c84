/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * rpc-example: a small key-value store served over evrpc, and its client,
 * both from the messages of rpc-example.rpc (turned into C by
 * event_rpcgen at build time).  Two RPCs: Put stores a value under a key
 * and answers with the value it replaced, if any; Get answers with the
 * value stored under a key, or "not found".  Keys are 1 to 256 bytes,
 * values up to 64 KiB, and the store holds up to 10,000 keys; the server
 * refuses anything more.
 *
 *   usage: rpc-example serve [-p PORT]
 *          rpc-example call PORT put KEY VALUE
 *          rpc-example call PORT get KEY
 *          rpc-example demo
 *
 *   serve  runs the server on 127.0.0.1:PORT (default 0: the system
 *          chooses; the address is printed at start as
 *          "Listening on 127.0.0.1:PORT") until Ctrl-C (SIGINT) or
 *          SIGTERM, then frees everything and exits 0
 *   call   makes one call to the server at 127.0.0.1:PORT through an
 *          evrpc_pool and prints the result
 *   demo   runs a server and a client on one event loop: puts three keys,
 *          gets them back, gets a missing key, replaces a value, prints
 *          every result and exits 0 if each was as expected
 *
 * Results are printed as "put KEY = 'VALUE': ok", "put KEY = 'VALUE': ok,
 * replaced 'OLD'", "get KEY: 'VALUE'" and "get KEY: not found"; a byte
 * that is not printable ASCII (or is a quote or a backslash) is printed
 * as \xHH.  Exit status: 0 on success, 1 when the server could not start
 * or a call failed (no server, a timeout, a bad reply, a key or value the
 * server refused), 2 for a usage error, 3 when call get finds no such
 * key.  Only libevent's public API is used.
 */
#include <event2/event.h>
#include <event2/http.h>
#include <event2/rpc.h>
#include <event2/rpc_struct.h>
#include <event2/util.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc-example.gen.h"
#include "sample-util.h"

/* The longest key and value the server stores, and how many keys. */
#define KV_KEY_MAX 256
#define KV_VALUE_MAX 65536
#define KV_ENTRIES_MAX 10000

/* How long a call may take, in seconds. */
#define CALL_TIMEOUT 10

static const char *prog = "rpc-example";

/* The two RPCs: the request struct sent, the struct given for the
 * reply.  EVRPC_HEADER declares what a server callback is handed and the
 * client function; EVRPC_GENERATE defines the client function. */
EVRPC_HEADER(Put, kv_put, kv_reply)
EVRPC_HEADER(Get, kv_get, kv_reply)
EVRPC_GENERATE(Put, kv_put, kv_reply)
EVRPC_GENERATE(Get, kv_get, kv_reply)

/*
 * The server: a list of keys and their values.
 */

struct entry {
    struct entry *next;
    char *key;
    ev_uint8_t *value;
    ev_uint32_t len;
};

struct store {
    struct entry *head;
    size_t count;
};

static struct entry *
store_find(struct store *s, const char *key)
{
    struct entry *e;

    for (e = s->head; e != NULL; e = e->next) {
        if (strcmp(e->key, key) == 0)
            return e;
    }
    return NULL;
}

static void
store_clear(struct store *s)
{
    struct entry *e, *next;

    for (e = s->head; e != NULL; e = next) {
        next = e->next;
        free(e->key);
        free(e->value);
        free(e);
    }
    s->head = NULL;
    s->count = 0;
}

/* Whether a key may be stored: not empty, not too long. */
static int
key_ok(const char *key)
{
    size_t len = strlen(key);

    return len > 0 && len <= KV_KEY_MAX;
}

/* Serves Put: stores the value, answers with the one it replaced. */
static void
serve_put(EVRPC_STRUCT(Put) * rpc, void *arg)
{
    struct store *s = arg;
    struct entry *e;
    char *key = NULL;
    ev_uint8_t *value = NULL, *copy;
    ev_uint32_t len = 0;
    ev_uint32_t status = KV_INVALID;

    /* The request is complete (the library checked it), so both fields
     * are there. */
    if (EVTAG_GET(rpc->request, key, &key) != 0 ||
        EVTAG_GET_WITH_LEN(rpc->request, value, &value, &len) != 0 ||
        !key_ok(key) || len > KV_VALUE_MAX)
        goto reply;
    copy = malloc(len > 0 ? len : 1);
    if (copy == NULL)
        goto reply;
    memcpy(copy, value, len);
    e = store_find(s, key);
    if (e != NULL) {
        /* The old value goes back in the reply before it is freed. */
        if (EVTAG_ASSIGN_WITH_LEN(rpc->reply, value, e->value, e->len) != 0) {
            free(copy);
            goto reply;
        }
        free(e->value);
    } else {
        if (s->count >= KV_ENTRIES_MAX || (e = calloc(1, sizeof(*e))) == NULL) {
            free(copy);
            goto reply;
        }
        e->key = strdup(key);
        if (e->key == NULL) {
            free(copy);
            free(e);
            goto reply;
        }
        e->next = s->head;
        s->head = e;
        s->count++;
    }
    e->value = copy;
    e->len = len;
    status = KV_OK;
reply:
    EVTAG_ASSIGN(rpc->reply, status, status);
    EVRPC_REQUEST_DONE(rpc);
}

/* Serves Get: answers with the value, or KV_NOT_FOUND. */
static void
serve_get(EVRPC_STRUCT(Get) * rpc, void *arg)
{
    struct store *s = arg;
    struct entry *e;
    char *key = NULL;
    ev_uint32_t status = KV_INVALID;

    if (EVTAG_GET(rpc->request, key, &key) == 0 && key_ok(key)) {
        e = store_find(s, key);
        if (e == NULL)
            status = KV_NOT_FOUND;
        else if (EVTAG_ASSIGN_WITH_LEN(rpc->reply, value, e->value, e->len) ==
                 0)
            status = KV_OK;
    }
    EVTAG_ASSIGN(rpc->reply, status, status);
    EVRPC_REQUEST_DONE(rpc);
}

/* The HTTP server and the RPCs on it. */
struct server {
    struct evhttp *http;
    struct evrpc_base *rpc;
    struct store store;
    unsigned short port;
};

static void
server_free(struct server *srv)
{
    /* The RPCs go before the HTTP server they were registered on. */
    if (srv->rpc != NULL)
        evrpc_free(srv->rpc);
    if (srv->http != NULL)
        evhttp_free(srv->http);
    store_clear(&srv->store);
    memset(srv, 0, sizeof(*srv));
}

/* Starts a server on 127.0.0.1:port (0: any free port); sets srv->port to
 * the port it got.  Returns 0, or -1 after printing why. */
static int
server_start(struct server *srv, struct event_base *base, unsigned short port)
{
    struct evhttp_bound_socket *bound;
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);

    memset(srv, 0, sizeof(*srv));
    if ((srv->http = evhttp_new(base)) == NULL ||
        (srv->rpc = evrpc_init(srv->http)) == NULL) {
        fprintf(stderr, "%s: cannot make the RPC server\n", prog);
        goto fail;
    }
    if (EVRPC_REGISTER(srv->rpc, Put, kv_put, kv_reply, serve_put,
                       &srv->store) != 0 ||
        EVRPC_REGISTER(srv->rpc, Get, kv_get, kv_reply, serve_get,
                       &srv->store) != 0) {
        fprintf(stderr, "%s: cannot register the RPCs\n", prog);
        goto fail;
    }
    bound = evhttp_bind_socket_with_handle(srv->http, "127.0.0.1", port);
    if (bound == NULL) {
        fprintf(stderr, "%s: cannot listen on 127.0.0.1:%u\n", prog,
                (unsigned)port);
        goto fail;
    }
    if (getsockname(evhttp_bound_socket_get_fd(bound), (struct sockaddr *)&sin,
                    &len) != 0 ||
        sin.sin_family != AF_INET) {
        fprintf(stderr, "%s: getsockname: %s\n", prog, strerror(errno));
        goto fail;
    }
    srv->port = ntohs(sin.sin_port);
    return 0;
fail:
    server_free(srv);
    return -1;
}

/*
 * The client.
 */

/* Prints bytes between quotes, with \xHH for what is not printable. */
static void
print_bytes(const ev_uint8_t *p, ev_uint32_t len)
{
    ev_uint32_t i;

    putchar('\'');
    for (i = 0; i < len; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\'' && p[i] != '\\')
            putchar(p[i]);
        else
            printf("\\x%02x", (unsigned)p[i]);
    }
    putchar('\'');
}

static const char *
status_name(int error)
{
    switch (error) {
    case EVRPC_STATUS_ERR_NONE:
        return "no error";
    case EVRPC_STATUS_ERR_TIMEOUT:
        return "timed out or no connection";
    case EVRPC_STATUS_ERR_BADPAYLOAD:
        return "bad reply";
    case EVRPC_STATUS_ERR_UNSTARTED:
        return "not started";
    case EVRPC_STATUS_ERR_HOOKABORTED:
        return "stopped by a hook";
    }
    return "unknown error";
}

/* One call to make, and (in the demo) the result it should have. */
struct step {
    const char *op; /* "put" or "get" */
    const char *key;
    const char *value; /* put: the value sent */
    int status;        /* the status wanted */
    const char *want;  /* the value wanted in the reply, or NULL for none */
};

/* The demo's calls, made one after the other. */
static const struct step demo_steps[] = {
    {"put", "alpha", "one", KV_OK, NULL},
    {"put", "beta", "two", KV_OK, NULL},
    {"put", "gamma", "three, with spaces", KV_OK, NULL},
    {"get", "alpha", NULL, KV_OK, "one"},
    {"get", "beta", NULL, KV_OK, "two"},
    {"get", "gamma", NULL, KV_OK, "three, with spaces"},
    {"get", "delta", NULL, KV_NOT_FOUND, NULL},
    {"put", "alpha", "uno", KV_OK, "one"},
    {"get", "alpha", NULL, KV_OK, "uno"},
};

struct client {
    struct event_base *base;
    struct evrpc_pool *pool;
    struct kv_put *put;
    struct kv_get *get;
    struct kv_reply *reply;
    const struct step *steps; /* the calls to make */
    size_t nsteps;
    size_t next;     /* the next call in steps */
    int check;       /* compare each result with its step (the demo) */
    int failed;      /* a call failed, or (demo) a result was wrong */
    int last_status; /* the status of the last reply, or -1 */
};

static void client_next(struct client *c);

/* Prints a reply; in the demo, checks it against the step.  Returns the
 * status, or -1 if the reply does not say. */
static int
report(struct client *c, const struct step *st)
{
    ev_uint32_t status = 0;
    ev_uint8_t *value = NULL;
    ev_uint32_t len = 0;
    int has_value;

    if (EVTAG_GET(c->reply, status, &status) != 0) {
        printf("%s %s: the reply has no status\n", st->op, st->key);
        c->failed = 1;
        return -1;
    }
    has_value = EVTAG_HAS(c->reply, value) &&
                EVTAG_GET_WITH_LEN(c->reply, value, &value, &len) == 0;
    printf("%s %s", st->op, st->key);
    if (strcmp(st->op, "put") == 0) {
        printf(" = ");
        print_bytes((const ev_uint8_t *)st->value,
                    (ev_uint32_t)strlen(st->value));
    }
    printf(": ");
    switch (status) {
    case KV_OK:
        if (strcmp(st->op, "get") == 0) {
            print_bytes(value, has_value ? len : 0);
        } else {
            printf("ok");
            if (has_value) {
                printf(", replaced ");
                print_bytes(value, len);
            }
        }
        break;
    case KV_NOT_FOUND:
        printf("not found");
        break;
    case KV_INVALID:
        printf("refused (empty or too long, or the store is full)");
        break;
    default:
        printf("status %u", (unsigned)status);
        break;
    }
    if (c->check &&
        ((int)status != st->status || has_value != (st->want != NULL) ||
         (has_value &&
          (len != strlen(st->want) || memcmp(value, st->want, len) != 0)))) {
        printf(" (unexpected)");
        c->failed = 1;
    }
    printf("\n");
    fflush(stdout);
    return (int)status;
}

/* Put and Get complete here; the next call is made from here. */
static void
call_done(struct evrpc_status *status, const struct step *st, struct client *c)
{
    if (status->error != EVRPC_STATUS_ERR_NONE) {
        printf("%s %s: the call failed: %s\n", st->op, st->key,
               status_name(status->error));
        fflush(stdout);
        c->failed = 1;
        c->last_status = -1;
        event_base_loopexit(c->base, NULL);
        return;
    }
    c->last_status = report(c, st);
    client_next(c);
}

static void
put_done(struct evrpc_status *status, struct kv_put *request,
         struct kv_reply *reply, void *arg)
{
    struct client *c = arg;

    (void)request;
    (void)reply;
    call_done(status, &c->steps[c->next - 1], c);
}

static void
get_done(struct evrpc_status *status, struct kv_get *request,
         struct kv_reply *reply, void *arg)
{
    struct client *c = arg;

    (void)request;
    (void)reply;
    call_done(status, &c->steps[c->next - 1], c);
}

/* Makes the next call, or ends the loop after the last. */
static void
client_next(struct client *c)
{
    const struct step *st;
    int rc;

    if (c->next == c->nsteps) {
        event_base_loopexit(c->base, NULL);
        return;
    }
    st = &c->steps[c->next++];
    /* The reply is decoded into as it is: libevent 2.1 does not clear it
     * first, and refuses a field that is there twice. */
    kv_reply_clear(c->reply);
    if (strcmp(st->op, "put") == 0) {
        kv_put_clear(c->put);
        if (EVTAG_ASSIGN(c->put, key, st->key) != 0 ||
            EVTAG_ASSIGN_WITH_LEN(c->put, value, (const ev_uint8_t *)st->value,
                                  (ev_uint32_t)strlen(st->value)) != 0) {
            fprintf(stderr, "%s: out of memory\n", prog);
            c->failed = 1;
            event_base_loopexit(c->base, NULL);
            return;
        }
        rc = EVRPC_MAKE_REQUEST(Put, c->pool, c->put, c->reply, put_done, c);
    } else {
        kv_get_clear(c->get);
        if (EVTAG_ASSIGN(c->get, key, st->key) != 0) {
            fprintf(stderr, "%s: out of memory\n", prog);
            c->failed = 1;
            event_base_loopexit(c->base, NULL);
            return;
        }
        rc = EVRPC_MAKE_REQUEST(Get, c->pool, c->get, c->reply, get_done, c);
    }
    /* On failure the callback has run already, with
     * EVRPC_STATUS_ERR_UNSTARTED, and ended the loop. */
    (void)rc;
}

/* Prints libevent's messages as it would, but one: libevent 2.1.12 warns
 * "event_del_: event has no event_base set" at every reply that comes
 * through a pool made without an event base (the per-request timer it does
 * not use has no base).  The pool has none because libevent 2.1.12 cannot
 * give one to a connection made with evhttp_connection_base_new(): it
 * asserts that the connection has no base yet, and one made without a base
 * crashes unless the deprecated event_init() was called. */
static void
log_message(int severity, const char *msg)
{
    static const char *const names[] = {"debug", "msg", "warn", "err"};

    if (strstr(msg, "event has no event_base set") != NULL)
        return;
    fprintf(stderr, "[%s] %s\n",
            severity >= 0 && severity <= 3 ? names[severity] : "?", msg);
}

/* Makes the client: one connection to 127.0.0.1:port in a pool. */
static int
client_init(struct client *c, struct event_base *base, unsigned short port)
{
    struct evhttp_connection *evcon;

    memset(c, 0, sizeof(*c));
    c->base = base;
    c->last_status = -1;
    c->put = kv_put_new();
    c->get = kv_get_new();
    c->reply = kv_reply_new();
    /* No base for the pool: each connection keeps its own (see
     * log_message), and the connection's timeout bounds each call. */
    c->pool = evrpc_pool_new(NULL);
    if (c->put == NULL || c->get == NULL || c->reply == NULL ||
        c->pool == NULL) {
        fprintf(stderr, "%s: cannot make the client\n", prog);
        return -1;
    }
    evcon = evhttp_connection_base_new(base, NULL, "127.0.0.1", port);
    if (evcon == NULL) {
        fprintf(stderr, "%s: cannot make a connection\n", prog);
        return -1;
    }
    evhttp_connection_set_timeout(evcon, CALL_TIMEOUT);
    /* The pool owns the connection from here on, and frees it. */
    evrpc_pool_add_connection(c->pool, evcon);
    return 0;
}

static void
client_free(struct client *c)
{
    if (c->pool != NULL)
        evrpc_pool_free(c->pool);
    if (c->put != NULL)
        kv_put_free(c->put);
    if (c->get != NULL)
        kv_get_free(c->get);
    if (c->reply != NULL)
        kv_reply_free(c->reply);
    memset(c, 0, sizeof(*c));
}

/*
 * The three commands.
 */

static void
on_stop(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    event_base_loopexit(arg, NULL);
}

static int
run_serve(struct event_base *base, unsigned short port)
{
    struct server srv;
    struct event *sigint, *sigterm;
    int rc = 1;

    sigint = evsignal_new(base, SIGINT, on_stop, base);
    sigterm = evsignal_new(base, SIGTERM, on_stop, base);
    if (sigint == NULL || sigterm == NULL || evsignal_add(sigint, NULL) != 0 ||
        evsignal_add(sigterm, NULL) != 0) {
        fprintf(stderr, "%s: cannot watch for signals\n", prog);
        goto done;
    }
    if (server_start(&srv, base, port) != 0)
        goto done;
    printf("Listening on 127.0.0.1:%u\n", (unsigned)srv.port);
    fflush(stdout);
    if (event_base_dispatch(base) < 0)
        fprintf(stderr, "%s: the event loop failed\n", prog);
    else
        rc = 0;
    server_free(&srv);
done:
    if (sigint != NULL)
        event_free(sigint);
    if (sigterm != NULL)
        event_free(sigterm);
    return rc;
}

static int
run_call(struct event_base *base, unsigned short port, const struct step *st)
{
    struct client c;
    int rc = 1;

    if (client_init(&c, base, port) == 0) {
        c.steps = st;
        c.nsteps = 1;
        client_next(&c);
        if (event_base_dispatch(base) < 0)
            fprintf(stderr, "%s: the event loop failed\n", prog);
        else if (!c.failed && c.last_status == KV_OK)
            rc = 0;
        else if (!c.failed && c.last_status == KV_NOT_FOUND)
            rc = 3;
    }
    client_free(&c);
    return rc;
}

static int
run_demo(struct event_base *base)
{
    struct server srv;
    struct client c;
    int rc = 1;

    if (server_start(&srv, base, 0) != 0)
        return 1;
    printf("demo: server on 127.0.0.1:%u\n", (unsigned)srv.port);
    if (client_init(&c, base, srv.port) == 0) {
        c.steps = demo_steps;
        c.nsteps = sizeof(demo_steps) / sizeof(demo_steps[0]);
        c.check = 1;
        client_next(&c);
        if (event_base_dispatch(base) < 0) {
            fprintf(stderr, "%s: the event loop failed\n", prog);
        } else if (c.next != c.nsteps || c.failed) {
            printf("demo: FAILED\n");
        } else {
            printf("demo: %zu calls, every result as expected\n", c.nsteps);
            rc = 0;
        }
    }
    /* The client first: its connection closes before the server goes. */
    client_free(&c);
    server_free(&srv);
    return rc;
}

static int
usage(void)
{
    fprintf(stderr,
            "usage: %s serve [-p PORT]\n"
            "       %s call PORT put KEY VALUE\n"
            "       %s call PORT get KEY\n"
            "       %s demo\n",
            prog, prog, prog, prog);
    return 2;
}

int
main(int argc, char **argv)
{
    struct event_base *base;
    struct step call = {NULL, NULL, NULL, KV_OK, NULL};
    unsigned short port = 0;
    enum {
        SERVE,
        CALL,
        DEMO
    } cmd;
    int rc;

    if (argc < 2)
        return usage();
    if (strcmp(argv[1], "serve") == 0) {
        cmd = SERVE;
        if (argc == 4 && strcmp(argv[2], "-p") == 0) {
            if (sample_parse_port(prog, argv[3], &port) != 0)
                return 2;
        } else if (argc != 2) {
            return usage();
        }
    } else if (strcmp(argv[1], "call") == 0) {
        cmd = CALL;
        if (argc < 4)
            return usage();
        if (sample_parse_port(prog, argv[2], &port) != 0)
            return 2;
        if (port == 0) {
            fprintf(stderr, "%s: bad port '0': the server's port, please\n",
                    prog);
            return 2;
        }
        call.op = argv[3];
        call.key = argc > 4 ? argv[4] : "";
        if (strcmp(argv[3], "put") == 0 && argc == 6)
            call.value = argv[5];
        else if (strcmp(argv[3], "get") != 0 || argc != 5)
            return usage();
    } else if (strcmp(argv[1], "demo") == 0 && argc == 2) {
        cmd = DEMO;
    } else {
        return usage();
    }

    event_set_log_callback(log_message);
    /* A peer that goes away mid-reply must not end the program. */
    signal(SIGPIPE, SIG_IGN);
    if ((base = event_base_new()) == NULL) {
        fprintf(stderr, "%s: cannot make an event base\n", prog);
        return 1;
    }
    switch (cmd) {
    case SERVE:
        rc = run_serve(base, port);
        break;
    case CALL:
        rc = run_call(base, port, &call);
        break;
    default:
        rc = run_demo(base);
        break;
    }
    event_base_free(base);
    return rc;
}
