/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * bridge-internal.h: what the libraries above the core (libevent_extra,
 * libevent_openssl) use of the core's internals, and what the core uses
 * of evdns, without exporting a single non-public symbol.
 *
 * Upward: every struct event_base, and every struct event_config, starts
 * with a pointer to one constant table of core services (memory with the
 * user's event_set_mem_functions, the event log, the current base of the
 * compat API).  A higher library that holds an event_base reads the table
 * from it; one that holds none (the URI helpers of evhttp) makes an
 * event_config, which has no side effect, to read it once.
 *
 * Downward: every struct evdns_base starts with a pointer to a table of
 * evdns operations, so that bufferevent_socket_connect_hostname() in the
 * core can resolve names through a base the caller hands it, although the
 * core cannot link to libevent_extra.
 *
 * Both tables carry their own size, so a field added at the end is seen
 * only by code that knows it.
 */
#ifndef VIGIL_BRIDGE_INTERNAL_H
#define VIGIL_BRIDGE_INTERNAL_H

#include <stddef.h>

struct event_base;
struct event_config;
struct evdns_base;
struct evutil_addrinfo;

struct vg_core_bridge {
    size_t size;
    void *(*malloc)(size_t size);
    void *(*calloc)(size_t count, size_t size);
    void *(*realloc)(void *ptr, size_t size);
    void (*free)(void *ptr);
    /* One finished message at EVENT_LOG_* severity, to the user's log
     * callback or to stderr; debug messages only when debug logging is
     * on (event_enable_debug_logging). */
    void (*log)(int severity, const char *msg);
    /* The base event_init() made last, or NULL. */
    struct event_base *(*current_base)(void);
};

/* The core's table, read off any event_base. */
static inline const struct vg_core_bridge *
vg_core_bridge_of(const struct event_base *base)
{
    return *(const struct vg_core_bridge *const *)(const void *)base;
}

/* The same table, read off an event_config. */
static inline const struct vg_core_bridge *
vg_core_bridge_of_config(const struct event_config *cfg)
{
    return *(const struct vg_core_bridge *const *)(const void *)cfg;
}

/* The callback type of evdns_getaddrinfo(). */
typedef void (*vg_gai_cb)(int err, struct evutil_addrinfo *res, void *arg);

struct vg_dns_bridge {
    size_t size;
    /* evdns_getaddrinfo() and evdns_getaddrinfo_cancel(), by pointer.
     * The request handle is opaque to the core. */
    void *(*getaddrinfo)(struct evdns_base *dns, const char *node,
                         const char *service,
                         const struct evutil_addrinfo *hints, vg_gai_cb cb,
                         void *arg);
    void (*getaddrinfo_cancel)(void *req);
};

/* The evdns table, read off an evdns_base. */
static inline const struct vg_dns_bridge *
vg_dns_bridge_of(const struct evdns_base *dns)
{
    return *(const struct vg_dns_bridge *const *)(const void *)dns;
}

#endif
