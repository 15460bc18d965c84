/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * rpc.c: evrpc, remote procedure calls over evhttp with evtag-encoded
 * messages.  A call is an HTTP POST of the encoded request to
 * "/.rpc.NAME"; the reply is the encoded reply message in a 200 response.
 *
 * Server: evrpc_init() attaches an evrpc_base to an evhttp; each
 * registered RPC is a path callback.  An incoming request runs the
 * base's input hooks on its body, is decoded into a new request message,
 * and reaches the program's callback with a new reply message; the
 * program answers with evrpc_request_done(), which checks and encodes the
 * reply, runs the output hooks on it, and sends it.  Anything that fails
 * on the way (not a POST, no body, a body that does not decode, a hook's
 * EVRPC_TERMINATE, an incomplete reply) is answered 503, as libevent
 * does.
 *
 * Client: a pool holds HTTP connections; a request (a wrapper of the
 * program's messages and functions) goes over a connection with nothing
 * in flight, or waits in the pool's queue.  Its body runs the pool's
 * output hooks, the reply's the input hooks; the program's callback gets
 * an evrpc_status: ERR_NONE, ERR_TIMEOUT (no response: the pool's
 * timeout, a failed connection, a status other than 200), ERR_BADPAYLOAD
 * (the reply does not decode) or ERR_HOOKABORTED.
 *
 * Hooks may pause a request (EVRPC_PAUSE) until evrpc_resume_request();
 * the hooks after the one that paused do not run (as in libevent).  The
 * base and the pool both start with the same hook lists, which is how
 * evrpc_add_hook() takes either; a request context of either side starts
 * with its meta data, which is how the evrpc_hook_* functions take
 * either.
 */
#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/http_compat.h>
#include <event2/http_struct.h>
#include <event2/rpc.h>
#include <event2/rpc_struct.h>
#include <event2/util.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "extra/extra-internal.h"
#include "extra/http/http-internal.h"

/* ------------------------------------------------------------------ */
/* Structures                                                          */
/* ------------------------------------------------------------------ */

struct evrpc_hook {
    TAILQ_ENTRY(evrpc_hook) next;
    int (*process)(void *, struct evhttp_request *, struct evbuffer *, void *);
    void *process_arg;
};
TAILQ_HEAD(evrpc_hook_list, evrpc_hook);

/* A request a hook paused, and how it goes on. */
struct evrpc_paused {
    TAILQ_ENTRY(evrpc_paused) next;
    void *ctx;
    void (*resume)(void *ctx, enum EVRPC_HOOK_RESULT);
};

/* What the base and the pool both start with. */
struct evrpc_hooks {
    struct evrpc_hook_list input_hooks;
    struct evrpc_hook_list output_hooks;
    TAILQ_HEAD(, evrpc_paused) paused;
};

struct evrpc_meta {
    TAILQ_ENTRY(evrpc_meta) next;
    char *key;
    void *data;
    size_t data_size;
};

struct evrpc_hook_meta {
    TAILQ_HEAD(, evrpc_meta) meta_data;
    struct evhttp_connection *evcon;
};

struct evrpc_base {
    struct evrpc_hooks common; /* first: evrpc_add_hook() takes either */
    struct evhttp *http_server;
    TAILQ_HEAD(, evrpc) registered;
};

/* A request being served: EVRPC_STRUCT()'s layout, which programs read
 * (request, reply), then the server's own fields. */
struct evrpc_req_generic {
    struct evrpc_hook_meta *hook_meta; /* first: the evrpc_hook_* take it */
    void *request;
    void *reply;
    struct evrpc *rpc;
    struct evhttp_request *http_req;
    struct evbuffer *rpc_data;
};

struct evrpc_pool {
    struct evrpc_hooks common; /* first: evrpc_add_hook() takes either */
    struct event_base *base;
    /* The connections, linked through their own list entry. */
    TAILQ_HEAD(, evhttp_connection) connections;
    int timeout; /* seconds, or -1 */
    /* Program callbacks on the stack, and a free they asked for. */
    int busy, free_asap;
    /* Requests waiting for a connection, and those sent. */
    TAILQ_HEAD(, evrpc_request_wrapper) requests;
    TAILQ_HEAD(, evrpc_request_wrapper) sent;
};

struct evrpc_request_wrapper {
    struct evrpc_hook_meta *hook_meta; /* first: the evrpc_hook_* take it */
    TAILQ_ENTRY(evrpc_request_wrapper) next;
    struct evrpc_pool *pool;
    struct evhttp_connection *evcon;
    struct evhttp_request *req; /* the HTTP request once sent */
    struct event ev_timeout;
    int timer_set;
    int sent;  /* on pool->sent, else on pool->requests (or neither) */
    char *uri; /* "/.rpc.NAME", made once */
    void (*cb)(struct evrpc_status *, void *, void *, void *);
    void *cb_arg;
    void *request;
    void *reply;
    void (*request_marshal)(struct evbuffer *, void *);
    void (*reply_clear)(void *);
    int (*reply_unmarshal)(void *, struct evbuffer *);
};

#define RPC_PREFIX "/.rpc."

static void pool_schedule(struct evrpc_pool *pool);

/* ------------------------------------------------------------------ */
/* Hooks and meta data                                                 */
/* ------------------------------------------------------------------ */

static void
hooks_init(struct evrpc_hooks *h)
{
    TAILQ_INIT(&h->input_hooks);
    TAILQ_INIT(&h->output_hooks);
    TAILQ_INIT(&h->paused);
}

static struct evrpc_hook_list *
hook_list(struct evrpc_hooks *h, enum EVRPC_HOOK_TYPE type)
{
    if (type == EVRPC_INPUT)
        return &h->input_hooks;
    if (type == EVRPC_OUTPUT)
        return &h->output_hooks;
    return NULL;
}

void *
evrpc_add_hook(void *vbase, enum EVRPC_HOOK_TYPE hook_type,
               int (*cb)(void *, struct evhttp_request *, struct evbuffer *,
                         void *),
               void *cb_arg)
{
    struct evrpc_hook_list *list = hook_list(vbase, hook_type);
    struct evrpc_hook *hook;

    if (list == NULL || cb == NULL)
        return NULL;
    hook = vg_extra_calloc(1, sizeof(*hook));
    if (hook == NULL)
        return NULL;
    hook->process = cb;
    hook->process_arg = cb_arg;
    TAILQ_INSERT_TAIL(list, hook, next);
    return hook;
}

int
evrpc_remove_hook(void *vbase, enum EVRPC_HOOK_TYPE hook_type, void *handle)
{
    struct evrpc_hook_list *list = hook_list(vbase, hook_type);
    struct evrpc_hook *hook;

    if (list == NULL)
        return 0;
    TAILQ_FOREACH(hook, list, next)
    {
        if (hook == handle) {
            TAILQ_REMOVE(list, hook, next);
            vg_extra_free(hook);
            return 1;
        }
    }
    return 0;
}

static void
hooks_free(struct evrpc_hooks *h)
{
    struct evrpc_hook *hook;
    struct evrpc_paused *p;

    while ((hook = TAILQ_FIRST(&h->input_hooks)) != NULL) {
        TAILQ_REMOVE(&h->input_hooks, hook, next);
        vg_extra_free(hook);
    }
    while ((hook = TAILQ_FIRST(&h->output_hooks)) != NULL) {
        TAILQ_REMOVE(&h->output_hooks, hook, next);
        vg_extra_free(hook);
    }
    while ((p = TAILQ_FIRST(&h->paused)) != NULL) {
        TAILQ_REMOVE(&h->paused, p, next);
        vg_extra_free(p);
    }
}

/* Runs the hooks of list in order until one does not say CONTINUE; a
 * pause registers resume to be called by evrpc_resume_request(). */
static int
hooks_run(struct evrpc_hooks *h, struct evrpc_hook_list *list, void *ctx,
          struct evhttp_request *req, struct evbuffer *buf,
          void (*resume)(void *, enum EVRPC_HOOK_RESULT))
{
    struct evrpc_hook *hook;

    TAILQ_FOREACH(hook, list, next)
    {
        int res = hook->process(ctx, req, buf, hook->process_arg);

        if (res == EVRPC_CONTINUE)
            continue;
        if (res == EVRPC_PAUSE) {
            struct evrpc_paused *p = vg_extra_calloc(1, sizeof(*p));

            if (p == NULL)
                return EVRPC_TERMINATE;
            p->ctx = ctx;
            p->resume = resume;
            TAILQ_INSERT_TAIL(&h->paused, p, next);
            return EVRPC_PAUSE;
        }
        return EVRPC_TERMINATE;
    }
    return EVRPC_CONTINUE;
}

/* Forgets a paused request that goes away (its pool or base is freed,
 * or it is). */
static void
paused_forget(struct evrpc_hooks *h, void *ctx)
{
    struct evrpc_paused *p = TAILQ_FIRST(&h->paused);

    while (p != NULL) {
        struct evrpc_paused *next = TAILQ_NEXT(p, next);

        if (p->ctx == ctx) {
            TAILQ_REMOVE(&h->paused, p, next);
            vg_extra_free(p);
        }
        p = next;
    }
}

int
evrpc_resume_request(void *vbase, void *ctx, enum EVRPC_HOOK_RESULT res)
{
    struct evrpc_hooks *h = vbase;
    struct evrpc_paused *p;

    TAILQ_FOREACH(p, &h->paused, next)
    {
        if (p->ctx == ctx) {
            void (*resume)(void *, enum EVRPC_HOOK_RESULT) = p->resume;

            TAILQ_REMOVE(&h->paused, p, next);
            vg_extra_free(p);
            resume(ctx, res);
            return 0;
        }
    }
    return -1;
}

/* The meta data of a request context of either side, made on demand. */
static struct evrpc_hook_meta *
meta_of(void *ctx)
{
    struct evrpc_hook_meta **slot = ctx;

    if (*slot == NULL) {
        *slot = vg_extra_calloc(1, sizeof(**slot));
        if (*slot != NULL)
            TAILQ_INIT(&(*slot)->meta_data);
    }
    return *slot;
}

static void
meta_free(struct evrpc_hook_meta *m)
{
    struct evrpc_meta *e;

    if (m == NULL)
        return;
    while ((e = TAILQ_FIRST(&m->meta_data)) != NULL) {
        TAILQ_REMOVE(&m->meta_data, e, next);
        vg_extra_free(e->key);
        vg_extra_free(e->data);
        vg_extra_free(e);
    }
    vg_extra_free(m);
}

void
evrpc_hook_add_meta(void *ctx, const char *key, const void *data,
                    size_t data_size)
{
    struct evrpc_hook_meta *m = meta_of(ctx);
    struct evrpc_meta *e;

    if (m == NULL || key == NULL)
        return;
    e = vg_extra_calloc(1, sizeof(*e));
    if (e == NULL)
        return;
    e->key = vg_extra_strdup(key);
    e->data = vg_extra_malloc(data_size > 0 ? data_size : 1);
    if (e->key == NULL || e->data == NULL) {
        vg_extra_free(e->key);
        vg_extra_free(e->data);
        vg_extra_free(e);
        return;
    }
    if (data_size > 0)
        memcpy(e->data, data, data_size);
    e->data_size = data_size;
    TAILQ_INSERT_TAIL(&m->meta_data, e, next);
}

int
evrpc_hook_find_meta(void *ctx, const char *key, void **data, size_t *data_size)
{
    struct evrpc_hook_meta *m = *(struct evrpc_hook_meta **)ctx;
    struct evrpc_meta *e;

    if (m == NULL || key == NULL)
        return -1;
    TAILQ_FOREACH(e, &m->meta_data, next)
    {
        if (strcmp(e->key, key) == 0) {
            *data = e->data;
            *data_size = e->data_size;
            return 0;
        }
    }
    return -1;
}

struct evhttp_connection *
evrpc_hook_get_connection(void *ctx)
{
    struct evrpc_hook_meta *m = *(struct evrpc_hook_meta **)ctx;

    return m != NULL ? m->evcon : NULL;
}

/* ------------------------------------------------------------------ */
/* Server                                                              */
/* ------------------------------------------------------------------ */

struct evrpc_base *
evrpc_init(struct evhttp *http_server)
{
    struct evrpc_base *base = vg_extra_calloc(1, sizeof(*base));

    if (base == NULL)
        return NULL;
    hooks_init(&base->common);
    base->http_server = http_server;
    TAILQ_INIT(&base->registered);
    return base;
}

/* The URI of an RPC: "/.rpc." and its name. */
static char *
rpc_uri(const char *name)
{
    size_t n = strlen(name);
    char *uri = vg_extra_malloc(sizeof(RPC_PREFIX) + n);

    if (uri != NULL) {
        memcpy(uri, RPC_PREFIX, sizeof(RPC_PREFIX) - 1);
        memcpy(uri + sizeof(RPC_PREFIX) - 1, name, n + 1);
    }
    return uri;
}

static void
req_state_free(struct evrpc_req_generic *st)
{
    struct evrpc *rpc = st->rpc;

    paused_forget(&rpc->base->common, st);
    if (st->request != NULL)
        rpc->request_free(st->request);
    if (st->reply != NULL)
        rpc->reply_free(st->reply);
    if (st->rpc_data != NULL)
        evbuffer_free(st->rpc_data);
    meta_free(st->hook_meta);
    vg_extra_free(st);
}

/* A request that cannot be served: 503, as libevent answers. */
static void
req_fail(struct evrpc_req_generic *st)
{
    struct evhttp_request *req = st->http_req;

    req_state_free(st);
    evhttp_send_error(req, HTTP_SERVUNAVAIL, NULL);
}

/* The input hooks let the request through: decode it, call the program. */
static void
req_decoded(void *ctx, enum EVRPC_HOOK_RESULT res)
{
    struct evrpc_req_generic *st = ctx;
    struct evrpc *rpc = st->rpc;
    struct evhttp_request *req = st->http_req;

    if (res == EVRPC_TERMINATE)
        goto fail;
    st->request = rpc->request_new(rpc->request_new_arg);
    if (st->request == NULL)
        goto fail;
    if (rpc->request_unmarshal(st->request,
                               evhttp_request_get_input_buffer(req)) == -1)
        goto fail;
    st->reply = rpc->reply_new(rpc->reply_new_arg);
    if (st->reply == NULL)
        goto fail;
    rpc->cb(st, rpc->cb_arg);
    return;

fail:
    req_fail(st);
}

static void
rpc_request_cb(struct evhttp_request *req, void *arg)
{
    struct evrpc *rpc = arg;
    struct evrpc_req_generic *st;
    struct evbuffer *body = evhttp_request_get_input_buffer(req);
    int res;

    if (evhttp_request_get_command(req) != EVHTTP_REQ_POST ||
        evbuffer_get_length(body) == 0) {
        evhttp_send_error(req, HTTP_SERVUNAVAIL, NULL);
        return;
    }
    st = vg_extra_calloc(1, sizeof(*st));
    if (st == NULL) {
        evhttp_send_error(req, HTTP_SERVUNAVAIL, NULL);
        return;
    }
    st->rpc = rpc;
    st->http_req = req;
    if (!TAILQ_EMPTY(&rpc->base->common.input_hooks)) {
        struct evrpc_hook_meta *m = meta_of(st);

        if (m != NULL)
            m->evcon = evhttp_request_get_connection(req);
    }
    res = hooks_run(&rpc->base->common, &rpc->base->common.input_hooks, st, req,
                    body, req_decoded);
    if (res != EVRPC_PAUSE)
        req_decoded(st, (enum EVRPC_HOOK_RESULT)res);
}

/* The output hooks let the reply through: send it. */
static void
reply_encoded(void *ctx, enum EVRPC_HOOK_RESULT res)
{
    struct evrpc_req_generic *st = ctx;
    struct evhttp_request *req = st->http_req;

    if (res == EVRPC_TERMINATE) {
        req_fail(st);
        return;
    }
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                      "application/octet-stream");
    evhttp_send_reply(req, HTTP_OK, "OK", st->rpc_data);
    req_state_free(st);
}

