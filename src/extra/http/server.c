/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * server.c: struct evhttp, the server: its listening sockets, its
 * settings, its routes (path callbacks, the generic callback), virtual
 * hosts and aliases, and the dispatch of a complete request to the
 * program.  The connections themselves are conn.c's.
 */
#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/event_compat.h>
#include <event2/http.h>
#include <event2/http_compat.h>
#include <event2/http_struct.h>
#include <event2/listener.h>
#include <event2/util.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "http-internal.h"

/* The methods a new server accepts. */
#define DEFAULT_METHODS                                                    \
    (EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | \
     EVHTTP_REQ_DELETE)

/* A new server or virtual host with the defaults. */
static struct evhttp *
server_new(struct event_base *base)
{
    struct evhttp *http = vg_http_calloc(1, sizeof(*http));

    if (http == NULL)
        return NULL;
    http->base = base;
    TAILQ_INIT(&http->vhosts);
    TAILQ_INIT(&http->aliases);
    TAILQ_INIT(&http->sockets);
    TAILQ_INIT(&http->routes);
    TAILQ_INIT(&http->conns);
    http->max_headers_size = (size_t)-1;
    http->max_body_size = UINT64_MAX;
    http->allowed_methods = DEFAULT_METHODS;
    http->default_content_type =
        vg_extra_strdup("text/html; charset=ISO-8859-1");
    if (http->default_content_type == NULL) {
        vg_http_free(http);
        return NULL;
    }
    return http;
}

struct evhttp *
evhttp_new(struct event_base *base)
{
    if (base == NULL) {
        errno = EINVAL;
        return NULL;
    }
    return server_new(base);
}

struct evhttp *
evhttp_start(const char *address, ev_uint16_t port)
{
    struct event_base *base = vg_extra_core()->current_base();
    struct evhttp *http;

    if (base == NULL)
        return NULL;
    http = server_new(base);
    if (http == NULL)
        return NULL;
    if (evhttp_bind_socket(http, address, port) != 0) {
        evhttp_free(http);
        return NULL;
    }
    return http;
}

void
evhttp_free(struct evhttp *http)
{
    struct evhttp_bound_socket *bound;
    struct evhttp_connection *evcon;
    struct vg_http_route *route;
    struct vg_http_alias *alias;
    struct evhttp *vhost;

    if (http == NULL)
        return;
    while ((bound = TAILQ_FIRST(&http->sockets)) != NULL)
        evhttp_del_accept_socket(http, bound);
    while ((evcon = TAILQ_FIRST(&http->conns)) != NULL)
        vg_http_conn_close(evcon);
    while ((route = TAILQ_FIRST(&http->routes)) != NULL) {
        TAILQ_REMOVE(&http->routes, route, next);
        vg_http_free(route->path);
        vg_http_free(route);
    }
    while ((vhost = TAILQ_FIRST(&http->vhosts)) != NULL) {
        TAILQ_REMOVE(&http->vhosts, vhost, next_vhost);
        vhost->parent = NULL;
        evhttp_free(vhost);
    }
    while ((alias = TAILQ_FIRST(&http->aliases)) != NULL) {
        TAILQ_REMOVE(&http->aliases, alias, next);
        vg_http_free(alias->name);
        vg_http_free(alias);
    }
    if (http->parent != NULL)
        TAILQ_REMOVE(&http->parent->vhosts, http, next_vhost);
    vg_http_free(http->vhost_pattern);
    vg_http_free(http->default_content_type);
    vg_http_free(http);
}

/* ------------------------------------------------------------------ */
/* Listening sockets                                                   */
/* ------------------------------------------------------------------ */

static void
accept_cb(struct evconnlistener *listener, evutil_socket_t fd,
          struct sockaddr *sa, int salen, void *arg)
{
    struct evhttp_bound_socket *bound = arg;

    (void)listener;
    vg_http_conn_accept(bound->http, fd, sa, salen);
}

