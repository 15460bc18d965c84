/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * dns_compat.c: the evdns functions of dns_compat.h, which work on one
 * global resolver tied to the current base (the one event_init() made).
 * The resolver is made on first use, as in libevent: by evdns_init() with
 * /etc/resolv.conf, by the other functions empty.  Like the rest of the
 * compat API this is for single-threaded programs.
 */
#include <event2/dns.h>
#include <event2/dns_compat.h>
#include <event2/event.h>
#include <event2/event_compat.h>
#include <event2/event_struct.h>

#include <string.h>

#include "evdns-internal.h"

static struct evdns_base *current_dns;

static void
noop_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
}

/* The current base, found through the public compat API: event_set()
 * gives an event the base event_init() made last.  (The event lives on
 * the stack, so debug mode must forget it again.) */
struct event_base *
vg_evdns_current_base(void)
{
    struct event_base *base;
    struct event ev;

    memset(&ev, 0, sizeof(ev));
    event_set(&ev, -1, 0, noop_cb, NULL);
    base = event_get_base(&ev);
    event_debug_unassign(&ev);
    return base;
}

static struct evdns_base *
global_dns(int flags)
{
    struct event_base *base;

    if (current_dns == NULL && (base = vg_evdns_current_base()) != NULL)
        current_dns = evdns_base_new(base, flags);
    return current_dns;
}

int
evdns_init(void)
{
    if (current_dns != NULL)
        return 0;
    return global_dns(EVDNS_BASE_INITIALIZE_NAMESERVERS) != NULL ? 0 : -1;
}

struct evdns_base *
evdns_get_global_base(void)
{
    return current_dns;
}

void
evdns_shutdown(int fail_requests)
{
    if (current_dns != NULL) {
        struct evdns_base *dns = current_dns;

        current_dns = NULL;
        evdns_base_free(dns, fail_requests);
    }
    evdns_set_log_fn(NULL);
}

int
evdns_nameserver_add(unsigned long int address)
{
    struct evdns_base *dns = global_dns(0);

    return dns != NULL ? evdns_base_nameserver_add(dns, address) : -1;
}

int
evdns_count_nameservers(void)
{
    return evdns_base_count_nameservers(current_dns);
}

int
evdns_clear_nameservers_and_suspend(void)
{
    return evdns_base_clear_nameservers_and_suspend(current_dns);
}

int
evdns_resume(void)
{
    return evdns_base_resume(current_dns);
}

int
evdns_nameserver_ip_add(const char *ip_as_string)
{
    struct evdns_base *dns = global_dns(0);

    return dns != NULL ? evdns_base_nameserver_ip_add(dns, ip_as_string) : -1;
}

int
evdns_resolve_ipv4(const char *name, int flags, evdns_callback_type callback,
                   void *ptr)
{
    return evdns_base_resolve_ipv4(global_dns(0), name, flags, callback, ptr) !=
                   NULL
               ? 0
               : -1;
}

int
evdns_resolve_ipv6(const char *name, int flags, evdns_callback_type callback,
                   void *ptr)
{
    return evdns_base_resolve_ipv6(global_dns(0), name, flags, callback, ptr) !=
                   NULL
               ? 0
               : -1;
}

int
evdns_resolve_reverse(const struct in_addr *in, int flags,
                      evdns_callback_type callback, void *ptr)
{
    return evdns_base_resolve_reverse(global_dns(0), in, flags, callback,
                                      ptr) != NULL
               ? 0
               : -1;
}

int
evdns_resolve_reverse_ipv6(const struct in6_addr *in, int flags,
                           evdns_callback_type callback, void *ptr)
{
    return evdns_base_resolve_reverse_ipv6(global_dns(0), in, flags, callback,
                                           ptr) != NULL
               ? 0
               : -1;
}

int
evdns_set_option(const char *option, const char *val, int flags)
{
    (void)flags;
    return evdns_base_set_option(global_dns(0), option, val);
}

int
evdns_resolv_conf_parse(int flags, const char *const filename)
{
    return evdns_base_resolv_conf_parse(global_dns(0), flags, filename);
}

void
evdns_search_clear(void)
{
    if (global_dns(0) != NULL)
        evdns_base_search_clear(current_dns);
}

void
evdns_search_add(const char *domain)
{
    evdns_base_search_add(global_dns(0), domain);
}

void
evdns_search_ndots_set(const int ndots)
{
    evdns_base_search_ndots_set(global_dns(0), ndots);
}