void
evrpc_request_done(struct evrpc_req_generic *st)
{
    struct evrpc *rpc = st->rpc;
    int res;

    if (rpc->reply_complete(st->reply) == -1) {
        req_fail(st);
        return;
    }
    st->rpc_data = evbuffer_new();
    if (st->rpc_data == NULL) {
        req_fail(st);
        return;
    }
    rpc->reply_marshal(st->rpc_data, st->reply);
    if (!TAILQ_EMPTY(&rpc->base->common.output_hooks)) {
        struct evrpc_hook_meta *m = meta_of(st);

        if (m != NULL)
            m->evcon = evhttp_request_get_connection(st->http_req);
    }
    res = hooks_run(&rpc->base->common, &rpc->base->common.output_hooks, st,
                    st->http_req, st->rpc_data, reply_encoded);
    if (res != EVRPC_PAUSE)
        reply_encoded(st, (enum EVRPC_HOOK_RESULT)res);
}

void *
evrpc_get_request(struct evrpc_req_generic *req)
{
    return req->request;
}

void *
evrpc_get_reply(struct evrpc_req_generic *req)
{
    return req->reply;
}

int
evrpc_register_rpc(struct evrpc_base *base, struct evrpc *rpc,
                   void (*cb)(struct evrpc_req_generic *, void *), void *cb_arg)
{
    char *uri = rpc_uri(rpc->uri);
    int rc;

    if (uri == NULL)
        return -1;
    rpc->cb = cb;
    rpc->cb_arg = cb_arg;
    rpc->base = base;
    rc = evhttp_set_cb(base->http_server, uri, rpc_request_cb, rpc);
    vg_extra_free(uri);
    if (rc != 0)
        return -1;
    TAILQ_INSERT_TAIL(&base->registered, rpc, next);
    return 0;
}