struct evhttp_bound_socket *
evhttp_bind_listener(struct evhttp *http, struct evconnlistener *listener)
{
    struct evhttp_bound_socket *bound = vg_http_calloc(1, sizeof(*bound));

    if (bound == NULL)
        return NULL;
    bound->http = http;
    bound->listener = listener;
    TAILQ_INSERT_TAIL(&http->sockets, bound, next);
    evconnlistener_set_cb(listener, accept_cb, bound);
    return bound;
}

struct evhttp_bound_socket *
evhttp_accept_socket_with_handle(struct evhttp *http, evutil_socket_t fd)
{
    struct evconnlistener *listener;
    struct evhttp_bound_socket *bound;

    listener = evconnlistener_new(http->base, NULL, NULL,
                                  LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE |
                                      LEV_OPT_CLOSE_ON_EXEC,
                                  0, fd);
    if (listener == NULL)
        return NULL;
    bound = evhttp_bind_listener(http, listener);
    if (bound == NULL)
        evconnlistener_free(listener);
    return bound;
}

int
evhttp_accept_socket(struct evhttp *http, evutil_socket_t fd)
{
    return evhttp_accept_socket_with_handle(http, fd) != NULL ? 0 : -1;
}

/* A listening socket bound to address:port, or -1. */
static evutil_socket_t
listen_on(const char *address, ev_uint16_t port)
{
    struct evutil_addrinfo hints, *ai = NULL;
    char service[8];
    evutil_socket_t fd = -1;
    int on = 1;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    hints.ai_flags = EVUTIL_AI_PASSIVE | EVUTIL_AI_ADDRCONFIG;
    evutil_snprintf(service, sizeof(service), "%u", (unsigned)port);
    if (evutil_getaddrinfo(address, service, &hints, &ai) != 0)
        return -1;
    fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        goto done;
    if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on)) != 0 ||
        evutil_make_listen_socket_reuseable(fd) != 0 ||
        bind(fd, ai->ai_addr, (socklen_t)ai->ai_addrlen) != 0 ||
        listen(fd, 128) != 0) {
        int saved = errno;

        evutil_closesocket(fd);
        errno = saved;
        fd = -1;
    }
done:
    evutil_freeaddrinfo(ai);
    return fd;
}

struct evhttp_bound_socket *
evhttp_bind_socket_with_handle(struct evhttp *http, const char *address,
                               ev_uint16_t port)
{
    struct evhttp_bound_socket *bound;
    evutil_socket_t fd = listen_on(address, port);

    if (fd < 0)
        return NULL;
    bound = evhttp_accept_socket_with_handle(http, fd);
    if (bound == NULL)
        evutil_closesocket(fd);
    return bound;
}

int
evhttp_bind_socket(struct evhttp *http, const char *address, ev_uint16_t port)
{
    return evhttp_bind_socket_with_handle(http, address, port) != NULL ? 0 : -1;
}

struct evconnlistener *
evhttp_bound_socket_get_listener(struct evhttp_bound_socket *bound)
{
    return bound->listener;
}

evutil_socket_t
evhttp_bound_socket_get_fd(struct evhttp_bound_socket *bound)
{
    return evconnlistener_get_fd(bound->listener);
}

void
evhttp_foreach_bound_socket(struct evhttp *http,
                            evhttp_bound_socket_foreach_fn *function,
                            void *argument)
{
    struct evhttp_bound_socket *bound;

    TAILQ_FOREACH(bound, &http->sockets, next)
    {
        function(bound, argument);
    }
}

void
evhttp_del_accept_socket(struct evhttp *http, struct evhttp_bound_socket *bound)
{
    TAILQ_REMOVE(&http->sockets, bound, next);
    evconnlistener_free(bound->listener);
    vg_http_free(bound);
}

/* ------------------------------------------------------------------ */
/* Settings                                                            */
/* ------------------------------------------------------------------ */

void
evhttp_set_max_headers_size(struct evhttp *http, ev_ssize_t max_headers_size)
{
    http->max_headers_size =
        max_headers_size < 0 ? (size_t)-1 : (size_t)max_headers_size;
}

void
evhttp_set_max_body_size(struct evhttp *http, ev_ssize_t max_body_size)
{
    http->max_body_size =
        max_body_size < 0 ? UINT64_MAX : (uint64_t)max_body_size;
}

