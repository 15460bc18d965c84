/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * dns_util.c: evdns's log (to evdns_set_log_fn()'s function or the
 * event log) and the two hooks libevent 2.1 keeps only for
 * compatibility.
 */
#include <event2/dns.h>
#include <event2/event.h>

#include <stdio.h>

#include "evdns-internal.h"

static evdns_debug_log_fn_type log_fn;

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
    c = vg_extra_core();
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