int
evrpc_register_generic(struct evrpc_base *base, const char *name,
                       void (*callback)(struct evrpc_req_generic *, void *),
                       void *cbarg, void *(*req_new)(void *), void *req_new_arg,
                       void (*req_free)(void *),
                       int (*req_unmarshal)(void *, struct evbuffer *),
                       void *(*rpl_new)(void *), void *rpl_new_arg,
                       void (*rpl_free)(void *), int (*rpl_complete)(void *),
                       void (*rpl_marshal)(struct evbuffer *, void *))
{
    struct evrpc *rpc = vg_extra_calloc(1, sizeof(*rpc));
    char *uri;

    if (rpc == NULL)
        return -1;
    uri = vg_extra_strdup(name);
    if (uri == NULL) {
        vg_extra_free(rpc);
        return -1;
    }
    rpc->uri = uri;
    rpc->request_new = req_new;
    rpc->request_new_arg = req_new_arg;
    rpc->request_free = req_free;
    rpc->request_unmarshal = req_unmarshal;
    rpc->reply_new = rpl_new;
    rpc->reply_new_arg = rpl_new_arg;
    rpc->reply_free = rpl_free;
    rpc->reply_complete = rpl_complete;
    rpc->reply_marshal = rpl_marshal;
    if (evrpc_register_rpc(base, rpc, callback, cbarg) != 0) {
        vg_extra_free(uri);
        vg_extra_free(rpc);
        return -1;
    }
    return 0;
}