void
evhttp_set_default_content_type(struct evhttp *http, const char *content_type)
{
    char *copy = NULL;

    if (content_type != NULL) {
        copy = vg_extra_strdup(content_type);
        if (copy == NULL)
            return;
    }
    vg_http_free(http->default_content_type);
    http->default_content_type = copy;
}

void
evhttp_set_allowed_methods(struct evhttp *http, ev_uint16_t methods)
{
    http->allowed_methods = methods;
}

void
evhttp_set_timeout(struct evhttp *http, int timeout_in_secs)
{
    struct timeval tv = {timeout_in_secs, 0};

    evhttp_set_timeout_tv(http, timeout_in_secs > 0 ? &tv : NULL);
}

void
evhttp_set_timeout_tv(struct evhttp *http, const struct timeval *tv)
{
    if (tv != NULL && (tv->tv_sec > 0 || tv->tv_usec > 0))
        http->timeout = *tv;
    else
        evutil_timerclear(&http->timeout);
}

void
vg_http_server_timeout(struct evhttp *http, struct timeval *tv)
{
    struct timeval want = {VG_HTTP_DEFAULT_TIMEOUT, 0};

    if (evutil_timerisset(&http->timeout))
        want = http->timeout;
    /* Every connection of a server times out after the same interval:
     * a common timeout keeps their timers in one O(1) queue. */
    if (http->common_timeout == NULL ||
        evutil_timercmp(&want, &http->common_from, !=)) {
        http->common_timeout =
            event_base_init_common_timeout(http->base, &want);
        http->common_from = want;
    }
    *tv = http->common_timeout != NULL ? *http->common_timeout : want;
}

int
evhttp_set_flags(struct evhttp *http, int flags)
{
    if (flags & ~EVHTTP_SERVER_LINGERING_CLOSE)
        return -1;
    http->flags = flags;
    return 0;
}

void
evhttp_set_bevcb(struct evhttp *http,
                 struct bufferevent *(*cb)(struct event_base *, void *),
                 void *arg)
{
    http->bevcb = cb;
    http->bevcb_arg = arg;
}

void
evhttp_set_gencb(struct evhttp *http,
                 void (*cb)(struct evhttp_request *, void *), void *arg)
{
    http->gencb = cb;
    http->gencb_arg = arg;
}

/* ------------------------------------------------------------------ */
/* Routes                                                              */
/* ------------------------------------------------------------------ */

int
evhttp_set_cb(struct evhttp *http, const char *path,
              void (*cb)(struct evhttp_request *, void *), void *cb_arg)
{
    struct vg_http_route *route;

    TAILQ_FOREACH(route, &http->routes, next)
    {
        if (strcmp(route->path, path) == 0)
            return -1;
    }
    route = vg_http_calloc(1, sizeof(*route));
    if (route == NULL)
        return -2;
    route->path = vg_extra_strdup(path);
    if (route->path == NULL) {
        vg_http_free(route);
        return -2;
    }
    route->cb = cb;
    route->arg = cb_arg;
    TAILQ_INSERT_TAIL(&http->routes, route, next);
    return 0;
}

int
evhttp_del_cb(struct evhttp *http, const char *path)
{
    struct vg_http_route *route;

    TAILQ_FOREACH(route, &http->routes, next)
    {
        if (strcmp(route->path, path) == 0) {
            TAILQ_REMOVE(&http->routes, route, next);
            vg_http_free(route->path);
            vg_http_free(route);
            return 0;
        }
    }
    return -1;
}

/* ------------------------------------------------------------------ */
/* Virtual hosts and aliases                                           */
/* ------------------------------------------------------------------ */

int
evhttp_add_virtual_host(struct evhttp *http, const char *pattern,
                        struct evhttp *vhost)
{
    /* A virtual host serves one server and has no sockets of its own. */
    if (vhost->parent != NULL || !TAILQ_EMPTY(&vhost->sockets))
        return -1;
    vhost->vhost_pattern = vg_extra_strdup(pattern);
    if (vhost->vhost_pattern == NULL)
        return -1;
    vhost->parent = http;
    TAILQ_INSERT_TAIL(&http->vhosts, vhost, next_vhost);
    return 0;
}

