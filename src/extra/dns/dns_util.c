/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * dns_util.c: evdns's link to the core (memory, log) and its log
 * functions: evdns_set_log_fn() and the two hooks libevent 2.1 keeps only
 * for compatibility.
 */
#include <event2/dns.h>
#include <event2/event.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evdns-internal.h"

static const struct vg_core_bridge *core_bridge;
static evdns_debug_log_fn_type log_fn;

void
vg_dns_attach(struct event_base *base)
{
    if (base != NULL && __atomic_load_n(&core_bridge, __ATOMIC_ACQUIRE) == NULL)
        __atomic_store_n(&core_bridge, vg_core_bridge_of(base),
                         __ATOMIC_RELEASE);
}

const struct vg_core_bridge *
vg_dns_core(void)
{
    const struct vg_core_bridge *c;
    struct event_config *cfg;

    c = __atomic_load_n(&core_bridge, __ATOMIC_ACQUIRE);
    if (c != NULL)
        return c;
    /* No base seen yet: an event_config carries the same table and has
     * no side effect.  (Any thread may get here: each stores the same
     * pointer.) */
    cfg = event_config_new();
    if (cfg == NULL)
        return NULL;
    c = vg_core_bridge_of_config(cfg);
    event_config_free(cfg);
    __atomic_store_n(&core_bridge, c, __ATOMIC_RELEASE);
    return c;
}

/* Memory always comes from the core's functions, so whatever evdns or
 * evhttp hands out or takes back matches event_set_mem_functions().  When
 * even the table cannot be had (no memory for an event_config), the
 * allocation fails: plain malloc() here could later meet the user's
 * free(). */
void *
vg_dns_malloc_(size_t n)
{
    const struct vg_core_bridge *c = vg_dns_core();

    return c != NULL ? c->malloc(n) : NULL;
}

void *
vg_dns_calloc_(size_t n, size_t size)
{
    const struct vg_core_bridge *c = vg_dns_core();

    return c != NULL ? c->calloc(n, size) : NULL;
}

void *
vg_dns_realloc_(void *p, size_t n)
{
    const struct vg_core_bridge *c = vg_dns_core();

    return c != NULL ? c->realloc(p, n) : NULL;
}

void
vg_dns_free_(void *p)
{
    const struct vg_core_bridge *c;

    if (p == NULL)
        return;
    /* Memory exists only if an allocation found the table. */
    c = __atomic_load_n(&core_bridge, __ATOMIC_ACQUIRE);
    c->free(p);
}

char *
vg_dns_strdup(const char *s)
{
    size_t n;
    char *p;

    if (s == NULL)
        return NULL;
    n = strlen(s) + 1;
    p = vg_dns_malloc(n);
    if (p != NULL)
        memcpy(p, s, n);
    return p;
}

void
vg_dns_log(int severity, const char *fmt, ...)
{
    evdns_debug_log_fn_type fn = __atomic_load_n(&log_fn, __ATOMIC_ACQUIRE);
    const struct vg_core_bridge *c;
    char buf[512];
    va_list ap;

    va_start(ap, fmt);
    if (vsnprintf(buf, sizeof(buf), fmt, ap) < 0)
        buf[0] = '\0';
    va_end(ap);
    if (fn != NULL) {
        fn(severity == VG_EVDNS_LOG_WARN, buf);
        return;
    }
    c = vg_dns_core();
    if (c != NULL)
        c->log(severity, buf);
}

void
evdns_set_log_fn(evdns_debug_log_fn_type fn)
{
    __atomic_store_n(&log_fn, fn, __ATOMIC_RELEASE);
}

void
evdns_set_transaction_id_fn(ev_uint16_t (*fn)(void))
{
    /* IDs come from evutil_secure_rng, as in libevent 2.1. */
    (void)fn;
}

void
evdns_set_random_bytes_fn(void (*fn)(char *, size_t))
{
    (void)fn;
}