/* Takes an RPC out of the base and frees it (its name too: the base owns
 * it once registered). */
static void
rpc_unregister(struct evrpc_base *base, struct evrpc *rpc)
{
    char *uri = rpc_uri(rpc->uri);

    if (uri != NULL) {
        evhttp_del_cb(base->http_server, uri);
        vg_extra_free(uri);
    }
    TAILQ_REMOVE(&base->registered, rpc, next);
    vg_extra_free((char *)(uintptr_t)rpc->uri);
    vg_extra_free(rpc);
}

int
evrpc_unregister_rpc(struct evrpc_base *base, const char *name)
{
    struct evrpc *rpc;

    TAILQ_FOREACH(rpc, &base->registered, next)
    {
        if (strcmp(rpc->uri, name) == 0) {
            rpc_unregister(base, rpc);
            return 0;
        }
    }
    return -1;
}

void
evrpc_free(struct evrpc_base *base)
{
    struct evrpc *rpc;

    if (base == NULL)
        return;
    while ((rpc = TAILQ_FIRST(&base->registered)) != NULL)
        rpc_unregister(base, rpc);
    hooks_free(&base->common);
    vg_extra_free(base);
}

/* ------------------------------------------------------------------ */
/* Client                                                              */
/* ------------------------------------------------------------------ */