int
evhttp_remove_virtual_host(struct evhttp *http, struct evhttp *vhost)
{
    if (vhost->parent != http)
        return -1;
    TAILQ_REMOVE(&http->vhosts, vhost, next_vhost);
    vhost->parent = NULL;
    vg_http_free(vhost->vhost_pattern);
    vhost->vhost_pattern = NULL;
    return 0;
}

int
evhttp_add_server_alias(struct evhttp *http, const char *alias)
{
    struct vg_http_alias *a = vg_http_calloc(1, sizeof(*a));

    if (a == NULL)
        return -1;
    a->name = vg_extra_strdup(alias);
    if (a->name == NULL) {
        vg_http_free(a);
        return -1;
    }
    TAILQ_INSERT_TAIL(&http->aliases, a, next);
    return 0;
}

int
evhttp_remove_server_alias(struct evhttp *http, const char *alias)
{
    struct vg_http_alias *a;

    TAILQ_FOREACH(a, &http->aliases, next)
    {
        if (strcasecmp(a->name, alias) == 0) {
            TAILQ_REMOVE(&http->aliases, a, next);
            vg_http_free(a->name);
            vg_http_free(a);
            return 0;
        }
    }
    return -1;
}

static int
ascii_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Whether name matches pattern, where '*' stands for any run of
 * characters (and '?' for itself, as in libevent); ASCII case is
 * ignored. */
static int
pattern_match(const char *pattern, const char *name)
{
    const char *star = NULL, *resume = NULL;

    while (*name != '\0') {
        if (*pattern == '*') {
            star = pattern++;
            resume = name;
        } else if (*pattern == '?' || (*pattern != '\0' &&
                                       ascii_lower((unsigned char)*pattern) ==
                                           ascii_lower((unsigned char)*name))) {
            pattern++;
            name++;
        } else if (star != NULL) {
            pattern = star + 1;
            name = ++resume;
        } else {
            return 0;
        }
    }
    while (*pattern == '*')
        pattern++;
    return *pattern == '\0';
}

/* The server (http itself, or one of its virtual hosts, depth first) that
 * answers requests for host. */
static struct evhttp *
server_for_host(struct evhttp *http, const char *host)
{
    struct vg_http_alias *a;
    struct evhttp *vhost;

    TAILQ_FOREACH(a, &http->aliases, next)
    {
        if (strcasecmp(a->name, host) == 0)
            return http;
    }
    TAILQ_FOREACH(vhost, &http->vhosts, next_vhost)
    {
        struct evhttp *found;

        if (pattern_match(vhost->vhost_pattern, host))
            return vhost;
        found = server_for_host(vhost, host);
        if (found != NULL)
            return found;
    }
    return NULL;
}

void
vg_http_server_dispatch(struct evhttp *http, struct evhttp_request *req)
{
    const char *host = evhttp_request_get_host(req);
    struct vg_http_route *route;
    const char *path;
    char *decoded;

    if (host != NULL) {
        struct evhttp *vhost = server_for_host(http, host);

        if (vhost != NULL)
            http = vhost;
    }
    path = req->uri_elems != NULL ? evhttp_uri_get_path(req->uri_elems) : "";
    if (path == NULL)
        path = "";
    /* Routes match the decoded path; most paths have nothing to decode. */
    decoded = strchr(path, '%') != NULL ? evhttp_uridecode(path, 0, NULL)
                                        : (char *)(uintptr_t)path;
    /* A CONNECT names an authority, not a path: only the generic
     * callback takes it, as in libevent. */
    if (decoded != NULL && req->type != EVHTTP_REQ_CONNECT) {
        TAILQ_FOREACH(route, &http->routes, next)
        {
            if (strcmp(route->path, decoded) == 0) {
                if (decoded != path)
                    vg_http_free(decoded);
                route->cb(req, route->arg);
                return;
            }
        }
        if (decoded != path)
            vg_http_free(decoded);
    }
    if (http->gencb != NULL) {
        http->gencb(req, http->gencb_arg);
        return;
    }
    vg_http_reply_not_found(req);
}