struct evrpc_pool *
evrpc_pool_new(struct event_base *base)
{
    struct evrpc_pool *pool = vg_extra_calloc(1, sizeof(*pool));

    if (pool == NULL)
        return NULL;
    hooks_init(&pool->common);
    pool->base = base;
    pool->timeout = -1;
    TAILQ_INIT(&pool->connections);
    TAILQ_INIT(&pool->requests);
    TAILQ_INIT(&pool->sent);
    return pool;
}

/* Takes the wrapper off its pool's lists. */
static void
wrapper_unlink(struct evrpc_request_wrapper *ctx)
{
    struct evrpc_pool *pool = ctx->pool;

    if (pool == NULL)
        return;
    if (ctx->sent) {
        TAILQ_REMOVE(&pool->sent, ctx, next);
        ctx->sent = 0;
    } else if (ctx->next.tqe_prev != NULL) {
        TAILQ_REMOVE(&pool->requests, ctx, next);
    }
    ctx->next.tqe_prev = NULL;
    paused_forget(&pool->common, ctx);
    ctx->pool = NULL;
}

static void
wrapper_free(struct evrpc_request_wrapper *ctx)
{
    wrapper_unlink(ctx);
    if (ctx->timer_set)
        event_del(&ctx->ev_timeout);
    meta_free(ctx->hook_meta);
    vg_extra_free(ctx->uri);
    vg_extra_free(ctx);
}

void
evrpc_pool_free(struct evrpc_pool *pool)
{
    struct evrpc_request_wrapper *ctx;
    struct evhttp_connection *evcon;

    if (pool == NULL)
        return;
    if (pool->busy > 0) {
        pool->free_asap = 1; /* from a callback: freed as it returns */
        return;
    }
    /* Queued and sent requests go without their callbacks; the HTTP
     * requests in flight go with their connections. */
    while ((ctx = TAILQ_FIRST(&pool->requests)) != NULL)
        wrapper_free(ctx);
    while ((ctx = TAILQ_FIRST(&pool->sent)) != NULL) {
        /* A request on a connection goes with it; one that is not (held
         * by a paused hook) goes here. */
        if (ctx->req != NULL && evhttp_request_get_connection(ctx->req) == NULL)
            evhttp_request_free(ctx->req);
        wrapper_free(ctx);
    }
    while ((evcon = TAILQ_FIRST(&pool->connections)) != NULL) {
        TAILQ_REMOVE(&pool->connections, evcon, next);
        evhttp_connection_free(evcon);
    }
    hooks_free(&pool->common);
    vg_extra_free(pool);
}

void
evrpc_pool_add_connection(struct evrpc_pool *pool,
                          struct evhttp_connection *evcon)
{
    TAILQ_INSERT_TAIL(&pool->connections, evcon, next);
    /* A connection made without a base (http_compat.h) runs on the
     * pool's. */
    if (pool->base != NULL && evhttp_connection_get_base(evcon) == NULL)
        evhttp_connection_set_base(evcon, pool->base);
    /* The pool's timeout, unless the connection has one of its own. */
    if (pool->timeout > 0 && !evcon->timeout_custom)
        evhttp_connection_set_timeout(evcon, pool->timeout);
    pool_schedule(pool);
}

void
evrpc_pool_remove_connection(struct evrpc_pool *pool,
                             struct evhttp_connection *evcon)
{
    TAILQ_REMOVE(&pool->connections, evcon, next);
}

void
evrpc_pool_set_timeout(struct evrpc_pool *pool, int timeout_in_secs)
{
    struct evhttp_connection *evcon;

    TAILQ_FOREACH(evcon, &pool->connections, next)
    {
        evhttp_connection_set_timeout(evcon, timeout_in_secs);
    }
    pool->timeout = timeout_in_secs;
}

/* A connection of the pool with nothing in flight, or NULL. */
static struct evhttp_connection *
pool_idle_connection(struct evrpc_pool *pool)
{
    struct evhttp_connection *evcon;

    TAILQ_FOREACH(evcon, &pool->connections, next)
    {
        if (TAILQ_EMPTY(&evcon->requests))
            return evcon;
    }
    return NULL;
}

/* Finishes a request: the program's callback with status, then the
 * wrapper goes, and the pool sends what waits. */
static void
wrapper_finish(struct evrpc_request_wrapper *ctx, int error,
               struct evhttp_request *req)
{
    struct evrpc_pool *pool = ctx->pool;
    struct evrpc_status status;

    memset(&status, 0, sizeof(status));
    status.error = error;
    status.http_req = req;
    wrapper_unlink(ctx);
    if (ctx->timer_set) {
        event_del(&ctx->ev_timeout);
        ctx->timer_set = 0;
    }
    if (pool != NULL)
        pool->busy++;
    ctx->cb(&status, ctx->request, ctx->reply, ctx->cb_arg);
    wrapper_free(ctx);
    if (pool == NULL)
        return;
    /* The program may have freed the pool from its callback. */
    if (--pool->busy == 0 && pool->free_asap)
        evrpc_pool_free(pool);
    else if (!pool->free_asap)
        pool_schedule(pool);
}

/* The input hooks passed the reply (or stopped it). */
static void
reply_input_done(void *vctx, enum EVRPC_HOOK_RESULT res)
{
    struct evrpc_request_wrapper *ctx = vctx;
    struct evhttp_request *req = ctx->req;
    int error = EVRPC_STATUS_ERR_NONE;

    /* As in libevent, the reply is decoded whatever the status (a
     * refused connection's request has status 0 and no body, so it ends
     * as a bad payload), and not cleared first. */
    if (res == EVRPC_TERMINATE) {
        error = EVRPC_STATUS_ERR_HOOKABORTED;
    } else {
        if (ctx->reply_unmarshal(ctx->reply,
                                 evhttp_request_get_input_buffer(req)) == -1)
            error = EVRPC_STATUS_ERR_BADPAYLOAD;
    }
    ctx->req = NULL;
    wrapper_finish(ctx, error, req);
    /* Owned when a hook paused it: ours to free. */
    evhttp_request_free(req);
}

/* The HTTP response, or NULL when the request failed. */
static void
rpc_reply_cb(struct evhttp_request *req, void *arg)
{
    struct evrpc_request_wrapper *ctx = arg;
    int res;

    /* An answer came: the pool's timeout no longer applies, even while a
     * hook pauses it. */
    if (ctx->timer_set) {
        event_del(&ctx->ev_timeout);
        ctx->timer_set = 0;
    }
    if (req == NULL) {
        /* No response: closed, reset, timed out. */
        ctx->req = NULL;
        wrapper_finish(ctx, EVRPC_STATUS_ERR_TIMEOUT, NULL);
        return;
    }
    if (!TAILQ_EMPTY(&ctx->pool->common.input_hooks)) {
        struct evrpc_hook_meta *m = meta_of(ctx);

        if (m != NULL)
            m->evcon = ctx->evcon;
    }
    /* The request stays the program's until the reply is decoded: a
     * hook may pause it past this callback. */
    evhttp_request_own(req);
    ctx->req = req;
    res =
        hooks_run(&ctx->pool->common, &ctx->pool->common.input_hooks, ctx, req,
                  evhttp_request_get_input_buffer(req), reply_input_done);
    if (res != EVRPC_PAUSE)
        reply_input_done(ctx, (enum EVRPC_HOOK_RESULT)res);
}

static void
rpc_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
    struct evrpc_request_wrapper *ctx = arg;
    struct evhttp_request *req = ctx->req;

    (void)fd;
    (void)what;
    ctx->timer_set = 0;
    ctx->req = NULL;
    if (req != NULL)
        evhttp_cancel_request(req);
    wrapper_finish(ctx, EVRPC_STATUS_ERR_TIMEOUT, NULL);
}

/* The output hooks passed the request: it goes on its connection. */
static void
request_output_done(void *vctx, enum EVRPC_HOOK_RESULT res)
{
    struct evrpc_request_wrapper *ctx = vctx;
    struct evhttp_request *req = ctx->req;

    if (res == EVRPC_TERMINATE) {
        /* Never sent: libevent reports it so. */
        ctx->req = NULL;
        evhttp_request_free(req);
        wrapper_finish(ctx, EVRPC_STATUS_ERR_UNSTARTED, NULL);
        return;
    }
    if (evhttp_make_request(ctx->evcon, req, EVHTTP_REQ_POST, ctx->uri) != 0) {
        ctx->req = NULL;
        evhttp_request_free(req);
        wrapper_finish(ctx, EVRPC_STATUS_ERR_UNSTARTED, NULL);
        return;
    }
    /* A pool without a base relies on its connections' timeouts. */
    if (ctx->pool->timeout > 0 && ctx->pool->base != NULL) {
        struct timeval tv = {ctx->pool->timeout, 0};

        evtimer_assign(&ctx->ev_timeout, ctx->pool->base, rpc_timeout_cb, ctx);
        if (evtimer_add(&ctx->ev_timeout, &tv) == 0)
            ctx->timer_set = 1;
    }
}

/* Sends ctx over evcon. */
static void
request_send(struct evrpc_request_wrapper *ctx, struct evhttp_connection *evcon)
{
    struct evrpc_pool *pool = ctx->pool;
    struct evhttp_request *req;
    int res;

    ctx->evcon = evcon;
    TAILQ_INSERT_TAIL(&pool->sent, ctx, next);
    ctx->sent = 1;
    req = evhttp_request_new(rpc_reply_cb, ctx);
    if (req == NULL) {
        wrapper_finish(ctx, EVRPC_STATUS_ERR_UNSTARTED, NULL);
        return;
    }
    ctx->request_marshal(evhttp_request_get_output_buffer(req), ctx->request);
    ctx->req = req;
    if (!TAILQ_EMPTY(&pool->common.output_hooks)) {
        struct evrpc_hook_meta *m = meta_of(ctx);

        if (m != NULL)
            m->evcon = evcon;
    }
    res = hooks_run(&pool->common, &pool->common.output_hooks, ctx, req,
                    evhttp_request_get_output_buffer(req), request_output_done);
    if (res != EVRPC_PAUSE)
        request_output_done(ctx, (enum EVRPC_HOOK_RESULT)res);
}

/* Sends waiting requests while connections are free. */
static void
pool_schedule(struct evrpc_pool *pool)
{
    struct evrpc_request_wrapper *ctx;
    struct evhttp_connection *evcon;

    while ((ctx = TAILQ_FIRST(&pool->requests)) != NULL &&
           (evcon = pool_idle_connection(pool)) != NULL) {
        TAILQ_REMOVE(&pool->requests, ctx, next);
        ctx->next.tqe_prev = NULL;
        request_send(ctx, evcon);
    }
}

struct evrpc_request_wrapper *
evrpc_make_request_ctx(
    struct evrpc_pool *pool, void *request, void *reply, const char *rpcname,
    void (*req_marshal)(struct evbuffer *, void *), void (*rpl_clear)(void *),
    int (*rpl_unmarshal)(void *, struct evbuffer *),
    void (*cb)(struct evrpc_status *, void *, void *, void *), void *cbarg)
{
    struct evrpc_request_wrapper *ctx = vg_extra_calloc(1, sizeof(*ctx));

    if (ctx == NULL)
        return NULL;
    ctx->uri = rpc_uri(rpcname);
    if (ctx->uri == NULL) {
        vg_extra_free(ctx);
        return NULL;
    }
    ctx->pool = pool;
    ctx->request = request;
    ctx->reply = reply;
    ctx->request_marshal = req_marshal;
    ctx->reply_clear = rpl_clear;
    ctx->reply_unmarshal = rpl_unmarshal;
    ctx->cb = cb;
    ctx->cb_arg = cbarg;
    return ctx;
}

int
evrpc_make_request(struct evrpc_request_wrapper *ctx)
{
    struct evrpc_pool *pool = ctx->pool;

    if (pool == NULL) {
        wrapper_free(ctx);
        return -1;
    }
    TAILQ_INSERT_TAIL(&pool->requests, ctx, next);
    pool_schedule(pool);
    return 0;
}

int
evrpc_send_request_generic(
    struct evrpc_pool *pool, void *request, void *reply,
    void (*cb)(struct evrpc_status *, void *, void *, void *), void *cb_arg,
    const char *rpcname, void (*req_marshal)(struct evbuffer *, void *),
    void (*rpl_clear)(void *), int (*rpl_unmarshal)(void *, struct evbuffer *))
{
    struct evrpc_request_wrapper *ctx =
        evrpc_make_request_ctx(pool, request, reply, rpcname, req_marshal,
                               rpl_clear, rpl_unmarshal, cb, cb_arg);

    if (ctx == NULL)
        return -1;
    return evrpc_make_request(ctx);
}

struct evrpc_pool *
evrpc_request_get_pool(struct evrpc_request_wrapper *ctx)
{
    return ctx->pool;
}

void
evrpc_request_set_pool(struct evrpc_request_wrapper *ctx,
                       struct evrpc_pool *pool)
{
    ctx->pool = pool;
}

void
evrpc_request_set_cb(struct evrpc_request_wrapper *ctx,
                     void (*cb)(struct evrpc_status *, void *request,
                                void *reply, void *arg),
                     void *cb_arg)
{
    ctx->cb = cb;
    ctx->cb_arg = cb_arg;
}
